/**
 * Just enough of a Dockerfile parser to reproduce its stages without a Docker engine: stages
 * (FROM … AS name, with `${ARG}` from the ARGs before the first FROM at their defaults), WORKDIR,
 * USER, ENTRYPOINT/CMD (exec form) and COPY (with --from), with line continuations and comments.
 * Anything it does not understand is kept as a raw instruction.
 */
import { posix } from 'node:path';

export interface Copy {
  /** The stage copied from (`--from=`), or null for the build context. */
  from: string | null;
  sources: string[];
  destination: string;
}

export interface Stage {
  name: string | null;
  /** The base image, with global ARGs at their defaults. */
  base: string;
  /** The FROM line's image as written, e.g. `${BUILD_BASE}`. */
  baseAsWritten: string;
  workdir: string;
  user: string | null;
  copies: Copy[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  /** ENV settings in `KEY=value` form (unquoted values only). */
  env: Record<string, string>;
  instructions: { keyword: string; args: string }[];
}

/** Instructions with continuations joined and comments dropped. */
export function instructions(text: string): { keyword: string; args: string }[] {
  const out: { keyword: string; args: string }[] = [];
  let pending = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    if (match) out.push({ keyword: match[1]!.toUpperCase(), args: match[2]! });
  }
  return out;
}

function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string'))
    throw new Error(`expected an exec-form JSON array, got ${args}`);
  return parsed;
}

function parseCopy(args: string): Copy {
  const words = args.split(/\s+/).filter(Boolean);
  let from: string | null = null;
  const paths: string[] = [];
  for (const word of words) {
    if (word.startsWith('--from=')) from = word.slice('--from='.length);
    else if (word.startsWith('--'))
      continue; // --chown, --chmod, --link: not about what is copied
    else paths.push(word);
  }
  if (paths.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: paths.slice(0, -1), destination: paths[paths.length - 1]! };
}

/** The ARGs declared before the first FROM, at their defaults (the only ones FROM may use). */
export function globalArgs(text: string): Record<string, string> {
  const args: Record<string, string> = {};
  for (const { keyword, args: rest } of instructions(text)) {
    if (keyword === 'FROM') break;
    if (keyword !== 'ARG') continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?$/.exec(rest.trim());
    if (!m) throw new Error(`cannot read ARG ${rest}`);
    if (m[2] !== undefined) args[m[1]!] = m[2];
  }
  return args;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const defaults = globalArgs(text);
  const expand = (image: string): string =>
    image.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced?: string, bare?: string) => {
      const name = (braced ?? bare)!;
      const value = defaults[name];
      if (value === undefined) throw new Error(`FROM uses ${name}, which no ARG before the first FROM defaults`);
      return value;
    });
  for (const { keyword, args } of instructions(text)) {
    if (keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args.trim());
      if (!m) throw new Error(`cannot read FROM ${args}`);
      const base = expand(m[1]!);
      stages.push({
        name: m[2] ?? null,
        base,
        baseAsWritten: m[1]!,
        workdir: '/',
        user: null,
        copies: [],
        entrypoint: null,
        cmd: null,
        env: {},
        instructions: [],
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (keyword === 'ARG') continue;
      throw new Error(`${keyword} before the first FROM`);
    }
    stage.instructions.push({ keyword, args });
    if (keyword === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, args.trim());
    else if (keyword === 'USER') stage.user = args.trim();
    else if (keyword === 'COPY') stage.copies.push(parseCopy(args));
    else if (keyword === 'ENTRYPOINT') stage.entrypoint = execForm(args);
    else if (keyword === 'CMD') stage.cmd = execForm(args);
    else if (keyword === 'ENV') {
      for (const pair of args.trim().split(/\s+/)) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new Error(`ENV must use KEY=value form: ${args}`);
        stage.env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
  }
  return stages;
}

/** `.dockerignore` as Docker reads it: patterns in order, `!` re-includes, the last match wins. */
export function dockerIgnore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = posix
        .normalize(negate ? line.slice(1) : line)
        .replace(/\/$/, '')
        .replace(/^\//, '');
      return { negate, regex: globRegex(pattern) };
    });
  return (path: string) => {
    // A pattern that matches a parent directory matches everything in it.
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const { negate, regex } of rules) if (candidates.some((c) => regex.test(c))) ignored = !negate;
    return ignored;
  };
}

function globRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
