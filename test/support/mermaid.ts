/**
 * Mermaid's own xychart parser (the jison grammar GitHub's renderer runs), loaded without a browser.
 * `mermaid.parse()` needs a DOM for its sanitiser; the diagram's parser does not, so it runs here
 * with a database that records what the diagram would draw.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface JisonParser {
  yy: Record<string, unknown>;
  parse(text: string): unknown;
}

export interface ParsedXyChart {
  title: string;
  xLabels: string[];
  yRange: [number, number] | null;
  lines: number[][];
}

let parser: Promise<JisonParser> | null = null;

async function loadParser(): Promise<JisonParser> {
  const root = dirname(createRequire(import.meta.url).resolve('mermaid/package.json'));
  const chunks = join(root, 'dist', 'chunks', 'mermaid.core');
  const file = readdirSync(chunks).find((f) => /^xychartDiagram-[\w-]+\.mjs$/.test(f));
  if (!file) throw new Error(`no xychart diagram in ${chunks}: mermaid's layout changed`);
  const mod = (await import(pathToFileURL(join(chunks, file)).href)) as {
    diagram: { parser: JisonParser; db: object };
  };
  return mod.diagram.parser;
}

/** Parses a diagram (without the ``` fence); throws mermaid's own parse error when it is invalid. */
export async function parseXyChart(source: string): Promise<ParsedXyChart> {
  parser ??= loadParser();
  const p = await parser;
  const out: ParsedXyChart = { title: '', xLabels: [], yRange: null, lines: [] };
  const text = (t: { text: string }) => t.text;
  p.yy = {
    setDiagramTitle: (t: string) => (out.title = t),
    setXAxisBand: (labels: { text: string }[]) => (out.xLabels = labels.map(text)),
    setYAxisRangeData: (min: number, max: number) => (out.yRange = [min, max]),
    setLineData: (_title: unknown, data: { value: number }[]) => out.lines.push(data.map((d) => d.value)),
    setOrientation: () => undefined,
    setXAxisTitle: () => undefined,
    setYAxisTitle: () => undefined,
    setXAxisRangeData: () => undefined,
    setBarData: () => undefined,
    setAccTitle: () => undefined,
    setAccDescription: () => undefined,
  };
  p.parse(source);
  return out;
}
