/**
 * leakguard's own bookkeeping between runs, kept as an annotation on the run-lock Lease (its own object
 * in its own namespace): what Slack was last told per workload, and consecutive metrics failures per
 * profile. Written only while the lock is held, as an update of the Lease (the verb the lock already
 * needs); and it is written in dry-run too, because it mutates nothing leakguard watches.
 */
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { z } from 'zod';
import type { ApiResult, Caller } from './call.js';

export const ledgerAnnotation = 'leakguard.io/ledger';

const notifiedSchema = z.object({
  incidentId: z.string().nullable(),
  phase: z.enum(['healthy', 'suspected', 'leaking', 'remediated', 'escalated', 'blocked', 'failed', 'resolved', 'metrics-unavailable']),
  severity: z.enum(['info', 'warning', 'critical']),
  action: z.string().nullable(),
  threadTs: z.string().nullable().default(null),
});

export const ledgerSchema = z.object({
  notified: z.record(z.string(), notifiedSchema).default({}),
  metricsFailures: z.record(z.string(), z.number().int().min(0)).default({}),
});
export type Ledger = z.infer<typeof ledgerSchema>;
export type NotifiedEntry = z.infer<typeof notifiedSchema>;

export const emptyLedger = (): Ledger => ({ notified: {}, metricsFailures: {} });

export interface LedgerStore {
  read(): Promise<Ledger>;
  write(ledger: Ledger): Promise<boolean>;
}

/** A damaged annotation is treated as empty (worst case: one repeated Slack message), never fatal. */
export function parseLedger(raw: string | undefined): Ledger {
  if (!raw) return emptyLedger();
  try {
    const parsed = ledgerSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : emptyLedger();
  } catch {
    return emptyLedger();
  }
}

export function createLeaseLedger(coordination: CoordinationV1Api, call: Caller, lease: { namespace: string; name: string }): LedgerStore {
  return {
    async read() {
      const result: ApiResult<V1Lease> = await call(() => coordination.readNamespacedLease(lease));
      return result.ok ? parseLedger(result.value.metadata?.annotations?.[ledgerAnnotation]) : emptyLedger();
    },
    async write(ledger) {
      const current: ApiResult<V1Lease> = await call(() => coordination.readNamespacedLease(lease));
      if (!current.ok) return false;
      const body: V1Lease = {
        ...current.value,
        metadata: { ...current.value.metadata, annotations: { ...current.value.metadata?.annotations, [ledgerAnnotation]: JSON.stringify(ledger) } },
      };
      const result = await call(() => coordination.replaceNamespacedLease({ ...lease, body }));
      return result.ok;
    },
  };
}
