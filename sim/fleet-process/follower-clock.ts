import { DiscreteTime } from '../clock/discrete-time.ts';

/**
 * The run's clock in accelerated time while the fleet runs in its own process: simulated time
 * is led by the fleet's discrete clock, and this one follows. `nowMs()` is the last time the
 * fleet reported; timers (epoch closes) fire when the reported time reaches them, in
 * (time, scheduling order) order, each seeing its own scheduled time — as they would in the
 * fleet's clock. Once the fleet is gone, `runUntil` advances on its own.
 */
export class FollowerClock extends DiscreteTime {
  /** The earliest pending timer (the fleet keeps a slice boundary there, a barrier as a barrier). */
  nextDue(): { atMs: number; barrier: boolean } | undefined {
    const next = this.earliest();
    return next === undefined ? undefined : { atMs: next.atMs, barrier: next.barrier === true };
  }

  /** The leader reached `nowMs`: runs every timer due by then, then stays at `nowMs`. Time never goes back. */
  follow(nowMs: number): void {
    this.runDue(nowMs);
  }

  /** Leads alone (no fleet): slice by slice up to `endMs`, waiting for `settle` after each, as DiscreteClock does. */
  runUntil(endMs: number, settle: () => Promise<void>): Promise<void> {
    return this.advance(endMs, settle);
  }
}
