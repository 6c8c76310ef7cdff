/**
 * Detection quality on the labelled corpus (SPEC §5): precision, recall, F1 and detection delay
 * for leakguard's backtest (15-min ticks) beside two PromQL alert baselines, on the same series;
 * for leaks that reach their memory limit, how many are caught before the first OOM kill and how
 * much of the time from onset to that kill is still left when they are.
 * Workload families (test/corpus/workloads.ts: weeks of one Deployment's pods in sequence) are
 * judged with each pod's predecessors' history (issue #17) and, for comparison, without it.
 * Every series is also judged as if its image were on a version the catalogue lists as affected
 * (`knownAffected`, issue #25): leaks may be called sooner, look-alikes must stay silent all the same.
 * With `--baseline REF` (a git ref, e.g. main) the detector of that commit is judged on the same corpus
 * too, and the key figures are printed before (REF) → after (this tree).
 *   npm run bench:detect -- [--seed N | --seeds 1,2,3] [--per-family N] [--workloads N] [--families a,b] [--baseline REF] [--verbose]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as current from '../src/detect/index.js';
import type { Sample } from '../src/detect/types.js';
import {
  CORPUS_START_SECONDS,
  fromQueryRange,
  generateCorpus,
  toQueryRange,
  type Truth,
} from '../test/corpus/corpus.js';
import { generateWorkloads, type WorkloadTruth } from '../test/corpus/workloads.js';
import { derivAlertFiresAt } from '../test/corpus/promql-deriv.js';

const MIB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    seeds: { type: 'string' },
    'per-family': { type: 'string', default: '20' },
    workloads: { type: 'string', default: '20' },
    families: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});

type DetectLib = Pick<typeof current, 'backtestSeries' | 'defaultDetectOptions' | 'pastsOfSeries'>;
type WorkloadPast = current.WorkloadPast;

type Detector = (samples: Sample[], truth: Truth, past: WorkloadPast | null) => number | null;

/** Index of the detectors: leakguard, leakguard with a catalogue match, without history (workload pods only), baselines. */
const KNOWN = 1;
const NO_HISTORY = 2;
function detectorsOf({ backtestSeries, defaultDetectOptions }: DetectLib): [string, Detector][] {
  return [
    [
      'leakguard (backtest, 15m ticks)',
      (samples, truth, past) =>
        backtestSeries(samples, {
          everySeconds: 900,
          options: defaultDetectOptions,
          limitBytes: truth.limitBytes ?? undefined,
          past,
        }).detectedAt,
    ],
    [
      'leakguard, known-affected version',
      (samples, truth, past) =>
        backtestSeries(samples, {
          everySeconds: 900,
          options: defaultDetectOptions,
          limitBytes: truth.limitBytes ?? undefined,
          past,
          knownAffected: true,
        }).detectedAt,
    ],
    [
      'leakguard without workload history',
      (samples, truth) =>
        backtestSeries(samples, {
          everySeconds: 900,
          options: defaultDetectOptions,
          limitBytes: truth.limitBytes ?? undefined,
        }).detectedAt,
    ],
    [
      'deriv(x[1h]) > 5MiB/h for 15m',
      (samples) => derivAlertFiresAt(samples, { rangeSeconds: 3600, thresholdBytesPerHour: 5 * MIB, forSeconds: 900 }),
    ],
    [
      'deriv(x[6h]) > 5MiB/h for 1h',
      (samples) =>
        derivAlertFiresAt(samples, { rangeSeconds: 6 * 3600, thresholdBytesPerHour: 5 * MIB, forSeconds: 3600 }),
    ],
  ];
}
const detectors = detectorsOf(current);

interface Outcome {
  family: string;
  workload: WorkloadTruth | null;
  leak: boolean;
  detectedAt: number | null;
  onset: number | null;
  firstOomKill: number | null;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
}

/** A detection before the onset is a false alarm (and the leak still counts as missed). */
function score(outcomes: Outcome[]) {
  let tp = 0,
    fp = 0,
    fn = 0;
  const delays: number[] = [];
  for (const o of outcomes) {
    const early = o.detectedAt !== null && (!o.leak || o.detectedAt < o.onset!);
    if (early) fp++;
    if (o.leak) {
      if (o.detectedAt !== null && !early) {
        tp++;
        delays.push((o.detectedAt - o.onset!) / 3600);
      } else fn++;
    }
  }
  delays.sort((a, b) => a - b);
  // Leaks that hit their limit: caught before the first OOM kill, and the share of the
  // onset → kill time left then (0 when caught after it or missed).
  const oom = outcomes.filter((o) => o.leak && o.firstOomKill !== null && o.firstOomKill > o.onset!);
  const left = oom
    .map((o) =>
      o.detectedAt !== null && o.detectedAt >= o.onset! && o.detectedAt <= o.firstOomKill!
        ? (o.firstOomKill! - o.detectedAt) / (o.firstOomKill! - o.onset!)
        : 0,
    )
    .sort((a, b) => a - b);
  const beforeOom = left.filter((x) => x > 0).length;
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    tp,
    fp,
    fn,
    precision,
    recall,
    f1,
    median: quantile(delays, 0.5),
    p90: quantile(delays, 0.9),
    oomLeaks: oom.length,
    beforeOom,
    oomLeft: quantile(left, 0.5),
  };
}

