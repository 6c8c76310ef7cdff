import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { UpgradePrRequest } from '../../src/forge/types.js';

/** A pino logger writing JSON lines into `lines`, so tests can read everything that was logged. */
export function captureLogger(): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: 'trace' }, stream);
  return { logger, lines, text: () => lines.join('') };
}

/** Writes `content` to a fresh temp file (credentials are mounted files in production). */
export function secretFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'leakguard-test-'));
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** A 127.0.0.1 port that was just free: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The Rook upgrade the forge tests ask for: 1.14.9 → 1.15.9 of `file` in acme/gitops. */
export function rookUpgradeRequest(file: string, over: Partial<UpgradePrRequest> = {}): UpgradePrRequest {
  return {
    repo: 'acme/gitops',
    file,
    baseBranch: 'main',
    profile: 'rook-ceph-operator',
    fromVersion: '1.14.9',
    toVersion: '1.15.9',
    title: 'fix(rook-ceph-operator): upgrade 1.14.9 → 1.15.9 (memory leak)',
    body: 'Leak detected.',
    ...over,
  };
}
