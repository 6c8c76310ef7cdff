/**
 * A plain version field — chart version, `targetRevision`, `newTag`, an OCI tag — as a site: moved
 * when it pins the running version (or the chart release being left), refused when it is a range.
 */
import { siteText } from '../../report/bump-text.js';
import { addEdit, addRefusal, scalarOf, type Ctx } from './site.js';
import { inStyleOf, isVersionRange, lastSegment, sameVersion, stripV } from './version.js';

/** The chart version move for `chart` as this pass sees it: `from → to` moving, `to → to` checking the target. */
function chartMove(ctx: Ctx, chart: string | undefined): { from: string; to: string } | null {
  if (!chart) return null;
  const move = ctx.req.chartMoves?.find((m) => m.chart.toLowerCase() === lastSegment(chart).toLowerCase());
  if (!move) return null;
  if (ctx.version === ctx.to) return { from: move.to, to: move.to };
  return move.from === move.to ? null : move;
}

/** The leading number of a version or range (`>=7.7.0` → 7, `v1.14.x` → 1), or null. */
const majorOf = (text: string): number | null => {
  const m = /\d+/.exec(text);
  return m ? Number(m[0]) : null;
};

/** A plain version field (chart version, targetRevision, newTag, OCI tag); a range there is refused. */
export function versionField(ctx: Ctx, node: unknown, path: string[], dependency?: string, chart = dependency): void {
  const scalar = scalarOf(ctx, node);
  if (!scalar) return;
  const move = chartMove(ctx, chart);
  if (move && sameVersion(scalar.value, move.from)) {
    const to = inStyleOf(scalar.value, move.to);
    addEdit(ctx, scalar, path, scalar.value, to, { from: scalar.value, to, ...(dependency ? { dependency } : {}) });
  } else if (sameVersion(scalar.value, ctx.version)) {
    const to = inStyleOf(scalar.value, ctx.to);
    addEdit(ctx, scalar, path, scalar.value, to, { from: scalar.value, to, ...(dependency ? { dependency } : {}) });
  } else if (isVersionRange(scalar.value)) {
    const field = path[path.length - 1] ?? 'version';
    // A chart versioned apart from its app (argo-cd 7.7.* ships Argo CD 2.13): the pin is the chart release, not the app version.
    const apart = chart && majorOf(scalar.value) !== null && majorOf(scalar.value) !== majorOf(ctx.req.fromVersion);
    const from = stripV(ctx.req.fromVersion);
    const pin = apart ? siteText.rangePinChart(lastSegment(chart), from) : siteText.rangePinVersion(field, from);
    addRefusal(ctx, scalar, path, siteText.versionRange(pin, stripV(ctx.req.toVersion)));
  }
}
