/** `leakguard catalog [check IMAGE]`: the known issues leakguard knows (built-in and the config's), and what it would do about an image. */
import { buildCatalog, type Catalog } from '../../catalog/catalog.js';
import { checkImage, describeAffected, describeRule, renderCheck } from '../../catalog/describe.js';
import type { OutputFormat } from '../output.js';
import { renderTable } from '../../model/text.js';
import { UsageError } from '../errors.js';

export interface CatalogOptions {
  /** The config's catalogue; absent: the built-in entries only. */
  catalog?: Catalog;
  output: OutputFormat;
  /** `check IMAGE`, or nothing for the list. */
  positionals: readonly string[];
  container?: string;
}

export function runCatalog(options: CatalogOptions, print: (text: string) => void): void {
  const catalog = options.catalog ?? buildCatalog();
  const [verb, image, ...rest] = options.positionals;
  if (verb === undefined) {
    if (options.output === 'json')
      return print(JSON.stringify({ entries: catalog.entries, mirrorPrefixes: catalog.mirrorPrefixes }));
    const rows = catalog.entries.map((issue) => [
      issue.id,
      issue.images.join(', '),
      describeAffected(issue),
      issue.fixed.join(', ') || 'not yet',
      describeRule(issue),
    ]);
    return print(renderTable([['ID', 'IMAGES', 'AFFECTED', 'FIXED IN', 'UPGRADE RULE'], ...rows]));
  }
  if (verb !== 'check' || image === undefined || rest.length > 0)
    throw new UsageError('expected `leakguard catalog` or `leakguard catalog check IMAGE`');
  const report = checkImage(catalog, image, options.container ? { container: options.container } : {});
  print(options.output === 'json' ? JSON.stringify(report) : renderCheck(report));
}
