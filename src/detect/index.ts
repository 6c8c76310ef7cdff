/**
 * The leak detector: pure functions from a working-set series to a verdict. Nothing here does
 * I/O; the CLI and the run feed it samples fetched elsewhere.
 */
export type { DetectOptions, Evidence, JudgeInput, Sample, SlopeEstimate, Verdict, VerdictKind } from './types.js';
export { defaultDetectOptions, judge } from './judge.js';
export { lastTime, toColumns, toSamples, valuesOf, type SampleColumns, type SampleSeries } from './columns.js';
export { backtestSeries, type BacktestOptions, type BacktestResult } from './backtest.js';
export { judgeWithPast, type WorkloadPast } from './predecessors.js';
export type { DailyProfile } from './daily-profile.js';
export { ownersFromSeries, pastsOfSeries, workloadKey, workloadOfPod, type WorkloadSeries } from './workload.js';
