/**
 * `leakguard upgrade preview`: the diff an upgrade PR would commit to a local file, or the refusal,
 * with no GitHub. Exit 0 with a diff or "already", 1 refused, 2 usage.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { runUpgradePreview } from '../../src/cli/commands/upgrade-preview.js';
import { main } from '../../src/cli/main.js';
import { ARGO_CD_RELEASES, memoryChartSource } from '../support/chart-releases.js';

const dir = mkdtempSync(join(tmpdir(), 'leakguard-preview-'));
function file(path: string, text: string): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return full;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, { print: (text) => (out += `${text}\n`), isTty: false });
  return { code, out };
}

describe('leakguard upgrade preview', () => {
  it('KEDA values with --image: the catalogue says which images move together; all three tags move', async () => {
    const values = file(
      'keda/values.yaml',
      'image:\n  keda:\n    repository: kedacore/keda\n    tag: "2.12.0"\n  metricsApiServer:\n    repository: kedacore/keda-metrics-apiserver\n    tag: "2.12.0"\n  webhooks:\n    repository: kedacore/keda-admission-webhooks\n    tag: "2.12.0"\n',
    );
    const { code, out } = await cli(
      'upgrade',
      'preview',
      '--file',
      values,
      '--from',
      '2.12.0',
      '--to',
      '2.13.0',
      '--image',
      'ghcr.io/kedacore/keda',
      '--offline',
    );
    expect(code).toBe(0);
    expect(out).toContain('@@ -4 +4 @@\n-    tag: "2.12.0"\n+    tag: "2.13.0"');
    expect(out).toContain('would commit 3 changes:');
    expect(out).toContain('image.webhooks.tag: 2.12.0 → 2.13.0');
  });

  it('Terraform: the refusal, exit 1', async () => {
    const tf = file(
      'infra/main.tf',
      'resource "helm_release" "eso" {\n  chart   = "external-secrets"\n  version = "0.7.1"\n}\n',
    );
    const { code, out } = await cli('upgrade', 'preview', '--file', tf, '--from', '0.7.1', '--to', '0.7.2');
    expect(code).toBe(1);
    expect(out).toContain('refused: ');
    expect(out).toContain(
      'is Terraform (HCL), which leakguard does not edit: line 3: version = "0.7.1" (resource "helm_release" "eso")',
    );
  });

  it('Argo CD Application: the chart release that ships the fix, from the chart repository', async () => {
    const app = file(
      'argocd/app.yaml',
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: argocd}\nspec:\n  source:\n    repoURL: https://argoproj.github.io/argo-helm\n    chart: argo-cd\n    targetRevision: 7.7.8\n',
    );
    let out = '';
    const charts = memoryChartSource({ 'https://argoproj.github.io/argo-helm': { 'argo-cd': ARGO_CD_RELEASES } });
    const code = await runUpgradePreview(
      {
        file: app,
        fromVersion: '2.13.1',
        toVersion: '2.13.2',
        image: 'quay.io/argoproj/argocd',
        catalog: buildCatalog(),
        charts,
      },
      (t) => (out += `${t}\n`),
    );
    expect(code).toBe(0);
    expect(out).toContain('-    targetRevision: 7.7.8\n+    targetRevision: 7.7.10');
  });

  it("in a Git checkout: paths from its root, and Argo CD $values files followed in its origin's repository", async () => {
    file(
      'platform/.git/config',
      '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/platform.git\n',
    );
    const app = file(
      'platform/apps/cert-manager.yaml',
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: cert-manager}\nspec:\n  sources:\n' +
        '    - repoURL: https://charts.jetstack.io\n      chart: cert-manager\n      targetRevision: v1.12.2\n' +
        '      helm:\n        valueFiles: [$values/values/cert-manager.yaml]\n' +
        '    - repoURL: https://github.com/acme/platform\n      targetRevision: HEAD\n      ref: values\n',
    );
    file('platform/values/cert-manager.yaml', 'image:\n  tag: v1.12.2\n');
    const args = ['--from', 'v1.12.2', '--to', 'v1.12.3', '--image', 'quay.io/jetstack/cert-manager-controller'];
    const { code, out } = await cli('upgrade', 'preview', '--file', app, ...args, '--offline');
    expect(code).toBe(0);
    expect(out).toContain('--- a/apps/cert-manager.yaml\n+++ b/apps/cert-manager.yaml');
    expect(out).toContain('  values/cert-manager.yaml image.tag: v1.12.2 → v1.12.3');
    const other = await cli('upgrade', 'preview', '--file', app, ...args, '--offline', '--repo', 'acme/gitops');
    expect(other.code).toBe(1);
    expect(other.out).toContain('a values file in another repository (https://github.com/acme/platform)');
  });

  it('usage errors exit 2 and name the problem', async () => {
    await expect(cli('upgrade', 'preview', '--file', 'x.yaml', '--from', 'latest', '--to', '1.0.0')).rejects.toThrow(
      '--from: expected a version like 1.14.9, got "latest"',
    );
    await expect(cli('upgrade', 'show')).rejects.toThrow('expected `leakguard upgrade preview');
  });
});
