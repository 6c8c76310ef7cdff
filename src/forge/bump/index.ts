/**
 * File bumpers: change the operator version in the GitOps files of a repository and nothing else.
 * The plan (plan.ts) is pure; `bumpInRepo` only adds the reading of the sibling files it asks for.
 */
import { alreadyPinned, chartReleaseText, fileText, tooManyFiles } from '../../report/bump-text.js';
import { planBump, type BumpPlan, type RepoFiles } from './plan.js';
import type { ChartSource } from '../chart-repository.js';
import { chartPins, type ChartPin } from './chart-pins.js';
import { chartLookupRefused, chartMoveFor } from './chart-release.js';
import { BumpError, type BumpRequest, type BumpResult, type ChartMove, type Sighting } from './types.js';
import { isVersionRange, lastSegment, stripV } from './version.js';

const sameMajor = (a: string, b: string) => stripV(a).split('.')[0] === stripV(b).split('.')[0];

export { BumpError } from './types.js';
export type { BumpChange, BumpErrorCode, BumpRequest, BumpResult, ChartMove, ManifestKind, Sighting } from './types.js';
export { detectKind } from './document-kind.js';
export { describePlace, planBump } from './plan.js';
export { repositoryOf } from './argo-values.js';

/**
 * Files read at most (chartRef and values sources, the kustomizations above a release), so a
 * kustomization listing many cannot make a run read the repo.
 */
const MAX_FILES = 40;

export type RepoBump<F> =
  { kind: 'bumped'; result: BumpResult; read: ReadonlyMap<string, F> } | { kind: 'already'; alsoPinned: Sighting[] };

type Attempt = { plan: Exclude<BumpPlan, { kind: 'need' }> } | { error: BumpError };

/**
 * Plans the bump from the profile's file, reading the siblings a chartRef leads to through `read`
 * (null: the file does not exist). `read` returns whatever the caller needs back to commit (e.g. a blob sha).
 * With `charts`, a chart pinned apart from its app version (`argo-cd` 7.7.8 ships 2.13.1) moves to the
 * release its repository says ships the target; without, such a pin is refused by name.
 */
export async function bumpInRepo<F extends { text: string }>(
  primary: string,
  read: (path: string) => Promise<F | null>,
  req: BumpRequest,
  charts?: ChartSource,
): Promise<RepoBump<F>> {
  const texts = new Map<string, string | null>();
  const read_ = new Map<string, F>();
  const attempt = async (r: BumpRequest): Promise<Attempt> => {
    for (;;) {
      let plan: BumpPlan;
      try {
        plan = planBump(primary, texts, { ...r, fileName: primary });
      } catch (error) {
        if (error instanceof BumpError) return { error };
        throw error;
      }
      if (plan.kind !== 'need') return { plan };
      if (texts.size + plan.paths.length > MAX_FILES) {
        throw new BumpError('unsupported-syntax', tooManyFiles(primary, MAX_FILES));
      }
      for (const path of plan.paths) {
        const file = await read(path);
        texts.set(path, file ? file.text : null);
        if (file) read_.set(path, file);
        else if (path === primary) throw new BumpError('version-not-found', fileText.missing(primary));
      }
    }
  };
  let outcome = await attempt(req);
  const pins = pinsToResolve(texts, req);
  if (pins.length > 0) {
    const moves: ChartMove[] = [];
    for (const pin of pins) {
      const question = { pin, appFrom: req.fromVersion, appTo: req.toVersion, rule: req.rule, primary };
      if (!charts) throw chartLookupRefused(question, chartReleaseText.notRead());
      moves.push(await chartMoveFor(charts, question));
    }
    outcome = await attempt({ ...req, chartMoves: moves });
  }
  if ('error' in outcome) throw outcome.error;
  if (outcome.plan.kind === 'already') return outcome.plan;
  return { kind: 'bumped', result: outcome.plan.result, read: read_ };
}

/**
 * Pins of the operator's chart(s) versioned apart from the app (`argo-cd` 7.x ships Argo CD 2.x): a
 * chart major version other than the app's. Their repository must say which release to take. A pin at
 * the app's major (Rook's `rook-ceph` v1.13.4) follows the app, and is judged as a version as before.
 */
function pinsToResolve(files: ReadonlyMap<string, string | null>, req: BumpRequest): ChartPin[] {
  const all = chartPins(files).filter((p) => !isVersionRange(p.version));
  const names = req.chart
    ? [req.chart, ...(req.alsoBump ?? [])].map((c) => lastSegment(c).toLowerCase())
    : [...new Set(all.map((p) => p.chart.toLowerCase()))];
  if (names.length !== 1 && !req.chart) return [];
  const seen = new Set<string>();
  return all.filter((p) => {
    if (!names.includes(p.chart.toLowerCase())) return false;
    if (sameMajor(p.version, req.fromVersion) || sameMajor(p.version, req.toVersion)) return false;
    const key = p.chart.toLowerCase();
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function planSync(
  text: string,
  req: BumpRequest,
  siblings: Readonly<Record<string, string>> = {},
): Exclude<BumpPlan, { kind: 'need' }> {
  const primary = req.fileName ?? 'file';
  const files = new Map<string, string | null>([[primary, text]]);
  for (;;) {
    const plan = planBump(primary, files, { ...req, fileName: primary });
    if (plan.kind !== 'need') return plan;
    for (const path of plan.paths) files.set(path, siblings[path] ?? null);
  }
}

/**
 * Bumps `fromVersion` at the places the file keeps the operator's version (and in `siblings`, keyed
 * by path, that a chartRef leads to). Throws BumpError: 'version-not-found' when the version appears
 * nowhere, 'not-bumped' with every place it was seen and why when it appears but cannot move.
 */
export function bumpFile(text: string, req: BumpRequest, siblings?: Readonly<Record<string, string>>): BumpResult {
  const plan = planSync(text, req, siblings);
  if (plan.kind === 'bumped') return plan.result;
  throw new BumpError(
    'version-not-found',
    alreadyPinned(req.fileName ?? 'file', stripV(req.fromVersion), req.toVersion),
  );
}

/** `bumped` with the new text, or `already` when the running version is gone and the target is pinned. */
export function bumpOrAlready(
  text: string,
  req: BumpRequest,
  siblings?: Readonly<Record<string, string>>,
): { kind: 'bumped'; result: BumpResult } | { kind: 'already'; alsoPinned: Sighting[] } {
  return planSync(text, req, siblings);
}

/** True when the file already pins `version` (a re-run finds its own earlier bump). */
export function pinsVersion(
  text: string,
  version: string,
  req: Pick<BumpRequest, 'fileName' | 'image' | 'chart' | 'alsoBump'> = {},
): boolean {
  try {
    return planSync(text, { ...req, fromVersion: version, toVersion: version }).kind === 'bumped';
  } catch {
    return false;
  }
}

export type { RepoFiles };
