/**
 * A Go heap profile (what `/debug/pprof/heap` serves: gzipped pprof protobuf) reduced to what a
 * person needs first: the allocation sites holding the most in-use bytes, and what grew between two
 * captures. Decoding is pprof-format's (Datadog's maintained encoder/decoder of profile.proto), not
 * ours. Pure: bytes in, data out; a profile that is not one is an error naming why.
 */
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

/** One allocation site: the function that allocated and the line it allocated at. */
export interface HeapSite {
  function: string;
  /** `path/to/file.go:42`; empty when the profile carries no line table (a stripped binary). */
  fileLine: string;
  inuseBytes: number;
  /** inuseBytes / the profile's total in-use bytes, 0..1. */
  share: number;
}

export interface HeapSummary {
  totalInuseBytes: number;
  /** Most in-use bytes first (ties: function name), at most `top`. */
  sites: HeapSite[];
  /** When the profile was taken (unix seconds), when it says. */
  takenAt?: number;
}

export interface HeapGrowth {
  function: string;
  fileLine: string;
  /** later − earlier in-use bytes. */
  grewBytes: number;
  /** grewBytes / the growth of the whole heap, 0..1, when the heap grew; else 0. */
  shareOfGrowth: number;
}

export type HeapReading =
  { ok: true; summary: HeapSummary; sites: Map<string, HeapSite> } | { ok: false; reason: string };

/** A profile larger than this once unzipped is not read (a heap profile of a big operator is a few MiB). */
export const maxUnzippedBytes = 64 * 2 ** 20;

const GZIP_MAGIC = [0x1f, 0x8b];

/** Frames that are the allocator itself, not the code that asked for memory (pprof hides them too). */
function isRuntimeFrame(name: string): boolean {
  return name.startsWith('runtime.') || name.startsWith('internal/runtime/');
}

function siteKey(fn: string, fileLine: string): string {
  return `${fn}\u0000${fileLine}`;
}

/** Decodes `bytes` (gzipped or plain) and returns every allocation site with its in-use bytes. */
export function readHeapProfile(bytes: Uint8Array, top = 5): HeapReading {
  if (bytes.length === 0) return { ok: false, reason: 'the answer was empty' };
  let raw: Uint8Array = bytes;
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: maxUnzippedBytes });
    } catch (e) {
      const code = (e as { code?: string }).code;
      return {
        ok: false,
        reason:
          code === 'ERR_BUFFER_TOO_LARGE' ? `larger than ${maxUnzippedBytes / 2 ** 20} MiB unzipped` : 'not valid gzip',
      };
    }
  }
  let profile: Profile;
  try {
    profile = Profile.decode(raw);
  } catch {
    return { ok: false, reason: 'not a pprof profile (protobuf decoding failed)' };
  }
  const strings = profile.stringTable.strings;
  const str = (index: number | bigint): string => strings[Number(index)] ?? '';
  const valueIndex = profile.sampleType.findIndex((t) => str(t.type) === 'inuse_space');
  if (valueIndex < 0) {
    const types = profile.sampleType.map((t) => str(t.type)).join(', ') || 'none';
    return { ok: false, reason: `not a heap profile: no inuse_space sample type (it has ${types})` };
  }
  const functions = new Map(profile.function.map((f) => [Number(f.id), f]));
  const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
  const sites = new Map<string, HeapSite>();
  let total = 0;
  for (const sample of profile.sample) {
    const bytesHeld = Number(sample.value[valueIndex] ?? 0);
    if (!(bytesHeld > 0)) continue;
    total += bytesHeld;
    const { fn, fileLine } = allocatingFrame(sample.locationId, locations, functions, str);
    const key = siteKey(fn, fileLine);
    const site = sites.get(key) ?? { function: fn, fileLine, inuseBytes: 0, share: 0 };
    site.inuseBytes += bytesHeld;
    sites.set(key, site);
  }
  for (const site of sites.values()) site.share = total > 0 ? site.inuseBytes / total : 0;
  const takenAtNanos = Number(profile.timeNanos);
  return {
    ok: true,
    sites,
    summary: {
      totalInuseBytes: total,
      sites: ranked([...sites.values()], (s) => s.inuseBytes).slice(0, top),
      ...(takenAtNanos > 0 ? { takenAt: Math.floor(takenAtNanos / 1e9) } : {}),
    },
  };
}

type Lookup<T> = Map<number, T>;

/** The innermost frame of the stack that is not the allocator; the leaf when every frame is. */
function allocatingFrame(
  locationIds: ReadonlyArray<number | bigint>,
  locations: Lookup<Profile['location'][number]>,
  functions: Lookup<Profile['function'][number]>,
  str: (index: number | bigint) => string,
): { fn: string; fileLine: string } {
  let leaf: { fn: string; fileLine: string } | undefined;
  for (const id of locationIds) {
    const location = locations.get(Number(id));
    // Inlined calls: a location lists its lines innermost first.
    for (const line of location?.line ?? []) {
      const f = functions.get(Number(line.functionId));
      const fn = f ? str(f.name) : '';
      const file = f ? str(f.filename) : '';
      const frame = { fn: fn || '(unknown)', fileLine: file ? `${file}:${Number(line.line)}` : '' };
      leaf ??= frame;
      if (fn && !isRuntimeFrame(fn)) return frame;
    }
    if (location && location.line.length === 0)
      leaf ??= { fn: `0x${Number(location.address).toString(16)}`, fileLine: '' };
  }
  return leaf ?? { fn: '(no stack)', fileLine: '' };
}

function ranked<T extends { function: string; fileLine: string }>(items: T[], by: (item: T) => number): T[] {
  return items.sort(
    (a, b) =>
      by(b) - by(a) ||
      (a.function < b.function ? -1 : a.function > b.function ? 1 : 0) ||
      (a.fileLine < b.fileLine ? -1 : 1),
  );
}

/** What grew between two captures of one incident, largest growth first, at most `top`. */
export function heapGrowth(
  earlier: Map<string, HeapSite>,
  later: Map<string, HeapSite>,
  top = 5,
): { grewBytes: number; sites: HeapGrowth[] } {
  const sum = (m: Map<string, HeapSite>): number => [...m.values()].reduce((acc, s) => acc + s.inuseBytes, 0);
  const grewBytes = sum(later) - sum(earlier);
  const growth: HeapGrowth[] = [];
  for (const [key, site] of later) {
    const grew = site.inuseBytes - (earlier.get(key)?.inuseBytes ?? 0);
    if (grew > 0)
      growth.push({
        function: site.function,
        fileLine: site.fileLine,
        grewBytes: grew,
        shareOfGrowth: grewBytes > 0 ? Math.min(1, grew / grewBytes) : 0,
      });
  }
  return { grewBytes, sites: ranked(growth, (g) => g.grewBytes).slice(0, top) };
}
