import type { Logger } from '../../core/ports.ts';

export interface IoSettleOptions {
  /**
   * A wait gives up after this long without progress (no operation answered, no publish
   * arrived, no pending count changed): a publish lost with its connection never arrives.
   */
  stallMs: number;
  /** …and after this long in all, however busy: a last guard against I/O that never ends. */
  maxWaitMs: number;
  wallNowMs: () => number;
}

/**
 * The waits of the embedded fleet and the fleet process. A connect storm of 10,000 trackers
 * takes tens of seconds on 2 cores, and it must all happen within the first slice: a clock that
 * went on while devices were still connecting would start their uploads late, by how long the
 * storm took on this machine that day, and the run would lose readings and differ from the one
 * before (it did: day-1k published 2,879,649 to 2,879,900 of its 2,880,000 readings).
 */
export const SLICE_IO_WAIT = { stallMs: 2000, maxWaitMs: 300_000 } as const;

/**
 * Tells the discrete clock when the real I/O started by a slice of simulated time has settled:
 * no connect, subscribe, publish or registration awaiting its answer, and every publish sent
 * has reached the broker's hooks (PUBACK can overtake the broker's own `publish` event).
 */
export class IoSettle {
  private inFlight = 0;
  /** Of those, operations that wait for the chain (see `track`'s `chain`). */
  private chainInFlight = 0;
  private sent = 0;
  private arrived = 0;
  /** Counts every answered operation and arrived publish: a wait that sees it move goes on. */
  private progress = 0;
  private readonly pendingCounts: Array<{ name: string; count: () => number }> = [];
  private giveUps = 0;
  private giveUpListener: ((what: string, count: number) => void) | undefined;

  constructor(private readonly options: IoSettleOptions) {}

  /**
   * Time waits until `operation` settles. With `chain`, the operation waits for the chain (a
   * device's registration): while one is in flight a wait does not give up for want of progress,
   * only after `maxWaitMs`. A chain answers late but does answer (the transaction sender has
   * its own limits): a real node takes a block time or more, a flaky endpoint a timeout and a
   * retry, both longer than `stallMs`; a clock that went on would run the epochs past devices
   * not yet registered, and they would lose their readings.
   */
  track<T>(operation: Promise<T>, options: { chain?: boolean } = {}): Promise<T> {
    const chain = options.chain === true;
    this.inFlight += 1;
    if (chain) this.chainInFlight += 1;
    return operation.finally(() => {
      this.inFlight -= 1;
      if (chain) this.chainInFlight -= 1;
      this.progress += 1;
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
    this.progress += 1;
  }

  /**
   * Adds work that must be done too (e.g. readings still in the ingest), as a count that is 0
   * when it is; a change of the count is progress. `name` says what is busy when it is not 0.
   */
  addPending(name: string, count: () => number): void {
    this.pendingCounts.push({ name, count });
  }

  /** Called each time a wait gives up, with what was still unsettled and how many waits gave up so far. */
  onGiveUp(listener: (what: string, count: number) => void): void {
    this.giveUpListener = listener;
  }

  isSettled(): boolean {
    return this.inFlight === 0 && this.arrived >= this.sent && this.pendingCounts.every((pending) => pending.count() === 0);
  }

  /** What keeps the I/O from settling, e.g. "1 operation awaiting its answer, readings still in the ingest". */
  private unsettled(): string {
    const parts: string[] = [];
    if (this.inFlight > 0) parts.push(`${this.inFlight} operation${this.inFlight === 1 ? '' : 's'} awaiting ${this.inFlight === 1 ? 'its answer' : 'their answers'}`);
    const missing = this.sent - this.arrived;
    if (missing > 0) parts.push(`${missing} publish${missing === 1 ? '' : 'es'} not at the broker`);
    for (const pending of this.pendingCounts) if (pending.count() !== 0) parts.push(pending.name);
    return parts.join(', ');
  }

  /** A number that changes whenever the I/O moved on. */
  private progressMark(): number {
    let mark = this.progress;
    for (const pending of this.pendingCounts) mark = mark * 31 + pending.count();
    return mark;
  }

  /**
   * Resolves once settled, or when the I/O made no progress for `stallMs` of wall time, or
   * after `maxWaitMs` in all (a publish lost with its connection never arrives; the run must go
   * on and the loss is accounted for elsewhere).
   */
  async settled(): Promise<void> {
    // Operations a slice starts in promise callbacks (a tracker registers in a `.then`) are not
    // tracked yet when the slice ends: let them start first, or whether they count for this
    // slice would depend on wall-clock timing.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { wallNowMs, stallMs, maxWaitMs } = this.options;
    const started = wallNowMs();
    let lastProgressAt = started;
    let mark = this.progressMark();
    for (let spins = 0; !this.isSettled(); spins++) {
      const now = wallNowMs();
      const nextMark = this.progressMark();
      if (nextMark !== mark) {
        mark = nextMark;
        lastProgressAt = now;
      }
      const stalled = now - lastProgressAt > stallMs && this.chainInFlight === 0;
      if (stalled || now - started > maxWaitMs) {
        this.giveUps += 1;
        this.giveUpListener?.(`${this.unsettled()}; ${stalled ? `no progress for ${stallMs} ms` : `busy for ${maxWaitMs} ms`}`, this.giveUps);
        // Lost publishes would otherwise make every later slice wait the full time.
        this.arrived = Math.max(this.arrived, this.sent);
        return;
      }
      await new Promise<void>((resolve) => (spins < 64 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }
}

/**
 * Reports waits that gave up: each cost the run at least `stallMs` of wall time. A few are
 * expected (a connection lost with publishes in flight), so the first ones are debug lines;
 * from the 20th on a warning, repeated every 100th, says what is stuck.
 */
export function warnOfGiveUps(io: IoSettle, logger: Logger, where: string): void {
  io.onGiveUp((what, count) => {
    const line = `accelerated time: ${where} did not settle (${what}); the clock went on (${count} slice${count === 1 ? '' : 's'} so far)`;
    if (count < WARN_FROM_GIVE_UP) logger.debug(line);
    else if (count === WARN_FROM_GIVE_UP || count % 100 === 0) logger.warn(line);
  });
}

const WARN_FROM_GIVE_UP = 20;
