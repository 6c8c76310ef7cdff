import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../test/support/thrown.js';
import { ConfigError } from '../model/config-error.js';
import { loadConfig, parseConfig } from './load.js';

const minimal = `
prometheus: {url: http://prometheus:9090}
profiles:
  - {name: rook-ceph-operator, namespace: rook-ceph, selector: app=rook-ceph-operator}
`;

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): string {
  return thrownMessage(() => parseConfig(text, 'leakguard.yaml', env), ConfigError);
}

describe('parseConfig', () => {
  it('fills safe defaults: dry-run on, 24 h window, 5 MiB/h', () => {
    const config = parseConfig(minimal);
    expect(config.dryRun).toBe(true);
    expect(config.detection.window).toBe(86_400);
    expect(config.detection.minGrowth).toBe(5 * 2 ** 20);
    expect(config.guardrails).toMatchObject({
      cooldown: 21_600,
      maxActionsPerRun: 1,
      maxRestartsPerDay: 3,
      killSwitch: false,
    });
    expect(config.profiles[0]).toMatchObject({ ladder: ['restart'], restartMode: 'rollout', expectedPods: 1 });
  });

  it('reads the shipped Rook example', () => {
    const config = parseConfig(readFileSync('examples/rook.yaml', 'utf8'));
    expect(config.profiles[0]!.workaround?.env).toEqual({ ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(config.guardrails.windows[0]).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '06:00',
      end: '20:00',
    });
  });

  it('names an unknown key and where it is', () => {
    expect(errorOf(`${minimal}\ndetection: {windw: 24h}`)).toMatch(/detection: unknown key\(s\) "windw"/);
  });

  it('names a bad duration and what was expected', () => {
    expect(errorOf(`${minimal}\ndetection: {window: 5x}`)).toMatch(
      /detection\.window: expected a duration like 90s.*got "5x"/,
    );
  });

  it('names a bad growth rate', () => {
    expect(errorOf(`${minimal}\ndetection: {minGrowth: 5MiB}`)).toMatch(
      /detection\.minGrowth: expected a growth rate like 5MiB\/h/,
    );
  });

  it('names a missing field inside a profile', () => {
    const message = errorOf(`prometheus: {url: http://p:9090}\nprofiles:\n  - {name: a, namespace: ns}`);
    expect(message).toMatch(/profiles\[0\]\.selector/);
  });

  it('requires what the ladder needs', () => {
    const message = errorOf(
      `prometheus: {url: http://p:9090}\nprofiles:\n  - {name: a, namespace: ns, selector: app=a, ladder: [restart, workaround, upgrade-pr]}`,
    );
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

  it('reads workload history 7 d back by default (twice a longer window), off with false, and only longer than the window', () => {
    expect(parseConfig(minimal).detection.workloadHistory).toBe(7 * 86_400);
    expect(parseConfig(`${minimal}\ndetection: {workloadHistory: false}`).detection.workloadHistory).toBe(false);
    expect(parseConfig(`${minimal}\ndetection: {workloadHistory: 3d}`).detection.workloadHistory).toBe(3 * 86_400);
    expect(errorOf(`${minimal}\ndetection: {workloadHistory: 12h}`)).toMatch(
      /detection\.workloadHistory: expected longer than window \(1d\)/,
    );
    expect(errorOf(`${minimal}\ndetection: {workloadHistory: 60d}`)).toMatch(
      /detection\.workloadHistory: expected at most 30d/,
    );
    // A short floorBucket (short-history setups) does not make the default invalid: the history query coarsens its step.
    expect(
      parseConfig(`${minimal}\ndetection: {floorBucket: 30s, window: 30m, minHistory: 3m}`).detection.workloadHistory,
    ).toBe(7 * 86_400);
    expect(parseConfig(`${minimal}\ndetection: {window: 5d}`).detection.workloadHistory).toBe(10 * 86_400);
    expect(parseConfig(`${minimal}\ndetection: {window: 30d}`).detection.workloadHistory).toBe(false);
    expect(errorOf(`${minimal}\ndetection: {workloadHistory: true}`)).toMatch(/detection\.workloadHistory/);
  });

  it('keeps the Prometheus timeout below the run deadline', () => {
    expect(
      errorOf(
        `${minimal}\ndeadline: 30s\nprometheus: {url: http://p:9090, timeout: 45s}`.replace(
          'prometheus: {url: http://prometheus:9090}\n',
          '',
        ),
      ),
    ).toMatch(/prometheus\.timeout: expected less than deadline \(30s\), got 45s/);
  });

  it('reports invalid YAML and non-mapping documents', () => {
    expect(errorOf('prometheus: [unclosed')).toMatch(/invalid YAML/);
    expect(errorOf('- just a list')).toMatch(/expected a YAML mapping/);
  });

  it('applies environment overrides, and rejects bad ones', () => {
    const config = parseConfig(minimal, 'x', {
      LEAKGUARD_DRY_RUN: 'false',
      LEAKGUARD_PROMETHEUS_URL: 'https://thanos:10902/prom',
    });
    expect(config.dryRun).toBe(false);
    expect(config.prometheus.url).toBe('https://thanos:10902/prom');
    expect(errorOf(minimal, { LEAKGUARD_DRY_RUN: 'maybe' })).toMatch(/LEAKGUARD_DRY_RUN: expected true or false/);
  });

  describe('every configuration mistake is a ConfigError naming the file and the field (#9.6)', () => {
    const base = 'profiles: [{name: a, namespace: ns, selector: app=a}]\n';
    it.each([
      [
        'credentials in prometheus.url',
        'prometheus: {url: "https://admin:hunter2@prom:9090"}',
        /leakguard\.yaml: [\s\S]*prometheus\.url: must not hold credentials/,
      ],
      [
        'a header value with a newline',
        'prometheus: {url: "http://p:9090", headers: {X-Scope-OrgID: "a\\nInjected: yes"}}',
        /prometheus\.headers\.X-Scope-OrgID: expected a header value on one line/,
      ],
      [
        'an invalid header name',
        'prometheus: {url: "http://p:9090", headers: {"bad name": x}}',
        /prometheus\.headers\.bad name: expected a header name/,
      ],
      [
        'bearerTokenFile together with basicAuth',
        'prometheus: {url: "http://p:9090", bearerTokenFile: /t, basicAuth: {username: u, passwordFile: /p}}',
        /prometheus\.basicAuth: expected one of bearerTokenFile or basicAuth, not both/,
      ],
      [
        'a header in both headers and headersFrom',
        'prometheus: {url: "http://p:9090", headers: {X-Key: a}, headersFrom: {x-key: /k}}',
        /prometheus\.headersFrom: a header is set in both/,
      ],
      [
        'a deadline beyond any timer',
        'prometheus: {url: "http://p:9090"}\ndeadline: 3000000',
        /deadline: expected at most 1d, got 3000000/,
      ],
      [
        'an infinite duration',
        'prometheus: {url: "http://p:9090"}\nguardrails: {cooldown: .inf}',
        /guardrails\.cooldown: expected a duration/,
      ],
      [
        'a window of a year',
        'prometheus: {url: "http://p:9090"}\ndetection: {window: 8760h}',
        /detection\.window: expected at most 30d/,
      ],
      [
        'a lock shorter than the run deadline',
        'prometheus: {url: "http://p:9090"}\ndeadline: 10m\nlock: {duration: 5m}',
        /lock\.duration: expected longer than deadline \(600s\) so two runs cannot overlap, got 300s/,
      ],
      [
        'an invalid schedule',
        'prometheus: {url: "http://p:9090"}\nschedule: "every day"',
        /schedule: expected a cron expression/,
      ],
      ['a malformed controller', 'prometheus: {url: "http://p:9090"}\ncontroller: {kind: Job, name: x}', /controller/],
      [
        'chart repository credentials over plain http',
        'prometheus: {url: "http://p:9090"}\nchartRepositories: [{url: "http://charts.corp", bearerTokenFile: /t}]',
        /chartRepositories\[0\]\.url: credentials are not sent over plain http/,
      ],
      [
        'a chart repository URL holding a password',
        'prometheus: {url: "http://p:9090"}\nchartRepositories: [{url: "https://u:hunter2@charts.corp", bearerTokenFile: /t}]',
        /chartRepositories\[0\]\.url: expected https:\/\/host\[\/path\] or oci:\/\/host\[\/path\], without credentials/,
      ],
      [
        'a chart repository with two kinds of credentials',
        'prometheus: {url: "http://p:9090"}\nchartRepositories: [{url: "oci://r.corp", bearerTokenFile: /t, basicAuth: {username: u, passwordFile: /p}}]',
        /chartRepositories\[0\]: expected exactly one of bearerTokenFile or basicAuth/,
      ],
    ])('%s', (_name, text, message) => {
      const error = errorOf(`${text}\n${base}`);
      expect(error).toMatch(message);
      expect(error).not.toContain('hunter2');
    });

    it('a YAML alias bomb: a config error naming the file, not a crash', () => {
      const bomb = [
        'a: &a [x,x,x,x,x,x,x,x,x]',
        'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
        'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
        'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      ].join('\n');
      expect(errorOf(bomb)).toMatch(/^leakguard\.yaml: invalid YAML: Excessive alias count/);
    });

    it.each([
      [
        'an alias to no anchor',
        'prometheus:\n  url: http://p:9090\n  headers: {X-Api-Key: *hunter2-t0ken}\n',
        /line 3, column 24: an alias names no anchor defined before it$/,
      ],
      [
        'an unknown tag',
        'prometheus:\n  url: !hunter2 http://p:9090\n',
        /line 2, column 8: a YAML tag leakguard does not read/,
      ],
      [
        'an unknown tag handle',
        'prometheus:\n  url: !hunter2!x http://p:9090\n',
        /line 2, column 8: a YAML tag leakguard does not read/,
      ],
      [
        'an unknown verbatim tag',
        'dryRun: !<tag:hunter2.example,2000:x> true\n',
        /line 1, column 9: a YAML tag leakguard does not read/,
      ],
    ])('%s: an error naming the place, never the name written there (a secret may be it)', (_name, text, message) => {
      const error = errorOf(text);
      expect(error).toMatch(/^leakguard\.yaml: invalid YAML at /);
      expect(error).toMatch(message);
      expect(error).not.toContain('hunter2');
    });

    it('a YAML syntax error gives line and column, never the lines themselves (a secret may sit next to it)', () => {
      const error = errorOf('prometheus:\n  headers: {X-Api-Key: s3cr3t-t0ken}\n  url: [http://p:9090\nprofiles: []\n');
      expect(error).toMatch(/^leakguard\.yaml: invalid YAML at line \d+, column \d+: /);
      expect(error).not.toContain('s3cr3t');
      expect(error.split('\n')).toHaveLength(1);
    });
  });

  it('says which file could not be read', async () => {
    await expect(loadConfig('/nonexistent/leakguard.yaml')).rejects.toThrow(
      /cannot read config file \/nonexistent\/leakguard.yaml \(ENOENT\)/,
    );
  });
});
