/**
 * The first lesson a workload's earlier pods teach (predecessors.ts): its daily profile, the amplitude
 * and phase of the floor's daily cycle, fitted across pods after removing each pod's warm-up, level
 * and trend. A rise of the current pod that this cycle explains (without it, no leak and little
 * growth left) is not a leak.
 */
import type { AnalyzeContext } from './analyze.js';
import { firstAtOrAfter, type Floor } from './floor.js';
import { MIB, formatMiB } from '../model/units.js';
import { theilSen } from './stats.js';
import type { ResolvedDetectOptions, Verdict } from './types.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** A daily profile needs earlier floors covering this many of the day's 24 hours... */
export const PROFILE_MIN_HOURS_OF_DAY = 20;
/** ...explaining this share of their variance once each pod's level and trend are removed... */
const PROFILE_MIN_R2 = 0.5;
/** ...and swinging at least this much peak to peak (smaller cycles explain nothing the detector does not already allow). */
const PROFILE_MIN_PEAK_TO_PEAK = 16 * MIB;

/** The workload's daily cycle of the floor: a day and a half-day harmonic, zero mean. */
export interface DailyProfile {
  /** Coefficients of sin, cos of the day and of the half-day (bytes). */
  coef: readonly [number, number, number, number];
  peakToPeakBytes: number;
  /** Lowest point of the cycle, seconds after midnight UTC. */
  troughSecond: number;
  /** The profile's minimum (negative): subtracting profile − minimum never raises the floor. */
  minBytes: number;
  /** Earlier pods the profile was fitted on. */
  pods: number;
}
function regressors(t: number): [number, number, number, number] {
  const x = (2 * Math.PI * (((t % DAY) + DAY) % DAY)) / DAY;
  return [Math.sin(x), Math.cos(x), Math.sin(2 * x), Math.cos(2 * x)];
}

export function profileAt(p: DailyProfile, t: number): number {
  const r = regressors(t);
  return p.coef[0] * r[0] + p.coef[1] * r[1] + p.coef[2] * r[2] + p.coef[3] * r[3];
}

/** The floor with the daily profile taken out, shifted so that no point is raised. */
export function deseasoned(floor: Floor, p: DailyProfile | null): Floor {
  if (p === null) return floor;
  // The ceiling keeps its cycle: the ceiling rule compares it with itself, never with the floor.
  return { ...floor, v: floor.v.map((v, i) => Math.max(0, v - (profileAt(p, floor.t[i]!) - p.minBytes))) };
}

/** z minus its least-squares line in t (Frisch–Waugh: removes a pod's own level and trend). */
function detrended(t: readonly number[], z: readonly number[]): number[] {
  const n = t.length;
  let mt = 0,
    mz = 0;
  for (let i = 0; i < n; i++) {
    mt += t[i]!;
    mz += z[i]!;
  }
  mt /= n;
  mz /= n;
  let stt = 0,
    stz = 0;
  for (let i = 0; i < n; i++) {
    stt += (t[i]! - mt) ** 2;
    stz += (t[i]! - mt) * (z[i]! - mz);
  }
  const b = stt > 0 ? stz / stt : 0;
  return z.map((zi, i) => zi - mz - b * (t[i]! - mt));
}

/** Solves the 4×4 system a·x = y (Gaussian elimination, partial pivoting); null when singular. */
function solve4(a: number[][], y: number[]): number[] | null {
  const m = a.map((row, i) => [...row, y[i]!]);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (!(Math.abs(m[p]![c]!) > 1e-9 * Math.max(1, Math.abs(m[0]![0]!)))) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 5; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[4]! / row[i]!);
}

/** Hours of the day (UTC) that earlier pods' floors cover after twice their warm-up. */
export function hoursCovered(pods: readonly { start: number; floor: Floor }[], o: ResolvedDetectOptions): number {
  const hours = new Set<number>();
  for (const { start, floor } of pods) {
    for (const t of floor.t)
      if (t >= start + 2 * o.warmupSeconds) hours.add(Math.floor((((t % DAY) + DAY) % DAY) / HOUR));
  }
  return hours.size;
}

