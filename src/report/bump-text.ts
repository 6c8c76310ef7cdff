/**
 * Why a GitOps file was not bumped, in the words of a refusal: the file bumpers (forge/bump) find the
 * places and hand over plain data (the reference as written, the files looked in, the versions); the
 * sentences are composed here. Pure.
 */

/** A tool that reads a values file, and how it treats a missing one. */
export type ValuesFileTool = 'helmfile' | 'argocd' | 'kustomize';

const MISSING_FILE: Record<ValuesFileTool, string> = {
  helmfile: 'helmfile fails on a missing values file unless missingFileHandler says otherwise',
  argocd: 'Argo CD fails on a missing values file unless helm.ignoreMissingValueFiles is set',
  kustomize: 'kustomize fails on a missing helmCharts values file',
};

/** Values a release reads from elsewhere that leakguard cannot follow (each sentence completes a place). */
export const valuesRefText = {
  outsideRepository: () =>
    'a values file outside the repository, which leakguard cannot read: it may pin the image tag',
  missingFile: (path: string, tool: ValuesFileTool) => `${path} does not exist (${MISSING_FILE[tool]})`,
  template: () =>
    'a values path written as a template, which leakguard cannot follow: the file it names may pin the image ' +
    'tag; pin the tag inline or in a file listed by its plain path, or bump it yourself',
  perEnvironment: (environments: readonly string[], holding: readonly string[], version: string) =>
    `a values file per environment (${environments.join(', ')}): ${holding.join(', ')} ${holding.length === 1 ? 'holds' : 'hold'} ${version}, ` +
    'and leakguard does not move every environment at once; bump it there yourself, or pin the tag where all share it',
  notYaml: (where: string, version: string) =>
    `${where} holds ${version} but is not plain YAML (a Go template?), which leakguard cannot edit`,
  definedTwice: (name: string, places: readonly string[]) =>
    `${name} is defined in ${places.length} places (${places.join(', ')}): leakguard cannot tell which one the release reads`,
  foundNowhere: (name: string, looked: readonly string[]) =>
    `${name} is in none of ${looked.join(', ')}: it may pin the image tag; point upgrade.file at the file that defines it`,
  /** An Argo CD `$ref/…` values file in a repository other than the one being changed. */
  otherRepository: (url: string) =>
    `a values file in another repository (${url}), which leakguard cannot read or change in this pull request: ` +
    'it may pin the image tag; move the tag into this repository, or bump it there yourself',
  /** An Argo CD `$ref/…` values file when the repository being changed is not known (a preview without --repo). */
  repositoryUnknown: (url: string) =>
    `a values file in ${url}, which may or may not be the repository being changed: name it (upgrade.repo, ` +
    'or --repo with upgrade preview) so leakguard can follow the file',
  /** A `ref:` source read at a tag or commit: a change on a branch is not what Argo CD reads. */
  pinnedRevision: (url: string, revision: string) =>
    `Argo CD reads this file from ${url} at ${revision}, a tag or commit rather than a branch, so changing it in a ` +
    'pull request changes nothing that runs: move that revision and the tag in the file yourself',
  noRefSource: (ref: string) => `no source of the Application has ref: ${ref}, so Argo CD cannot read this file either`,
  url: () => 'a values file fetched from a URL, which leakguard cannot change: it may pin the image tag',
  /** YAML held in a string written with escapes or folded lines: offsets into it do not map back to the file. */
  notInPlace: () =>
    'YAML held in a string written in a form leakguard cannot edit in place (escapes, folded lines); write it as a | block',
};

/** A place of the release that could move, in a refusal: where it would go, and why it did not. */
export const placeText = {
  heldBack: (to: string | undefined) => `${to ? `to ${to}, ` : ''}held back: the release moves whole or not at all`,
  otherChart: (chart: string, profileChart: string) => `chart ${chart}, not the profile's chart ${profileChart}`,
  addToAlsoBump: (other: string) => `${other}; add it to upgrade.alsoBump to move it too`,
  sharedAnchor: (chart: string) =>
    `a YAML anchor shares this value with chart ${chart}, which is not to move; give each its own value, or add ${chart} to upgrade.alsoBump`,
  amongComponents: (ignored: string, family: string) =>
    `${ignored}, yet it sits among the components that move (${family}.*) at the same version: moving them without it would leave a mixed-version install; move it in the same change yourself, or name its image with the known issue's components`,
  notEdited: () => 'not a field leakguard edits',
};

