/**
 * The catalogue in words, for people: the README table, `leakguard catalog` and `leakguard catalog
 * check IMAGE`. Pure; every sentence comes from the entries.
 */
import {
  assessImage,
  describeUpgradePath,
  describeWorkaround,
  sourceTitle,
  type Catalog,
  type KnownIssueMatch,
  type MatchContext,
} from './catalog.js';
import { describeCheck } from './condition.js';
import type { KnownIssue } from './schema.js';
import { ruleText } from './upgrade-rule.js';

/** `>=1.14.0 <1.15.9 (lower bound inferred)`. */
export function describeAffected(issue: KnownIssue): string {
  return `${issue.affected.join(', ')}${issue.lowerBoundInferred ? ' (lower bound inferred)' : ''}`;
}

export function describeRule(issue: KnownIssue): string {
  return issue.upgrade.caveat
    ? `${ruleText[issue.upgrade.rule]}; ${issue.upgrade.caveat}`
    : ruleText[issue.upgrade.rule];
}

function describeCondition(issue: KnownIssue): string {
  return issue.condition ? `only with ${issue.condition.text} (${describeCheck(issue.condition.check)})` : 'always';
}

/** `chart argo-cd; released together: quay.io/jetstack/cert-manager-controller, …`. */
export function describeRelease(issue: KnownIssue): string {
  const chart = issue.chart ? `chart ${issue.chart}` : 'no chart named';
  return issue.components.length > 0 ? `${chart}; images released together: ${issue.components.join(', ')}` : chart;
}

/** `` `longhorn` (longhorn-manager, longhorn-engine, …) ``: the chart, and the images by their last path segment. */
function describeChartCell(issue: KnownIssue): string {
  const chart = issue.chart ? `\`${issue.chart}\`` : '—';
  const names = issue.components.map((c) => c.split('/').pop());
  return names.length > 0 ? `${chart} (${names.join(', ')})` : chart;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The README's catalogue table (markdown), one row per entry. */
export function catalogMarkdown(entries: readonly KnownIssue[]): string {
  const header = [
    '| id | images | chart (images released together) | affected | fixed in | when | workaround | upgrade rule | restarts ' +
      '| sources (checked) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const rows = entries.map((issue) =>
    [
      `\`${issue.id}\``,
      issue.images.map((image) => `\`${image}\``).join(', ') +
        (issue.containers.length > 0 ? ` (container ${issue.containers.join(', ')})` : ''),
      describeChartCell(issue),
      describeAffected(issue),
      issue.fixed.join(', ') || 'not yet',
      describeCondition(issue),
      describeWorkaround(issue.workaround) ?? 'none documented',
      describeRule(issue),
      issue.restarts === 'allowed' ? 'allowed' : 'notify and PR only',
      `${issue.sources.map((source) => `[${sourceTitle(source)}](${source.url})`).join(', ')} (${issue.checked})`,
    ]
      .map(cell)
      .join(' | '),
  );
  return [...header, ...rows.map((row) => `| ${row} |`)].join('\n');
}

/** What leakguard would do about one match, rung by rung (the profile's ladder picks which rungs exist). */
export function describeRemedies(match: KnownIssueMatch): string[] {
  const { issue } = match;
  const workaround = describeWorkaround(issue.workaround);
  const image = issue.workaround?.image;
  // What leakguard does with a hotfix image depends on who owns the pod: say both cases.
  const how = image
    ? `; leakguard sets it in the pod template (never over a digest)${image.setIn ? `; on another operator's pods, set it in ${image.setIn}` : ''}`
    : '';
  return [
    issue.restarts === 'allowed'
      ? 'restart: as the profile allows'
      : 'restart: never automatically (the entry says notify and PR only)',
    `workaround: ${workaround ?? 'none documented'}${how}`,
    `release: ${describeRelease(issue)}`,
    `upgrade PR: ${describeUpgradePath(match)}${match.upgradeNotes.length > 0 ? `; read ${match.upgradeNotes.map((note) => note.url).join(', ')}` : ''}`,
  ];
}

export interface CheckReport {
  image: string;
  matches: { id: string; certainty: KnownIssueMatch['certainty']; explanation: string; remedies: string[] }[];
  notApplicable: { id: string; why: string }[];
}

/** `leakguard catalog check IMAGE`: which entries apply, what would be done, and why the others do not. */
export function checkImage(catalog: Catalog, image: string, context: MatchContext = {}): CheckReport {
  const { matches, misses } = assessImage(catalog, image, context);
  return {
    image,
    matches: matches.map((match) => ({
      id: match.issue.id,
      certainty: match.certainty,
      explanation: match.explanation,
      remedies: describeRemedies(match),
    })),
    notApplicable: misses.map((miss) => ({ id: miss.issue.id, why: miss.why })),
  };
}

export function renderCheck(report: CheckReport): string {
  if (report.matches.length === 0 && report.notApplicable.length === 0)
    return `${report.image}: no catalogue entry names this repository`;
  const lines = report.matches.flatMap((match) => [
    `${match.id} (${match.certainty}): ${match.explanation}`,
    ...match.remedies.map((remedy) => `  - ${remedy}`),
  ]);
  lines.push(...report.notApplicable.map((miss) => `${miss.id}: does not apply: ${miss.why}`));
  return lines.join('\n');
}
