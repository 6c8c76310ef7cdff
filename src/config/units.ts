/**
 * Human units in configuration: durations (`90s`, `15m`, `24h`, `1h30m`, `2d`), sizes (`512MiB`, `1.5GiB`,
 * `400MB`, plain bytes) and growth rates (`5MiB/h`). Parsers return null on bad input so the schema can
 * say what was expected.
 */

const durationUnitSeconds: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const sizeUnitBytes: Record<string, number> = {
  '': 1,
  B: 1,
  K: 1e3,
  KB: 1e3,
  M: 1e6,
  MB: 1e6,
  G: 1e9,
  GB: 1e9,
  T: 1e12,
  TB: 1e12,
  Ki: 2 ** 10,
  KiB: 2 ** 10,
  Mi: 2 ** 20,
  MiB: 2 ** 20,
  Gi: 2 ** 30,
  GiB: 2 ** 30,
  Ti: 2 ** 40,
  TiB: 2 ** 40,
};

/** `1h30m` → 5400. Null unless the whole string is one or more `<number><unit>` parts. */
export function parseDurationSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(part)) {
    total += Number(match[1]) * (durationUnitSeconds[match[2]!] ?? NaN);
    consumed += match[0].length;
  }
  return consumed === trimmed.length && Number.isFinite(total) ? total : null;
}

/** `512MiB` → 536870912; also Kubernetes quantities like `512Mi`. */
export function parseSizeBytes(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim());
  if (!match) return null;
  const unit = sizeUnitBytes[match[2]!];
  return unit === undefined ? null : Number(match[1]) * unit;
}

/** `5MiB/h` → bytes per hour; the time unit may be s, m, h or d. */
export function parseRateBytesPerHour(text: string): number | null {
  const match = /^(.+)\/\s*(s|m|h|d)$/.exec(text.trim());
  if (!match) return null;
  const bytes = parseSizeBytes(match[1]!);
  const perSeconds = durationUnitSeconds[match[2]!];
  return bytes === null || perSeconds === undefined ? null : (bytes * 3600) / perSeconds;
}
