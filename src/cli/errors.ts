/** Exit codes (README "Commands"): 0 = ran, whatever it found; 1 = a step failed; 2 = configuration or usage error. */
export const ExitCode = { ok: 0, stepFailed: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

import { ConfigError } from '../model/config-error.js';

/** Bad command line or bad input file: exit 2 with a message that names the problem (src/model/config-error.ts). */
export class UsageError extends ConfigError {
  override readonly name = 'UsageError';
}
