/** Formatting for `npm run bench`: the machine, section lines, and the final table. */
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';

export interface Row {
  figure: string;
  measured: string;
  target: string;
  /** null: reported only, no target. */
  ok: boolean | null;
}

export function machineLines(): string[] {
  const cpu = cpus()[0];
  const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(1);
  return [
    `cpu      ${cpu?.model ?? 'unknown'} (${cpus().length} logical cores, ${availableParallelism()} available to this process)`,
    `memory   ${gib(totalmem())} GiB total, ${gib(freemem())} GiB free`,
    `node     ${process.version} (${process.platform}/${process.arch}, V8 ${process.versions.v8})`,
    `load     ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min; the machine is shared, figures move with it)`,
  ];
}

export function heading(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 76 - title.length))}`);
}

export function ms(value: number): string {
  return value >= 10_000
    ? `${(value / 1000).toFixed(1)} s`
    : value >= 1000
      ? `${(value / 1000).toFixed(2)} s`
      : `${value.toFixed(0)} ms`;
}

/** Decimal megabytes, the unit SPEC §13 states its RSS target in. */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function renderTable(rows: readonly Row[]): string {
  const header: Row = { figure: 'figure', measured: 'measured', target: 'target', ok: null };
  const status = (row: Row): string =>
    row === header
      ? 'ok?'
      : row.measured === 'not measured'
        ? 'FAILED'
        : row.ok === null
          ? '-'
          : row.ok
            ? 'ok'
            : 'OVER';
  const all = [header, ...rows];
  const width = (pick: (r: Row) => string): number => Math.max(...all.map((r) => pick(r).length));
  const widths = [width((r) => r.figure), width((r) => r.measured), width((r) => r.target)];
  const line = (r: Row): string =>
    [r.figure.padEnd(widths[0]!), r.measured.padStart(widths[1]!), r.target.padEnd(widths[2]!), status(r)].join('  ');
  const rule = '-'.repeat(line(header).length);
  return [line(header), rule, ...rows.map(line)].join('\n');
}