interface SeedRun {
  seed: number;
  series: number;
  leaks: number;
  rows: string[][];
  scores: ReturnType<typeof score>[];
  /** Per family, per leakguard detector (0: unknown version, 1: known-affected). */
  byFamily: Map<string, Outcome[][]>;
  /** Outcomes on workload pods, per detector. */
  workloads: Outcome[][];
}

function runSeed(seed: number, lib: DetectLib = current, list = detectors): SeedRun {
  const only = values.families?.split(',');
  const generated = [
    ...generateCorpus({ seed, perFamily: Number(values['per-family']), only }).map((s) => ({ ...s, workload: null })),
    ...generateWorkloads({ seed, perFamily: Number(values.workloads), startSeconds: CORPUS_START_SECONDS, only }),
  ];
  // Round-trip through the query_range JSON the CLI reads, so the corpus is what users would feed.
  const parsed = fromQueryRange(JSON.parse(JSON.stringify(toQueryRange(generated))));
  const rows: string[][] = [];
  const scores: ReturnType<typeof score>[] = [];
  const byFamily = new Map<string, Outcome[][]>();
  const workloads: Outcome[][] = [];
  // Each pod learns from its workload's earlier pods (grouped by pod name, as `backtest` does);
  // the third detector is the same without that history, for comparison on workload pods only.
  const pasts = lib.pastsOfSeries(parsed, new Map(), lib.defaultDetectOptions);
  for (const [d, [name, detect]] of list.entries()) {
    const started = performance.now();
    const outcomes: Outcome[] = parsed.flatMap((s, i) => {
      const { truth, workload } = generated[i]!;
      if (d === NO_HISTORY && workload === null) return [];
      const past = d <= KNOWN ? pasts[i]! : null;
      return [
        {
          family: truth.family,
          workload,
          leak: truth.leak,
          onset: truth.onset,
          firstOomKill: truth.firstOomKill,
          detectedAt: detect(s.samples, truth, past),
        },
      ];
    });
    workloads.push(outcomes.filter((o) => o.workload !== null));
    if (d <= KNOWN)
      for (const o of outcomes)
        byFamily.set(
          o.family,
          [...(byFamily.get(o.family) ?? [[], []])].map((list, k) => (k === d ? [...list, o] : list)),
        );
    if (d === NO_HISTORY) continue;
    const seconds = (performance.now() - started) / 1000;
    // The main table scores the 72 h corpus (single series); workload pods have their own table.
    const r = score(outcomes.filter((o) => o.workload === null));
    scores.push(r);
    rows.push([
      name,
      r.precision.toFixed(3),
      r.recall.toFixed(3),
      r.f1.toFixed(3),
      String(r.fp),
      r.median.toFixed(1),
      r.p90.toFixed(1),
      `${r.beforeOom}/${r.oomLeaks}`,
      r.oomLeaks ? `${Math.round(100 * r.oomLeft)}%` : '-',
      seconds.toFixed(2),
    ]);
  }
  const single = generated.filter((s) => s.workload === null);
  return {
    seed,
    series: single.length,
    leaks: single.filter((s) => s.truth.leak).length,
    rows,
    scores,
    byFamily,
    workloads,
  };
}

function table(header: string[], body: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(line(r));
}

const seeds = values.seeds ? values.seeds.split(',').map(Number) : [Number(values.seed)];
const runs = seeds.map((seed) => runSeed(seed));
const header = [
  'detector',
  'precision',
  'recall',
  'F1',
  'false alarms',
  'median delay h',
  'p90 delay h',
  'before OOM',
  'OOM time left',
  'time s',
];

