/** Units people read, shared by Slack messages and PR bodies. Pure. */

const MiB = 1024 * 1024;
const BARS = '▁▂▃▄▅▆▇█';

export function formatMiBPerHour(bytesPerHour: number | null | undefined): string {
  if (bytesPerHour === null || bytesPerHour === undefined || !Number.isFinite(bytesPerHour)) return 'n/a';
  const v = bytesPerHour / MiB;
  return `${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)} MiB/h`;
}

export function formatMiB(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'n/a';
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

export function formatHours(hours: number | null | undefined): string {
  if (hours === null || hours === undefined || !Number.isFinite(hours)) return 'n/a';
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

/**
 * Unicode sparkline of `values` squeezed into `width` buckets (mean of each bucket).
 * Non-finite values are skipped; a bucket with none is a space. Flat input draws the lowest bar.
 */
export function sparkline(values: readonly number[], width = 24): string {
  if (values.length === 0 || width <= 0) return '';
  const buckets = Math.min(width, values.length);
  const means: (number | null)[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.floor(((b + 1) * values.length) / buckets);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v !== undefined && Number.isFinite(v)) {
        n++;
        sum += (v - sum) / n; // running mean: no overflow on huge values
      }
    }
    means.push(n > 0 ? sum : null);
  }
  const finite = means.filter((m): m is number => m !== null);
  if (finite.length === 0) return ' '.repeat(buckets);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return means
    .map((m) => {
      if (m === null) return ' ';
      const ratio = (m - lo) / (hi - lo);
      const idx = Number.isFinite(ratio) ? Math.round(ratio * (BARS.length - 1)) : 0;
      return BARS[idx] ?? BARS[0];
    })
    .join('');
}

/** Cuts `text` to at most `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** A link as the catalogue gives it: a bare URL or `{ title, url }`. */
export type LinkInput = string | { title?: string; url: string };

export function normalizeLink(link: LinkInput): { title: string; url: string } {
  return typeof link === 'string' ? { title: link, url: link } : { title: link.title ?? link.url, url: link.url };
}
