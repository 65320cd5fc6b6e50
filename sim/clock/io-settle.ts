import type { Logger } from '../../core/ports.ts';

/**
 * Tells the discrete clock when the real I/O started by a slice of simulated time has settled:
 * no connect, subscribe, publish or registration awaiting its answer, and every publish sent
 * has reached the broker's hooks (PUBACK can overtake the broker's own `publish` event).
 */
export class IoSettle {
  private inFlight = 0;
  private sent = 0;
  private arrived = 0;
  private readonly idleChecks: Array<{ name: string; isIdle: () => boolean }> = [];
  private giveUps = 0;
  private giveUpListener: ((what: string, count: number) => void) | undefined;

  constructor(private readonly options: { maxWaitMs: number; wallNowMs: () => number }) {}

  get maxWaitMs(): number {
    return this.options.maxWaitMs;
  }

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

  /** Adds a condition that must hold too (e.g. the ingest has no message in flight); `name` says what is still busy when it does not. */
  addIdleCheck(name: string, isIdle: () => boolean): void {
    this.idleChecks.push({ name, isIdle });
  }

  /** Called each time a wait gives up, with what was still unsettled and how many waits gave up so far. */
  onGiveUp(listener: (what: string, count: number) => void): void {
    this.giveUpListener = listener;
  }

  isSettled(): boolean {
    return this.inFlight === 0 && this.arrived >= this.sent && this.idleChecks.every((check) => check.isIdle());
  }

  /** What keeps the I/O from settling, e.g. "1 operation awaiting its answer, readings still in the ingest". */
  private unsettled(): string {
    const parts: string[] = [];
    if (this.inFlight > 0) parts.push(`${this.inFlight} operation${this.inFlight === 1 ? '' : 's'} awaiting ${this.inFlight === 1 ? 'its answer' : 'their answers'}`);
    const missing = this.sent - this.arrived;
    if (missing > 0) parts.push(`${missing} publish${missing === 1 ? '' : 'es'} not at the broker`);
    for (const check of this.idleChecks) if (!check.isIdle()) parts.push(check.name);
    return parts.join(', ');
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
        this.giveUps += 1;
        this.giveUpListener?.(this.unsettled(), this.giveUps);
        // Lost publishes would otherwise make every later slice wait the full time.
        this.arrived = Math.max(this.arrived, this.sent);
        return;
      }
      await new Promise<void>((resolve) => (spins < 64 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }
}

/**
 * Reports waits that gave up: each cost the run `maxWaitMs` of wall time. Some are expected
 * (10,000 trackers connecting at once gave up 5–10 slices), so the first ones are debug lines;
 * from the 20th on a warning, repeated every 100th, says what is stuck.
 */
export function warnOfGiveUps(io: IoSettle, logger: Logger, where: string): void {
  io.onGiveUp((what, count) => {
    const line = `accelerated time: ${where} did not settle within ${io.maxWaitMs} ms (${what}); the clock went on (${count} slice${count === 1 ? '' : 's'} so far)`;
    if (count < WARN_FROM_GIVE_UP) logger.debug(line);
    else if (count === WARN_FROM_GIVE_UP || count % 100 === 0) logger.warn(line);
  });
}

const WARN_FROM_GIVE_UP = 20;
