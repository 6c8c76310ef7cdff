/**
 * A stateful fake of the GitHub REST API on 127.0.0.1: branches, files, pull requests. Every request
 * is first validated against GitHub's OpenAPI description; an unknown or invalid request is recorded
 * as a violation (tests assert there are none) and answered 400, so the client cannot go on as if
 * it had succeeded.
 */
import { createHash, createVerify, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { githubValidator, type GitHubValidator } from './openapi-validator.js';

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  user: string;
  /** `owner/name` of the head repository when the PR comes from a fork; null when the fork was deleted. */
  headRepo?: string | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string;
  headers: Record<string, string>;
  body: unknown;
  rawBody: string;
}

export interface InjectedFault {
  /** operationId to fail, e.g. `git/create-ref`; `*` for any. */
  operation: string;
  status: number;
  headers?: Record<string, string>;
  body: unknown;
  /** How many times; default 1. */
  times?: number;
}

type Files = Map<string, string>;

/** A commit: its tree (files), its parent (null for a root) and the login GitHub shows as its author. */
interface Commit {
  files: Files;
  parent: string | null;
  author: string;
}

function blobSha(content: string): string {
  const buf = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  readonly pulls: FakePull[] = [];
  /** branch → commit sha */
  readonly branches = new Map<string, string>();
  /** commit sha → commit */
  private readonly commits = new Map<string, Commit>();
  private faults: InjectedFault[] = [];
  private server: Server | null = null;
  private validator: GitHubValidator | null = null;
  url = '';
  /** The credential accepted: `token X` / `Bearer X` as sent in Authorization. */
  acceptedToken = 'test-token';
  /** Installation token handed out for App auth. */
  installationToken = `ghs_${randomBytes(12).toString('hex')}`;
  /** App auth: the token endpoint answers this status when set (e.g. 401). */
  appTokenStatus: number | null = null;
  appTokenMessage = 'Bad credentials';
  /** App auth: when set, the JWT must be RS256-signed by this key's private half and issued by `appId`. */
  app: { publicKey: string; appId: string } | null = null;
  /** Who `acceptedToken` belongs to: the author of the commits made with it. */
  tokenLogin = 'leakguard-bot';
  /** The App's slug: commits made with the installation token are by `<slug>[bot]`. */
  appSlug = 'leakguard';

  constructor(
    readonly owner = 'acme',
    readonly repo = 'gitops',
    /** GitHub Enterprise Server serves the API under `/api/v3`. */
    readonly prefix = '',
  ) {}

  async start(): Promise<this> {
    this.validator = await githubValidator();
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.prefix}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /**
   * Sets `branch` to a new commit by `author` holding exactly `files`: on top of the branch, or of
   * main for a new branch (a root commit for main itself).
   */
  seedBranch(branch: string, files: Record<string, string>, author = 'alice'): string {
    const parent = this.branches.get(branch) ?? (branch === 'main' ? null : (this.branches.get('main') ?? null));
    const sha = this.newCommit(new Map(Object.entries(files)), parent, author);
    this.branches.set(branch, sha);
    return sha;
  }

  /** Someone pushes a commit by `author` changing `files` on `branch` (created from main if new). */
  pushCommit(branch: string, files: Record<string, string>, author: string): string {
    const from = this.branches.get(branch) ?? this.branches.get('main');
    const tree = new Map(from ? this.commits.get(from)?.files : undefined);
    for (const [path, content] of Object.entries(files)) tree.set(path, content);
    const sha = this.newCommit(tree, from ?? null, author);
    this.branches.set(branch, sha);
    return sha;
  }

  fileAt(branch: string, path: string): string | undefined {
    const sha = this.branches.get(branch);
    return sha ? this.commits.get(sha)?.files.get(path) : undefined;
  }

  /** Every file of `branch`, by path. */
  filesAt(branch: string): Record<string, string> {
    const sha = this.branches.get(branch);
    return Object.fromEntries(sha ? (this.commits.get(sha)?.files ?? new Map<string, string>()) : []);
  }

  /** Authors of the commits on `branch` that are not on main, oldest first. */
  authorsAhead(branch: string): string[] {
    return this.ahead(this.branches.get('main') ?? '', this.branches.get(branch) ?? '').map(
      (sha) => this.commits.get(sha)?.author ?? '',
    );
  }

  addPull(p: Omit<FakePull, 'number' | 'state'>): FakePull {
    const pull: FakePull = { ...p, number: this.pulls.length + 1, state: 'open' };
    this.pulls.push(pull);
    return pull;
  }

  inject(fault: InjectedFault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Requests that change state (anything but GET). */
  mutations(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private verifyJwt(jwt: string): boolean {
    const [header, payload, signature] = jwt.split('.');
    if (!header || !payload || !signature || !this.app) return false;
    const ok = createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(this.app.publicKey, Buffer.from(signature, 'base64url'));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      iss?: unknown;
      exp?: number;
      iat?: number;
    };
    const now = Date.now() / 1000;
    return (
      ok && String(claims.iss) === this.app.appId && (claims.exp ?? 0) > now && (claims.iat ?? Infinity) <= now + 60
    );
  }

  private newCommit(files: Files, parent: string | null, author: string): string {
    const sha = randomBytes(20).toString('hex');
    this.commits.set(sha, { files, parent, author });
    return sha;
  }

  private ancestors(sha: string): string[] {
    const line: string[] = [];
    for (let at: string | null | undefined = sha; at; at = this.commits.get(at)?.parent) line.push(at);
    return line;
  }

  /** Commits reachable from `head` but not from `base`, oldest first (histories here are linear). */
  private ahead(base: string, head: string): string[] {
    const onBase = new Set(this.ancestors(base));
    return this.ancestors(head)
      .filter((sha) => !onBase.has(sha))
      .reverse();
  }

  /** `GET /compare/{base}...{head}`, as GitHub answers it (the fields leakguard reads, and a few more). */
  private compareJson(base: string, head: string): object | null {
    const [baseSha, headSha] = [this.branches.get(base), this.branches.get(head)];
    if (!baseSha || !headSha) return null;
    const ahead = this.ahead(baseSha, headSha);
    const behind = this.ahead(headSha, baseSha);
    const mergeBase = this.ancestors(headSha).find((sha) => this.ancestors(baseSha).includes(sha));
    const from = (mergeBase && this.commits.get(mergeBase)?.files) || new Map<string, string>();
    const to = this.commits.get(headSha)?.files ?? new Map<string, string>();
    const changed = [...new Set([...from.keys(), ...to.keys()])]
      .filter((path) => from.get(path) !== to.get(path))
      .sort();
    const user = (login: string) => ({ login, id: 1, type: login.endsWith('[bot]') ? 'Bot' : 'User' });
    return {
      status:
        ahead.length && behind.length ? 'diverged' : ahead.length ? 'ahead' : behind.length ? 'behind' : 'identical',
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: ahead.map((sha) => {
        const author = this.commits.get(sha)?.author ?? '';
        return {
          sha,
          author: user(author),
          committer: user(author),
          commit: { message: 'm', author: { name: author }, committer: { name: author } },
        };
      }),
      files: changed.map((filename) => ({
        filename,
        status: !from.has(filename) ? 'added' : !to.has(filename) ? 'removed' : 'modified',
      })),
    };
  }

  private repoJson(fullName: string): object {
    const [owner = '', name = ''] = fullName.split('/');
    return { name, full_name: fullName, owner: { login: owner }, fork: fullName !== `${this.owner}/${this.repo}` };
  }

  /** `owner:branch`, as GitHub labels a PR's head (a fork's owner for a fork's branch). */
  private headLabel(p: FakePull): string {
    const fullName = p.headRepo === undefined ? `${this.owner}/${this.repo}` : p.headRepo;
    return `${fullName?.split('/')[0] ?? 'ghost'}:${p.head}`;
  }

  /** A fork's branch is not a branch of this repository: its sha is not looked up here. */
  private headJson(p: FakePull): object {
    const fullName = p.headRepo === undefined ? `${this.owner}/${this.repo}` : p.headRepo;
    const own = fullName === `${this.owner}/${this.repo}`;
    return {
      ref: p.head,
      label: this.headLabel(p),
      sha: own ? (this.branches.get(p.head) ?? '') : 'f'.repeat(40),
      repo: fullName === null ? null : this.repoJson(fullName),
    };
  }

  private pullJson(p: FakePull): object {
    return {
      number: p.number,
      state: p.state,
      title: p.title,
      body: p.body,
      html_url: `https://github.test/${this.owner}/${this.repo}/pull/${p.number}`,
      head: this.headJson(p),
      base: { ref: p.base, label: `${this.owner}:${p.base}` },
      user: { login: p.user },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    if (this.prefix) {
      if (!url.pathname.startsWith(`${this.prefix}/`)) {
        this.violations.push(`${req.method} ${url.pathname}: outside the API prefix ${this.prefix}`);
        res.writeHead(404).end();
        return;
      }
      url.pathname = url.pathname.slice(this.prefix.length);
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const method = req.method ?? 'GET';
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...extra });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    let body: unknown;
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      this.violations.push(`${method} ${url.pathname}: body is not JSON`);
      return send(400, { message: 'Problems parsing JSON' });
    }
    let operationId: string;
    try {
      operationId = (this.validator as GitHubValidator).validate({
        method: method.toLowerCase(),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
      });
    } catch (err) {
      this.violations.push(String(err));
      return send(400, { message: 'request rejected by the OpenAPI validator of the fake' });
    }
    this.requests.push({ method, path: url.pathname + url.search, operationId, headers, body, rawBody });

    if (operationId === 'apps/create-installation-access-token') {
      if (!/^bearer \S+\.\S+\.\S+$/i.test(headers.authorization ?? ''))
        return send(401, { message: 'A JSON web token could not be decoded' });
      if (this.appTokenStatus) return send(this.appTokenStatus, { message: this.appTokenMessage });
      if (this.app && !this.verifyJwt((headers.authorization ?? '').slice('bearer '.length))) {
        return send(401, { message: "'Issuer' claim ('iss') must be an Integer" });
      }
      return send(201, {
        token: this.installationToken,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: {},
      });
    }
    if (operationId === 'apps/get-authenticated') {
      const jwt = /^bearer (\S+\.\S+\.\S+)$/i.exec(headers.authorization ?? '')?.[1];
      if (!jwt || (this.app && !this.verifyJwt(jwt)))
        return send(401, { message: 'A JSON web token could not be decoded' });
      return send(200, { id: 1, slug: this.appSlug, name: this.appSlug, owner: { login: this.owner } });
    }
    const auth = headers.authorization ?? '';
    const okAuth = auth === `token ${this.acceptedToken}` || auth === `token ${this.installationToken}`;
    if (!okAuth) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const login = auth === `token ${this.installationToken}` ? `${this.appSlug}[bot]` : this.tokenLogin;
    // An installation token is not a user: GitHub answers 403 to GET /user.
    if (operationId === 'users/get-authenticated') {
      if (login.endsWith('[bot]')) return send(403, { message: 'Resource not accessible by integration' });
      return send(200, { login, id: 1, type: 'User' });
    }

    const faultIdx = this.faults.findIndex((f) => f.operation === operationId || f.operation === '*');
    const fault = this.faults[faultIdx];
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.splice(faultIdx, 1);
      return send(fault.status, fault.body, fault.headers);
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!m || m[1] !== this.owner || m[2] !== this.repo) return send(404, { message: 'Not Found' });
    const rest = m[3] as string;
    const b = (body ?? {}) as Record<string, unknown>;

    switch (operationId) {
      case 'pulls/list': {
        const head = url.searchParams.get('head');
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const open = this.pulls.filter((p) => p.state === 'open' && (!head || this.headLabel(p) === head));
        return send(
          200,
          open.slice((page - 1) * perPage, page * perPage).map((p) => this.pullJson(p)),
        );
      }
      case 'pulls/create': {
        const head = String(b.head);
        if (!this.branches.has(head))
          return send(422, { message: 'Validation Failed', errors: [{ field: 'head', code: 'invalid' }] });
        if (this.pulls.some((p) => p.state === 'open' && this.headLabel(p) === `${this.owner}:${head}`)) {
          return send(422, {
            message: 'Validation Failed',
            errors: [{ message: `A pull request already exists for ${this.owner}:${head}.` }],
          });
        }
        const pull = this.addPull({
          title: String(b.title),
          body: String(b.body ?? ''),
          head,
          base: String(b.base),
          user: 'leakguard[bot]',
        });
        return send(201, this.pullJson(pull));
      }
      case 'pulls/update': {
        const pull = this.pulls.find((p) => p.number === Number(rest.split('/')[2]));
        if (!pull) return send(404, { message: 'Not Found' });
        if (typeof b.title === 'string') pull.title = b.title;
        if (typeof b.body === 'string') pull.body = b.body;
        return send(200, this.pullJson(pull));
      }
      case 'git/get-ref': {
        const ref = decodeURIComponent(rest.slice('/git/ref/'.length));
        const sha = this.branches.get(ref.replace(/^heads\//, ''));
        if (!ref.startsWith('heads/') || !sha) return send(404, { message: 'Not Found' });
        return send(200, { ref: `refs/${ref}`, node_id: 'x', url: 'u', object: { sha, type: 'commit', url: 'u' } });
      }
      case 'git/create-ref': {
        const ref = String(b.ref).replace(/^refs\/heads\//, '');
        if (this.branches.has(ref)) return send(422, { message: 'Reference already exists' });
        if (!this.commits.has(String(b.sha))) return send(422, { message: 'Object does not exist' });
        this.branches.set(ref, String(b.sha));
        return send(201, { ref: `refs/heads/${ref}`, object: { sha: b.sha, type: 'commit' } });
      }
      case 'git/update-ref': {
        const ref = decodeURIComponent(rest.slice('/git/refs/'.length)).replace(/^heads\//, '');
        if (!this.branches.has(ref)) return send(422, { message: 'Reference does not exist' });
        this.branches.set(ref, String(b.sha));
        return send(200, { ref: `refs/heads/${ref}`, object: { sha: b.sha, type: 'commit' } });
      }
      case 'repos/get-content': {
        const path = decodeURIComponent(rest.slice('/contents/'.length));
        const branch = url.searchParams.get('ref') ?? 'main';
        const content = this.fileAt(branch, path);
        if (content === undefined) return send(404, { message: 'Not Found' });
        const b64 = Buffer.from(content)
          .toString('base64')
          .replace(/(.{60})/g, '$1\n');
        return send(200, {
          type: 'file',
          encoding: 'base64',
          name: path.split('/').pop(),
          path,
          sha: blobSha(content),
          size: content.length,
          content: b64,
        });
      }
      case 'repos/create-or-update-file-contents': {
        const path = decodeURIComponent(rest.slice('/contents/'.length));
        const branch = String(b.branch);
        const current = this.fileAt(branch, path);
        if (current === undefined || b.sha !== blobSha(current))
          return send(409, { message: `${path} does not match ${String(b.sha)}` });
        const parent = this.branches.get(branch) as string;
        const files = new Map(this.commits.get(parent)?.files);
        files.set(path, Buffer.from(String(b.content), 'base64').toString('utf8'));
        const sha = this.newCommit(files, parent, login);
        this.branches.set(branch, sha);
        return send(200, { content: { path, sha: blobSha(files.get(path) as string) }, commit: { sha } });
      }
      case 'repos/compare-commits-with-basehead': {
        const basehead = decodeURIComponent(rest.slice('/compare/'.length));
        const [base = '', head = ''] = basehead.split('...');
        const compared = this.compareJson(base, head);
        return compared ? send(200, compared) : send(404, { message: 'Not Found' });
      }
      default:
        this.violations.push(`fake does not implement ${operationId}`);
        return send(501, { message: 'not implemented by the fake' });
    }
  }
}
