/** Allowed time windows, judged on Prometheus time (UTC) so a skewed node clock cannot move them. */
import type { TimeWindow, Weekday } from './types.js';

const weekdays: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function minutesOf(clock: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  if (!match) throw new RangeError(`expected a time of day HH:MM, got ${JSON.stringify(clock)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** True when `now` falls inside the window; a window ending before it starts runs past midnight. */
export function isInsideWindow(now: number, window: TimeWindow): boolean {
  const date = new Date(now * 1000);
  const minute = date.getUTCHours() * 60 + date.getUTCMinutes();
  const today = weekdays[date.getUTCDay()] as Weekday;
  const yesterday = weekdays[(date.getUTCDay() + 6) % 7] as Weekday;
  const startsOn = (day: Weekday) => !window.days || window.days.includes(day);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return startsOn(today);
  if (start < end) return startsOn(today) && minute >= start && minute < end;
  return (startsOn(today) && minute >= start) || (startsOn(yesterday) && minute < end);
}

/** No windows configured means always allowed. */
export function isInsideAnyWindow(now: number, windows: readonly TimeWindow[]): boolean {
  return windows.length === 0 || windows.some((window) => isInsideWindow(now, window));
}
