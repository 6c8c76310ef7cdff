/**
 * Values a release reads from another file: a Helmfile values file, a ConfigMap's key (Flux
 * `valuesFrom`, whole or merged at `targetPath`), or a Secret's. They are located as the release's own
 * values; a Secret is never edited, so what would move there becomes a refusal that says where it is.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import { siteText } from '../../report/bump-text.js';
import { embeddedValues, helmOverride, images } from './image-sites.js';
import { scalarOf, type Ctx, type Site } from './site.js';
import { stripV } from './version.js';
import { embeddedOffsets, parseDocuments, stringAt, valueAt } from './yaml-edit.js';

/** How the release reads the document in scope. */
export interface ValuesUse {
  /** The release's chart names. */
  owners: string[];
  /** The reading release and its field, for refusals: `HelmRelease/keda spec.valuesFrom.1`. */
  reader: string;
  /** The document is a Secret (or a file a secretGenerator turns into one). */
  secret: boolean;
  /** The ConfigMap or Secret key; absent when the whole file is the values. */
  key?: string;
  /** The dotted values path a single value is merged at (`image.tag`). */
  targetPath?: string;
  /** Path of a kustomize generator's `literals:` entry (`key=value`) that holds the key. */
  literal?: string[];
}

export function heldValues(ctx: Ctx, root: unknown, use: ValuesUse): void {
  const c = { ...ctx, owners: use.owners };
  if (!use.secret) return use.literal ? literalValues(c, root, use.literal, use) : configValues(c, root, use);
  if (isMap(root) && root.has('sops')) return; // SOPS-encrypted: nothing to read.
  const found: Site[] = [];
  if (use.literal) literalValues({ ...c, sites: found }, root, use.literal, use);
  else secretValues({ ...c, sites: found }, root, use);
  for (const site of found) {
    if (!site.edit && !site.refusal) continue;
    const { edit: _edit, from: _from, to, ...place } = site;
    ctx.sites.push({ ...place, refusal: secretRefusal(use, to ?? stripV(ctx.to)) });
  }
}

function secretRefusal(use: ValuesUse, to: string): string {
  return siteText.secretValues(use.reader, to);
}

function configValues(ctx: Ctx, root: unknown, use: ValuesUse): void {
  if (use.key === undefined) return images(ctx, root, []);
  const path = ['data', use.key];
  const scalar = stringAt(valueAt(root, ['data']), use.key);
  if (!scalar) return;
  if (use.targetPath) return helmOverride(ctx, use.targetPath, scalar, path);
  embeddedValues(ctx, scalar, path);
}

/** The node at a path of maps and sequences (`configMapGenerator.0.literals.1`). */
function nodeAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = isSeq(node) ? node.items[Number(key)] : valueAt(node, [key]);
  return node;
}

/**
 * A generator literal `key=value`: the value is one value merged at `targetPath` (`KEDA_VERSION=2.12.1`),
 * or the values themselves (`values.yaml=image: {tag: v1.12.2}`, a `|` block for several lines).
 */
function literalValues(ctx: Ctx, root: unknown, at: string[], use: ValuesUse): void {
  const scalar = scalarOf(ctx, nodeAt(root, at));
  if (!scalar?.range) return;
  const eq = scalar.value.indexOf('=');
  const value = scalar.value.slice(eq + 1);
  if (use.targetPath) {
    // The value is the end of the literal: an edit found from its end touches the value alone.
    const part = new Scalar(value) as Scalar<string>;
    part.range = scalar.range;
    return helmOverride(ctx, use.targetPath, part, at);
  }
  const outer = embeddedOffsets(ctx.text, scalar);
  if (!outer) return;
  for (const doc of parseDocuments(value, at.join('.'))) {
    images({ ...ctx, text: value, doc, mapOffset: (i) => outer(eq + 1 + i) }, doc.contents, at);
  }
}

/** A Secret's values, read (never edited) from `stringData`, base64 `data`, or a generator's plain file. */
function secretValues(ctx: Ctx, root: unknown, use: ValuesUse): void {
  if (use.key === undefined) return images(ctx, root, []);
  const plain =
    stringAt(valueAt(root, ['stringData']), use.key)?.value ??
    decodeBase64(stringAt(valueAt(root, ['data']), use.key)?.value);
  if (plain === undefined) return;
  const field = valueAt(root, ['stringData', use.key]) ? 'stringData' : 'data';
  const path = [field, use.key];
  const doc = parseDocument(plain);
  // Read from decoded text: what would move becomes a refusal, so no offset into the file is ever used.
  const inner = { ...ctx, text: plain, doc, mapOffset: () => 0 };
  if (use.targetPath) {
    if (isScalar(doc.contents) && typeof doc.contents.value === 'string')
      helmOverride(inner, use.targetPath, doc.contents as Scalar<string>, path);
    return;
  }
  if (doc.errors.length === 0) images(inner, doc.contents, path);
}

function decodeBase64(text: string | undefined): string | undefined {
  if (text === undefined || !/^[A-Za-z0-9+/=\s]+$/.test(text)) return undefined;
  return Buffer.from(text, 'base64').toString('utf8');
}
