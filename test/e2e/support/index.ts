/** Helpers for e2e tests against the local cluster (`npm run cluster:up`). */
export { loadE2eEnv, parseEnvFile, defaultEnvFile, defaultStateDir, repoRoot, type E2eEnv } from './env.js';
export { kubectl, kubectlJson, KubectlError, type KubectlOptions } from './kubectl.js';
export { fixturePath, fixturesDir, fixtureInNamespace } from './fixtures.js';
export { tokenFor, adminKubeConfig, kubeConfigForToken, type TokenOptions } from './auth.js';
export {
  promQuery,
  promQueryRange,
  scrapedSamples,
  type Sample,
  type InstantSeries,
  type RangeSeries,
} from './prom.js';
export { waitFor, type WaitOptions } from './wait.js';
export { runLeakguard, type CliRun } from './cli.js';
