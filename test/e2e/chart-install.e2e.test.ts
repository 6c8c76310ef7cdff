/**
 * The chart installed by the real helm into the real control plane: a namespace that enforces the
 * "restricted" Pod Security Standard, `kubectl create job --from=cronjob/…` as a user would run it,
 * and the ServiceAccount's rights checked against a golden list — by SubjectAccessReview
 * (`kubectl auth can-i --as`) and by requests made with the ServiceAccount's own token.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { chartDir, helmInCluster, valuesDir } from '../chart/helm.js';
import { podTemplateOf, restrictedViolations, type Loose } from '../chart/inspect.js';
import {
  kubeConfigForToken,
  kubectl,
  runLeakguard,
  kubectlJson,
  KubectlError,
  loadE2eEnv,
  tokenFor,
  waitFor,
  type E2eEnv,
} from './support/index.js';

const suffix = Date.now().toString(36).slice(-5);
const ns = `lg-chart-${suffix}`;
const release = `lg${suffix}`;
const fullname = `${release}-leakguard`;
const daemonRelease = `lgd${suffix}`;
const serviceAccount = `system:serviceaccount:${ns}:${fullname}`;

let env: E2eEnv;
let helmHome: string;
let installOutput: string;

function helmIn(args: string[]): Promise<string> {
  return helmInCluster(args, env.kubeconfig, helmHome);
}

beforeAll(async () => {
  env = loadE2eEnv();
  helmHome = mkdtempSync(join(tmpdir(), 'leakguard-helm-'));
  await kubectl(['create', 'namespace', ns], { env });
  await kubectl(
    [
      'label',
      'namespace',
      ns,
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/enforce-version=latest',
    ],
    { env },
  );
  // Test values only: the chart mounts these as files; leakguard itself may never read Secrets.
  await kubectl(
    [
      'create',
      'secret',
      'generic',
      'leakguard-secrets',
      '-n',
      ns,
      '--from-literal=token=t',
      '--from-literal=webhook-url=https://hooks.invalid/x',
      '--from-literal=prom-token=p',
    ],
    { env },
  );
  installOutput = await helmIn([
    'install',
    release,
    chartDir,
    '--namespace',
    ns,
    '--values',
    join(valuesDir, 'rook-all-actions.yaml'),
    '--set',
    `config.prometheus.url=${env.prometheusUrl}`,
  ]);
  // The daemon release also serves a real run below: detection scaled to the fixture's minutes of history.
  await helmIn([
    'install',
    daemonRelease,
    chartDir,
    '--namespace',
    ns,
    '--values',
    join(valuesDir, 'deployment.yaml'),
    '--set',
    `config.prometheus.url=${env.prometheusUrl}`,
    '--set',
    'config.detection.window=30m,config.detection.minHistory=3m,config.detection.maxGap=2m,config.detection.maxStaleness=2m',
  ]);
});

afterAll(async () => {
  if (!env) return;
  for (const r of [release, daemonRelease]) await helmIn(['uninstall', r, '--namespace', ns]).catch(() => undefined);
  await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found'], { env }).catch(() => undefined);
  rmSync(helmHome, { recursive: true, force: true });
});

describe('helm install into a namespace enforcing Pod Security "restricted"', () => {
  it('prints NOTES telling how to run once and where the story is told', () => {
    expect(installOutput).toContain(`kubectl create job --from=cronjob/${fullname} ${fullname}-manual -n ${ns}`);
    expect(installOutput).toContain('kubectl events --for deployment/rook-ceph-operator -n rook-ceph');
    expect(installOutput).toContain('kubectl events --for deployment/cert-manager -n cert-manager');
    expect(installOutput).toContain('ACTING (config.dryRun: false)');
    expect(installOutput).toContain(`kubectl annotate cronjob/${fullname} -n ${ns} leakguard.io/kill-switch=true`);
  });

  it('the namespace really enforces "restricted" (a privileged pod is refused)', async () => {
    const bad = kubectl(
      [
        'run',
        'not-restricted',
        '-n',
        ns,
        '--image=busybox',
        '--dry-run=server',
        '--overrides={"spec":{"containers":[{"name":"not-restricted","image":"busybox","securityContext":{"privileged":true}}]}}',
      ],
      { env },
    );
    await expect(bad).rejects.toThrow(/violates PodSecurity "restricted/);
  });

  it('kubectl create job --from=cronjob makes a Job whose pod carries the whole config, and the pod is admitted', async () => {
    const job = `${fullname}-manual`;
    await kubectl(['create', 'job', `--from=cronjob/${fullname}`, job, '-n', ns], { env });
    const created = await kubectlJson<Loose>(['get', 'job', job, '-n', ns], { env });
    const pod = podTemplateOf(created);
    expect(restrictedViolations(pod.spec)).toEqual([]);
    expect(pod.spec.serviceAccountName).toBe(fullname);
    const container = pod.spec.containers[0];
    expect(container.args).toEqual(['run', '--config', '/etc/leakguard/config.yaml']);
    expect(container.env.map((e: Loose) => e.name)).toEqual(
      expect.arrayContaining(['POD_NAME', 'POD_NAMESPACE', 'LEAKGUARD_CONFIG', 'LEAKGUARD_LOG_LEVEL']),
    );
    expect(created.spec.activeDeadlineSeconds).toBe(600);
    expect(created.spec.backoffLimit).toBe(0);

    const configMapName = pod.spec.volumes.find((v: Loose) => v.name === 'config').configMap.name;
    const configMap = await kubectlJson<Loose>(['get', 'configmap', configMapName, '-n', ns], { env });
    const config = parseConfig(configMap.data['config.yaml'], 'installed ConfigMap');
    expect(config.prometheus.url).toBe(env.prometheusUrl);
    expect(config.lock).toEqual({ namespace: ns, name: fullname, duration: 600 });
    expect(config.profiles.map((p) => p.name)).toEqual(['rook-ceph-operator', 'cert-manager']);
    expect(pod.spec.volumes.find((v: Loose) => v.name === 'secrets').secret.secretName).toBe('leakguard-secrets');

    // Admission passed: the Job controller could create the pod in the restricted namespace.
    const podName = await waitFor(`a pod of job ${job}`, async () => {
      const pods = await kubectlJson<Loose>(['get', 'pods', '-n', ns, '-l', `job-name=${job}`], { env });
      return pods.items[0]?.metadata.name as string | undefined;
    });
    expect(podName).toMatch(new RegExp(`^${job}-`));
  });

  it("the Deployment kind's pod is admitted too", async () => {
    const name = `${daemonRelease}-leakguard`;
    const pod = await waitFor(`a pod of deployment ${name}`, async () => {
      const pods = await kubectlJson<Loose>(
        ['get', 'pods', '-n', ns, '-l', `app.kubernetes.io/instance=${daemonRelease}`],
        { env },
      );
      return pods.items[0] as Loose;
    });
    expect(pod.spec.containers[0].args[0]).toBe('daemon');
    expect(restrictedViolations(pod.spec)).toEqual([]);
  });
});

/**
 * What the ServiceAccount may do, as `kubectl auth can-i` answers it. `NS` is the release namespace
 * and `LOCK` the Lease's name. Read it as: "<answer>: <verb> <resource>[/<name>] in <namespace>".
 */
