/**
 * CPU of a run's line per target: 10,000 lines through the CLI's logger (a child without the redactor,
 * as src/run/index.ts logs them) to /dev/null, written as the CLI writes them (`logDestination`) and
 * with a write per line (pino's own destination). Prints figures; nothing is asserted.
 *   node --no-opt --max-semi-space-size=1 --import tsx bench/log-lines.ts [--lines 10000] [--repeat 8]
 */
import { parseArgs } from 'node:util';
import { pino, type DestinationStream } from 'pino';
import { createLogger, logDestination } from '../src/cli/logger.js';
import { median } from './report.js';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '10000' }, repeat: { type: 'string', default: '8' } },
});

/** CPU ms of logging `--lines` lines through `stream`, once per repeat, until they are written. */
async function cpuOfLines(stream: DestinationStream): Promise<number[]> {
  const perTarget = createLogger('info', stream).child({ runId: 'bench', profile: 'fleet' }).child({}, { redact: [] });
  const cpus: number[] = [];
  for (let r = 0; r < Number(values.repeat); r++) {
    const started = process.cpuUsage();
    for (let i = 0; i < Number(values.lines); i++)
      perTarget.info(
        {
          pod: `operator-${String(i).padStart(4, '0')}-7d9f8c6b5-x2x4z`,
          verdict: 'not-leaking',
          bytesPerHour: 1234.5 + i,
        },
        'no sustained growth: the floor rose 0.3 MiB/h over 24 h, within its noise',
      );
    await new Promise((resolve) => setImmediate(resolve));
    const { user, system } = process.cpuUsage(started);
    cpus.push((user + system) / 1000);
  }
  return cpus;
}

const text = (cpus: number[]) => `median ${median(cpus).toFixed(0)} ms [${cpus.map((c) => c.toFixed(0)).join(' ')}]`;
const batched = await cpuOfLines(logDestination('/dev/null'));
const perLine = await cpuOfLines(pino.destination({ dest: '/dev/null', sync: true }));
console.log(`${values.lines} log lines: as the CLI writes them ${text(batched)}; a write per line ${text(perLine)}`);
