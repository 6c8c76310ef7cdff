/**
 * How every port answers — Cluster (src/kube), MetricsSource (src/prom), Forge (src/forge) and
 * Notifier (src/notify): as data, never by throwing for what the remote service said. A result is a
 * union discriminated on `outcome`: what happened (`answered`, `restarted`, `opened`, `sent`, …), or
 * `failed` with an error whose `code` comes from the shared transport codes (src/model/transport.ts)
 * extended by the adapter. The caller branches on `outcome`, then on `error.code`. Pure.
 */
import type { TransportErrorCode } from './transport.js';

/** What every adapter's error carries; each adapter adds its own fields (Kubernetes: reason, causes). */
export interface PortError<Code extends string = TransportErrorCode> {
  code: Code;
  /** Safe to show: no secrets (every adapter redacts before it builds one). */
  message: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Seconds to wait before trying again, when the service said. */
  retryAfterSeconds?: number;
}

/** The failure case of every port's result. */
export interface Failed<E extends PortError<string>> {
  outcome: 'failed';
  error: E;
}
