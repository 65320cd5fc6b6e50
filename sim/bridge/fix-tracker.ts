import type { NmeaFix, NmeaLine } from './nmea.ts';

/**
 * The latest valid fix since the last upload tick. A reading is only ever made from a fix the
 * receiver sent within the period it stands for, so a receiver that lost its fix, or a port that
 * vanished, gives no reading rather than a stale position stamped with a new time.
 */
export class FixTracker {
  private pending: NmeaFix | null = null;
  /** GGA/RMC sentences that carried a valid fix. */
  fixes = 0;
  /** GGA/RMC sentences in which the receiver said it had none. */
  noFixSentences = 0;

  observe(line: NmeaLine): void {
    if (line.kind !== 'position') return;
    if (line.fix === null) {
      this.noFixSentences++;
      this.pending = null;
      return;
    }
    this.fixes++;
    this.pending = line.fix;
  }

  /** The fix to publish at this tick, if the receiver gave one since the last; clears it. */
  take(): NmeaFix | null {
    const fix = this.pending;
    this.pending = null;
    return fix;
  }

  clear(): void {
    this.pending = null;
  }
}
