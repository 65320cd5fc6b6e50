import React from 'react';
import { Box, useInput, useStdin, type Key } from 'ink';
import { shownData, type LiveModel } from './live-model.ts';
import { AttachedPanel } from './components/attached-panel.ts';
import { ChainPanel } from './components/chain-panel.ts';
import { Footer } from './components/footer.ts';
import { MessagesPanel } from './components/messages-panel.ts';
import { RunHeader } from './components/run-header.ts';
import { SystemPanel } from './components/system-panel.ts';
import { TrafficPanel } from './components/traffic-panel.ts';

const h = React.createElement;

export interface LiveViewProps {
  model: LiveModel;
  /** Every key press while the run goes; the adapter decides what it means (live-model.ts `pressKey`). */
  onKey: (input: string, key: Key) => void;
}

/**
 * The whole screen, drawn from the model alone: the run, its latest sample, the last log lines
 * and the footer. Keys are read in raw mode while the run goes; once it is over the view lets
 * go of the terminal's input before it unmounts.
 */
export function LiveView({ model, onKey }: LiveViewProps): React.ReactElement {
  const { isRawModeSupported } = useStdin();
  const over = model.status.kind === 'finished' || model.status.kind === 'failed';
  const keysOn = isRawModeSupported === true;
  useInput(onKey, { isActive: keysOn && !over });
  const data = shownData(model);
  const { sample } = data;
  return h(
    Box,
    { flexDirection: 'column' },
    h(RunHeader, { run: data.run, sample }),
    sample === null || data.run === null
      ? null
      : h(
          React.Fragment,
          null,
          h(TrafficPanel, { sample, acceptedHistory: data.acceptedHistory }),
          h(Box, { flexDirection: 'column', marginTop: 1 }, h(SystemPanel, { sample }), h(ChainPanel, { sample }), h(AttachedPanel, { attached: sample.attached })),
        ),
    h(MessagesPanel, { messages: data.messages }),
    h(Footer, { status: model.status, paused: model.frozen !== null, keysOn, warnings: sample?.warnings ?? 0 }),
  );
}

