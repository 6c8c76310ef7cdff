/** Units people read, shared by Slack messages and PR bodies: the detector's formatters, null-tolerant. Pure. */
import type { Values } from '../detect/columns.js';
import { formatHours as hoursText, formatMiB as mibText, sparkline as bars } from '../detect/format.js';

const MiB = 1024 * 1024;

export function formatMiBPerHour(bytesPerHour: number | null | undefined): string {
  if (bytesPerHour === null || bytesPerHour === undefined || !Number.isFinite(bytesPerHour)) return 'n/a';
  const v = bytesPerHour / MiB;
  return `${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)} MiB/h`;
}

export function formatMiB(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? 'n/a' : mibText(bytes);
}

export function formatHours(hours: number | null | undefined): string {
  return hours === null || hours === undefined ? 'n/a' : hoursText(Math.max(0, hours));
}

/** The same sparkline as the CLI's (the maximum of each cell), so every place draws one picture. */
export function sparkline(values: Values, width = 24): string {
  return bars(values, width);
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
