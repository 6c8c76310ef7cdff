import { join } from 'node:path';
import { repoRoot } from './env.js';

export const fixturesDir = join(repoRoot, 'test/e2e/fixtures');

export function fixturePath(name: string): string {
  return join(fixturesDir, name);
}
