/**
 * Validates requests against GitHub's published OpenAPI description (@octokit/openapi) with
 * openapi-backend (operation matching + ajv). The description is cut down to the operations the
 * fake server implements, with every schema they reference, so ajv compiles in well under a second;
 * a request to any other operation does not match and fails the test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OpenAPIBackend, type Document } from 'openapi-backend';

const require = createRequire(import.meta.url);

/** path → methods the fake GitHub serves. */
export const SERVED_OPERATIONS: Record<string, string[]> = {
  '/repos/{owner}/{repo}/pulls': ['get', 'post'],
  '/repos/{owner}/{repo}/pulls/{pull_number}': ['patch'],
  '/repos/{owner}/{repo}/git/ref/{ref}': ['get'],
  '/repos/{owner}/{repo}/git/refs': ['post'],
  '/repos/{owner}/{repo}/git/refs/{ref}': ['patch'],
  '/repos/{owner}/{repo}/contents/{path}': ['get', 'put'],
  '/repos/{owner}/{repo}/compare/{basehead}': ['get'],
  '/app/installations/{installation_id}/access_tokens': ['post'],
  '/app': ['get'],
  '/user': ['get'],
};

type Json = Record<string, unknown>;

function collectRefs(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else collectRefs(v, out);
    }
  }
}

function resolvePointer(doc: Json, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((cur, key) => (cur as Json | undefined)?.[key], doc);
}

function setPointer(doc: Json, ref: string, value: unknown): void {
  const parts = ref.replace(/^#\//, '').split('/');
  let cur = doc;
  parts.slice(0, -1).forEach((p) => {
    cur[p] ??= {};
    cur = cur[p] as Json;
  });
  cur[parts[parts.length - 1] as string] = value;
}

export function githubDescriptionPath(): string {
  const pkg = require.resolve('@octokit/openapi/package.json');
  return join(dirname(pkg), 'generated', 'api.github.com.json');
}

/** The published description reduced to SERVED_OPERATIONS and their transitive $refs. */
export function prunedGitHubDescription(): Json {
  const full = JSON.parse(readFileSync(githubDescriptionPath(), 'utf8')) as Json;
  const fullPaths = full.paths as Record<string, Json>;
  const paths: Record<string, Json> = {};
  for (const [path, methods] of Object.entries(SERVED_OPERATIONS)) {
    const item = fullPaths[path];
    if (!item) throw new Error(`GitHub's OpenAPI description has no path ${path}`);
    // Requests are what is validated: responses (and the schemas only they use) are left out.
    paths[path] = Object.fromEntries(
      methods.map((m) => {
        const { responses: _responses, ...op } = (item[m] ?? {}) as Json;
        return [m, { ...op, responses: { default: { description: 'not validated here' } } }];
      }),
    );
    if (item.parameters) paths[path].parameters = item.parameters;
  }
  const pruned: Json = { openapi: full.openapi, info: full.info, servers: full.servers, paths, components: {} };
  const seen = new Set<string>();
  const queue = new Set<string>();
  collectRefs(paths, queue);
  while (queue.size > 0) {
    const [ref] = queue;
    queue.delete(ref as string);
    if (seen.has(ref as string)) continue;
    seen.add(ref as string);
    const target = resolvePointer(full, ref as string);
    setPointer(pruned, ref as string, target);
    const more = new Set<string>();
    collectRefs(target, more);
    more.forEach((r) => !seen.has(r) && queue.add(r));
  }
  return pruned;
}

export interface ValidatedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export interface GitHubValidator {
  /** Returns the operationId, or throws with every problem ajv found. */
  validate(req: ValidatedRequest): string;
}

let cached: Promise<GitHubValidator> | null = null;

export function githubValidator(): Promise<GitHubValidator> {
  cached ??= (async () => {
    const api = new OpenAPIBackend({
      definition: prunedGitHubDescription() as unknown as Document,
      quick: false,
      validate: true,
      ajvOpts: { strict: false, logger: false },
    });
    await api.init();
    return {
      validate(req) {
        const op = api.matchOperation(req);
        if (!op) throw new Error(`no GitHub operation matches ${req.method} ${req.path}`);
        const result = api.validateRequest(req, op);
        if (!result.valid) {
          throw new Error(`${op.operationId} request invalid: ${JSON.stringify(result.errors)}`);
        }
        return op.operationId ?? `${req.method} ${req.path}`;
      },
    };
  })();
  return cached;
}
