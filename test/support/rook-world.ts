/** The run-level tests' Rook operator world: the demo's (src/demo/rook-world.ts) over the test cluster and its faults. */
import { RookWorld as DemoRookWorld } from '../../src/demo/rook-world.js';
import { TestCluster } from './test-cluster.js';

export { HOUR, MiB, ROOK, rookConfig, start } from '../../src/demo/rook-world.js';

export class RookWorld extends DemoRookWorld<TestCluster> {
  constructor(config: string, growth?: (version: string, env: Record<string, string>) => number) {
    super(config, growth, (targets) => new TestCluster(targets));
  }
}
