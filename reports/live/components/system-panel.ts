import React from 'react';
import type { RunSample } from '../../output.ts';
import { fmtInt, fmtMs } from '../format.ts';
import { joined, Row } from './row.ts';

const h = React.createElement;

/** The run's own process: CPU, memory, event-loop lag and, in realtime, how late device timers fire. */
export function processText(sample: RunSample): string {
  const parts = [`cpu ${fmtInt(sample.cpuPercent)}%`, `rss ${fmtInt(sample.rssMb)} MB`, `loop lag p99 ${fmtMs(sample.loopLagP99Ms)}`];
  // Null outside a realtime run with the fleet in this process: there is no wall-clock schedule to be late for.
  if (sample.timerLatenessP99Ms !== null) parts.push(`timer lateness p99 ${fmtMs(sample.timerLatenessP99Ms)}`);
  return joined(parts);
}

export function SystemPanel({ sample }: { sample: RunSample }): React.ReactElement {
  return h(Row, { label: 'process' }, processText(sample));
}
