import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinKnownIssues } from '../../src/catalog/builtin.js';
import { readmeWithCatalog } from '../../scripts/catalog-readme.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("the README's known-issue catalogue", () => {
  it('is exactly what `npm run catalog:readme` generates from the built-in entries (run it after changing them)', () => {
    expect(readme).toBe(readmeWithCatalog(readme));
  });

  it('lists every built-in entry with its sources', () => {
    for (const entry of builtinKnownIssues) {
      expect(readme).toContain(`\`${entry.id}\``);
      for (const source of entry.sources) expect(readme).toContain(`(${source.url})`);
    }
  });
});