/**
 * The daily profile of earlier pods' floors (each after twice the warm-up), or null when they do
 * not show one: too few hours of the day covered, a poor fit, or a cycle too small to matter.
 */
export function dailyProfile(
  pods: readonly { start: number; floor: Floor }[],
  o: ResolvedDetectOptions,
): DailyProfile | null {
  const xtx = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
  const xty = [0, 0, 0, 0];
  let yty = 0;
  let used = 0;
  const hours = new Set<number>();
  for (const { start, floor } of pods) {
    const from = floor.t.findIndex((t) => t >= start + 2 * o.warmupSeconds);
    if (from < 0 || floor.t.length - from < 6) continue;
    const t = floor.t.slice(from);
    const y = detrended(t, floor.v.slice(from));
    const cols = [0, 1, 2, 3].map((k) =>
      detrended(
        t,
        t.map((ti) => regressors(ti)[k]!),
      ),
    );
    for (let i = 0; i < t.length; i++) {
      hours.add(Math.floor((((t[i]! % DAY) + DAY) % DAY) / HOUR));
      yty += y[i]! ** 2;
      for (let a = 0; a < 4; a++) {
        xty[a]! += cols[a]![i]! * y[i]!;
        for (let b = 0; b < 4; b++) xtx[a]![b]! += cols[a]![i]! * cols[b]![i]!;
      }
    }
    used++;
  }
  if (hours.size < PROFILE_MIN_HOURS_OF_DAY || !(yty > 0)) return null;
  const coef = solve4(xtx, xty);
  if (coef === null) return null;
  const explained = coef.reduce((sum, c, k) => sum + c * xty[k]!, 0);
  if (!(explained / yty >= PROFILE_MIN_R2)) return null;
  const profile: DailyProfile = {
    coef: [coef[0]!, coef[1]!, coef[2]!, coef[3]!],
    peakToPeakBytes: 0,
    troughSecond: 0,
    minBytes: 0,
    pods: used,
  };
  let lo = Infinity,
    hi = -Infinity;
  for (let s = 0; s < DAY; s += 300) {
    const v = profileAt(profile, s);
    if (v < lo) [lo, profile.troughSecond] = [v, s];
    hi = Math.max(hi, v);
  }
  if (hi - lo < PROFILE_MIN_PEAK_TO_PEAK) return null;
  return { ...profile, peakToPeakBytes: hi - lo, minBytes: lo };
}

/**
 * The cycle explains the rise the leak verdict measured: with the cycle taken out, the floor over
 * the same span grows by less than the detector's minimum or less than a third as fast, or slows
 * down as a warm-up does. A leak that merely rode a rising half-day keeps most of its growth, at
 * a steady pace, and its verdict.
 */
export function cycleExplains(verdict: Verdict, without: Floor, o: ResolvedDetectOptions): boolean {
  const from = firstAtOrAfter(without.t, verdict.evidence.from);
  const to = firstAtOrAfter(without.t, verdict.evidence.to + 1);
  const fit = theilSen(without.t, without.v, from, to);
  if (fit === null || fit.slope < o.minGrowthBytesPerHour || fit.slope < (verdict.slope?.bytesPerHour ?? 0) / 3)
    return true;
  // What is left slows down like a warm-up: the cycle hid it settling.
  const half = from + ((to - from) >> 1);
  const early = theilSen(without.t, without.v, from, half);
  const recent = theilSen(without.t, without.v, half, to);
  return early !== null && recent !== null && recent.slope < 0.5 * early.slope;
}

function clock(second: number): string {
  const m = Math.round(second / 60);
  return `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export function explainedByCycle(verdict: Verdict, without: Verdict, p: DailyProfile, ctx: AnalyzeContext): Verdict {
  if (!ctx.detail) return { ...without, kind: 'not-leaking' };
  return {
    ...without,
    kind: 'not-leaking',
    currentBytes: verdict.currentBytes,
    reasons: [
      `the rise follows this workload's daily cycle: its ${p.pods} earlier pod(s) swing ${formatMiB(p.peakToPeakBytes)} peak to peak, lowest around ${clock(p.troughSecond)} UTC`,
      `without that cycle: ${without.reasons[0]}`,
      `without the workload's history: ${verdict.reasons[0]}`,
    ],
  };
}
