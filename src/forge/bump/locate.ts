/**
 * Locators: the places each kind of GitOps document keeps a version, as `Site`s. A site either
 * carries the edit that would move it, or says why it cannot be moved (`refusal`: digest pin,
 * version range) or is not the operator's (`ignored`). Deciding which sites move is plan.ts's job.
 */
import { listElementSources } from './appset-list.js';
import { isAlias, isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import { parseImageRef } from '../../catalog/image.js';
import type { BumpRequest, ManifestKind } from './types.js';
import {
  inStyleOf,
  isVersionRange,
  lastSegment,
  replaceVersionTokens,
  repositoryMatches,
  sameVersion,
  stripV,
} from './version.js';
import { blockScalarMapper, parseDocuments, scalarEdit, stringAt, valueAt, walk, type Edit } from './yaml-edit.js';

export interface Site {
  file: string;
  document: number;
  kind: ManifestKind;
  resource: string;
  path: string;
  /** The value as written. */
  value: string;
  /** Chart names the place belongs to; [] outside any release (plain manifests, values files). */
  owners: string[];
  /** Offset of the value in its file, so the scan knows which occurrences are accounted for. */
  at: number;
  edit?: Edit;
  from?: string;
  to?: string;
  dependency?: string;
  refusal?: string;
  ignored?: string;
}

/** A HelmRelease's `spec.chartRef`: the version lives in the referenced source. */
export interface ChartRef {
  file: string;
  document: number;
  resource: string;
  kind: string;
  name: string;
  at: number;
}

interface Ctx {
  file: string;
  text: string;
  doc: Document;
  req: BumpRequest;
  /** The version looked for, and the one written instead. */
  version: string;
  to: string;
  document: number;
  kind: ManifestKind;
  resource: string;
  owners: string[];
  sites: Site[];
  /** Maps offsets inside an embedded values string back to the file. */
  mapOffset?: (innerOffset: number) => number;
}

export function detectKind(doc: Document, fileName: string | undefined): ManifestKind {
  const root = doc.contents;
  const apiVersion = stringAt(root, 'apiVersion')?.value ?? '';
  const kind = stringAt(root, 'kind')?.value ?? '';
  if (kind === 'HelmRelease' && apiVersion.startsWith('helm.toolkit.fluxcd.io/')) return 'flux-helmrelease';
  if (kind === 'OCIRepository' && apiVersion.startsWith('source.toolkit.fluxcd.io/')) return 'flux-ocirepository';
  if (kind === 'Application' && apiVersion.startsWith('argoproj.io/')) return 'argocd-application';
  if (kind === 'ApplicationSet' && apiVersion.startsWith('argoproj.io/')) return 'argocd-applicationset';
  if (kind === 'Kustomization' && apiVersion.startsWith('kustomize.config.k8s.io/')) return 'kustomization';
  const base = (fileName ?? '').split('/').pop() ?? '';
  if (apiVersion === '' && kind === '' && /^kustomization\.ya?ml$/i.test(base)) return 'kustomization';
  if (apiVersion !== '' && kind !== '') return 'manifest';
  // Chart.yaml: `apiVersion: v2`, a name and a version, no kind.
  const chartFile = /^Chart\.ya?ml$/.test(base) || isSeq(valueAt(root, ['dependencies']));
  if (/^v[12]$/.test(apiVersion) && kind === '' && stringAt(root, 'name') && chartFile) return 'helm-chart';
  const releases = valueAt(root, ['releases']);
  const chartReleases = isSeq(releases) && releases.items.some((r) => stringAt(r, 'chart'));
  if (/^helmfile\b/i.test(base) || chartReleases) return 'helmfile';
  return 'helm-values';
}

/** `HelmRelease/rook-ceph`, `Kustomization`, or '' for a values file. */
export function resourceName(doc: Document, kind: ManifestKind): string {
  const k = stringAt(doc.contents, 'kind')?.value ?? (kind === 'kustomization' ? 'Kustomization' : '');
  const name = stringAt(valueAt(doc.contents, ['metadata']), 'name')?.value;
  return k === '' ? '' : name ? `${k}/${name}` : k;
}

/** The scalar at `node`, following an alias to its anchor (the anchor is what changes). */
function scalarOf(ctx: Ctx, node: unknown): Scalar<string> | null {
  const target = isAlias(node) ? node.resolve(ctx.doc) : node;
  return isScalar(target) && typeof target.value === 'string' ? (target as Scalar<string>) : null;
}

function offsetOf(ctx: Ctx, scalar: Scalar): number {
  const start = scalar.range?.[0] ?? 0;
  return ctx.mapOffset ? ctx.mapOffset(start) : start;
}

function base(ctx: Ctx, scalar: Scalar<string>, path: string[], owners = ctx.owners): Site {
  return {
    file: ctx.file,
    document: ctx.document,
    kind: ctx.kind,
    resource: ctx.resource,
    path: path.join('.'),
    value: scalar.value,
    owners,
    at: offsetOf(ctx, scalar),
  };
}

function addEdit(
  ctx: Ctx,
  scalar: Scalar<string>,
  path: string[],
  oldLiteral: string,
  newLiteral: string,
  change: { from: string; to: string; dependency?: string },
): void {
  let edit: Edit;
  if (ctx.mapOffset) {
    const inner = scalarEdit(ctx.text, scalar, oldLiteral, newLiteral);
    const start = ctx.mapOffset(inner.start);
    edit = { start, end: start + oldLiteral.length, text: newLiteral };
  } else {
    edit = scalarEdit(ctx.text, scalar, oldLiteral, newLiteral);
  }
  ctx.sites.push({ ...base(ctx, scalar, path), edit, ...change });
}

function addRefusal(ctx: Ctx, scalar: Scalar<string>, path: string[], refusal: string): void {
  ctx.sites.push({ ...base(ctx, scalar, path), refusal });
}

const RANGE_ADVICE = 'cannot be bumped to one version';

/** The chart version move for `chart` as this pass sees it: `from → to` moving, `to → to` checking the target. */
function chartMove(ctx: Ctx, chart: string | undefined): { from: string; to: string } | null {
  if (!chart) return null;
  const move = ctx.req.chartMoves?.find((m) => m.chart.toLowerCase() === lastSegment(chart).toLowerCase());
  if (!move) return null;
  if (ctx.version === ctx.to) return { from: move.to, to: move.to };
  return move.from === move.to ? null : move;
}

/** A plain version field (chart version, targetRevision, newTag, OCI tag); a range there is refused. */
function versionField(ctx: Ctx, node: unknown, path: string[], dependency?: string, chart = dependency): void {
  const scalar = scalarOf(ctx, node);
  if (!scalar) return;
  const move = chartMove(ctx, chart);
  if (move && sameVersion(scalar.value, move.from)) {
    const to = inStyleOf(scalar.value, move.to);
    addEdit(ctx, scalar, path, scalar.value, to, { from: scalar.value, to, ...(dependency ? { dependency } : {}) });
  } else if (sameVersion(scalar.value, ctx.version)) {
    const to = inStyleOf(scalar.value, ctx.to);
    addEdit(ctx, scalar, path, scalar.value, to, { from: scalar.value, to, ...(dependency ? { dependency } : {}) });
  } else if (isVersionRange(scalar.value)) {
    const field = path[path.length - 1] ?? 'version';
    // A chart versioned apart from its app (argo-cd 7.7.* ships Argo CD 2.13): the pin is the chart release, not the app version.
    const apart = chart && majorOf(scalar.value) !== null && majorOf(scalar.value) !== majorOf(ctx.req.fromVersion);
    const pin = apart
      ? `the ${lastSegment(chart)} release that ships ${stripV(ctx.req.fromVersion)}`
      : `${field}: ${stripV(ctx.req.fromVersion)}`;
    addRefusal(
      ctx,
      scalar,
      path,
      `a version range ${RANGE_ADVICE}; pin one version (${pin}) so leakguard can move it, or widen the range to take ${stripV(ctx.req.toVersion)} yourself`,
    );
  }
}

/** The leading number of a version or range (`>=7.7.0` → 7, `v1.14.x` → 1), or null. */
const majorOf = (text: string): number | null => {
  const m = /\d+/.exec(text);
  return m ? Number(m[0]) : null;
};

const DIGEST_ADVICE =
  'it is digest-pinned, and the digest of the new version cannot be known offline; pin by tag alone so leakguard can bump it, or let Renovate (pinDigests) update tag and digest together';

/** True when `repository` is the operator's image or one released together with it. */
function isOperators(ctx: Ctx, repository: string): boolean {
  const group = ctx.req.moveTogether ?? [];
  return repositoryMatches(repository, ctx.req.image) || group.some((r) => repositoryMatches(repository, r));
}

/** A component released with the operator (not its own image) pinned at neither the running nor the target version. */
function strayComponent(ctx: Ctx, repository: string, tag: string): boolean {
  const group = ctx.req.moveTogether ?? [];
  if (group.length === 0 || repositoryMatches(repository, ctx.req.image)) return false;
  if (!group.some((r) => repositoryMatches(repository, r))) return false;
  return isVersionTag(tag) && !sameVersion(tag, ctx.version) && !sameVersion(tag, ctx.to);
}

const isVersionTag = (tag: string) => /^v?\d+\.\d+\.\d+/.test(tag);

function strayRefusal(ctx: Ctx, repository: string, tag: string): string {
  return (
    `${repository} is released together with ${ctx.req.image ?? 'the operator'} and is at ${tag}, not ${stripV(ctx.req.fromVersion)}: ` +
    `moving only some components would leave a mixed-version install; bring them to one version first`
  );
}

/**
 * An image `{repository, tag}` map (`image:`, or nested: KEDA's `image.keda`, Longhorn's
 * `image.longhorn.manager`), or `{image, tag}` (tigera-operator's `calicoctl`): `named` is then the image.
 */
function imageMap(ctx: Ctx, image: unknown, at: string[], named?: string): void {
  if (!isMap(image)) return;
  const tag = scalarOf(ctx, image.get('tag', true));
  if (!tag) return;
  const [tagPart = '', digestPart] = tag.value.split('@');
  const repository = named ?? stringAt(image, 'repository')?.value ?? '';
  const path = [...at, 'tag'];
  if (repository !== '' && strayComponent(ctx, repository, tagPart)) {
    return addRefusal(ctx, tag, path, strayRefusal(ctx, repository, tagPart));
  }
  if (!sameVersion(tagPart, ctx.version)) return;
  if (repository !== '' && !isOperators(ctx, repository)) {
    ctx.sites.push({
      ...base(ctx, tag, path),
      ignored: `${repository} is not the operator's image (${ctx.req.image ?? ''})`,
    });
  } else if (digestPart !== undefined || (stringAt(image, 'digest')?.value ?? '') !== '') {
    addRefusal(ctx, tag, path, DIGEST_ADVICE);
  } else {
    const to = inStyleOf(tagPart, ctx.to);
    addEdit(ctx, tag, path, tagPart, to, { from: tagPart, to, ...(repository ? { dependency: repository } : {}) });
  }
}

/** `image: repo:tag` strings and image maps anywhere under `node`. */
function images(ctx: Ctx, node: unknown, basePath: string[]): void {
  for (const { path, node: map } of walk(node, basePath)) {
    if (!isMap(map)) continue;
    const image = map.get('image', true);
    if (isScalar(image) && typeof image.value === 'string') {
      const scalar = image as Scalar<string>;
      const ref = parseImageRef(scalar.value);
      if (ref.tag === null) {
        if (ref.digest === null && map.has('tag')) imageMap(ctx, map, path, ref.repository);
        continue;
      }
      const at = [...path, 'image'];
      if (strayComponent(ctx, ref.repository, ref.tag)) {
        addRefusal(ctx, scalar, at, strayRefusal(ctx, ref.repository, ref.tag));
        continue;
      }
      if (!sameVersion(ref.tag, ctx.version)) continue;
      if (!isOperators(ctx, ref.repository)) {
        ctx.sites.push({
          ...base(ctx, scalar, at),
          ignored: `${ref.repository} is not the operator's image (${ctx.req.image ?? ''})`,
        });
      } else if (ref.digest !== null) {
        addRefusal(ctx, scalar, at, DIGEST_ADVICE);
      } else {
        const to = inStyleOf(ref.tag, ctx.to);
        addEdit(ctx, scalar, at, `:${ref.tag}`, `:${to}`, {
          from: scalar.value,
          to: `${ref.repository}:${to}`,
          dependency: ref.repository,
        });
      }
    } else if (isMap(image)) {
      imageMap(ctx, image, [...path, 'image']);
    } else if (path.includes('image') && path.at(-1) !== 'image' && stringAt(map, 'repository')) {
      // Nested per-component maps under `image:`; `image:` itself was handled from its parent.
      imageMap(ctx, map, path);
    }
  }
}

/**
 * Helm parameter overrides `[{name: image.tag, value: v1.28.2}]` (Argo CD `helm.parameters`, Helmfile
 * `set`): they win over every values file, so a tag left there would keep the old version whatever the
 * chart ships. The repository is the `….repository` parameter beside it, if any.
 */
function helmParameters(ctx: Ctx, list: unknown, basePath: string[]): void {
  if (!isSeq(list)) return;
  const byName = new Map(list.items.map((item) => [stringAt(item, 'name')?.value ?? '', item] as const));
  list.items.forEach((item, i) => {
    const name = stringAt(item, 'name')?.value ?? '';
    const value = scalarOf(ctx, valueAt(item, ['value']));
    if (!value) return;
    const path = [...basePath, String(i), 'value'];
    if (/(^|\.)image$/.test(name)) {
      const ref = parseImageRef(value.value);
      if (ref.tag === null || !sameVersion(ref.tag, ctx.version)) return;
      if (!isOperators(ctx, ref.repository)) {
        ctx.sites.push({
          ...base(ctx, value, path),
          ignored: `${ref.repository} is not the operator's image (${ctx.req.image ?? ''})`,
        });
        return;
      }
      const to = inStyleOf(ref.tag, ctx.to);
      addEdit(ctx, value, path, `:${ref.tag}`, `:${to}`, {
        from: value.value,
        to: `${ref.repository}:${to}`,
        dependency: ref.repository,
      });
      return;
    }
    if (!/(^|\.)tag$/.test(name)) return;
    const repository = stringAt(byName.get(name.replace(/tag$/, 'repository')), 'value')?.value ?? '';
    if (repository !== '' && strayComponent(ctx, repository, value.value)) {
      return addRefusal(ctx, value, path, strayRefusal(ctx, repository, value.value));
    }
    if (!sameVersion(value.value, ctx.version)) return;
    if (repository !== '' && !isOperators(ctx, repository)) {
      ctx.sites.push({
        ...base(ctx, value, path),
        ignored: `${repository} is not the operator's image (${ctx.req.image ?? ''})`,
      });
      return;
    }
    const to = inStyleOf(value.value, ctx.to);
    addEdit(ctx, value, path, value.value, to, {
      from: value.value,
      to,
      ...(repository ? { dependency: repository } : {}),
    });
  });
}

/** Helm values held as a YAML string inside a manifest (Argo CD `helm.values: |`). */
function embeddedValues(ctx: Ctx, scalar: Scalar<string>, path: string[]): void {
  const inner = scalar.value;
  if (!replaceVersionTokens(inner, ctx.version, ctx.to).changed) return;
  const mapper = blockScalarMapper(ctx.text, scalar);
  for (const doc of parseDocuments(inner, path.join('.')))
    images({ ...ctx, text: inner, doc, mapOffset: mapper }, doc.contents, path);
}

function helmRelease(ctx: Ctx, root: unknown, refs: ChartRef[]): void {
  const chart = stringAt(valueAt(root, ['spec', 'chart', 'spec']), 'chart')?.value;
  const ref = valueAt(root, ['spec', 'chartRef']);
  const name = stringAt(valueAt(root, ['metadata']), 'name')?.value ?? '';
  if (chart !== undefined) {
    const owners = [lastSegment(chart)];
    versionField(
      { ...ctx, owners },
      valueAt(root, ['spec', 'chart', 'spec', 'version']),
      ['spec', 'chart', 'spec', 'version'],
      chart,
    );
    images({ ...ctx, owners }, valueAt(root, ['spec', 'values']), ['spec', 'values']);
  } else if (isMap(ref)) {
    const refName = stringAt(ref, 'name')?.value ?? '';
    refs.push({
      file: ctx.file,
      document: ctx.document,
      resource: ctx.resource,
      kind: stringAt(ref, 'kind')?.value ?? '',
      name: refName,
      at: ref.range?.[0] ?? 0,
    });
    images({ ...ctx, owners: [refName, name].filter((n) => n !== '') }, valueAt(root, ['spec', 'values']), [
      'spec',
      'values',
    ]);
  }
}

/** Flux OCIRepository: `spec.ref.tag`; a digest or a semver range cannot be bumped offline. */
function ociRepository(ctx: Ctx, root: unknown): void {
  const url = stringAt(valueAt(root, ['spec']), 'url')?.value ?? '';
  const name = stringAt(valueAt(root, ['metadata']), 'name')?.value ?? '';
  const c = { ...ctx, owners: [lastSegment(url), name].filter((n) => n !== '') };
  const ref = valueAt(root, ['spec', 'ref']);
  const tag = scalarOf(c, valueAt(ref, ['tag']));
  const semver = scalarOf(c, valueAt(ref, ['semver']));
  const digest = scalarOf(c, valueAt(ref, ['digest']));
  if (digest && digest.value !== '') {
    if (tag && sameVersion(tag.value, c.version))
      addRefusal(c, tag, ['spec', 'ref', 'tag'], `spec.ref.digest is set too: ${DIGEST_ADVICE}`);
    else
      addRefusal(
        c,
        digest,
        ['spec', 'ref', 'digest'],
        'the chart is pinned by digest only, which cannot be bumped offline; pin spec.ref.tag instead',
      );
  } else if (semver) {
    addRefusal(
      c,
      semver,
      ['spec', 'ref', 'semver'],
      `a semver range ${RANGE_ADVICE}; replace spec.ref.semver by spec.ref.tag (the version running now is ${stripV(ctx.req.fromVersion)}) so leakguard can move it, or widen the range to take ${stripV(ctx.req.toVersion)} yourself`,
    );
  } else {
    versionField(c, valueAt(ref, ['tag']), ['spec', 'ref', 'tag'], lastSegment(url) || name);
  }
}

function argoSource(ctx: Ctx, source: unknown, path: string[]): void {
  if (!isMap(source)) return;
  const chart = stringAt(source, 'chart')?.value;
  const c = { ...ctx, owners: chart ? [lastSegment(chart)] : [] };
  versionField(c, valueAt(source, ['targetRevision']), [...path, 'targetRevision'], chart);
  const values = scalarOf(c, valueAt(source, ['helm', 'values']));
  if (values) embeddedValues(c, values, [...path, 'helm', 'values']);
  images(c, valueAt(source, ['helm', 'valuesObject']), [...path, 'helm', 'valuesObject']);
  helmParameters(c, valueAt(source, ['helm', 'parameters']), [...path, 'helm', 'parameters']);
}

/** An Application's `spec`, or an ApplicationSet's `spec.template.spec` (and its list elements' versions). */
function argoApplication(ctx: Ctx, root: unknown, spec: string[] = ['spec']): void {
  argoSource(ctx, valueAt(root, [...spec, 'source']), [...spec, 'source']);
  const sources = valueAt(root, [...spec, 'sources']);
  if (isSeq(sources)) sources.items.forEach((s, i) => argoSource(ctx, s, [...spec, 'sources', String(i)]));
  if (ctx.kind !== 'argocd-applicationset') return;
  for (const { chart, revision, revisionPath } of listElementSources(root)) {
    versionField({ ...ctx, owners: chart ? [lastSegment(chart)] : [] }, revision, revisionPath, chart);
  }
}

/** Helmfile `releases: [{name, chart: repo/chart, version, values}]`. */
function helmfile(ctx: Ctx, root: unknown): void {
  const releases = valueAt(root, ['releases']);
  if (!isSeq(releases)) return;
  releases.items.forEach((release, i) => {
    const chart = stringAt(release, 'chart')?.value ?? '';
    const c = { ...ctx, owners: chart ? [lastSegment(chart)] : [] };
    versionField(c, valueAt(release, ['version']), ['releases', String(i), 'version'], lastSegment(chart));
    images(c, valueAt(release, ['values']), ['releases', String(i), 'values']);
    helmParameters(c, valueAt(release, ['set']), ['releases', String(i), 'set']);
  });
}

/** An umbrella Chart.yaml: `dependencies: [{name, version, repository}]` (its own version and appVersion are yours). */
function umbrellaChart(ctx: Ctx, root: unknown): void {
  const deps = valueAt(root, ['dependencies']);
  if (!isSeq(deps)) return;
  deps.items.forEach((dep, i) => {
    const name = stringAt(dep, 'name')?.value ?? '';
    const path = ['dependencies', String(i), 'version'];
    versionField({ ...ctx, owners: name ? [name] : [] }, valueAt(dep, ['version']), path, name);
  });
}

// Remote kustomize targets, including the scp-like `github.com:org/repo.git/path?ref=v1` form.
export const REMOTE = /^(https?:\/\/|git::|git@|ssh:\/\/|(github\.com|gitlab\.com|bitbucket\.org)[/:])/;

/** kustomize `images:`, `helmCharts:` and remote `resources:` pinned at a release. */
function kustomization(ctx: Ctx, root: unknown): void {
  const imageEntries = valueAt(root, ['images']);
  let operatorImage = false;
  if (isSeq(imageEntries)) {
    imageEntries.items.forEach((entry, i) => {
      const name = stringAt(entry, 'name')?.value ?? '';
      const newName = stringAt(entry, 'newName')?.value;
      const newTag = scalarOf(ctx, valueAt(entry, ['newTag']));
      if (!newTag || !sameVersion(newTag.value, ctx.version)) return;
      const path = ['images', String(i), 'newTag'];
      if (!repositoryMatches(newName ?? name, ctx.req.image) && !repositoryMatches(name, ctx.req.image)) {
        ctx.sites.push({
          ...base(ctx, newTag, path),
          ignored: `${newName ?? name} is not the operator's image (${ctx.req.image ?? ''})`,
        });
        return;
      }
      operatorImage = true;
      if ((stringAt(entry, 'digest')?.value ?? '') !== '')
        addRefusal(ctx, newTag, path, `images[${i}] has a digest too: ${DIGEST_ADVICE}`);
      else versionField(ctx, newTag, path, newName ?? name, '');
    });
  }
  const charts = valueAt(root, ['helmCharts']);
  if (isSeq(charts)) {
    charts.items.forEach((entry, i) => {
      const name = stringAt(entry, 'name')?.value ?? '';
      const c = { ...ctx, owners: name ? [name] : [] };
      versionField(c, valueAt(entry, ['version']), ['helmCharts', String(i), 'version'], name);
      images(c, valueAt(entry, ['valuesInline']), ['helmCharts', String(i), 'valuesInline']);
    });
  }
  const imageNamespace = (ctx.req.image ?? '')
    .split('/')
    .filter((s) => s !== '' && !s.includes('.'))
    .at(0);
  const mentionsOperator = (url: string) =>
    !ctx.req.image ||
    operatorImage ||
    (imageNamespace !== undefined && new RegExp(`[/:]${imageNamespace}/`).test(url)) ||
    (ctx.req.chart !== undefined && url.includes(ctx.req.chart));
  for (const key of ['resources', 'bases', 'components']) {
    const list = valueAt(root, [key]);
    if (!isSeq(list)) continue;
    list.items.forEach((item, i) => {
      const scalar = scalarOf(ctx, item);
      if (!scalar || !REMOTE.test(scalar.value)) return;
      const replaced = replaceVersionTokens(scalar.value, ctx.version, ctx.to);
      if (!replaced.changed) return;
      const path = [key, String(i)];
      if (!mentionsOperator(scalar.value)) {
        ctx.sites.push({
          ...base(ctx, scalar, path),
          ignored:
            "a remote resource pinned at this version that is not recognisably the operator's (no operator image in this kustomization)",
        });
        return;
      }
      addEdit(ctx, scalar, path, scalar.value, replaced.text, { from: scalar.value, to: replaced.text });
    });
  }
}

/**
 * Flux Kustomization `spec.postBuild.substitute`: a variable named for the operator's chart or image
 * (`CERT_MANAGER_VERSION`, `ARGOCD_TAG`) holds its version for the manifests `${…}` reads it in.
 */
function fluxSubstitutions(ctx: Ctx, root: unknown): void {
  if (!(stringAt(root, 'apiVersion')?.value ?? '').startsWith('kustomize.toolkit.fluxcd.io/')) return;
  const vars = valueAt(root, ['spec', 'postBuild', 'substitute']);
  if (!isMap(vars)) return;
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const names = [ctx.req.chart, ctx.req.image, ...(ctx.req.alsoBump ?? [])]
    .filter((n): n is string => n !== undefined && n !== '')
    .map((n) => slug(lastSegment(n)));
  for (const pair of vars.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = scalarOf(ctx, pair.value);
    if (!value || !sameVersion(value.value, ctx.version)) continue;
    const path = ['spec', 'postBuild', 'substitute', key];
    const named = slug(key.replace(/_(version|tag|release)$/i, ''));
    if (!names.includes(named)) {
      ctx.sites.push({
        ...base(ctx, value, path),
        ignored: `a substitution variable that does not name the operator's chart or image (${names.join(', ') || 'none given'})`,
      });
      continue;
    }
    const to = inStyleOf(value.value, ctx.to);
    addEdit(ctx, value, path, value.value, to, { from: value.value, to });
  }
}

export interface Scope {
  file: string;
  text: string;
  docs: Document[];
  /** Documents to look at; all when absent (the profile's own file). */
  only?: number[];
}

/** Sites and chartRefs of the documents in scope, for `version` moving to `to`. */
export function locate(
  scope: Scope,
  req: BumpRequest,
  version: string,
  to: string,
): { sites: Site[]; refs: ChartRef[] } {
  const sites: Site[] = [];
  const refs: ChartRef[] = [];
  scope.docs.forEach((doc, document) => {
    if (scope.only && !scope.only.includes(document)) return;
    const kind = detectKind(doc, scope.file);
    const ctx: Ctx = {
      file: scope.file,
      text: scope.text,
      doc,
      req,
      version,
      to,
      document,
      kind,
      resource: resourceName(doc, kind),
      owners: [],
      sites,
    };
    const root = doc.contents;
    switch (kind) {
      case 'flux-helmrelease':
        return helmRelease(ctx, root, refs);
      case 'flux-ocirepository':
        return ociRepository(ctx, root);
      case 'argocd-application':
        return argoApplication(ctx, root);
      case 'argocd-applicationset':
        return argoApplication(ctx, root, ['spec', 'template', 'spec']);
      case 'helmfile':
        return helmfile(ctx, root);
      case 'helm-chart':
        return umbrellaChart(ctx, root);
      case 'kustomization':
        return kustomization(ctx, root);
      case 'helm-values':
        return images(ctx, root, []);
      case 'manifest':
        images(ctx, root, []);
        return fluxSubstitutions(ctx, root);
    }
  });
  return { sites, refs };
}