/** The first sentence of a refusal: what was not done. */
export const refusalLead = {
  severalCharts: (from: string, releases: readonly string[]) =>
    `several charts pin ${from} (${releases.join(', ')}); set upgrade.chart to the operator's chart, and upgrade.alsoBump to move others with it`,
  notBumped: (from: string, to: string) => `${from} not bumped to ${to}`,
  onlyOtherCharts: (from: string, chart: string) =>
    `${from} is pinned only by charts other than the profile's chart ${chart} (set upgrade.chart if one of them is the operator's)`,
  elsewhere: (from: string) => `${from} appears, but not where the operator's version is kept`,
  nowhere: (from: string) => `${from} is not pinned anywhere leakguard can see`,
};

/** A refusal: the file, what was not done, the documents read, and each place with why it did not move. */
export function bumpRefusal(primary: string, lead: string, documents: string, places: readonly string[]): string {
  return `${primary}: ${lead} (documents: ${documents}). ${places.join('; ')}`;
}

export function versionNotFound(primary: string, from: string, documents: string): string {
  return `${primary}: version ${from} not found (documents: ${documents})`;
}

export function vendoredReleaseText(
  file: string,
  documents: number,
  kinds: string,
  from: string,
  to: string,
  places: number,
  changed: number,
): string {
  return (
    `${file} is a whole vendored release (${documents} documents, with ${kinds}): ` +
    `${from} appears in ${places} places and leakguard would change ${changed}, leaving a half-upgraded install. Replace the file with the ${to} release manifest, or install the release with its chart so leakguard can bump one version`
  );
}

/** A version inside a Go template expression (`{{ … | default "v1.12.2" }}`). */
export function templatedVersionText(version: string): string {
  return `${version} is inside a Go template expression, which leakguard does not evaluate or edit: change it there yourself, or write the version as a plain value`;
}

/** What a refusal says it read in a file that is YAML only once a Go template renders it. */
export function goTemplateDocuments(): string {
  return 'none: a Go template, YAML only once rendered';
}

/** A Chart.yaml dependency that a Chart.lock beside it locks (with a digest only helm computes). */
export function chartLockText(chart: string, to: string): string {
  return (
    `Chart.lock locks ${chart} with a digest of Chart.yaml's dependencies, and a lock out of step makes ` +
    `\`helm dependency build\` fail: set ${chart} to ${to} in Chart.yaml and run \`helm dependency update\` yourself`
  );
}

/** A chart pin versioned apart from its app, and what its chart repository said (or could not say). */
export const chartReleaseText = {
  /** The repository could not answer: the pin, and the release to pick. */
  lookupFailed: (primary: string, place: string, chart: string, appTo: string, why: string) =>
    `${primary}: ${place} pins chart ${chart}, versioned apart from the app; ` +
    `the chart release that ships ${appTo} could not be looked up (${why}). ` +
    `Set it to the ${chart} release whose appVersion is ${appTo} yourself`,
  notOneVersion: (version: string) => `"${version}" is not one chart version`,
  notRead: () => 'chart repositories are not read here',
  helmRepositoryUnread: (name: string) =>
    `its HelmRepository/${name} is not in the files read; point upgrade.file at a file that holds both`,
  noNamedRepository: (prefix: string) => `no repository named "${prefix}" under repositories:`,
  notAUrl: (repo: string) => `its repository "${repo}" is not a URL leakguard can read`,
  notListed: (repo: string, chart: string, version: string) => `${repo} lists no ${chart} ${version}`,
  notRunning: (
    primary: string,
    place: string,
    chart: string,
    version: string,
    app: string | null,
    repo: string,
    appFrom: string,
  ) =>
    `${primary}: ${place} pins chart ${chart} ${version}, ` +
    `which ships app ${app ?? '(no appVersion)'} according to ${repo}, ` +
    `not the running ${appFrom}: ` +
    `the file does not describe what runs, so nothing is changed`,
  beyondRule: (primary: string, place: string, chart: string, appTo: string, candidate: string, pinned: string) =>
    `${primary}: ${place}: the first ${chart} release that ships ${appTo} ` +
    `is ${candidate}, ` +
    `more than one minor version of the chart above ${pinned}, ` +
    `and the catalogue's rule is one minor version at a time: plan the intermediate chart upgrades`,
  noneShips: (
    primary: string,
    place: string,
    chart: string,
    pinned: string,
    repo: string,
    appTo: string,
    checked: number,
  ) =>
    `${primary}: ${place}: no ${chart} release above ${pinned} in ${repo} ` +
    `ships app ${appTo} ` +
    `(checked ${checked} releases); pick the chart release for it yourself`,
};

