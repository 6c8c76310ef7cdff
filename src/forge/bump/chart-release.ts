/**
 * Which chart release ships an app version: the chart repository's own answer (index.yaml
 * `appVersion`, or the OCI chart's Chart.yaml), never a guess. The nearest chart release above the
 * pinned one that ships exactly the target app version is taken; the catalogue's upgrade rule
 * applies to the chart's own versions too (one minor at a time stays one minor at a time).
 */
import type { UpgradeRule } from '../../catalog/schema.js';
import { compareVersions, parseVersion, type Version } from '../../catalog/version.js';
import type { ChartSource } from '../chart-repository.js';
import type { ChartPin } from './chart-pins.js';
import { chartReleaseText } from '../../report/bump-text.js';
import { BumpError, type ChartMove } from './types.js';
import { describePlace } from './plan.js';
import { sameVersion, stripV } from './version.js';

/** Chart releases whose app version is read at most per pin (each is two requests on an OCI registry). */
const MAX_LOOKUPS = 40;

export interface ChartQuestion {
  pin: ChartPin;
  appFrom: string;
  appTo: string;
  rule?: UpgradeRule | undefined;
  /** The profile's file, for naming places. */
  primary: string;
}

function placeOf(q: ChartQuestion): string {
  return `${describePlace(q.pin, q.primary)} "${q.pin.version}"`;
}

/** The refusal when the repository cannot answer: names the pin and the release to pick. */
export function chartLookupRefused(q: ChartQuestion, why: string): BumpError {
  const text = chartReleaseText.lookupFailed(q.primary, placeOf(q), q.pin.chart, stripV(q.appTo), why);
  return new BumpError('not-bumped', text);
}

function withinRule(rule: UpgradeRule | undefined, from: Version, to: Version): boolean {
  if (rule !== 'one-minor-at-a-time') return true;
  return to.major === from.major && to.minor <= from.minor + 1;
}

/** The chart version move for one pin, or a BumpError naming the pin and what to do. */
export async function chartMoveFor(source: ChartSource, q: ChartQuestion): Promise<ChartMove> {
  const { pin } = q;
  if (pin.repo === null) throw chartLookupRefused(q, pin.missing ?? 'the file names no chart repository');
  const pinned = parseVersion(pin.version);
  if (!pinned) throw chartLookupRefused(q, chartReleaseText.notOneVersion(pin.version));
  try {
    const listed = (await source.versions(pin.repo, pin.chart)).map((text) => ({ text, version: parseVersion(text) }));
    const pinnedText = listed.find((c) => c.version !== null && compareVersions(c.version, pinned) === 0)?.text;
    if (pinnedText === undefined)
      throw chartLookupRefused(q, chartReleaseText.notListed(pin.repo, pin.chart, pin.version));
    const pinnedApp = await source.appVersion(pin.repo, pin.chart, pinnedText);
    if (pinnedApp !== null && sameVersion(pinnedApp, q.appTo))
      return { chart: pin.chart, from: pin.version, to: pin.version };
    if (pinnedApp === null || !sameVersion(pinnedApp, q.appFrom)) {
      const from = stripV(q.appFrom);
      const text = chartReleaseText.notRunning(
        q.primary,
        placeOf(q),
        pin.chart,
        pin.version,
        pinnedApp,
        pin.repo,
        from,
      );
      throw new BumpError('not-bumped', text);
    }
    const candidates = listed
      .filter(
        (c): c is { text: string; version: Version } =>
          c.version !== null && c.version.prerelease === null && compareVersions(c.version, pinned) > 0,
      )
      .sort((a, b) => compareVersions(a.version, b.version));
    const target = parseVersion(q.appTo);
    for (const candidate of candidates.slice(0, MAX_LOOKUPS)) {
      const app = await source.appVersion(pin.repo, pin.chart, candidate.text);
      const appVersion = app === null ? null : parseVersion(app);
      if (app !== null && sameVersion(app, q.appTo)) {
        if (!withinRule(q.rule, pinned, candidate.version)) {
          const to = stripV(q.appTo);
          const text = chartReleaseText.beyondRule(q.primary, placeOf(q), pin.chart, to, candidate.text, pin.version);
          throw new BumpError('not-bumped', text);
        }
        return {
          chart: pin.chart,
          from: pin.version,
          to: pin.version.startsWith('v') ? `v${stripV(candidate.text)}` : stripV(candidate.text),
        };
      }
      if (appVersion && target && compareVersions(appVersion, target) > 0) break;
    }
    const checked = Math.min(candidates.length, MAX_LOOKUPS);
    const text = chartReleaseText.noneShips(
      q.primary,
      placeOf(q),
      pin.chart,
      pin.version,
      pin.repo,
      stripV(q.appTo),
      checked,
    );
    throw new BumpError('not-bumped', text);
  } catch (error) {
    if (error instanceof BumpError) throw error;
    throw chartLookupRefused(q, (error as Error).message);
  }
}
