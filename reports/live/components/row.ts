import React from 'react';
import { Box, Text } from 'ink';

const h = React.createElement;

/** Width of the label column, so the figures of every panel line up. */
export const LABEL_WIDTH = 13;

/** A labelled line: a dim label in a fixed column, then the figures (text or nested `Text`s). */
export function Row({ label, labelColor, children }: { label: string; labelColor?: string; children?: React.ReactNode }): React.ReactElement {
  return h(
    Box,
    null,
    h(Box, { width: LABEL_WIDTH, flexShrink: 0 }, h(Text, labelColor === undefined ? { dimColor: true } : { color: labelColor }, label)),
    // Truncated, not wrapped: a long line would push the frame past the terminal's height and make ink clear the screen each second.
    h(Box, { flexGrow: 1 }, h(Text, { wrap: 'truncate-end' }, children)),
  );
}

/** Figures joined by the view's separator. */
export const joined = (parts: readonly string[]): string => parts.join(' · ');
