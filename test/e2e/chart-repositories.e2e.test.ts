/**
 * Chart releases found in real chart repositories: the CNCF distribution registry with charts that
 * real helm packaged and pushed, and a static HTTP repository indexed by `helm repo index`. The
 * Chart.yaml of each package names the app version it ships; leakguard must read that, not guess.
 * Private ones too: the registry with `auth: htpasswd` (helm logs in to push) and the HTTP repository
 * behind basic auth, read with credentials from files as the chart mounts them.
 * Needs helm (the e2e binaries), docker-registry and htpasswd (`npm run setup`); not the cluster.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { runUpgradePreview } from '../../src/cli/commands/upgrade-preview.js';
import { BumpError, bumpInRepo, type BumpRequest } from '../../src/forge/bump/index.js';
import { ChartRepositoryError, createChartSource, readChartCredentials } from '../../src/forge/chart-repository.js';
import { helmBinary } from '../chart/helm.js';
import {
  packageCharts,
  pushCharts,
  startRegistry,
  startStaticRepo,
  type Registry,
  type RegistryUser,
  type StaticRepo,
} from '../support/chart-repos.js';
import { changedLines } from '../support/gitops-files.js';

const RELEASES = [
  { name: 'argo-cd', version: '7.7.8', appVersion: 'v2.13.1' },
  { name: 'argo-cd', version: '7.7.9', appVersion: 'v2.13.1' },
  { name: 'argo-cd', version: '7.7.10', appVersion: 'v2.13.2' },
  { name: 'argo-cd', version: '7.7.11', appVersion: 'v2.13.2' },
  { name: 'argo-cd', version: '7.8.0', appVersion: 'v2.14.0' },
];
const req: BumpRequest = {
  fromVersion: '2.13.1',
  toVersion: '2.13.2',
  image: 'quay.io/argoproj/argocd',
  chart: 'argo-cd',
  rule: 'minor-skips-with-notes',
};

let work: string;
let registry: Registry;
let repo: StaticRepo;
const ROBOT: RegistryUser = { username: 'robot', password: 'CANARY-registry-password-3f9c' };
let privateRegistry: Registry;
let privateRepo: StaticRepo;

beforeAll(async () => {
  const helm = helmBinary();
  work = mkdtempSync(join(tmpdir(), 'leakguard-charts-'));
  const packages = await packageCharts(helm, RELEASES, work);
  registry = await startRegistry();
  await pushCharts(helm, packages, `oci://${registry.host}/argoproj/argo-helm`, work);
  repo = await startStaticRepo(helm, dirname(packages[0]!), work);
  privateRegistry = await startRegistry(ROBOT);
  await pushCharts(helm, packages, `oci://${privateRegistry.host}/private/argo-helm`, work, ROBOT);
  privateRepo = await startStaticRepo(helm, dirname(packages[0]!), join(work, 'private'), ROBOT);
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await repo?.stop();
  await privateRegistry?.stop();
  await privateRepo?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function bump(files: Record<string, string>, primary: string, source = createChartSource()) {
  const out = await bumpInRepo(primary, async (p) => (files[p] === undefined ? null : { text: files[p] }), req, source);
  if (out.kind !== 'bumped') return out.kind;
  return out.result.files.flatMap((f) => changedLines(files[f.path] ?? '', f.content, `${f.path}: `));
}

describe('OCI registry (distribution, charts pushed by helm)', () => {
  it("lists the pushed versions and reads each chart's appVersion from its Chart.yaml", async () => {
    const source = createChartSource();
    const oci = `oci://${registry.host}/argoproj/argo-helm`;
    expect((await source.versions(oci, 'argo-cd')).sort()).toEqual(['7.7.10', '7.7.11', '7.7.8', '7.7.9', '7.8.0']);
    expect(await source.appVersion(oci, 'argo-cd', '7.7.10')).toBe('v2.13.2');
  });

  it('Argo CD Application (repoURL without scheme, as Argo CD writes OCI): argo-cd 7.7.8 → 7.7.10 for 2.13.1 → 2.13.2', async () => {
    const app = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: argocd\nspec:\n  source:\n    repoURL: ${registry.host}/argoproj/argo-helm\n    chart: argo-cd\n    targetRevision: 7.7.8\n`;
    expect(await bump({ 'app.yaml': app }, 'app.yaml')).toEqual([
      'app.yaml: -    targetRevision: 7.7.8',
      'app.yaml: +    targetRevision: 7.7.10',
    ]);
  });

  it('Flux HelmRelease → OCIRepository in a sibling file: the tag moves to 7.7.10; a rerun says already', async () => {
    const hr =
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: argocd\nspec:\n  chartRef:\n    kind: OCIRepository\n    name: argo-cd\n';
    const oci = `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: argo-cd\nspec:\n  interval: 1h\n  url: oci://${registry.host}/argoproj/argo-helm/argo-cd\n  ref:\n    tag: 7.7.8 # renovate: datasource=docker\n`;
    const files = { 'a/helmrelease.yaml': hr, 'a/ocirepository.yaml': oci };
    expect(await bump(files, 'a/helmrelease.yaml')).toEqual([
      'a/ocirepository.yaml: -    tag: 7.7.8 # renovate: datasource=docker',
      'a/ocirepository.yaml: +    tag: 7.7.10 # renovate: datasource=docker',
    ]);
    expect(await bump({ ...files, 'a/ocirepository.yaml': oci.replace('7.7.8', '7.7.10') }, 'a/helmrelease.yaml')).toBe(
      'already',
    );
  });

  it('a registry that is gone: the refusal names the chart pin and the release to pick', async () => {
    const app = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: argocd\nspec:\n  source:\n    repoURL: oci://127.0.0.1:9/argoproj/argo-helm\n    chart: argo-cd\n    targetRevision: 7.7.8\n`;
    const err = await bump({ 'app.yaml': app }, 'app.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BumpError);
    expect((err as BumpError).message).toMatch(
      /^app\.yaml: Application\/argocd spec\.source\.targetRevision "7\.7\.8" pins chart argo-cd, versioned apart from the app; the chart release that ships 2\.13\.2 could not be looked up \(http:\/\/127\.0\.0\.1:9\/v2\/argoproj\/argo-helm\/argo-cd\/tags\/list: .+\)\. Set it to the argo-cd release whose appVersion is 2\.13\.2 yourself$/,
    );
  });
});

describe('HTTP chart repository (index.yaml by helm repo index)', () => {
  it('Helmfile release: 7.7.8 → 7.7.10, and index.yaml is read once per run however many questions', async () => {
    const helmfile = `repositories:\n  - name: argo\n    url: ${repo.url}\nreleases:\n  - name: argocd\n    chart: argo/argo-cd\n    version: 7.7.8\n`;
    const source = createChartSource();
    const before = repo.requests.length;
    expect(await bump({ 'helmfile.yaml': helmfile }, 'helmfile.yaml', source)).toEqual([
      'helmfile.yaml: -    version: 7.7.8',
      'helmfile.yaml: +    version: 7.7.10',
    ]);
    expect(await bump({ 'helmfile.yaml': helmfile }, 'helmfile.yaml', source)).toHaveLength(2);
    expect(repo.requests.slice(before)).toEqual(['/charts/index.yaml']);
  });

  it('umbrella Chart.yaml dependency', async () => {
    const chart = `apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n  - name: argo-cd\n    version: "7.7.8"\n    repository: ${repo.url}\n`;
    expect(await bump({ 'Chart.yaml': chart }, 'Chart.yaml')).toEqual([
      'Chart.yaml: -    version: "7.7.8"',
      'Chart.yaml: +    version: "7.7.10"',
    ]);
  });

  it('an index larger than the bound is refused, not read whole', async () => {
    const small = createChartSource({ maxBytes: 200 });
    await expect(small.versions(repo.url, 'argo-cd')).rejects.toThrow(ChartRepositoryError);
    await expect(small.versions(repo.url, 'argo-cd')).rejects.toThrow(/index\.yaml: the answer is larger than/);
  });

  it('upgrade preview prints the diff from the real repository', async () => {
    const dir = mkdtempSync(join(work, 'gitops-'));
    const { writeFileSync } = await import('node:fs');
    const file = join(dir, 'kustomization.yaml');
    writeFileSync(
      file,
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nhelmCharts:\n  - name: argo-cd\n    repo: ${repo.url}\n    version: 7.7.8\n    releaseName: argocd\n`,
    );
    let out = '';
    const code = await runUpgradePreview(
      { file, fromVersion: '2.13.1', toVersion: '2.13.2', image: 'quay.io/argoproj/argocd', catalog: buildCatalog() },
      (t) => (out += `${t}\n`),
    );
    expect(code).toBe(0);
    expect(out).toContain('-    version: 7.7.8\n+    version: 7.7.10');
  });
});

describe('private chart repositories (registry with htpasswd auth, HTTP repository behind basic auth)', () => {
  const secretFile = (name: string, text: string) => {
    const path = join(mkdtempSync(join(work, 'secret-')), name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const app = (repoURL: string) =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: argocd\nspec:\n  source:\n    repoURL: ${repoURL}\n    chart: argo-cd\n    targetRevision: 7.7.8\n`;
  const sourceWith = async (password: string) =>
    createChartSource({
      credentials: await readChartCredentials([
        {
          url: `oci://${privateRegistry.host}/private`,
          basicAuth: { username: 'robot', passwordFile: secretFile('registry', `${password}\n`) },
        },
        { url: privateRepo.url, basicAuth: { username: 'robot', passwordFile: secretFile('charts', password) } },
      ]),
    });

  it('with the credentials from their files: 7.7.8 → 7.7.10 from the private registry and the private index.yaml', async () => {
    const source = await sourceWith(ROBOT.password);
    expect(
      await bump({ 'app.yaml': app(`oci://${privateRegistry.host}/private/argo-helm`) }, 'app.yaml', source),
    ).toEqual(['app.yaml: -    targetRevision: 7.7.8', 'app.yaml: +    targetRevision: 7.7.10']);
    expect(await bump({ 'app.yaml': app(privateRepo.url) }, 'app.yaml', source)).toEqual([
      'app.yaml: -    targetRevision: 7.7.8',
      'app.yaml: +    targetRevision: 7.7.10',
    ]);
  });

  it('without credentials the registry says 401 and the refusal says to add it to chartRepositories', async () => {
    const err = await bump({ 'app.yaml': app(`${privateRegistry.host}/private/argo-helm`) }, 'app.yaml').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BumpError);
    expect((err as Error).message).toContain(
      `(http://${privateRegistry.host}/v2/private/argo-helm/argo-cd/tags/list: HTTP 401: the repository wants credentials: add it to chartRepositories)`,
    );
  });

  it('a wrong password is refused by name of the configured URL, and no password is ever printed', async () => {
    const source = await sourceWith('not-the-password');
    const messages: string[] = [];
    for (const repoURL of [`oci://${privateRegistry.host}/private/argo-helm`, privateRepo.url]) {
      const err = await bump({ 'app.yaml': app(repoURL) }, 'app.yaml', source).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BumpError);
      messages.push((err as Error).message);
    }
    expect(messages[0]).toContain(
      `HTTP 401: the credentials configured for oci://${privateRegistry.host}/private (chartRepositories) were refused`,
    );
    expect(messages[1]).toContain(
      `${privateRepo.url}/index.yaml: HTTP 401: the credentials configured for ${privateRepo.url} (chartRepositories) were refused`,
    );
    // The preview prints the same refusal, from the config's chartRepositories.
    const dir = mkdtempSync(join(work, 'gitops-'));
    writeFileSync(join(dir, 'app.yaml'), app(privateRepo.url));
    let out = '';
    const code = await runUpgradePreview(
      {
        file: join(dir, 'app.yaml'),
        fromVersion: '2.13.1',
        toVersion: '2.13.2',
        chart: 'argo-cd',
        catalog: buildCatalog(),
        chartRepositories: [
          { url: privateRepo.url, basicAuth: { username: 'robot', passwordFile: secretFile('p', 'wrong') } },
        ],
      },
      (t) => (out += `${t}\n`),
    );
    expect(code).toBe(1);
    expect(out).toContain('were refused');
    const everything = [...messages, out].join('\n');
    for (const secret of [
      ROBOT.password,
      'not-the-password',
      Buffer.from(`robot:${ROBOT.password}`).toString('base64'),
    ])
      expect(everything).not.toContain(secret);
  });
});
