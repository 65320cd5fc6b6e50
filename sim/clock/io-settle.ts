/**
 * Tells the discrete clock when the real I/O started by a slice of simulated time has settled:
 * no connect, subscribe, publish or registration awaiting its answer, and every publish sent
 * has reached the broker's hooks (PUBACK can overtake the broker's own `publish` event).
 */
export class IoSettle {
  private inFlight = 0;
  private sent = 0;
  private arrived = 0;
  private readonly idleChecks: Array<() => boolean> = [];

  constructor(private readonly options: { maxWaitMs: number; wallNowMs: () => number }) {}

  track<T>(operation: Promise<T>): Promise<T> {
    this.inFlight += 1;
    return operation.finally(() => {
      this.inFlight -= 1;
    });
  }

  publishSent(): void {
    this.sent += 1;
  }

  /** Sets the publishes sent so far when another process sent them (the fleet process reports a total). */
  publishesSentTotal(total: number): void {
    this.sent = Math.max(this.sent, total);
  }

  publishArrived(): void {
    this.arrived += 1;
  }

  /** Adds a condition that must hold too (e.g. the ingest has no message in flight). */
  addIdleCheck(check: () => boolean): void {
    this.idleChecks.push(check);
  }

  isSettled(): boolean {
    return this.inFlight === 0 && this.arrived >= this.sent && this.idleChecks.every((check) => check());
  }

  /**
   * Resolves once settled, or after `maxWaitMs` of wall time (a publish lost with its
   * connection never arrives; the run must go on and the loss is accounted for elsewhere).
   */
  async settled(): Promise<void> {
    // Operations a slice starts in promise callbacks (a tracker registers in a `.then`) are not
    // tracked yet when the slice ends: let them start first, or whether they count for this
    // slice would depend on wall-clock timing.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const deadline = this.options.wallNowMs() + this.options.maxWaitMs;
    for (let spins = 0; !this.isSettled(); spins++) {
      if (this.options.wallNowMs() > deadline) {
        // Lost publishes would otherwise make every later slice wait the full time.
        this.arrived = Math.max(this.arrived, this.sent);
        return;
      }
      await new Promise<void>((resolve) => (spins < 64 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }
}
