import React from 'react';
import { Box, Text } from 'ink';
import type { LiveStatus } from '../live-model.ts';
import { fmtInt } from '../format.ts';
import { joined } from './row.ts';

const h = React.createElement;

const VERDICT_COLOR = { PASS: 'green', FAIL: 'red', STOPPED: 'yellow' } as const;

export const KEYS_HINT = 'q quit · p pause';
export const PAUSED_TEXT = 'paused — p to resume';
export const STOPPING_TEXT = 'stopping: settling what closed, writing the report…';
export const INTERRUPTING_TEXT = 'interrupted: stopping at once, run.db kept';

/** The verdict line of the last frame: PASS, FAIL or STOPPED (as the CLI prints it), what failed, and what a stopped run left open. */
export function verdictText(status: Extract<LiveStatus, { kind: 'finished' }>): string {
  const failed: string[] = [];
  if (status.failedChecks > 0) failed.push(`${status.failedChecks} check${status.failedChecks === 1 ? '' : 's'} failed`);
  if (status.failedThresholds > 0) failed.push(`${status.failedThresholds} threshold${status.failedThresholds === 1 ? '' : 's'} breached`);
  const open = status.epochsOpen === 0 ? [] : [`${status.epochsOpen} epoch${status.epochsOpen === 1 ? '' : 's'} left open in run.db`];
  return joined([status.verdict, ...failed, ...open]);
}

/** The keys, or what the view is doing instead of following the run. */
export function Footer({ status, paused, keysOn, warnings }: { status: LiveStatus; paused: boolean; keysOn: boolean; warnings: number }): React.ReactElement {
  // The count goes beside the keys and the verdict, where there is room: the messages above show only the last few lines.
  const count = warnings === 0 ? null : h(Text, { color: 'yellow' }, `   ${fmtInt(warnings)} warning${warnings === 1 ? '' : 's'} logged`);
  switch (status.kind) {
    case 'finished':
      // The path on a line of its own, so it can be copied whole.
      return h(
        Box,
        { flexDirection: 'column', marginTop: 1 },
        h(Text, null, h(Text, { color: VERDICT_COLOR[status.verdict], bold: true }, verdictText(status)), count),
        h(Text, null, `report ${status.reportPath}`, status.verdict === 'STOPPED' ? h(Text, { dimColor: true }, ' — covers what ran before q') : null),
      );
    case 'failed':
      return footerLine(h(Text, { color: 'red' }, `the run stopped without a report: ${status.message}`));
    case 'interrupting':
      return footerLine(h(Text, { color: 'yellow' }, `${INTERRUPTING_TEXT} (Ctrl-C again to exit at once)`));
    case 'stopping':
      return footerLine(h(Text, { color: 'yellow' }, STOPPING_TEXT, h(Text, { dimColor: true }, keysOn ? ' (q again: stop at once)' : '')));
    case 'running':
      if (paused) return footerLine(h(Text, { inverse: true }, ` ${PAUSED_TEXT} `));
      // Without a terminal on stdin there is no raw mode and no keys; SIGINT still stops the run.
      return footerLine(h(Text, null, h(Text, { dimColor: true }, keysOn ? KEYS_HINT : 'keys off (stdin is not a terminal) · Ctrl-C stops the run'), count));
  }
}

const footerLine = (line: React.ReactElement): React.ReactElement => h(Box, { marginTop: 1 }, line);
