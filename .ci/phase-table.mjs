// Prints the phase table at the end of .ci/run: each phase and background job (when it started and
// how long it took, from phases.tsv), the Go build groups inside the e2e build job (their `[e2e-build]
// … done in Ns` lines), and each e2e file's own time (vitest's JSON report).
// Usage: node .ci/phase-table.mjs PHASES_TSV CI_START_EPOCH CI_DIR
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [phasesFile, startArg, dir] = process.argv.slice(2);
const ciStart = Number(startArg);
const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;
const rows = [];
const row = (at, took, name, status = '') => rows.push({ at: at === undefined ? '' : clock(at), took: clock(took), name, status });

const phases = readFileSync(phasesFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [name, start, end, status] = line.split('\t');
    return { name, start: Number(start), end: Number(end), status };
  })
  .sort((a, b) => a.start - b.start);

for (const p of phases) {
  row(p.start - ciStart, p.end - p.start, p.name, p.status === 'ok' ? '' : p.status);
  if (p.name.startsWith('build: e2e Go')) {
    const log = join(dir, 'build-e2e-Go-binaries.log');
    const done = existsSync(log) ? [...readFileSync(log, 'utf8').matchAll(/build_(\w+) done in (\d+)s/g)] : [];
    for (const [, group, seconds] of done) row(undefined, Number(seconds), `  group ${group === 'k8s' ? 'k8s (kube-*, kubectl, kubelet, helm)' : group}`);
  }
  if (p.name === 'e2e') {
    const report = join(dir, 'e2e.json');
    if (!existsSync(report)) continue;
    const results = JSON.parse(readFileSync(report, 'utf8')).testResults ?? [];
    for (const r of results.sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime))) {
      const failed = r.status === 'passed' ? '' : r.status;
      row(r.startTime / 1000 - ciStart, (r.endTime - r.startTime) / 1000, `  ${relative(process.cwd(), r.name)}`, failed);
    }
  }
}
const end = Math.max(...phases.map((p) => p.end), ciStart);
row(0, end - ciStart, 'total (wall clock)');

console.log('\nCI phases (m:ss; "at" is the start, from the beginning of .ci/run; background builds overlap the foreground)');
const width = Math.max(...rows.map((r) => r.name.length));
console.log(`${'at'.padStart(6)}  ${'took'.padStart(6)}  phase`);
for (const r of rows) console.log(`${r.at.padStart(6)}  ${r.took.padStart(6)}  ${r.name.padEnd(width)}  ${r.status}`.trimEnd());
if (readdirSync(dir).some((f) => f.endsWith('.log'))) console.log(`(background logs: ${dir})`);
