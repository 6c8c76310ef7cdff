/**
 * What Slack was last told per workload, and consecutive metrics failures per profile: leakguard's
 * bookkeeping between runs. Its schema lives here; the run stores the text through the Cluster port (on the
 * run-lock Lease, see src/kube/ledger.ts). A damaged record reads as empty (worst case: one repeated
 * Slack message), never fatal.
 */
import { z } from 'zod';
import { INCIDENT_PHASES, SEVERITIES } from '../model/incident.js';

const notifiedSchema = z.object({
  incidentId: z.string().nullable(),
  phase: z.enum(INCIDENT_PHASES),
  severity: z.enum(SEVERITIES),
  action: z.string().nullable(),
  threadTs: z.string().nullable().default(null),
});

export const ledgerSchema = z.object({
  notified: z.record(z.string(), notifiedSchema).default({}),
  metricsFailures: z.record(z.string(), z.number().int().min(0)).default({}),
});
export type Ledger = z.infer<typeof ledgerSchema>;

export const emptyLedger = (): Ledger => ({ notified: {}, metricsFailures: {} });

export interface LedgerStore {
  read(): Promise<Ledger>;
  /** False when it could not be stored. */
  write(ledger: Ledger): Promise<boolean>;
}

export function parseLedger(raw: string | null | undefined): Ledger {
  if (!raw) return emptyLedger();
  try {
    const parsed = ledgerSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : emptyLedger();
  } catch {
    return emptyLedger();
  }
}
