import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { profileQuery, promGraphUrl, workloadHistoryQuery } from './queries.js';
import { formatMatchers, parseMatchers } from './matchers.js';

describe('parseMatchers', () => {
  it.each([
    ['', ''],
    ['cluster="prod-eu"', 'cluster="prod-eu"'],
    ['  cluster = "prod-eu" ,env!~"dev|test",  ', 'cluster="prod-eu", env!~"dev|test"'],
    ['a=~"x\\"y", b!="", _c="1"', 'a=~"x\\"y", b!="", _c="1"'],
  ])('%j → %j', (text, canonical) => {
    expect(formatMatchers(parseMatchers(text))).toBe(canonical);
  });

  it.each([
    ['cluster=prod-eu', 'expected a double-quoted value after cluster='],
    ["cluster='prod-eu'", 'expected a double-quoted value after cluster='],
    ['cluster', 'expected =, !=, =~ or !~ after cluster'],
    ['1cluster="a"', 'expected a label name at "1cluster=\\"a\\""'],
    ['cluster="a" env="b"', 'expected a comma after cluster="a"'],
    ['{cluster="a"}', 'expected a label name'],
    ['cluster="a', 'expected a double-quoted value after cluster='],
  ])('refuses %j: %s', (text, problem) => {
    expect(() => parseMatchers(text)).toThrow(problem);
  });
});

const config = (prometheus: string, profile = '') =>
  parseConfig(
    `prometheus: {url: "http://thanos-query:9090", ${prometheus}}\nprofiles:\n  - {name: rook, namespace: rook-ceph, selector: app=rook, container: operator${profile}}\n`,
  );

describe("prometheus.matchers: this cluster's slice of a central store", () => {
  it('narrows the built-in query and the graph link to the slice', () => {
    const { prometheus, profiles } = config('matchers: \'cluster="prod-eu",  env!="dev"\'');
    expect(prometheus.matchers).toBe('cluster="prod-eu", env!="dev"');
    const query = profileQuery(profiles[0]!, prometheus);
    expect(query).toBe(
      'max by (namespace, pod, container) (min_over_time(container_memory_working_set_bytes{namespace="rook-ceph", container="operator", cluster="prod-eu", env!="dev"}[300s]))',
    );
    expect(new URL(promGraphUrl(prometheus.url, query, 86_400)).searchParams.get('g0.expr')).toContain(
      'cluster="prod-eu", env!="dev"}',
    );
  });

  it('narrows the workload history query (the floor per 15 min and kube_pod_owner) to the slice and to the pods named', () => {
    const { prometheus, profiles } = config('matchers: \'cluster="prod-eu"\'');
    expect(workloadHistoryQuery(profiles[0]!, prometheus.matchers, 900, '(?:rook(?:-.+)?)')).toBe(
      '(max by (namespace, pod, container) (min_over_time(container_memory_working_set_bytes{namespace="rook-ceph", container="operator", pod=~"(?:rook(?:-.+)?)", cluster="prod-eu"}[900s])))' +
        ' or (max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner{namespace="rook-ceph", pod=~"(?:rook(?:-.+)?)", cluster="prod-eu"}))',
    );
  });

  it('leaves the built-in query as it was without matchers', () => {
    const { prometheus, profiles } = config('step: 1m');
    expect(prometheus.matchers).toBe('');
    expect(profileQuery(profiles[0]!, prometheus)).toBe(
      'max by (namespace, pod, container) (min_over_time(container_memory_working_set_bytes{namespace="rook-ceph", container="operator"}[60s]))',
    );
  });

  it('fills $matchers in a custom query (empty without matchers: PromQL takes the trailing comma)', () => {
    const custom = ', query: \'max by (namespace, pod, container) (my_rss{namespace="$namespace", $matchers})\'';
    expect(
      profileQuery(config('matchers: \'cluster="prod-eu"\'', custom).profiles[0]!, {
        step: 300,
        matchers: 'cluster="prod-eu"',
      }),
    ).toBe('max by (namespace, pod, container) (my_rss{namespace="rook-ceph", cluster="prod-eu"})');
    expect(profileQuery(config('step: 5m', custom).profiles[0]!, { step: 300, matchers: '' })).toBe(
      'max by (namespace, pod, container) (my_rss{namespace="rook-ceph", })',
    );
  });

  it('refuses a custom query without $matchers when matchers are set: it would see every cluster', () => {
    expect(() => config('matchers: \'cluster="prod-eu"\'', ', query: \'my_rss{namespace="$namespace"}\'')).toThrow(
      "profiles[0].query: prometheus.matchers is set: the query must place $matchers in its selector, or it would see other clusters' series",
    );
  });

  it('refuses matchers that are not PromQL, naming the problem', () => {
    expect(() => config('matchers: cluster=prod-eu')).toThrow(
      'prometheus.matchers: expected PromQL label matchers like cluster="prod-eu": expected a double-quoted value after cluster=',
    );
  });
});
