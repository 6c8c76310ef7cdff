/**
 * What a bump changes across the files of a repository, decided in one place. Pure: the caller
 * hands in the files it has read; when a HelmRelease's `chartRef`, or values kept elsewhere (Helmfile
 * `values:` paths, Flux `valuesFrom`), point outside them, the plan asks for the files it needs (`need`,
 * see sources.ts) and the caller reads them and asks again.
 *
 * Rules: only the profile's chart moves (plus `alsoBump`); any place of it that cannot move (digest
 * pin, version range, unresolved chartRef or values source, a Secret) refuses the whole bump — never
 * half a release.
 */
import { isScalar, type Document } from 'yaml';
import { detectKind, resourceName } from './document-kind.js';
import { locate, type Scope } from './locate.js';
import type { ChartRef, Site, ValuesRef } from './site.js';
import { docsOf, followChartRefs, type RepoFiles, type Resolved } from './sources.js';
import { followValuesRefs } from './values-sources.js';
import { templatedVersions } from './go-template.js';
import { isTerraform, terraformRefusal } from './terraform.js';
import { lockedDependencies, lockFiles } from './umbrella-chart.js';
import {
  bumpRefusal,
  fileText,
  goTemplateDocuments,
  placeText,
  refusalLead,
  vendoredReleaseText,
  versionNotFound,
} from '../../report/bump-text.js';
import { BumpError, type BumpChange, type BumpRequest, type BumpResult, type Sighting } from './types.js';
import { lastSegment, stripV, versionToken } from './version.js';
import { applyEdits, stringAt, walk, type Edit } from './yaml-edit.js';

export type { RepoFiles };

export type BumpPlan =
  | { kind: 'need'; paths: string[] }
  | { kind: 'bumped'; result: BumpResult }
  | { kind: 'already'; alsoPinned: Sighting[] };

/** Follows chartRefs and values references (`version`: the running one); `need` lists the files to read first. */
function follow(
  primary: string,
  files: RepoFiles,
  cache: Map<string, Document[]>,
  refs: ChartRef[],
  valuesRefs: ValuesRef[],
  version: string,
): Resolved | { need: string[] } {
  const charts = followChartRefs(primary, files, cache, refs);
  const values = followValuesRefs(files, cache, valuesRefs, version);
  if ('need' in charts || 'need' in values) {
    return { need: [...new Set([...('need' in charts ? charts.need : []), ...('need' in values ? values.need : [])])] };
  }
  return { scopes: [...charts.scopes, ...values.scopes], unresolved: [...charts.unresolved, ...values.unresolved] };
}

/** Values holding the version that no locator accounts for (labels, annotations, unknown fields). */
function unaccounted(scope: Scope, version: string, sites: readonly Site[]): Sighting[] {
  const out: Sighting[] = [];
  // A Secret's contents are never quoted back (only the image tags found in it, as refusals).
  if (scope.values?.secret) return out;
  scope.docs.forEach((doc, document) => {
    if (scope.only && !scope.only.includes(document)) return;
    const resource = resourceName(doc, detectKind(doc, scope.file));
    for (const { path, node } of walk(doc.contents)) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.range) continue;
      if (node.value.search(versionToken(version)) < 0) continue;
      const [start, end] = node.range;
      if (sites.some((s) => s.file === scope.file && s.at >= start && s.at <= end)) continue;
      out.push({
        file: scope.file,
        resource,
        path: path.join('.'),
        value: node.value,
        kind: 'ignored',
        reason: placeText.notEdited(),
      });
    }
  });
  return out;
}

function selects(req: BumpRequest): (site: Pick<Site, 'owners'>) => boolean {
  if (!req.chart) return () => true;
  const charts = new Set([req.chart, ...(req.alsoBump ?? [])].map((c) => lastSegment(c).toLowerCase()));
  return (site) => site.owners.length === 0 || site.owners.some((o) => charts.has(o.toLowerCase()));
}

function releaseOf(site: Site): string {
  return site.owners[0] ?? '';
}

export function describePlace(s: Pick<Sighting, 'file' | 'resource' | 'path'>, primary: string): string {
  return `${s.file === primary ? '' : `${s.file}: `}${s.resource ? `${s.resource} ` : ''}${s.path}`;
}

/** What a document without kind and name is, in refusals. */
const UNNAMED: Partial<Record<string, string>> = { helmfile: 'Helmfile', 'helm-chart': 'Chart.yaml' };

function documentsSeen(scopes: readonly Scope[], primary: string): string {
  return scopes
    .map((scope) => {
      const names = scope.docs
        .filter((_, i) => !scope.only || scope.only.includes(i))
        .map((d) => {
          const kind = detectKind(d, scope.file);
          return resourceName(d, kind) || UNNAMED[kind] || 'Helm values';
        });
      return `${scope.file === primary ? '' : `${scope.file}: `}${names.join(', ') || 'none'}`;
    })
    .join('; ');
}

function refusalMessage(primary: string, scopes: readonly Scope[], sightings: readonly Sighting[], lead: string) {
  const places = sightings.map((s) => `${describePlace(s, primary)} "${s.value}": ${s.reason}`);
  return bumpRefusal(primary, lead, documentsSeen(scopes, primary), places);
}

