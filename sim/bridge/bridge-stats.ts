import type { NmeaBadKind } from './nmea.ts';
import type { UplinkStats } from './mqtt-uplink.ts';
import type { PortState } from './serial-source.ts';

export interface BridgeStats {
  readonly sentences: {
    /** GGA and RMC read, with or without a fix. */
    readonly ok: number;
    /** Good sentences of other types (GSV, GSA, VTG, …). */
    readonly ignored: number;
    readonly bad: Readonly<Record<NmeaBadKind, number>>;
  };
  /** GGA/RMC sentences with a valid fix. */
  readonly fixes: number;
  /** Upload ticks so far, and those that had no fix since the last (nothing was published). */
  readonly ticks: number;
  readonly noFix: number;
  readonly readings: UplinkStats;
  readonly port: PortState;
  /** How often the serial port vanished. */
  readonly portLosses: number;
}

export function emptyBadCounts(): Record<NmeaBadKind, number> {
  return { checksum: 0, noChecksum: 0, malformed: 0, unsupported: 0 };
}

const BAD_LABELS: Record<NmeaBadKind, string> = { checksum: 'bad checksum', noChecksum: 'no checksum', malformed: 'malformed', unsupported: 'unsupported' };

/** One plain line, the same for the progress and the final summary. */
export function formatBridgeStats(s: BridgeStats): string {
  const badTotal = Object.values(s.sentences.bad).reduce((a, b) => a + b, 0);
  const badParts = (Object.keys(BAD_LABELS) as NmeaBadKind[]).filter((k) => s.sentences.bad[k] > 0).map((k) => `${s.sentences.bad[k]} ${BAD_LABELS[k]}`);
  const r = s.readings;
  const lost = s.portLosses > 0 ? `, lost ${s.portLosses}×` : '';
  return (
    `sentences ${s.sentences.ok} ok, ${badTotal} bad${badParts.length > 0 ? ` (${badParts.join(', ')})` : ''}, ${s.sentences.ignored} ignored; ` +
    `fixes ${s.fixes}; ticks ${s.ticks}, ${s.noFix} without a fix; ` +
    `readings ${r.published} published, ${r.acked} acked, ${r.queued} queued${r.dropped > 0 ? `, ${r.dropped} dropped` : ''}; ` +
    `port ${s.port}${lost}; mqtt ${r.connected ? 'connected' : 'disconnected'}`
  );
}
