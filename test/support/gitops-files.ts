/**
 * GitOps files shaped like those of public home-ops repos (written for these tests, not copied),
 * the line diff the bump tests assert on, and a bump followed by its rerun.
 */
import type { ChartSource } from '../../src/forge/chart-repository.js';
import { bumpInRepo, type BumpRequest } from '../../src/forge/bump/index.js';

/** A Flux HelmRelease whose chart comes from an OCIRepository (`spec.chartRef`), no version of its own. */
export const HELMRELEASE_CHARTREF = `# Rook operator
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: rook-ceph
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: rook-ceph
  values:
    crds: {enabled: true}
`;

/** Its OCIRepository, in its own file: a leading `---`, a Renovate comment, no final newline. */
export const OCIREPOSITORY = `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: rook-ceph
spec:
  interval: 5m
  ref:
    tag: v1.14.9   # renovate: datasource=docker depName=ghcr.io/rook/rook-ceph
  url: oci://ghcr.io/rook/rook-ceph`;

/** Lines that differ, as `-old` / `+new` pairs, each prefixed with `prefix` (a file path, say). */
export function changedLines(before: string, after: string, prefix = ''): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const changed = a.flatMap((line, i) =>
    line === b[i] ? [] : [`${prefix}-${line}`, ...(i < b.length ? [`${prefix}+${b[i]}`] : [])],
  );
  return changed.concat(b.slice(a.length).map((line) => `${prefix}+${line}`));
}

/**
 * Bumps `files[primary]` as the forge would (reading the others on demand), then again over the
 * result: the changed lines per file, and what the rerun found (`already` when the first was whole).
 */
export async function bumpAndRerun(
  files: Readonly<Record<string, string>>,
  primary: string,
  req: BumpRequest,
  charts?: ChartSource,
): Promise<{ diff: string[]; rerun: string }> {
  const read = (tree: Readonly<Record<string, string>>) => async (p: string) =>
    tree[p] === undefined ? null : { text: tree[p] };
  const first = await bumpInRepo(primary, read(files), req, charts);
  if (first.kind !== 'bumped') throw new Error(`expected a bump, got ${first.kind}`);
  const after = { ...files, ...Object.fromEntries(first.result.files.map((f) => [f.path, f.content])) };
  const diff = first.result.files.flatMap((f) => changedLines(files[f.path] ?? '', f.content, `${f.path}: `));
  return { diff, rerun: (await bumpInRepo(primary, read(after), req, charts)).kind };
}
