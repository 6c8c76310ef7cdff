// The heap-profile reader against real profiles written by the Go runtime (runtime/pprof), built and
// run here: the sites, the shares and the growth a person reads in the Event come from these.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heapGrowth, readHeapProfile } from '../../src/profile/heap.js';
import { buildHeapProfileMaker, GO_BUILD_MS, type HeapProfileMaker } from '../support/go-heap-profile.js';

const MiB = 2 ** 20;
let go: HeapProfileMaker;

beforeAll(async () => {
  go = await buildHeapProfileMaker();
}, GO_BUILD_MS);
afterAll(() => go?.close());

function read(bytes: Uint8Array) {
  const reading = readHeapProfile(bytes);
  if (!reading.ok) throw new Error(reading.reason);
  return reading;
}

describe('readHeapProfile on a profile the Go runtime wrote', () => {
  it('names the function holding most in-use bytes, its file:line and its share', async () => {
    const { summary } = read(await go.heap('6Mi', '1Mi'));
    const [top, second] = summary.sites;
    const leakLine = await go.allocationLine('leakguardTestLeak');
    expect(top).toMatchObject({ function: 'main.leakguardTestLeak' });
    expect(top!.fileLine).toMatch(new RegExp(`/heap-profile/main\\.go:${leakLine}$`));
    // 6 MiB of 64 KiB chunks (+ the slice headers it appends) out of ~7 MiB held.
    expect(top!.inuseBytes).toBeGreaterThanOrEqual(6 * MiB);
    expect(top!.inuseBytes).toBeLessThan(6.1 * MiB);
    expect(top!.share).toBeGreaterThan(0.84);
    expect(top!.share).toBeLessThan(0.87);
    expect(second).toMatchObject({ function: 'main.retainSomethingElse' });
    expect(second!.fileLine).toMatch(new RegExp(`main\\.go:${await go.allocationLine('retainSomethingElse')}$`));
    expect(summary.totalInuseBytes).toBeGreaterThanOrEqual(7 * MiB);
    expect(summary.takenAt).toBeGreaterThan(Date.now() / 1000 - 600);
  });

  it('ranks by what is held: a larger other site comes first', async () => {
    const { summary } = read(await go.heap('1Mi', '5Mi'));
    expect(summary.sites.map((s) => s.function).slice(0, 2)).toEqual([
      'main.retainSomethingElse',
      'main.leakguardTestLeak',
    ]);
  });

  it('reads the profile unzipped too (as `go tool pprof -proto` writes it)', async () => {
    const { gunzipSync } = await import('node:zlib');
    const { summary } = read(gunzipSync(await go.heap('2Mi', '1Mi')));
    expect(summary.sites[0]!.function).toBe('main.leakguardTestLeak');
  });

  it('says what grew between two captures of one incident', async () => {
    const earlier = read(await go.heap('2Mi', '1Mi'));
    const later = read(await go.heap('10Mi', '1Mi'));
    const growth = heapGrowth(earlier.sites, later.sites);
    expect(growth.grewBytes).toBeGreaterThan(7.9 * MiB);
    expect(growth.grewBytes).toBeLessThan(8.2 * MiB);
    expect(growth.sites[0]).toMatchObject({ function: 'main.leakguardTestLeak' });
    expect(growth.sites[0]!.shareOfGrowth).toBeGreaterThan(0.95);
    // retainSomethingElse's chunks are the same in both: only its append, which copies the longer slice
    // of the later run, grew a little.
    for (const site of growth.sites.slice(1)) expect(site.shareOfGrowth).toBeLessThan(0.02);
  });
});

describe('readHeapProfile refuses what is not a heap profile, saying why', () => {
  it('a real goroutine profile', async () => {
    expect(readHeapProfile(await go.goroutine())).toEqual({
      ok: false,
      reason: expect.stringMatching(/^not a heap profile: no inuse_space sample type \(it has goroutine\)$/),
    });
  });

  it('an HTML error page, a truncated profile, gzip of text, nothing', async () => {
    const real = await go.heap('1Mi', '1Mi');
    expect(readHeapProfile(Buffer.from('<html>404 page not found</html>'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a pprof profile|not a heap profile/),
    });
    expect(readHeapProfile(real.subarray(0, real.length / 2))).toEqual({ ok: false, reason: 'not valid gzip' });
    expect(readHeapProfile(gzipSync('404 page not found\n'))).toMatchObject({ ok: false });
    expect(readHeapProfile(new Uint8Array())).toEqual({ ok: false, reason: 'the answer was empty' });
  });
});
