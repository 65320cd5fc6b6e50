import type { SettledBatch } from '../core/settled-batch.ts';

/**
 * What the backend needs from whoever runs it, and what it tells them. The backend never
 * imports the bench: the bench passes these in (sim/run/run-scenario.ts).
 */

/**
 * The I/O bookkeeping of a discrete clock (the bench's IoSettle): simulated time may not run
 * ahead of a publish still on its way or an exchange still under way.
 */
export interface BackendIo {
  /** A publish reached the broker. */
  publishArrived(): void;
  /** Keeps time waiting until `operation` settles; returns it. `chain`: it waits for the chain, which may take longer than other I/O (IoSettle.track). */
  track<T>(operation: Promise<T>, options?: { chain?: boolean }): Promise<T>;
  /** Time waits while `count()` is above zero (and counts its changes as progress). */
  addPending(label: string, count: () => number): void;
}

/** What the backend reports as it happens; the bench builds its report from these. */
export interface BackendEvents {
  /**
   * A reading was accepted at wall time `acceptedMs`; `payload` is the package as published
   * and `digest` its payloadDigest (protocol/payload-digest.ts).
   */
  readingAccepted?(clientId: string, digest: Uint8Array, payload: Uint8Array, acceptedMs: number): void;
  /** An epoch was closed and summarized; its batches are proof jobs by now. */
  epochClosed?(stat: EpochStat): void;
  /** A batch was proven and its settlement mined. */
  batchSettled?(batch: SettledBatch): void;
  /** A batch failed to prove or settle; `message` names the epoch and batch (kept in run.db, resumable). */
  batchFailed?(message: string): void;
}

/** An epoch as closed: devices with work, readings, devices flagged. */
export interface EpochStat {
  epoch: number;
  devices: number;
  readings: number;
  flagged: number;
}

export type { SettledBatch };
