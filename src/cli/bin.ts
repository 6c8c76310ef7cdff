/** Process entry point (bundled to dist/leakguard.mjs): runs main and sets the exit code. */
import { ExitCode } from './errors.js';
import { exitCodeFor, main } from './main.js';
import { printable } from './output.js';

// node-fetch 2 (under @kubernetes/client-node) calls url.parse on every request, and Node prints a
// DEP0169 warning for it into every run's log: noise an SRE can do nothing about.
process.noDeprecation = true;

const print = (text: string) => process.stdout.write(printable(text.endsWith('\n') ? text : `${text}\n`));

// `leakguard analyze … | head`: the reader left. That ends the output, not the program with a trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

/** Exit on our own once done: a keep-alive socket of a client library must not hold a finished Job open. */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}

main(process.argv.slice(2), { print, isTty: Boolean(process.stdout.isTTY) })
  .then(exitSoon)
  .catch((error: unknown) => {
    const code = exitCodeFor(error);
    process.stderr.write(`leakguard: ${error instanceof Error ? error.message : String(error)}\n`);
    if (code === ExitCode.stepFailed && process.env.LEAKGUARD_DEBUG) console.error(error);
    exitSoon(code);
  });
