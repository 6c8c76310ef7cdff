/**
 * What went wrong asking a chart repository (HTTP index.yaml or OCI registry), in the words an upgrade
 * refusal quotes. Pure: the adapter (forge/chart-repository.ts) passes the URL, already stripped of
 * credentials, and the facts; a message never carries a secret because none is handed in.
 */

const MIB = 1024 * 1024;
const limitText = (bytes: number) => (bytes >= MIB ? `${Math.round(bytes / MIB)} MiB` : `${bytes} bytes`);

export const chartRepositoryText = {
  notJson: (url: string) => `${url}: the answer is not JSON`,
  noAnswerWithin: (seconds: number) => `no answer within ${seconds}s`,
  unreachable: (url: string, reason: string) => `${url}: ${reason}`,
  tooLarge: (url: string, maxBytes: number) => `${url}: the answer is larger than ${limitText(maxBytes)}`,
  /** 401/403: `configured` is the chartRepositories URL whose credentials were sent, null when none were. */
  unauthorized: (url: string, status: number, configured: string | null) =>
    `${url}: HTTP ${status}: ${
      configured
        ? `the credentials configured for ${configured} (chartRepositories) were refused`
        : 'the repository wants credentials: add it to chartRepositories'
    }`,
  status: (url: string, status: number) => `${url}: HTTP ${status}`,
  notYaml: (url: string, problem: string) => `${url} is not YAML: ${problem}`,
  notAnIndex: (url: string) => `${url} is not a Helm repository index (no entries)`,
  plainHttpTokenService: (url: string, tokenUrl: string, configured: string) =>
    `${url}: the registry's token service ${tokenUrl} is plain http: ` +
    `the credentials configured for ${configured} are not sent there`,
  tokenRefused: (tokenUrl: string, status: number, configured: string) =>
    `${tokenUrl}: HTTP ${status}: ` +
    `the registry's token service refused the credentials configured for ${configured} (chartRepositories)`,
  notATagList: (url: string) => `${url}: not a tag list`,
  notAChart: (url: string, mediaType: string) => `${url} is not a Helm chart (config ${mediaType})`,
  notAChartYaml: (url: string) => `${url}: not a Chart.yaml`,
  noChart: (repo: string, chart: string) => `${repo}/index.yaml lists no chart ${chart}`,
  noVersion: (repo: string, chart: string, version: string) => `${repo}/index.yaml lists no ${chart} ${version}`,
  /** What a secret file holds, for the error that names it. */
  passwordFile: (url: string) => `chart repository ${url} password`,
  tokenFile: (url: string) => `chart repository ${url} token`,
};
