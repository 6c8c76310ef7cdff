/**
 * How the container image runs Node (the Dockerfile's runtime stage): the flags between `node` and the
 * bundle in its ENTRYPOINT, and its environment. The benchmark runs the bundle the same way, so that
 * what it measures is what ships, and changing the image's flags changes the figures.
 */
import { readFileSync } from 'node:fs';
import { parseDockerfile } from '../test/packaging/dockerfile.js';

export interface ShippedRuntime {
  nodeFlags: string[];
  env: Record<string, string>;
}

export function shippedRuntime(dockerfile = 'Dockerfile'): ShippedRuntime {
  const runtime = parseDockerfile(readFileSync(dockerfile, 'utf8')).at(-1);
  const [node, ...args] = runtime?.entrypoint ?? [];
  if (!runtime || !node?.endsWith('/node'))
    throw new Error(`${dockerfile}: the last stage's ENTRYPOINT does not run node`);
  const { TMPDIR: _tmp, ...env } = runtime.env;
  return { nodeFlags: args.filter((a) => a.startsWith('--')), env };
}
