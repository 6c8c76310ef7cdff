/**
 * The units people read — MiB, MiB/h, hours — and the one sparkline: every Event, Slack message, PR
 * body, table and log line formats through these, so one figure reads the same everywhere. Pure.
 */

/** Bytes in time order, as rows or a column: what sparklines draw. */
export type Values = readonly number[] | Float64Array;

export const MIB = 2 ** 20;
const BARS = '▁▂▃▄▅▆▇█';
const SPACE = 0x20;
/** Reused by `sparkline` (one line per target of a run): its cells as UTF-16 code units. */
let sparkCodes = new Uint16Array(64);
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
  // One pass, no copy: a run's summary draws one line for each of thousands of targets.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return ' '.repeat(cells);
  // Character codes, made into one string at the end: appending one cell at a time left a chain of
  // partial strings per line for the collector.
  const codes = sparkCodes.length >= cells ? sparkCodes : (sparkCodes = new Uint16Array(cells));
  for (let c = 0; c < cells; c++) {
    const start = Math.floor((c * values.length) / cells);
    const end = Math.floor(((c + 1) * values.length) / cells);
    let cell = -Infinity;
    for (let i = start; i < end; i++) if (Number.isFinite(values[i]!)) cell = Math.max(cell, values[i]!);
    if (cell === -Infinity) codes[c] = SPACE;
    else {
      // Extreme values can overflow the range to Infinity: draw those cells at the bottom.
      const ratio = (cell - lo) / (hi - lo);
      codes[c] = BARS.charCodeAt(Number.isFinite(ratio) ? Math.min(7, Math.floor(ratio * 8)) : 0);
    }
  }
  let out = '';
  for (let at = 0; at < cells; at += CODES_PER_CALL)
    out += String.fromCharCode(...codes.subarray(at, Math.min(cells, at + CODES_PER_CALL)));
  return out;
}
