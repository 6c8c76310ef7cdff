import { describe, expect, it } from 'vitest';
import { parseXyChart } from '../../test/support/mermaid.js';
import { memoryChart } from './pr-chart.js';

const MiB = 2 ** 20;
const start = 1_700_000_000 - (1_700_000_000 % 3600);

/** 24 h at 5 m: a floor growing 10 MiB/h under a GC sawtooth of 50 MiB. */
const leaking = Array.from({ length: 288 }, (_, i) => ({
  t: start + 300 + i * 300,
  v: (400 + (i / 12) * 10 + (i % 6) * 10) * MiB,
}));

function block(chart: string | null): string {
  expect(chart).not.toBeNull();
  const lines = (chart ?? '').split('\n');
  expect(lines[0]).toBe('```mermaid');
  expect(lines.at(-1)).toBe('```');
  return lines.slice(1, -1).join('\n');
}

describe("memoryChart (checked by mermaid's own xychart parser)", () => {
  it('hourly floors and the limit as a second line', async () => {
    const parsed = await parseXyChart(block(memoryChart(leaking, 1024 * MiB)));
    expect(parsed.lines).toHaveLength(2);
    const [floor = [], limit = []] = parsed.lines;
    expect(floor).toHaveLength(24);
    expect(floor[0]).toBe(400);
    expect(floor[23]).toBe(630);
    expect(limit).toEqual(Array(24).fill(1024));
    expect(parsed.xLabels).toHaveLength(24);
    expect(parsed.xLabels[0]).toMatch(/^\d\d:00$/);
    expect(parsed.yRange?.[0]).toBe(0);
    expect(parsed.yRange?.[1]).toBeGreaterThanOrEqual(1024);
    expect(parsed.title).toContain('hourly');
  });
  it('no limit: one line', async () => {
    expect((await parseXyChart(block(memoryChart(leaking, null)))).lines).toHaveLength(1);
  });
  it('a week of history stays readable: at most 48 points, each a wider floor', async () => {
    const week = Array.from({ length: 7 * 288 }, (_, i) => ({ t: start + 300 + i * 300, v: (400 + i / 12) * MiB }));
    const parsed = await parseXyChart(block(memoryChart(week, 2048 * MiB)));
    expect(parsed.lines[0]?.length).toBeLessThanOrEqual(48);
    expect(parsed.title).toContain('every 4 h');
    expect(new Set(parsed.xLabels).size).toBe(parsed.xLabels.length);
    expect(parsed.xLabels[0]).toMatch(/^\d\d-\d\d \d\d:00$/);
  });
  it('two days hourly: 48 points, labels carry the day so no hour repeats (a repeated category would merge bands)', async () => {
    const twoDays = Array.from({ length: 576 }, (_, i) => ({ t: start + 300 + i * 300, v: (400 + i / 12) * MiB }));
    const parsed = await parseXyChart(block(memoryChart(twoDays, null)));
    expect(parsed.xLabels).toHaveLength(48);
    expect(new Set(parsed.xLabels).size).toBe(48);
  });
  it('fewer than two points: no chart', () => {
    expect(memoryChart([{ t: start, v: MiB }], null)).toBeNull();
    expect(memoryChart([], null)).toBeNull();
  });
  it('the parser rejects what GitHub would not draw (the check can fail)', async () => {
    await expect(parseXyChart('xychart-beta\n  line [1, 2')).rejects.toThrow(/Parse error/);
    await expect(parseXyChart('xychart-beta\n  x-axis [a, b]\n  line [1, x2]')).rejects.toThrow(/Parse error/);
  });
});
