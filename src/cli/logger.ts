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

export function createLogger(level: string, stream?: DestinationStream): Logger {
  return pino(
    {
      name: 'leakguard',
      level,
      base: { pid: process.pid },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream ?? pino.destination({ dest: 2, sync: true }),
  );
}