const golden = `
  yes  list    pods                                         rook-ceph
  yes  get     pods                                         rook-ceph
  yes  get     replicasets.apps                             rook-ceph
  yes  list    replicasets.apps                             rook-ceph
  yes  get     deployments.apps/rook-ceph-operator          rook-ceph
  yes  patch   deployments.apps/rook-ceph-operator          rook-ceph
  yes  get     configmaps/rook-ceph-operator-config         rook-ceph
  yes  patch   configmaps/rook-ceph-operator-config         rook-ceph
  yes  create  events.events.k8s.io                         rook-ceph
  yes  list    events.events.k8s.io                         rook-ceph
  yes  patch   events.events.k8s.io                         rook-ceph
  yes  get     deployments.apps/cert-manager                cert-manager
  yes  patch   deployments.apps/cert-manager                cert-manager
  yes  create  pods/eviction                                cert-manager
  yes  create  events.events.k8s.io                         cert-manager
  yes  create  leases.coordination.k8s.io                   NS
  yes  get     leases.coordination.k8s.io/LOCK              NS
  yes  update  leases.coordination.k8s.io/LOCK              NS
  yes  get     pods                                         NS
  no   list    pods                                         NS

  no   get     secrets                                      NS
  no   get     secrets/leakguard-secrets                    NS
  no   list    secrets                                      rook-ceph
  no   get     secrets                                      kube-system
  no   delete  deployments.apps/rook-ceph-operator          rook-ceph
  no   update  deployments.apps/rook-ceph-operator          rook-ceph
  no   create  deployments.apps                             rook-ceph
  yes  list    deployments.apps                             rook-ceph
  no   get     deployments.apps/some-other-operator         rook-ceph
  no   patch   deployments.apps/some-other-operator         rook-ceph
  no   patch   statefulsets.apps/rook-ceph-operator         rook-ceph
  no   patch   configmaps/kube-root-ca.crt                  rook-ceph
  no   list    configmaps                                   rook-ceph
  no   delete  pods                                         rook-ceph
  no   delete  pods                                         cert-manager
  no   create  pods                                         rook-ceph
  no   create  pods/eviction                                rook-ceph
  no   create  pods/exec                                    rook-ceph
  no   patch   deployments.apps/rook-ceph-operator          default
  no   list    pods                                         kube-system
  no   create  events.events.k8s.io                         kube-system
  no   update  leases.coordination.k8s.io/kube-controller-manager  kube-system
  no   update  leases.coordination.k8s.io/someone-elses-lock       NS
  no   delete  leases.coordination.k8s.io/LOCK              NS
  no   create  roles.rbac.authorization.k8s.io              rook-ceph
  no   create  rolebindings.rbac.authorization.k8s.io       NS
  yes  get     cronjobs.batch/FULLNAME                      NS
  no   patch   cronjobs.batch/FULLNAME                      NS
  no   get     cronjobs.batch/someone-elses-cronjob         NS
  no   list    cronjobs.batch                               NS
  no   list    nodes                                        -
  no   list    namespaces                                   -
  no   create  clusterrolebindings.rbac.authorization.k8s.io -
`;

