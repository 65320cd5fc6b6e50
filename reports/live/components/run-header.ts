import React from 'react';
import { Box, Text } from 'ink';
import type { RunSample, RunStart } from '../../output.ts';
import { fmtDuration, fmtInt } from '../format.ts';
import { joined, Row } from './row.ts';

const h = React.createElement;

/** Which epoch the simulated clock is in, counted from 1 for people; outside the calendar, which side. */
export function epochText(run: RunStart, sample: RunSample): string {
  if (sample.epoch !== null) return `${sample.epoch + 1} of ${run.scenario.epochs}`;
  return sample.simTimeS * 1000 < run.startSimMs ? `before the first of ${run.scenario.epochs}` : `all ${run.scenario.epochs} over`;
}

/** Wall time since the fleet started against simulated time since the first epoch began, and the simulated span of the run. */
export function timeText(run: RunStart, sample: RunSample): string {
  const simulatedS = sample.simTimeS - run.startSimMs / 1000;
  const spanS = (run.endSimMs - run.startSimMs) / 1000;
  return joined([`wall ${fmtDuration(sample.tS)}`, `simulated ${fmtDuration(simulatedS)} of ${fmtDuration(spanS)}`]);
}

/** What runs (scenario, seed, fleet size, time mode), where its files go, and how far it has come. */
export function RunHeader({ run, sample }: { run: RunStart | null; sample: RunSample | null }): React.ReactElement {
  if (run === null) return h(Text, null, h(Text, { bold: true }, 'pinbench'), '  waiting for the run to start…');
  const { scenario } = run;
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { wrap: 'truncate-end' }, h(Text, { bold: true }, 'pinbench'), `  ${joined([scenario.name, `seed ${scenario.seed}`, `${fmtInt(scenario.devices)} devices`, run.timeMode])}`),
    h(Row, { label: 'run folder' }, run.runDir),
    sample === null
      ? h(Row, { label: 'time' }, 'waiting for the first sample…')
      : h(
          React.Fragment,
          null,
          h(Row, { label: 'time' }, timeText(run, sample)),
          h(Row, { label: 'epoch' }, joined([epochText(run, sample), `phase ${sample.phase}`])),
        ),
  );
}
