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
  /** Keeps time waiting until `operation` settles; returns it. */
  track<T>(operation: Promise<T>): Promise<T>;
  /** Time waits while `count()` is above zero (and counts its changes as progress). */
  addPending(label: string, count: () => number): void;
}

/** What the backend reports as it happens. */
export interface BackendEvents {
  /**
   * A reading was accepted at wall time `acceptedMs`; `payload` is the package as published
   * and `digest` its payloadDigest (protocol/payload-digest.ts).
   */
  readingAccepted?(clientId: string, digest: Uint8Array, payload: Uint8Array, acceptedMs: number): void;
}