interface Expectation {
  answer: 'yes' | 'no';
  verb: string;
  resource: string;
  namespace: string | null;
}

function goldenList(): Expectation[] {
  return golden
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [answer, verb, resource, namespace] = line.split(/\s+/) as [Expectation['answer'], string, string, string];
      const fill = (s: string) => s.replace('LOCK', fullname).replace('FULLNAME', fullname).replace(/^NS$/, ns);
      return { answer, verb, resource: fill(resource), namespace: namespace === '-' ? null : fill(namespace) };
    });
}

async function canI({ verb, resource, namespace }: Expectation): Promise<string> {
  const [base, sub] = resource.startsWith('pods/') ? ['pods', resource.slice('pods/'.length)] : [resource, undefined];
  const args = ['auth', 'can-i', verb, base, `--as=${serviceAccount}`];
  if (sub) args.push(`--subresource=${sub}`);
  if (namespace) args.push('-n', namespace);
  try {
    return (await kubectl(args, { env })).trim();
  } catch (error) {
    // `can-i` exits 1 for "no".
    if (error instanceof KubectlError && error.exitCode === 1) return 'no';
    throw error;
  }
}

describe("leakguard run with the installed ConfigMap, as the chart's ServiceAccount", () => {
  it('discovers, judges, locks and records without one refused request (dry-run)', async () => {
    const name = `${daemonRelease}-leakguard`;
    const configMap = await kubectlJson<Loose>(['get', 'configmap', name, '-n', ns], { env });
    const configFile = join(helmHome, 'config.yaml');
    writeFileSync(configFile, configMap.data['config.yaml']);
    const kubeconfigFile = join(helmHome, 'sa-kubeconfig.json');
    writeFileSync(kubeconfigFile, kubeConfigForToken(await tokenFor(ns, name, { env }), env).exportConfig());
    // As the daemon's pod runs: the rendered config names its Deployment as the kill switch, read with the chart's own Role.
    expect(parseConfig(configMap.data['config.yaml']).controller).toEqual({ kind: 'Deployment', name, namespace: ns });
    const runEnv = {
      PATH: process.env.PATH,
      KUBECONFIG: kubeconfigFile,
      POD_NAME: `${name}-manual-x1y2z`,
      POD_NAMESPACE: ns,
      LEAKGUARD_LOG_LEVEL: 'warn',
    };
    const { code, stdout, stderr } = await runLeakguard(
      ['run', '--config', configFile, '--dry-run', '--output', 'json'],
      runEnv,
    );
    expect(`${stdout}\n${stderr}`).not.toMatch(/forbidden|(?<![\d.])403(?!\d)/i);
    const summary = JSON.parse(stdout) as { dryRun: boolean; targets: { workload: string }[]; failures: string[] };
    expect(summary.failures).toEqual([]);
    expect(code).toBe(0);
    expect(summary.dryRun).toBe(true);
    expect(JSON.stringify(summary.targets)).toContain('rook-ceph-operator');
    // The run lock is the chart's: named like the release, in the release namespace.
    const lease = await kubectlJson<Loose>(['get', 'lease', name, '-n', ns], { env });
    expect(lease.metadata.name).toBe(name);
    // Its decision is on record where `kubectl events --for deployment/rook-ceph-operator` shows it.
    // (Event names are deterministic: an earlier run may have created the same Event, which this run
    // then found — either way the create was authorized, or the run would have listed a failure.)
    const events = await kubectlJson<Loose>(['get', 'events.v1.events.k8s.io', '-n', 'rook-ceph'], { env });
    const ours = events.items.filter(
      (e: Loose) => e.reportingController === 'leakguard' && e.regarding.name === 'rook-ceph-operator',
    );
    expect(ours.length).toBeGreaterThan(0);
  });
});

