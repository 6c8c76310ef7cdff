/**
 * Runs bench/backtest-speed.ts in this process and reports what the process spent on it, as the last
 * line of stdout (JSON). bench/run.ts starts it pinned to one core (taskset -c 0).
 *   node --import tsx bench/backtest-child.ts
 */
import { peakRssBytes } from './peak-rss.js';

export interface BacktestChildResult {
  /** Wall time of the whole script: corpus generation, JIT warm-up and both measured sets. */
  wallMs: number;
  /** process.cpuUsage over the same span, microseconds. */
  userMicros: number;
  systemMicros: number;
  maxRssBytes: number;
}

// Load (and compile) the modules the script imports first, so the measured span is the work, not tsx.
await import('../src/detect/index.js');
await import('../test/corpus/corpus.js');
await import('../test/corpus/families.js');

const cpuBefore = process.cpuUsage();
const started = performance.now();
await import('./backtest-speed.js');
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);

const result: BacktestChildResult = {
  wallMs,
  userMicros: cpu.user,
  systemMicros: cpu.system,
  maxRssBytes: peakRssBytes(),
};
console.log(JSON.stringify(result));
