// The README's "Known-issue catalogue" table is generated from the built-in entries, so it is never
// written twice: `npm run catalog:readme` rewrites it; test/docs/catalog-readme.test.ts fails when it is stale.
import { buildCatalog } from '../src/catalog/catalog.js';
import { catalogMarkdown } from '../src/catalog/describe.js';

export const begin = '<!-- catalogue:begin — generated from src/catalog/builtin.ts by `npm run catalog:readme` -->';
export const end = '<!-- catalogue:end -->';

/** The README with the text between the markers replaced by the current table. */
export function readmeWithCatalog(readme: string): string {
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no "${begin}" … "${end}" section`);
  return `${readme.slice(0, from + begin.length)}\n${catalogMarkdown(buildCatalog().entries)}\n${readme.slice(to)}`;
}
