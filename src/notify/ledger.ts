/**
 * What Slack was last told per workload, and consecutive metrics failures per profile: leakguard's
 * bookkeeping between runs. Its schema lives here; the run stores the text through the Cluster port (on
 * the run-lock Lease, see src/kube/ledger.ts `ledgerTextOn`, and `ledgerStore` below).
 *
 * What is read is checked entry by entry and never trusted: a record that does not parse is dropped
 * with a warning (worst case: one repeated Slack message), and a `threadTs` that is not shaped like
 * Slack's message timestamp is dropped, so a hand-edited Lease cannot steer replies into another thread.
 * What is written is bounded (see `compactLedger`): the annotation shares the Lease's 256 KiB limit.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { INCIDENT_PHASES, SEVERITIES, type IncidentPhase } from '../model/incident.js';

/** Slack's message timestamp: seconds, a dot, microseconds ("1700000000.000100"). */
export const slackTsPattern = /^\d{10}\.\d{6}$/;

/** A workload key (`Kind/namespace/name`, src/model/workload.ts) with Kubernetes' name characters. */
const workloadKeyPattern = /^[A-Za-z]{1,63}\/[a-z0-9.-]{1,253}\/[a-z0-9.-]{1,253}$/;

const notifiedSchema = z.object({
  incidentId: z.string().max(256).nullable(),
  phase: z.enum(INCIDENT_PHASES),
  severity: z.enum(SEVERITIES),
  action: z.string().max(256).nullable(),
  threadTs: z.string().regex(slackTsPattern).nullable().default(null),
  /** When Slack was last told (unix seconds); absent in records written before it was kept. */
  at: z.number().int().min(0).optional(),
});

export const ledgerSchema = z.object({
  notified: z.record(z.string().regex(workloadKeyPattern), notifiedSchema).default({}),
  metricsFailures: z.record(z.string().max(253), z.number().int().min(0)).default({}),
});
export type Ledger = z.infer<typeof ledgerSchema>;
type NotifiedEntry = z.infer<typeof notifiedSchema>;

export const emptyLedger = (): Ledger => ({ notified: {}, metricsFailures: {} });

/** The ledger's size limit as stored: half the 256 KiB all of the Lease's annotations share. */
export const ledgerBudgetBytes = 128 * 1024;
/** A closed incident's record is kept this long after its last message (a reopened incident replies in its thread). */
export const closedRetentionSeconds = 14 * 86_400;

const CLOSED: ReadonlySet<IncidentPhase> = new Set(['healthy', 'resolved']);

export interface LedgerStore {
  read(): Promise<Ledger>;
  /** Compacts (see `compactLedger`) and stores; false when it could not be stored. */
  write(ledger: Ledger, nowSeconds: number): Promise<boolean>;
}

/** Why an entry of the stored text was not taken, quoted in a warning (keys cut short, JSON-quoted). */
export interface LedgerProblem {
  where: string;
  problem: string;
}

const quoted = (key: string) => JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);

/** Pure: the stored text, checked entry by entry; what was dropped and why. */
export function checkLedger(raw: string | null | undefined): { ledger: Ledger; problems: LedgerProblem[] } {
  const ledger = emptyLedger();
  if (!raw) return { ledger, problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ledger, problems: [{ where: 'ledger', problem: 'not JSON; starting empty' }] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ledger, problems: [{ where: 'ledger', problem: 'not an object; starting empty' }] };
  const problems: LedgerProblem[] = [];
  const { notified, metricsFailures } = json as Record<string, unknown>;
  for (const [key, value] of entriesOf(notified, 'notified', problems)) {
    const where = `notified[${quoted(key)}]`;
    if (!workloadKeyPattern.test(key)) {
      problems.push({ where, problem: 'not a workload key; dropped' });
      continue;
    }
    const ts = (value as { threadTs?: unknown } | null)?.threadTs;
    const badTs = ts !== undefined && ts !== null && !(typeof ts === 'string' && slackTsPattern.test(ts));
    if (badTs)
      problems.push({
        where,
        problem: 'threadTs is not a Slack message timestamp; dropped (the next message starts a new thread)',
      });
    const entry = notifiedSchema.safeParse(badTs ? { ...(value as object), threadTs: null } : value);
    if (entry.success) ledger.notified[key] = entry.data;
    else problems.push({ where, problem: `invalid (${entry.error.issues[0]?.path.join('.') || 'record'}); dropped` });
  }
  for (const [profile, value] of entriesOf(metricsFailures, 'metricsFailures', problems)) {
    const count = z.number().int().min(0).safeParse(value);
    if (count.success && profile.length <= 253) ledger.metricsFailures[profile] = count.data;
    else problems.push({ where: `metricsFailures[${quoted(profile)}]`, problem: 'not a count; dropped' });
  }
  return { ledger, problems };
}

