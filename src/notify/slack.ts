/**
 * Slack senders: incoming webhook (@slack/webhook) or bot token (@slack/web-api, one thread per
 * incident). A 429 or 5xx is retried once, honouring Retry-After up to a bound; anything else comes
 * back as a typed failure. notify() never rejects, so Slack can never block a Kubernetes action.
 */
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type Logger as SlackLogger,
} from '@slack/web-api';
import type { Logger } from 'pino';
import { redact } from '../model/redact.js';
import { ConfigError } from '../model/config-error.js';
import { readSecretFile } from '../secret/secret-file.js';
import { parseRetryAfter } from '../model/retry-after.js';
import type { FailedNotify, Notifier, NotifyError, NotifyOptions, NotifyResult, SlackMessage } from './types.js';

export interface SlackSendOptions {
  logger: Logger;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** A Retry-After longer than this is not waited for: the message is given up. @default 30 */
  maxRetryAfterSeconds?: number;
  /** Wait used before the single retry (tests pass one that records instead of sleeping). */
  sleep?: (ms: number) => Promise<void>;
}

/** Thrown inside a send attempt; classified into NotifyError. */
class AttemptError extends Error {
  constructor(
    readonly error: NotifyError,
    readonly retryable: boolean,
  ) {
    super(error.message);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const AUTH_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'no_permission',
]);

/** Runs `attempt`, and once more after Retry-After (bounded) when it failed with a retryable error. */
async function withOneRetry<T>(
  attempt: () => Promise<T>,
  opts: SlackSendOptions,
  log: Logger,
): Promise<{ outcome: 'sent'; value: T; attempts: number } | FailedNotify> {
  const max = opts.maxRetryAfterSeconds ?? 30;
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempts = 1; ; attempts++) {
    try {
      return { outcome: 'sent', value: await attempt(), attempts };
    } catch (err) {
      if (!(err instanceof AttemptError)) throw err;
      const wait = err.error.retryAfterSeconds ?? 1;
      if (!err.retryable || attempts >= 2 || wait > max) {
        const suffix =
          err.retryable && wait > max && attempts < 2 ? ` (Retry-After ${wait}s exceeds ${max}s: given up)` : '';
        return { outcome: 'failed', error: { ...err.error, message: err.error.message + suffix }, attempts };
      }
      log.info({ code: err.error.code, retryAfterSeconds: wait }, 'Slack asked to retry; retrying once');
      await sleep(wait * 1000);
    }
  }
}

