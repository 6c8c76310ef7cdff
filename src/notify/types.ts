/** The notifier contract. Slack implements it in slack.ts; message building is pure (message.ts). */
import type { TransportErrorCode } from '../model/transport.js';

/** A Slack Block Kit block, kept loose on purpose: message.ts builds only header/section/context. */
export type SlackBlock = Record<string, unknown> & { type: string };

export interface SlackMessage {
  /** Plain-text fallback shown in notifications and by clients that cannot render blocks. */
  text: string;
  blocks: SlackBlock[];
}

/** The shared transport codes (src/model/transport.ts), plus Slack refusing a message (`rejected`) and a bad setup. */
export type NotifyErrorCode = TransportErrorCode | 'rejected' | 'config';

/** A failure as data: the caller records it (Event, log) and carries on; nothing is thrown. */
export interface NotifyError {
  code: NotifyErrorCode;
  message: string;
  status?: number;
  retryAfterSeconds?: number;
}

export type NotifyResult =
  | {
      ok: true;
      /** ts of the message just posted (bot token only). */
      ts: string | null;
      /** Thread of the incident: keep it in the workload state and pass it back next time (bot token only). */
      threadTs: string | null;
      /** Attempts made (2 when a 429/5xx was retried once). */
      attempts: number;
    }
  | { ok: false; error: NotifyError; attempts: number };

export interface NotifyOptions {
  /** Thread of the incident from an earlier result: reply there and refresh its root message. */
  threadTs?: string | null;
}

export interface Notifier {
  /** Never rejects: every failure comes back as `{ ok: false }`. */
  notify(message: SlackMessage, options?: NotifyOptions): Promise<NotifyResult>;
}
