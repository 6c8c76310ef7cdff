import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './load.js';

const minimal = `
prometheus: {url: http://prometheus:9090}
profiles:
  - {name: rook-ceph-operator, namespace: rook-ceph, selector: app=rook-ceph-operator}
`;

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(text, 'leakguard.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills safe defaults: dry-run on, 24 h window, 5 MiB/h', () => {
    const config = parseConfig(minimal);
    expect(config.dryRun).toBe(true);
    expect(config.detection.window).toBe(86_400);
    expect(config.detection.minGrowth).toBe(5 * 2 ** 20);
    expect(config.guardrails).toMatchObject({ cooldown: 21_600, maxActionsPerRun: 1, maxRestartsPerDay: 3, killSwitch: false });
    expect(config.profiles[0]).toMatchObject({ ladder: ['restart'], restartMode: 'rollout', expectedPods: 1 });
  });

  it('reads the shipped Rook example', () => {
    const config = parseConfig(readFileSync('examples/rook.yaml', 'utf8'));
    expect(config.profiles[0]!.workaround?.env).toEqual({ ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(config.guardrails.windows[0]).toEqual({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '06:00', end: '20:00' });
  });

  it('names an unknown key and where it is', () => {
    expect(errorOf(`${minimal}\ndetection: {windw: 24h}`)).toMatch(/detection: unknown key\(s\) "windw"/);
  });

  it('names a bad duration and what was expected', () => {
    expect(errorOf(`${minimal}\ndetection: {window: 5x}`)).toMatch(/detection\.window: expected a duration like 90s.*got "5x"/);
  });

  it('names a bad growth rate', () => {
    expect(errorOf(`${minimal}\ndetection: {minGrowth: 5MiB}`)).toMatch(/detection\.minGrowth: expected a growth rate like 5MiB\/h/);
  });

  it('names a missing field inside a profile', () => {
    const message = errorOf(`prometheus: {url: http://p:9090}\nprofiles:\n  - {name: a, namespace: ns}`);
    expect(message).toMatch(/profiles\[0\]\.selector/);
  });

  it('requires what the ladder needs', () => {
    const message = errorOf(`prometheus: {url: http://p:9090}\nprofiles:\n  - {name: a, namespace: ns, selector: app=a, ladder: [restart, workaround, upgrade-pr]}`);
    expect(message).toMatch(/profiles\[0\]\.workaround: the ladder has "workaround"/);
    expect(message).toMatch(/profiles\[0\]\.upgrade:/);
    expect(message).toMatch(/github: profile a opens upgrade PRs/);
  });

  it('rejects duplicate profile names and bad time windows', () => {
    const message = errorOf(
      `prometheus: {url: http://p:9090}\nguardrails: {windows: [{start: "25:00", end: "06:00"}]}\nprofiles:\n  - {name: a, namespace: ns, selector: app=a}\n  - {name: a, namespace: ns2, selector: app=a}`,
    );
    expect(message).toMatch(/profiles\[1\]\.name: duplicate profile name "a"/);
    expect(message).toMatch(/guardrails\.windows\[0\]\.start: expected a time of day HH:MM/);
  });

  it('keeps the Prometheus timeout below the run deadline', () => {
    expect(errorOf(`${minimal}\ndeadline: 30s\nprometheus: {url: http://p:9090, timeout: 45s}`.replace('prometheus: {url: http://prometheus:9090}\n', ''))).toMatch(
      /prometheus\.timeout: expected less than deadline \(30s\), got 45s/,
    );
  });

  it('reports invalid YAML and non-mapping documents', () => {
    expect(errorOf('prometheus: [unclosed')).toMatch(/invalid YAML/);
    expect(errorOf('- just a list')).toMatch(/expected a YAML mapping/);
  });

  it('applies environment overrides, and rejects bad ones', () => {
    const config = parseConfig(minimal, 'x', { LEAKGUARD_DRY_RUN: 'false', LEAKGUARD_PROMETHEUS_URL: 'https://thanos:10902/prom' });
    expect(config.dryRun).toBe(false);
    expect(config.prometheus.url).toBe('https://thanos:10902/prom');
    expect(errorOf(minimal, { LEAKGUARD_DRY_RUN: 'maybe' })).toMatch(/LEAKGUARD_DRY_RUN: expected true or false/);
  });

  it('says which file could not be read', async () => {
    await expect(loadConfig('/nonexistent/leakguard.yaml')).rejects.toThrow(/cannot read config file \/nonexistent\/leakguard.yaml: ENOENT/);
  });
});