function entriesOf(value: unknown, where: string, problems: LedgerProblem[]): [string, unknown][] {
  if (value === undefined) return [];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.entries(value);
  problems.push({ where, problem: 'not an object; dropped' });
  return [];
}

export function parseLedger(raw: string | null | undefined): Ledger {
  return checkLedger(raw).ledger;
}

/** A record dropped to keep the ledger small, for the log line that says so. */
export interface DroppedRecord {
  workload: string;
  phase: IncidentPhase;
  /** When Slack was last told about it (unix seconds), null when not recorded. */
  at: number | null;
  why: 'closed long ago' | 'over the size budget';
}

/**
 * Pure: the ledger as stored, bounded. A closed incident (healthy, resolved) is forgotten
 * `closedRetentionSeconds` after its last message. Then, while the text is over `budgetBytes`, records
 * are dropped oldest first — every closed one before any open one (an open incident forgotten gets a
 * new thread for its next message, nothing worse).
 */
export function compactLedger(
  ledger: Ledger,
  nowSeconds: number,
  budgetBytes = ledgerBudgetBytes,
): { ledger: Ledger; dropped: DroppedRecord[] } {
  const dropped: DroppedRecord[] = [];
  const kept = Object.entries(ledger.notified).filter(([workload, entry]) => {
    const old = CLOSED.has(entry.phase) && nowSeconds - (entry.at ?? 0) > closedRetentionSeconds;
    if (old) dropped.push({ workload, phase: entry.phase, at: entry.at ?? null, why: 'closed long ago' });
    return !old;
  });
  const sizeOf = (entries: readonly [string, NotifiedEntry][]) =>
    Buffer.byteLength(JSON.stringify({ ...ledger, notified: Object.fromEntries(entries) }));
  let size = sizeOf(kept);
  if (size > budgetBytes) {
    const order = kept
      .map(([workload, entry], index) => ({ workload, entry, index }))
      .sort(
        (a, b) =>
          Number(CLOSED.has(b.entry.phase)) - Number(CLOSED.has(a.entry.phase)) ||
          (a.entry.at ?? 0) - (b.entry.at ?? 0) ||
          a.index - b.index,
      );
    const drop = new Set<string>();
    for (const { workload, entry } of order) {
      if (size <= budgetBytes) break;
      drop.add(workload);
      // The record's own text and its separating comma.
      size -= Buffer.byteLength(`${JSON.stringify(workload)}:${JSON.stringify(entry)},`);
      dropped.push({ workload, phase: entry.phase, at: entry.at ?? null, why: 'over the size budget' });
    }
    return { ledger: { ...ledger, notified: Object.fromEntries(kept.filter(([w]) => !drop.has(w))) }, dropped };
  }
  return { ledger: { ...ledger, notified: Object.fromEntries(kept) }, dropped };
}

/** The log line saying what `compactLedger` dropped (at most 20 names per reason, then how many more). */
export function describeDropped(dropped: readonly DroppedRecord[]): string {
  const names = (why: DroppedRecord['why']) => {
    const list = dropped.filter((d) => d.why === why).map((d) => `${d.workload} (${d.phase})`);
    return {
      count: list.length,
      text: `${list.slice(0, 20).join(', ')}${list.length > 20 ? `, and ${list.length - 20} more` : ''}`,
    };
  };
  const [old, over] = [names('closed long ago'), names('over the size budget')];
  const parts = [
    ...(old.count > 0
      ? [`${old.count} closed more than ${closedRetentionSeconds / 86_400} days ago: ${old.text}`]
      : []),
    ...(over.count > 0 ? [`${over.count} oldest over the ${ledgerBudgetBytes / 1024} KiB budget: ${over.text}`] : []),
  ];
  return `ledger: forgot what Slack was told about ${parts.join('; ')}`;
}

/** Where the ledger's text is kept (the run-lock Lease): `read` is null when it cannot be read. */
export interface LedgerText {
  /** Named in warnings, e.g. `leakguard/leakguard`. */
  where: string;
  read(): Promise<{ text: string | null } | null>;
  write(text: string): Promise<boolean>;
}

/** The ledger over its stored text: what is read is checked (warnings name what was dropped), what is written compacted. */
export function ledgerStore(stored: LedgerText, logger: Logger): LedgerStore {
  return {
    async read() {
      const read = await stored.read();
      if (read === null) return emptyLedger();
      const { ledger, problems } = checkLedger(read.text);
      for (const { where, problem } of problems)
        logger.warn({ lease: stored.where, where }, `ledger on the Lease: ${where} ${problem}`);
      return ledger;
    },
    async write(ledger, nowSeconds) {
      const { ledger: kept, dropped } = compactLedger(ledger, nowSeconds);
      if (dropped.length > 0) {
        const overBudget = dropped.some((d) => d.why === 'over the size budget');
        (overBudget ? logger.warn.bind(logger) : logger.info.bind(logger))({ dropped }, describeDropped(dropped));
      }
      return stored.write(JSON.stringify(kept));
    },
  };
}
