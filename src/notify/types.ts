/** The notifier contract. Slack implements it in slack.ts; the messages are composed in src/report/slack-message.ts. */
import type { Failed, PortError } from '../model/result.js';
import type { TransportErrorCode } from '../model/transport.js';

import type { SlackMessage } from '../report/slack-message.js';

export type { SlackMessage };

/** The shared transport codes (src/model/transport.ts), plus Slack refusing a message (`rejected`) and a bad setup. */
export type NotifyErrorCode = TransportErrorCode | 'rejected' | 'config';

/** A failure as data (src/model/result.ts): the caller records it (Event, log) and carries on. */
export type NotifyError = PortError<NotifyErrorCode>;

/** A message not sent, after `attempts` tries. */
export type FailedNotify = Failed<NotifyError> & { attempts: number };

export type NotifyResult =
  | {
      outcome: 'sent';
      /** ts of the message just posted (bot token only). */
      ts: string | null;
      /** Thread of the incident: keep it in the workload state and pass it back next time (bot token only). */
      threadTs: string | null;
      /** Attempts made (2 when a 429/5xx was retried once). */
      attempts: number;
    }
  | FailedNotify;

export interface NotifyOptions {
  /** Thread of the incident from an earlier result: reply there and refresh its root message. */
  threadTs?: string | null;
}

export interface Notifier {
  /** Never rejects: every failure comes back as `{ outcome: 'failed' }`. */
  notify(message: SlackMessage, options?: NotifyOptions): Promise<NotifyResult>;
}
