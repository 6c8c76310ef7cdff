/**
 * GitOps files shaped like those of public home-ops repos (written for these tests, not copied),
 * and the line diff the bump tests assert on.
 */

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
