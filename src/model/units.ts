/**
 * The units people read — MiB, MiB/h, hours — and the one sparkline: every Event, Slack message, PR
 * body, table and log line formats through these, so one figure reads the same everywhere. Pure.
 */

/** Bytes in time order, as rows or a column: what sparklines draw. */
export type Values = readonly number[] | Float64Array;

export const MIB = 2 ** 20;
const BARS = '▁▂▃▄▅▆▇█';
const SPACE = 0x20;
/** Reused by `sparkline` (one line per target of a run): its cells as UTF-16 code units, and each cell's peak. */
let sparkCodes = new Uint16Array(64);
let sparkPeaks = new Float64Array(64);
/** Code units passed to one `String.fromCharCode` call (arguments go on the stack). */
const CODES_PER_CALL = 4096;

/** A figure to print: neither missing nor NaN/Infinity. */
export function known(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/** "42.0 MiB/h"; without the unit when `withUnit` is false (for "39.1–44.8" ranges); "n/a" when unknown. */
export function formatMiBPerHour(bytesPerHour: number | null | undefined, withUnit = true): string {
  const text = known(bytesPerHour) ? (bytesPerHour / MIB).toFixed(1) : 'n/a';
  return withUnit && text !== 'n/a' ? `${text} MiB/h` : text;
}

/** "512 MiB"; "n/a" when unknown. */
export function formatMiB(bytes: number | null | undefined): string {
  return known(bytes) ? `${(bytes / MIB).toFixed(0)} MiB` : 'n/a';
}

/**
 * A duration as config and Prometheus write it, in the largest unit that divides it exactly: 86400 →
 * "1d", 5400 → "90m", 45 → "45s" (at least "1s"); weeks ("1w") only where asked (Prometheus' range
 * input; the config file has no weeks).
 */
export function formatDuration(seconds: number, { weeks = false }: { weeks?: boolean } = {}): string {
  const whole = Math.max(1, Math.round(seconds));
  const units = [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const;
  for (const [unit, size] of weeks ? units : units.slice(1)) {
    if (whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}s`;
}

/** A moment for people: `2026-11-26 12:00 UTC` (Events, Slack, PR bodies, the status table). */
export function formatTime(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "6.2 h", "45 min" below an hour, "3.5 d" beyond three days; "n/a" when unknown. */
export function formatHours(hours: number | null | undefined): string {
  if (!known(hours)) return 'n/a';
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} min`;
  if (hours >= 72) return `${(hours / 24).toFixed(1)} d`;
  return `${hours.toFixed(1)} h`;
}

/**
 * A line of `width` block characters; each is the maximum of its share of the values, scaled
 * between the overall minimum and maximum. Non-finite values render as a space.
 */
export function sparkline(values: Values, width = 24): string {
  const cells = Math.max(0, Math.min(Math.floor(width), values.length));
  if (cells === 0) return '';
  if (sparkPeaks.length < cells) {
    sparkCodes = new Uint16Array(cells);
    sparkPeaks = new Float64Array(cells);
  }
  const codes = sparkCodes;
  const peaks = sparkPeaks;
  // One pass over the values, no copy: each cell's peak and the overall minimum (the overall maximum is
  // the highest peak). A run's summary draws a line for each of thousands of targets, and the image's
  // Node runs unoptimised: arithmetic (`v - v` is 0 only when v is finite) and comparisons, no builtin
  // called per value.
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < cells; c++) {
    const end = Math.floor(((c + 1) * values.length) / cells);
    let peak = -Infinity;
    for (let i = Math.floor((c * values.length) / cells); i < end; i++) {
      const v = values[i]!;
      if (v - v !== 0) continue;
      if (v > peak) peak = v;
      if (v < lo) lo = v;
    }
    peaks[c] = peak;
    if (peak > hi) hi = peak;
  }
  if (lo === Infinity) return ' '.repeat(cells);
  for (let c = 0; c < cells; c++) {
    const peak = peaks[c]!;
    if (peak === -Infinity) codes[c] = SPACE;
    else {
      // Extreme values can overflow the range to Infinity: draw those cells at the bottom.
      const ratio = (peak - lo) / (hi - lo);
      codes[c] = BARS.charCodeAt(Number.isFinite(ratio) ? Math.min(7, Math.floor(ratio * 8)) : 0);
    }
  }
  // Character codes made into one string at the end: appending one cell at a time left a chain of
  // partial strings per line for the collector.
  let out = '';
  for (let at = 0; at < cells; at += CODES_PER_CALL)
    out += fromCodes(codes.subarray(at, Math.min(cells, at + CODES_PER_CALL)));
  return out;
}

/** These UTF-16 code units as a string: `apply` reads the typed array as it is, a spread steps an iterator over it. */
function fromCodes(codes: Uint16Array): string {
  return Reflect.apply(String.fromCharCode, null, codes) as string;
}