function httpFailure(status: number, retryAfterSeconds: number | undefined, detail: string): AttemptError {
  if (status === 429) {
    return new AttemptError(
      {
        code: 'rate-limited',
        status,
        message: `Slack rate limit (HTTP 429)`,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
      true,
    );
  }
  if (status >= 500) {
    return new AttemptError(
      {
        code: 'server',
        status,
        message: `Slack server error (HTTP ${status})`,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
      true,
    );
  }
  if (status === 401 || status === 403 || status === 404 || status === 410) {
    return new AttemptError(
      {
        code: 'unauthorized',
        status,
        message: `Slack refused the webhook or token (HTTP ${status}${detail ? `: ${detail}` : ''})`,
      },
      false,
    );
  }
  return new AttemptError(
    { code: 'rejected', status, message: `Slack rejected the message (HTTP ${status}${detail ? `: ${detail}` : ''})` },
    false,
  );
}

function transportFailure(original: unknown): AttemptError {
  const name = original instanceof Error ? original.name : '';
  const cause = original instanceof Error ? (original.cause as { code?: string } | undefined) : undefined;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new AttemptError({ code: 'timeout', message: 'Slack did not answer in time' }, false);
  return new AttemptError(
    { code: 'unreachable', message: `cannot reach Slack (${cause?.code ?? name ?? 'network error'})` },
    false,
  );
}

/** Slack error bodies are short codes like `invalid_blocks`; anything longer is not echoed. */
function shortDetail(body: unknown): string {
  const s = typeof body === 'string' ? body.trim() : '';
  return /^[a-z_]{1,60}$/.test(s) ? s : '';
}

export class SlackWebhookNotifier implements Notifier {
  private readonly log: Logger;

  constructor(
    private readonly webhookUrl: string,
    private readonly opts: SlackSendOptions,
  ) {
    this.log = opts.logger.child({ component: 'slack', transport: 'webhook' });
  }

  async notify(message: SlackMessage, _options?: NotifyOptions): Promise<NotifyResult> {
    let retryAfter: string | null = null;
    // The webhook client drops response headers from its errors; read Retry-After on the way past.
    const fetchRecordingRetryAfter: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      retryAfter = res.headers.get('retry-after');
      return res;
    };
    const webhook = new IncomingWebhook(this.webhookUrl, {
      timeout: this.opts.timeoutMs ?? 10_000,
      fetch: fetchRecordingRetryAfter,
    });
    return this.finish(
      await this.guard(() =>
        withOneRetry(
          async () => {
            retryAfter = null;
            try {
              await webhook.send({ text: message.text, blocks: message.blocks as never });
            } catch (err) {
              if (err instanceof IncomingWebhookHTTPError)
                throw httpFailure(err.statusCode, parseRetryAfter(retryAfter, Date.now()), shortDetail(err.body));
              if (err instanceof IncomingWebhookRequestError) throw transportFailure(err.original);
              throw transportFailure(err);
            }
          },
          this.opts,
          this.log,
        ),
      ),
      null,
    );
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T | FailedNotify> {
    try {
      return await fn();
    } catch (err) {
      return { outcome: 'failed', error: transportFailure(err).error, attempts: 1 };
    }
  }

  private finish(r: { outcome: 'sent'; attempts: number } | FailedNotify, ts: string | null): NotifyResult {
    if (r.outcome === 'failed') {
      const error = { ...r.error, message: redact(r.error.message, [this.webhookUrl]) };
      this.log.warn(
        { code: error.code, status: error.status, attempts: r.attempts },
        `Slack message not sent: ${error.message}`,
      );
      return { outcome: 'failed', error, attempts: r.attempts };
    }
    this.log.info({ attempts: r.attempts }, 'Slack message sent');
    return { outcome: 'sent', ts, threadTs: null, attempts: r.attempts };
  }
}

export interface SlackBotOptions extends SlackSendOptions {
  channel: string;
  /** Web API base, e.g. `https://slack.com/api/`. @default https://slack.com/api/ */
  apiUrl?: string;
}

function slackLoggerFor(log: Logger): SlackLogger {
  let level = LogLevel.WARN;
  return {
    debug: (...m: unknown[]) => log.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => log.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => log.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => log.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export class SlackBotNotifier implements Notifier {
  private readonly client: WebClient;
  private readonly log: Logger;

  constructor(
    private readonly token: string,
    private readonly opts: SlackBotOptions,
  ) {
    this.log = opts.logger.child({ component: 'slack', transport: 'bot', channel: opts.channel });
    this.client = new WebClient(token, {
      ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/` } : {}),
      // Our own single bounded retry replaces the client's (10 retries over ~30 minutes by default).
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: opts.timeoutMs ?? 10_000,
      logger: slackLoggerFor(this.log),
      allowAbsoluteUrls: false,
    });
  }

  async notify(message: SlackMessage, options: NotifyOptions = {}): Promise<NotifyResult> {
    const threadTs = options.threadTs ?? null;
    try {
      if (threadTs) {
        // The root shows the incident's latest state; the thread keeps its history.
        const updated = await withOneRetry(
          () =>
            this.call(() =>
              this.client.chat.update({
                channel: this.opts.channel,
                ts: threadTs,
                text: message.text,
                blocks: message.blocks as never,
              }),
            ),
          this.opts,
          this.log,
        );
        if (updated.outcome === 'failed')
          this.log.warn(
            { code: updated.error.code },
            `could not refresh the incident's root message: ${this.safe(updated.error.message)}`,
          );
      }
      const posted = await withOneRetry(
        () =>
          this.call(() =>
            this.client.chat.postMessage({
              channel: this.opts.channel,
              text: message.text,
              blocks: message.blocks as never,
              ...(threadTs ? { thread_ts: threadTs } : {}),
            }),
          ),
        this.opts,
        this.log,
      );
      if (posted.outcome === 'failed') {
        const error = { ...posted.error, message: this.safe(posted.error.message) };
        this.log.warn(
          { code: error.code, status: error.status, attempts: posted.attempts },
          `Slack message not sent: ${error.message}`,
        );
        return { outcome: 'failed', error, attempts: posted.attempts };
      }
      const ts = typeof posted.value.ts === 'string' ? posted.value.ts : null;
      this.log.info({ attempts: posted.attempts, threaded: threadTs !== null }, 'Slack message sent');
      return { outcome: 'sent', ts, threadTs: threadTs ?? ts, attempts: posted.attempts };
    } catch (err) {
      const error = transportFailure(err).error;
      return { outcome: 'failed', error: { ...error, message: this.safe(error.message) }, attempts: 1 };
    }
  }

  private safe(text: string): string {
    return redact(text, [this.token]);
  }

  private async call<T extends { ts?: string }>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WebAPIRateLimitedError) throw httpFailure(429, err.retryAfter, '');
      if (err instanceof WebAPIHTTPError)
        throw httpFailure(err.statusCode, parseRetryAfter(err.headers['retry-after'], Date.now()), '');
      if (err instanceof WebAPIPlatformError) {
        const code = String(err.data.error);
        const detail = /^[a-z_]{1,60}$/.test(code) ? code : 'error';
        throw new AttemptError(
          { code: AUTH_ERRORS.has(code) ? 'unauthorized' : 'rejected', message: `Slack API error: ${detail}` },
          false,
        );
      }
      if (err instanceof WebAPIRequestError) throw transportFailure(err.original);
      throw transportFailure(err);
    }
  }
}

/** The config file's `notifications.slack` section: a webhook URL file, or a bot token file and a channel. */
export interface SlackConfig {
  webhookUrlFile?: string | undefined;
  botTokenFile?: string | undefined;
  channel?: string | undefined;
  /** Web API base URL (proxies, tests). */
  apiUrl?: string | undefined;
}

/** A config error (src/model/config-error.ts); a run logs it and goes on without Slack. */
export class SlackConfigError extends ConfigError {
  override readonly name = 'SlackConfigError';
}

async function readSecret(path: string, what: string): Promise<string> {
  const fail = (message: string) => new SlackConfigError(message);
  return (await readSecretFile(path, `Slack ${what}`, { fail })).trim();
}

/** Reads the webhook URL or bot token from its mounted file. Throws SlackConfigError (config time, not run time). */
export async function createSlackNotifier(config: SlackConfig, opts: SlackSendOptions): Promise<Notifier> {
  if (config.webhookUrlFile && !config.botTokenFile)
    return new SlackWebhookNotifier(await readSecret(config.webhookUrlFile, 'webhook URL'), opts);
  if (!config.botTokenFile || config.webhookUrlFile)
    throw new SlackConfigError('slack: expected exactly one of webhookUrlFile or botTokenFile');
  if (!config.channel) throw new SlackConfigError('slack: botTokenFile needs a channel');
  const token = await readSecret(config.botTokenFile, 'bot token');
  return new SlackBotNotifier(token, {
    ...opts,
    channel: config.channel,
    ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
  });
}