const DIGEST_ADVICE =
  'it is digest-pinned, and the digest of the new version cannot be known offline; pin by tag alone so leakguard can bump it, or let Renovate (pinDigests) update tag and digest together';

/** Why one place in a file was not moved (an image, a pin, a reference), as a refusal or a note. */
export const siteText = {
  digestPinned: () => DIGEST_ADVICE,
  digestToo: (where: string) => `${where}: ${DIGEST_ADVICE}`,
  notOperators: (repository: string, image: string) => `${repository} is not the operator's image (${image})`,
  strayComponent: (repository: string, image: string, tag: string, from: string) =>
    `${repository} is released together with ${image} and is at ${tag}, not ${from}: ` +
    `moving only some components would leave a mixed-version install; bring them to one version first`,
  ociDigestOnly: () => 'the chart is pinned by digest only, which cannot be bumped offline; pin spec.ref.tag instead',
  ociSemver: (from: string, to: string) =>
    `a semver range cannot be bumped to one version; replace spec.ref.semver by spec.ref.tag (the version running now is ${from}) so leakguard can move it, or widen the range to take ${to} yourself`,
  otherSubstitution: (names: readonly string[]) =>
    `a substitution variable that does not name the operator's chart or image (${names.join(', ') || 'none given'})`,
  unrecognisedRemote: () =>
    "a remote resource pinned at this version that is not recognisably the operator's (no operator image in this kustomization)",
  generatorsOutside: (generators: readonly string[]) =>
    `the chart version is a parameter the generators read outside this file: ${generators.join('; ')}; ` +
    `leakguard cannot see or move it there: pin it in a list generator element (or the template), or bump it yourself`,
  /** `pin`: what to pin instead (`version: 1.14.9`, or the chart release that ships it). */
  versionRange: (pin: string, to: string) =>
    `a version range cannot be bumped to one version; pin one version (${pin}) so leakguard can move it, or widen the range to take ${to} yourself`,
  rangePinVersion: (field: string, from: string) => `${field}: ${from}`,
  rangePinChart: (chart: string, from: string) => `the ${chart} release that ships ${from}`,
  chartRefKind: (kind: string) =>
    `a chartRef to a ${kind || 'source without kind'} is not followed; point upgrade.file at the file that pins the chart's version`,
  chartRefNowhere: (name: string, looked: readonly string[]) =>
    `OCIRepository/${name} is in none of ${looked.join(', ')}; point upgrade.file at the file that defines it`,
  secretValues: (reader: string, to: string) =>
    `${reader} reads its values from a Secret, which leakguard never edits: set ${to} there yourself, ` +
    `or keep the image tag in the release's own values`,
};

export function tooManyFiles(primary: string, max: number): string {
  return `${primary}: following its chartRef and values references would read more than ${max} files`;
}

export function alreadyPinned(file: string, from: string, to: string): string {
  return `${file}: version ${from} is gone and ${to} is pinned already`;
}

/** Terraform is never edited: `lines` are the lines to change (`line 5: version = "v1.12.2" (resource …)`). */
export function terraformText(primary: string, lines: readonly string[], from: string): string {
  const where = lines.length > 0 ? lines.join('; ') : `no helm_release \`version = "…"\` line, and ${from} nowhere`;
  return (
    `${primary} is Terraform (HCL), which leakguard does not edit: ${where}. ` +
    'Change the version there yourself, or point upgrade.file at a YAML file (HelmRelease, Application, kustomization, values)'
  );
}

/** A file that cannot be read or edited as written. */
export const fileText = {
  missing: (file: string) => `${file} does not exist`,
  empty: (file: string) => `${file} holds no YAML document`,
  invalidYaml: (what: string, line: number, column: number, message: string) =>
    `${what} is not valid YAML at line ${line}, column ${column}: ${message}`,
  noPosition: () => 'value has no source position',
  notInPlace: (literal: string) => `value "${literal}" is written in a form leakguard cannot edit in place`,
  overlapping: () => 'overlapping edits',
  foldedValues: () => 'embedded values must be a literal block scalar (`|`) to be edited in place',
  indentationIndicator: () => 'block scalars with an explicit indentation indicator are not edited',
  unmapped: () => 'cannot map embedded values to the file',
};