if (runs.length > 1) {
  console.log(`${runs.length} corpora of ${runs[0]!.series} series (${runs[0]!.leaks} leaks) each, 72 h at 60 s\n`);
  table(
    ['seed', ...header],
    runs.flatMap((run) => run.rows.map((row) => [String(run.seed), ...row])),
  );
  const lg = runs.map((run) => run.scores[0]!);
  const known = runs.map((run) => run.scores[KNOWN]!);
  console.log(
    `\nleakguard, known-affected version, worst over seeds: F1 ${Math.min(...known.map((r) => r.f1)).toFixed(3)}, false alarms ${Math.max(...known.map((r) => r.fp))}, ` +
      `before the first OOM kill ${known.reduce((n, r) => n + r.beforeOom, 0)}/${known.reduce((n, r) => n + r.oomLeaks, 0)}`,
  );
  console.log(
    `leakguard worst over seeds: F1 ${Math.min(...lg.map((r) => r.f1)).toFixed(3)}, false alarms ${Math.max(...lg.map((r) => r.fp))}, ` +
      `median delay ${Math.max(...lg.map((r) => r.median)).toFixed(1)} h, p90 delay ${Math.max(...lg.map((r) => r.p90)).toFixed(1)} h, ` +
      `before the first OOM kill ${lg.reduce((n, r) => n + r.beforeOom, 0)}/${lg.reduce((n, r) => n + r.oomLeaks, 0)}, ` +
      `median share of onset→OOM time left ${Math.round(100 * Math.min(...lg.map((r) => r.oomLeft)))}%`,
  );
  printFamilies(mergeFamilies(runs));
  printWorkloads(runs);
} else {
  const run = runs[0]!;
  console.log(
    `corpus seed ${run.seed}: ${run.series} series (${run.leaks} leaks, ${run.series - run.leaks} look-alikes), 72 h at 60 s\n`,
  );
  table(header, run.rows);
  printFamilies(run.byFamily);
  printWorkloads(runs);
}

/** Workload pods, all seeds: first and later leaking pods (delay from the leak's onset), and healthy pods. */
function printWorkloads(all: SeedRun[]): void {
  const rows = detectors.slice(0, 3).map(([name], d) => {
    const outcomes = all.flatMap((run) => run.workloads[d]!);
    const leakRow = (pick: (o: Outcome) => boolean) => {
      const pods = outcomes.filter((o) => o.leak && pick(o));
      const delays = pods
        .filter((o) => o.detectedAt !== null && o.detectedAt >= o.onset!)
        .map((o) => (o.detectedAt! - o.onset!) / 3600)
        .sort((a, b) => a - b);
      return [`${delays.length}/${pods.length}`, quantile(delays, 0.5).toFixed(1), quantile(delays, 0.9).toFixed(1)];
    };
    const healthy = outcomes.filter((o) => !o.leak);
    const shown = healthy.filter((o) => o.workload!.cycleShown);
    const first = healthy.filter((o) => o.workload!.firstPod);
    const alarms = (list: Outcome[]) => `${list.filter((o) => o.detectedAt !== null).length}/${list.length}`;
    return [
      name,
      ...leakRow((o) => o.workload!.leakOrdinal === 0),
      ...leakRow((o) => o.workload!.leakOrdinal! > 0),
      alarms(shown),
      alarms(first),
      alarms(healthy),
    ];
  });
  console.log(
    '\nworkload pods, all seeds (delays in hours from the leak onset, = pod start for pods that leak from their start):',
  );
  table(
    [
      'detector',
      'first leaking: detected',
      'median',
      'p90',
      'later leaking: detected',
      'median',
      'p90',
      'false alarms: cycle shown',
      'first pod',
      'all healthy',
    ],
    rows,
  );
}

function mergeFamilies(all: SeedRun[]): Map<string, Outcome[][]> {
  const merged = new Map<string, Outcome[][]>();
  for (const run of all) {
    for (const [family, byDetector] of run.byFamily)
      merged.set(
        family,
        byDetector.map((outcomes, d) => [...(merged.get(family)?.[d] ?? []), ...outcomes]),
      );
  }
  return merged;
}

