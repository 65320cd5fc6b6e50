import React from 'react';
import { Box, Text } from 'ink';
import type { RunSample } from '../../output.ts';
import { fmtCompact, fmtInt, fmtMs } from '../format.ts';
import { sparkline } from '../sparkline.ts';
import { joined, Row } from './row.ts';

const h = React.createElement;

/**
 * The tracker machine's states in the order a person reads a fleet: working, on the way, then
 * resting and gone (devices/tracker/machine.ts; reports/ may not import it, and a state it does
 * not list still shows, after these).
 */
const STATE_ORDER = ['online', 'connecting', 'registering', 'booting', 'buffering', 'backoff', 'updating', 'sleeping', 'off', 'dead', 'stopped'];

/** Rejection reasons on screen; the rest are summed in "+N more" (report.md lists them all). */
export const REASONS_SHOWN = 3;

export function statesText(states: Record<string, number>): string {
  const rank = (state: string) => (STATE_ORDER.includes(state) ? STATE_ORDER.indexOf(state) : STATE_ORDER.length);
  const names = Object.keys(states).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.length === 0 ? 'none yet' : joined(names.map((s) => `${s} ${fmtInt(states[s]!)}`));
}

/** The commonest reasons first (ties by name, so the row does not jump between equal counts). */
export function reasonsText(byReason: Record<string, number>): string {
  const reasons = Object.entries(byReason)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (reasons.length === 0) return 'none';
  const shown = reasons.slice(0, REASONS_SHOWN).map(([reason, n]) => `${reason} ${fmtCompact(n)}`);
  const more = reasons.length - REASONS_SHOWN;
  return joined(more > 0 ? [...shown, `+${more} more`] : shown);
}

export function latencyText(latency: RunSample['latencyMs']): string {
  if (latency === null) return '— (nothing accepted this second)';
  return joined([`p50 ${fmtMs(latency.p50)}`, `p95 ${fmtMs(latency.p95)}`, `p99 ${fmtMs(latency.p99)}`]);
}

/** Devices, connections, the message rates with their last minute drawn, totals, rejections and latency. */
export function TrafficPanel({ sample, acceptedHistory }: { sample: RunSample; acceptedHistory: readonly number[] }): React.ReactElement {
  const peak = Math.max(0, ...acceptedHistory);
  return h(
    Box,
    { flexDirection: 'column', marginTop: 1 },
    h(Row, { label: 'devices' }, statesText(sample.states)),
    h(Row, { label: 'connections' }, fmtInt(sample.connections)),
    h(Row, { label: 'per second' }, joined([`published ${fmtInt(sample.publishedPerS)}`, `accepted ${fmtInt(sample.acceptedPerS)}`])),
    h(Row, { label: 'accepted/s' }, h(Text, { color: 'green' }, sparkline(acceptedHistory)), `  peak ${fmtCompact(peak)} in the last ${acceptedHistory.length}s`),
    h(Row, { label: 'totals' }, joined([`published ${fmtCompact(sample.published)}`, `accepted ${fmtCompact(sample.accepted)}`, `rejected ${fmtCompact(sample.rejected)}`])),
    h(Row, { label: 'rejections', ...(sample.rejected > 0 ? { labelColor: 'yellow' } : {}) }, reasonsText(sample.rejectedByReason)),
    h(Row, { label: 'latency' }, latencyText(sample.latencyMs)),
  );
}
