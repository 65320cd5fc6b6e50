/**
 * A device is flagged once this many takeovers of its session fall within
 * `TAKEOVER_FLAG_WINDOW_MS` of each other. Two clients sharing one device's login kick each other
 * on every reconnect: mosquitto's clients and mqtt.js come back within a second or a few, and
 * the probe of issue 18 saw three takeovers in 4 s. An honest device takes its own session over
 * only when it reconnects before the broker noticed its old connection died (a half-open TCP
 * connection after a radio drop): once per drop, and its reconnect back-off keeps those far more
 * than seconds apart. One or two in a minute can be a device; three is two clients fighting.
 */
export const TAKEOVER_FLAG_COUNT = 3;
export const TAKEOVER_FLAG_WINDOW_MS = 60_000;

export interface DeviceTakeovers {
  readonly deviceId: string;
  readonly count: number;
  /** `TAKEOVER_FLAG_COUNT` or more takeovers within `TAKEOVER_FLAG_WINDOW_MS`, at some point of the run. */
  readonly flagged: boolean;
}

/** Session takeovers per device over a run (wall clock: reconnects are paced in wall time). */
export class SessionTakeovers {
  private readonly recent = new Map<string, number[]>();
  private readonly counts = new Map<string, number>();
  private readonly flagged = new Set<string>();

  record(deviceId: string, wallMs: number): void {
    this.counts.set(deviceId, (this.counts.get(deviceId) ?? 0) + 1);
    // Only the takeovers still inside the window are kept: at most TAKEOVER_FLAG_COUNT per device.
    const times = (this.recent.get(deviceId) ?? []).filter((t) => wallMs - t < TAKEOVER_FLAG_WINDOW_MS);
    times.push(wallMs);
    if (times.length >= TAKEOVER_FLAG_COUNT) this.flagged.add(deviceId);
    this.recent.set(deviceId, times.slice(-(TAKEOVER_FLAG_COUNT - 1)));
  }

  total(): number {
    let n = 0;
    for (const count of this.counts.values()) n += count;
    return n;
  }

  /** Every device taken over at least once, by device id. */
  byDevice(): DeviceTakeovers[] {
    return [...this.counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([deviceId, count]) => ({ deviceId, count, flagged: this.flagged.has(deviceId) }));
  }
}
