/**
 * File bumpers: change the operator version in the GitOps files of a repository and nothing else.
 * The plan (plan.ts) is pure; `bumpInRepo` only adds the reading of the sibling files it asks for.
 */
import { planBump, type BumpPlan, type RepoFiles } from './plan.js';
import { BumpError, type BumpRequest, type BumpResult, type Sighting } from './types.js';

export { BumpError } from './types.js';
export type { BumpChange, BumpErrorCode, BumpRequest, BumpResult, ManifestKind, Sighting } from './types.js';
export { detectKind } from './locate.js';
export { describePlace, planBump } from './plan.js';

/** Sibling files read at most, so a kustomization listing many files cannot make a run read the repo. */
const MAX_FILES = 12;

export type RepoBump<F> = { kind: 'bumped'; result: BumpResult; read: ReadonlyMap<string, F> } | { kind: 'already'; alsoPinned: Sighting[] };

/**
 * Plans the bump from the profile's file, reading the siblings a chartRef leads to through `read`
 * (null: the file does not exist). `read` returns whatever the caller needs back to commit (e.g. a blob sha).
 */
export async function bumpInRepo<F extends { text: string }>(primary: string, read: (path: string) => Promise<F | null>, req: BumpRequest): Promise<RepoBump<F>> {
  const texts = new Map<string, string | null>();
  const read_ = new Map<string, F>();
  for (;;) {
    const plan: BumpPlan = planBump(primary, texts, { ...req, fileName: primary });
    if (plan.kind === 'already') return plan;
    if (plan.kind === 'bumped') return { kind: 'bumped', result: plan.result, read: read_ };
    if (texts.size + plan.paths.length > MAX_FILES) throw new BumpError('unsupported-syntax', `${primary}: following chartRef would read more than ${MAX_FILES} files`);
    for (const path of plan.paths) {
      const file = await read(path);
      texts.set(path, file ? file.text : null);
      if (file) read_.set(path, file);
      else if (path === primary) throw new BumpError('version-not-found', `${primary} does not exist`);
    }
  }
}

function planSync(text: string, req: BumpRequest, siblings: Readonly<Record<string, string>> = {}): Exclude<BumpPlan, { kind: 'need' }> {
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
  throw new BumpError('version-not-found', `${req.fileName ?? 'file'}: version ${req.fromVersion.replace(/^v(?=\d)/, '')} is gone and ${req.toVersion} is pinned already`);
}

/** `bumped` with the new text, or `already` when the running version is gone and the target is pinned. */
export function bumpOrAlready(text: string, req: BumpRequest, siblings?: Readonly<Record<string, string>>): { kind: 'bumped'; result: BumpResult } | { kind: 'already'; alsoPinned: Sighting[] } {
  return planSync(text, req, siblings);
}

/** True when the file already pins `version` (a re-run finds its own earlier bump). */
export function pinsVersion(text: string, version: string, req: Pick<BumpRequest, 'fileName' | 'image' | 'chart' | 'alsoBump'> = {}): boolean {
  try {
    return planSync(text, { ...req, fromVersion: version, toVersion: version }).kind === 'bumped';
  } catch {
    return false;
  }
}

export type { RepoFiles };