function toSighting(site: Site, kind: Sighting['kind'], reason: string): Sighting {
  return { file: site.file, resource: site.resource, path: site.path, value: site.value, kind, reason };
}

/** `image.longhorn.manager.tag` → `image.longhorn`: the map that holds one image map per component. */
function familyOf(path: string): string {
  return path.split('.').slice(0, -2).join('.');
}

/**
 * Image tags at the running version that are not the operator's components but sit in the same
 * per-component map as components that move (Longhorn's `image.longhorn.*`, KEDA's `image.*`).
 */
function amongMovingComponents(sites: readonly Site[], moving: readonly Site[], req: BumpRequest): Site[] {
  if ((req.moveTogether ?? []).length === 0) return [];
  const families = new Set(
    moving.filter((m) => m.path.endsWith('.tag')).map((m) => `${m.file} ${m.document} ${familyOf(m.path)}`),
  );
  return sites.filter(
    (s) =>
      s.ignored &&
      s.path.endsWith('.tag') &&
      familyOf(s.path) !== '' &&
      families.has(`${s.file} ${s.document} ${familyOf(s.path)}`),
  );
}

/** The profile's file parsed; one that is no YAML until a Go template renders it is refused by its templated lines. */
function parseOrTemplate(cache: Map<string, Document[]>, primary: string, text: string, req: BumpRequest): Document[] {
  try {
    return docsOf(cache, primary, text);
  } catch (error) {
    const lines = templatedVersions(primary, text, req.fromVersion);
    if (!(error instanceof BumpError) || lines.length === 0) throw error;
    const places = lines.map((s) => `${describePlace(s, primary)} "${s.value}": ${s.reason}`);
    const lead = refusalLead.notBumped(stripV(req.fromVersion), stripV(req.toVersion));
    throw new BumpError('not-bumped', bumpRefusal(primary, lead, goTemplateDocuments(), places));
  }
}

/** The plan for moving `req.fromVersion` to `req.toVersion`, starting at the profile's file `primary`. */
export function planBump(primary: string, files: RepoFiles, req: BumpRequest): BumpPlan {
  const text = files.get(primary);
  if (typeof text !== 'string') return { kind: 'need', paths: [primary] };
  if (isTerraform(primary, text)) throw new BumpError('not-bumped', terraformRefusal(primary, text, req.fromVersion));
  const cache = new Map<string, Document[]>();
  const docs = parseOrTemplate(cache, primary, text, req);
  if (docs.length === 0) throw new BumpError('invalid-yaml', fileText.empty(primary));
  const own: Scope = { file: primary, text, docs };
  const first = locate(own, req, req.fromVersion, req.toVersion);
  const selected = selects(req);
  // Values elsewhere are read for the releases that move only (another release's values file is not ours).
  const valuesRefs = first.valuesRefs.filter(selected);
  const resolved = follow(primary, files, cache, first.refs, valuesRefs, req.fromVersion);
  if ('need' in resolved) return { kind: 'need', paths: resolved.need };
  const scopes = [own, ...resolved.scopes];
  const others = resolved.scopes.map((s) => locate(s, req, req.fromVersion, req.toVersion).sites);
  const sites = [...first.sites, ...others.flat()];

  const alsoPinned: Sighting[] = [];
  const templated = scopes.flatMap((s) => (s.values?.secret ? [] : templatedVersions(s.file, s.text, req.fromVersion)));
  const refused: Sighting[] = [
    ...resolved.unresolved,
    ...new Map(templated.map((t) => [`${t.file} ${t.path}`, t])).values(),
  ];
  const ignored: Sighting[] = [];
  const moving: Site[] = [];
  for (const site of sites) {
    if (site.ignored) ignored.push(toSighting(site, 'ignored', site.ignored));
    else if (!selected(site)) {
      const other = placeText.otherChart(releaseOf(site), req.chart ?? '');
      if (site.edit) alsoPinned.push(toSighting(site, 'other-release', placeText.addToAlsoBump(other)));
      else if (site.value.search(versionToken(req.fromVersion)) >= 0)
        alsoPinned.push(toSighting(site, 'other-release', `${other}; ${site.refusal ?? ''}`));
    } else if (site.refusal) refused.push(toSighting(site, 'refused', site.refusal));
    else moving.push(site);
  }
  // One anchored value read by a release that moves and by one that does not: editing it would move both.
  const held = sites.filter((s) => !s.ignored && !selected(s) && s.edit);
  for (const site of moving.splice(0)) {
    const other = held.find((h) => h.file === site.file && h.edit?.start === site.edit?.start);
    if (other) refused.push(toSighting(site, 'refused', placeText.sharedAnchor(releaseOf(other))));
    else moving.push(site);
  }
  for (const site of amongMovingComponents(sites, moving, req)) {
    ignored.splice(
      ignored.findIndex((s) => s.file === site.file && s.path === site.path && s.resource === site.resource),
      1,
    );
    refused.push(toSighting(site, 'refused', placeText.amongComponents(site.ignored ?? '', familyOf(site.path))));
  }
  const locks = lockFiles(moving).filter((p) => !files.has(p));
  if (locks.length > 0) return { kind: 'need', paths: locks };
  refused.push(...lockedDependencies(files, cache, moving));
  ignored.push(...scopes.flatMap((s) => unaccounted(s, req.fromVersion, sites)));
  const from = stripV(req.fromVersion);
  const to = stripV(req.toVersion);

  const releases = [...new Set(moving.map(releaseOf).filter((r) => r !== ''))];
  if (!req.chart && releases.length > 1) {
    const list = moving.map((s) => toSighting(s, 'refused', `chart ${releaseOf(s) || '(none)'}`));
    throw new BumpError('not-bumped', refusalMessage(primary, scopes, list, refusalLead.severalCharts(from, releases)));
  }
  if (refused.length > 0) {
    const changeable = moving.map((s) => toSighting(s, 'refused', placeText.heldBack(s.to)));
    throw new BumpError(
      'not-bumped',
      refusalMessage(
        primary,
        scopes,
        [...refused, ...changeable, ...alsoPinned, ...ignored],
        refusalLead.notBumped(from, to),
      ),
    );
  }
  if (moving.length === 0) {
    const target = locate(own, req, req.toVersion, req.toVersion).sites.concat(
      resolved.scopes.flatMap((s) => locate(s, req, req.toVersion, req.toVersion).sites),
    );
    if (target.some((s) => s.edit && !s.ignored && selected(s))) return { kind: 'already', alsoPinned };
    if (alsoPinned.length === 0 && ignored.length === 0) {
      throw new BumpError('version-not-found', versionNotFound(primary, from, documentsSeen(scopes, primary)));
    }
    const seen = ignored.some((s) => s.value.search(versionToken(req.fromVersion)) >= 0);
    const lead =
      alsoPinned.length > 0
        ? refusalLead.onlyOtherCharts(from, req.chart ?? '')
        : seen
          ? refusalLead.elsewhere(from)
          : refusalLead.nowhere(from);
    throw new BumpError('not-bumped', refusalMessage(primary, scopes, [...alsoPinned, ...ignored], lead));
  }
  const vendored = vendoredRelease(own, req, moving, ignored);
  if (vendored) throw new BumpError('not-bumped', vendored);
  return { kind: 'bumped', result: result(primary, scopes, moving, alsoPinned) };
}