function printFamilies(byFamily: Map<string, Outcome[][]>): void {
  console.log(
    '\nleakguard by family, all seeds (detected / series, false alarms, median delay h), unknown version | known-affected version:',
  );
  const cells = (outcomes: Outcome[], leak: boolean) => {
    const r = score(outcomes);
    const delays = outcomes
      .filter((o) => o.leak && o.detectedAt !== null && o.detectedAt >= o.onset!)
      .map((o) => (o.detectedAt! - o.onset!) / 3600);
    const detected = `${outcomes.filter((o) => o.detectedAt !== null).length}/${outcomes.length}`;
    return [
      detected,
      String(r.fp),
      leak ? r.median.toFixed(1) : '-',
      leak && delays.length ? Math.max(...delays).toFixed(1) : '-',
    ];
  };
  table(
    [
      'family',
      'kind',
      'detected',
      'false alarms',
      'median delay h',
      'max delay h',
      'known: detected',
      'false alarms',
      'median delay h',
      'max delay h',
    ],
    [...byFamily].map(([family, [outcomes, known]]) => {
      const leak = outcomes!.some((o) => o.leak);
      const kind = outcomes!.every((o) => o.leak) ? 'leak' : leak ? 'mixed' : 'look-alike';
      return [family, kind, ...cells(outcomes!, leak), ...cells(known!, leak)];
    }),
  );
  if (!values.verbose) return;
  const hours = (t: number | null) => (t === null ? '-' : `${((t - CORPUS_START_SECONDS) / 3600).toFixed(2)}h`);
  for (const [family, byDetector] of byFamily) {
    byDetector.forEach((outcomes, d) =>
      outcomes.forEach((o, i) => {
        const bad = o.leak ? o.detectedAt === null || o.detectedAt < o.onset! : o.detectedAt !== null;
        const pod = o.workload ? ` (${o.workload.name}, ${o.workload.firstPod ? 'first pod' : 'later pod'})` : '';
        if (bad)
          console.log(
            `  miss/false${d === KNOWN ? ' (known-affected)' : ''}: ${family}-${i}${pod} detectedAt=${hours(o.detectedAt)} onset=${hours(o.onset)}`,
          );
      }),
    );
  }
}

/** Median hours from onset to detection of the leaking workload pods `pick` chooses, and how many were caught. */
function podDelays(outcomes: Outcome[], pick: (w: WorkloadTruth) => boolean): string {
  const pods = outcomes.filter((o) => o.leak && pick(o.workload!));
  const delays = pods
    .filter((o) => o.detectedAt !== null && o.detectedAt >= o.onset!)
    .map((o) => (o.detectedAt! - o.onset!) / 3600)
    .sort((a, b) => a - b);
  return `${quantile(delays, 0.5).toFixed(1)} h (${delays.length}/${pods.length})`;
}

/** The figures issue #25's targets name, for one detector's runs over all seeds. */
function keyFigures(all: SeedRun[]): Map<string, string> {
  const figures = new Map<string, string>();
  for (const [family, [unknown, known]] of mergeFamilies(all)) {
    if (unknown!.every((o) => o.leak)) continue;
    figures.set(
      `false alarms, ${family} (unknown | known-affected version)`,
      `${score(unknown!).fp} | ${score(known!).fp}`,
    );
  }
  const lg = all.map((run) => run.scores[0]!);
  figures.set('recall, worst seed', Math.min(...lg.map((r) => r.recall)).toFixed(3));
  figures.set(
    'OOM-bound leaks caught before the first OOM kill',
    `${lg.reduce((n, r) => n + r.beforeOom, 0)}/${lg.reduce((n, r) => n + r.oomLeaks, 0)}`,
  );
  const [unknown, known] = [0, KNOWN].map((d) => all.flatMap((run) => run.workloads[d]!));
  figures.set(
    'first leaking pod of a workload, median delay (unknown version)',
    podDelays(unknown!, (w) => w.leakOrdinal === 0),
  );
  figures.set(
    'first leaking pod of a workload, median delay (known-affected version)',
    podDelays(known!, (w) => w.leakOrdinal === 0),
  );
  figures.set(
    'later leaking pods, median delay (unknown version)',
    podDelays(unknown!, (w) => w.leakOrdinal! > 0),
  );
  figures.set(
    'later leaking pods, median delay (known-affected version)',
    podDelays(known!, (w) => w.leakOrdinal! > 0),
  );
  return figures;
}

/** Loads the detector of git ref `ref` (src/detect and what it imports, src/model) from a temporary copy. */
async function detectorAt(ref: string): Promise<{ lib: DetectLib; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'leakguard-bench-baseline-'));
  const archive = execFileSync('git', ['archive', ref, 'src/detect', 'src/model'], { maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const lib = (await import(join(dir, 'src/detect/index.ts'))) as DetectLib;
  return { lib, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

if (values.baseline !== undefined) {
  const ref = values.baseline;
  const { lib, dispose } = await detectorAt(ref);
  // The three leakguard detectors only (the PromQL baselines do not change).
  const before = keyFigures(seeds.map((seed) => runSeed(seed, lib, detectorsOf(lib).slice(0, 3))));
  dispose();
  const after = keyFigures(runs);
  console.log(`\nbefore (${ref}) → after (this tree), ${seeds.length} seed(s):`);
  table(
    ['figure', ref, 'this tree'],
    [...after.keys()].map((k) => [k, before.get(k) ?? '-', after.get(k)!]),
  );
}
