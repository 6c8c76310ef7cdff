/**
 * Storage of leakguard's bookkeeping (src/notify/ledger.ts) as an annotation on the run-lock Lease:
 * its own object in its own namespace. Written only while the lock is held, as an update of the Lease
 * (the verb the lock already needs); and in dry-run too, because it mutates nothing leakguard watches.
 */
import type { V1Lease } from '@kubernetes/client-node';
import type { KubeContext } from './context.js';
import type { LeaseRef, ReadLedgerResult, RunLock, WriteLedgerResult } from './types.js';

export const ledgerAnnotation = 'leakguard.io/ledger';

export async function readLedger(ctx: KubeContext, lease: LeaseRef): Promise<ReadLedgerResult> {
  const read = await ctx.call<V1Lease>(() => ctx.coordination.readNamespacedLease(lease));
  return read.ok
    ? { outcome: 'read', text: read.value.metadata?.annotations?.[ledgerAnnotation] ?? null }
    : { outcome: 'failed', error: read.error };
}

export async function writeLedger(ctx: KubeContext, lease: LeaseRef, text: string): Promise<WriteLedgerResult> {
  const current = await ctx.call<V1Lease>(() => ctx.coordination.readNamespacedLease(lease));
  if (!current.ok) return { outcome: 'failed', error: current.error };
  // Only the lock's holder writes: a run that outlived its lock must not overwrite the next run's ledger.
  const holder = current.value.spec?.holderIdentity;
  if (holder !== ctx.identity) {
    return {
      outcome: 'failed',
      error: { code: 'conflict', message: `the run lock is held by ${holder ?? 'nobody'} now, not by this run` },
    };
  }
  const body: V1Lease = {
    ...current.value,
    metadata: {
      ...current.value.metadata,
      annotations: { ...current.value.metadata?.annotations, [ledgerAnnotation]: text },
    },
  };
  const replaced = await ctx.call(() => ctx.coordination.replaceNamespacedLease({ ...lease, body }));
  return replaced.ok ? { outcome: 'written' } : { outcome: 'failed', error: replaced.error };
}

/** The ledger's text on the run-lock Lease through the RunLock port (src/notify/ledger.ts `ledgerStore` reads it). */
export function ledgerTextOn(lock: Pick<RunLock, 'readLedger' | 'writeLedger'>, lease: LeaseRef) {
  return {
    where: `${lease.namespace}/${lease.name}`,
    read: async (): Promise<{ text: string | null } | null> => {
      const read = await lock.readLedger(lease);
      return read.outcome === 'read' ? { text: read.text } : null;
    },
    write: async (text: string): Promise<boolean> => (await lock.writeLedger(lease, text)).outcome === 'written',
  };
}
