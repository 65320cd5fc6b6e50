import React from 'react';
import { Box } from 'ink';
import { fmtDuration } from '../format.ts';
import type { LiveMessage } from '../live-model.ts';
import { Row } from './row.ts';

const h = React.createElement;

/** The last few lines the run logged: its logger writes here while the view is up. */
export function MessagesPanel({ messages }: { messages: readonly LiveMessage[] }): React.ReactElement | null {
  if (messages.length === 0) return null;
  return h(
    Box,
    { flexDirection: 'column', marginTop: 1 },
    ...messages.map((m, i) =>
      h(Row, { key: i, label: m.level, labelColor: m.level === 'warn' ? 'yellow' : 'cyan' }, m.atS === null ? m.text : `+${fmtDuration(m.atS)} ${m.text}`),
    ),
  );
}