describe('the kill switch NOTES.txt prints', () => {
  it('sets the annotation on the CronJob that every run made from it reads (chart-run.e2e proves the run stops)', async () => {
    const command = /kubectl annotate cronjob\/\S+ -n \S+ leakguard\.io\/kill-switch=true/.exec(installOutput)?.[0];
    expect(command).toBeDefined();
    await kubectl(command!.split(' ').slice(1), { env });
    const cronJob = await kubectlJson<Loose>(['get', 'cronjob', fullname, '-n', ns], { env });
    expect(cronJob.metadata.annotations['leakguard.io/kill-switch']).toBe('true');
    // The config every run made from it reads names it as the controller, and the chart's ServiceAccount may read it.
    const configMap = await kubectlJson<Loose>(['get', 'configmap', fullname, '-n', ns], { env });
    expect(parseConfig(configMap.data['config.yaml']).controller).toEqual({
      kind: 'CronJob',
      name: fullname,
      namespace: ns,
    });
    expect(await canI({ answer: 'yes', verb: 'get', resource: `cronjobs.batch/${fullname}`, namespace: ns })).toBe(
      'yes',
    );
  });
});

describe("the ServiceAccount's rights", () => {
  it('match the golden list exactly (kubectl auth can-i)', async () => {
    const mismatches: string[] = [];
    for (const expectation of goldenList()) {
      const answer = await canI(expectation);
      if (answer !== expectation.answer)
        mismatches.push(
          `${expectation.verb} ${expectation.resource} in ${expectation.namespace ?? '(cluster)'}: expected ${expectation.answer}, got ${answer}`,
        );
    }
    expect(mismatches).toEqual([]);
  });

  it('hold for requests made with its own token (TokenRequest)', async () => {
    const kc = kubeConfigForToken(await tokenFor(ns, fullname, { env }), env);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const operator = await apps.readNamespacedDeployment({ name: 'rook-ceph-operator', namespace: 'rook-ceph' });
    expect(operator.metadata?.name).toBe('rook-ceph-operator');
    // A server-side dry-run patch is authorized like a real one and changes nothing.
    const patched = await apps.patchNamespacedDeployment({
      name: 'rook-ceph-operator',
      namespace: 'rook-ceph',
      body: [{ op: 'test', path: '/metadata/name', value: 'rook-ceph-operator' }],
      dryRun: 'All',
    });
    expect(patched.metadata?.name).toBe('rook-ceph-operator');
    await expect(core.readNamespacedSecret({ name: 'leakguard-secrets', namespace: ns })).rejects.toMatchObject({
      code: 403,
    });
    await expect(core.listNamespacedSecret({ namespace: 'rook-ceph' })).rejects.toMatchObject({ code: 403 });
    await expect(
      apps.deleteNamespacedDeployment({ name: 'rook-ceph-operator', namespace: 'rook-ceph', dryRun: 'All' }),
    ).rejects.toMatchObject({ code: 403 });
  });
});
