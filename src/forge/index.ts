export * from './types.js';
export { createGitHubForge, GitHubForge } from './github.js';
export { GitHubConfigError, type GitHubAuthConfig, type GitHubClientOptions } from './github-client.js';
export { bumpFile, pinsVersion, BumpError, detectKind } from './bump/index.js';
export type { BumpResult, BumpRequest, BumpChange, ManifestKind } from './bump/index.js';
export * from './pr-body.js';
