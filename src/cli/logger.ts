/** The one root logger: JSON lines on stderr (stdout is for results), secrets redacted by path. */
import { pino, type DestinationStream, type Logger } from 'pino';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Anything that could carry a credential, wherever it sits in a logged object. */
export const redactPaths = [
  'token',
  '*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'webhookUrl',
  '*.webhookUrl',
  'privateKey',
  '*.privateKey',
  'config.headers',
  'err.config',
  'error.config',
];

/** Characters of log lines held at most: past them the lines are written without waiting for a pause. */
const heldCharsAtMost = 64 * 1024;

/**
 * The log lines' way out to `dest` (a file descriptor or path): written once the code that logged them
 * yields (a microtask later), when 64 Ki characters are held, and on exit. A run logs a line per target
 * in one loop, and a write for each line was most of its CPU (bench/log-lines.ts: 10,000 lines ~55 -> ~20 ms).
 * The lines keep their order and are out before the run's next step that waits for anything.
 */
export function logDestination(dest: number | string): DestinationStream {
  const out = pino.destination({ dest, sync: true });
  let held = '';
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    if (held === '') return;
    const lines = held;
    held = '';
    out.write(lines);
  };
  process.on('exit', flush);
  return {
    write(line: string) {
      held += line;
      if (held.length >= heldCharsAtMost) flush();
      else if (!flushQueued) {
        flushQueued = true;
        queueMicrotask(flush);
      }
    },
  };
}

/**
 * pino's ISO time, formatted once per millisecond: a run logs a line per target, hundreds of them
 * within one millisecond, and formatting a date for each was a tenth of logging them.
 */
function isoTimeOncePerMs(): () => string {
  let ms = Number.NaN;
  let field = '';
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      field = `,"time":"${new Date(now).toISOString()}"`;
    }
    return field;
  };
}

export function createLogger(level: string, stream?: DestinationStream): Logger {
  return pino(
    {
      name: 'leakguard',
      level,
      base: { pid: process.pid },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: isoTimeOncePerMs(),
    },
    stream ?? logDestination(2),
  );
}
