// Prints the phase table at the end of .ci/run: each phase and background job (when it started and
// how long it took, from phases.tsv), the Go build groups inside the e2e build job (their `[e2e-build]
// … done in Ns` lines), and each e2e file's own time, its hooks included
// (.ci/file-times-reporter.mjs).
// Usage: node .ci/phase-table.mjs PHASES_TSV CI_START_EPOCH CI_DIR
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [phasesFile, startArg, dir] = process.argv.slice(2);
const ciStart = Number(startArg);
const clock = (seconds) => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const rows = [];
const row = (at, took, name, status = '') => {
  rows.push({ at: at === undefined ? '' : clock(at), took: clock(took), name, status });
};

const phases = readFileSync(phasesFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [name, start, end, status, log] = line.split('\t');
    return { name, start: Number(start), end: Number(end), status, log };
  })
  .sort((a, b) => a.start - b.start);

/** Each e2e file's own time with its hooks, longest first (the files run side by side). */
function e2eFiles() {
  const report = join(dir, 'e2e-files.jsonl');
  if (!existsSync(report)) return;
  const files = readFileSync(report, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  for (const f of files.sort((a, b) => b.took - a.took)) {
    const status = f.state === 'passed' ? '' : f.state;
    row(f.start / 1000 - ciStart, f.took / 1000, `  ${relative(process.cwd(), f.file)}`, status);
  }
}

for (const p of phases) {
  row(p.start - ciStart, p.end - p.start, p.name, p.status === 'ok' ? '' : p.status);
  // The Go build groups of build-binaries.sh log "build_<group> done in <n>s".
  const log = p.log && existsSync(p.log) ? readFileSync(p.log, 'utf8') : '';
  for (const [, group, seconds] of log.matchAll(/build_(\w+) done in (\d+)s/g)) {
    row(undefined, Number(seconds), `  group ${group}${group === 'k8s' ? ' (kube-*, kubectl, kubelet, helm)' : ''}`);
  }
  if (p.name === 'e2e') e2eFiles();
}
const end = Math.max(...phases.map((p) => p.end), ciStart);
row(0, end - ciStart, 'total (wall clock)');

console.log('\nCI phases (m:ss; "at": start, from the beginning of .ci/run; background builds overlap the foreground)');
const width = Math.max(...rows.map((r) => r.name.length));
console.log(`${'at'.padStart(6)}  ${'took'.padStart(6)}  phase`);
for (const r of rows) {
  console.log(`${r.at.padStart(6)}  ${r.took.padStart(6)}  ${r.name.padEnd(width)}  ${r.status}`.trimEnd());
}
if (readdirSync(dir).some((f) => f.endsWith('.log'))) console.log(`(background logs: ${dir})`);
