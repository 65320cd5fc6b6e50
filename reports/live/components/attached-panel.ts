import React from 'react';
import { Box, Text } from 'ink';
import type { RunSample } from '../../output.ts';
import { fmtInt } from '../format.ts';
import { Row } from './row.ts';

const h = React.createElement;

/** Real devices listed by name; more than this are counted (a bench rarely has more boards on the desk). */
export const ATTACHED_SHOWN = 3;

const STATE_COLOR: Record<RunSample['attached'][number]['state'], string> = { online: 'green', offline: 'yellow', 'never heard from': 'red' };

/** Real devices attached to the run, what each is doing and what the broker had from it (refused publishes too); nothing when none is attached. */
export function AttachedPanel({ attached }: { attached: RunSample['attached'] }): React.ReactElement | null {
  if (attached.length === 0) return null;
  const more = attached.length - ATTACHED_SHOWN;
  return h(
    Box,
    { flexDirection: 'column' },
    ...attached.slice(0, ATTACHED_SHOWN).map((device, i) =>
      h(Row, { key: device.deviceId, label: i === 0 ? 'real devices' : '' }, `${device.deviceId} `, h(Text, { color: STATE_COLOR[device.state] }, device.state), ` · ${fmtInt(device.publishes)} publish${device.publishes === 1 ? '' : 'es'}`),
    ),
    more > 0 ? h(Row, { label: '' }, `+${more} more`) : null,
  );
}