const RELEASE_KINDS = {
  crd: /^CustomResourceDefinition$/,
  rbac: /^(Cluster)?Role(Binding)?$/,
  workload: /^(Deployment|DaemonSet|StatefulSet)$/,
};

/**
 * A file that is a whole vendored release (CRDs, RBAC and workloads of one version) where the version
 * stays somewhere after the bump (another image, an `--engine-image` arg, a label): moving the operator's
 * image alone, or a handful of its version strings, leaves a half-upgraded install.
 */
function vendoredRelease(
  own: Scope,
  req: BumpRequest,
  moving: readonly Site[],
  ignored: readonly Sighting[],
): string | null {
  const kinds = own.docs.map((d) => stringAt(d.contents, 'kind')?.value ?? '');
  if (!Object.values(RELEASE_KINDS).every((pattern) => kinds.some((k) => pattern.test(k)))) return null;
  const here = ignored.filter((s) => s.file === own.file);
  if (here.length === 0) return null;
  const shown = [...new Set(kinds.filter((k) => Object.values(RELEASE_KINDS).some((p) => p.test(k))))].join(', ');
  const [from, to] = [stripV(req.fromVersion), stripV(req.toVersion)];
  return vendoredReleaseText(own.file, own.docs.length, shown, from, to, moving.length + here.length, moving.length);
}

function result(
  primary: string,
  scopes: readonly Scope[],
  moving: readonly Site[],
  alsoPinned: Sighting[],
): BumpResult {
  const files: BumpResult['files'] = [];
  for (const scope of scopes) {
    // A file read as several scopes (a HelmRelease and the ConfigMap beside it) is one file, written once.
    if (files.some((f) => f.path === scope.file)) continue;
    const edits = new Map<number, Edit>();
    for (const site of moving) if (site.file === scope.file && site.edit) edits.set(site.edit.start, site.edit);
    if (edits.size > 0) files.push({ path: scope.file, content: applyEdits(scope.text, [...edits.values()]) });
  }
  // Several releases' values may read one value (a generator literal merged at three targetPaths): one change.
  const once = moving.filter(
    (s, i) => !s.edit || moving.findIndex((o) => o.file === s.file && o.edit?.start === s.edit?.start) === i,
  );
  const changes: BumpChange[] = once.map((s) => ({
    file: s.file,
    document: s.document,
    kind: s.kind,
    resource: s.resource,
    path: s.path,
    from: s.from ?? s.value,
    to: s.to ?? '',
  }));
  const dependencies = [...new Set(moving.map((s) => s.dependency ?? '').filter((d) => d !== ''))];
  return {
    kind: moving[0]!.kind,
    content: files.find((f) => f.path === primary)?.content ?? scopes[0]!.text,
    files,
    changes,
    dependencies,
    alsoPinned,
  };
}
