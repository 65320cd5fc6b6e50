import React from 'react';
import { Box, Text } from 'ink';
import type { RunSample } from '../../output.ts';
import { fmtBigCompact, fmtInt, fmtMs, fmtTokenCompact } from '../format.ts';
import { joined, Row } from './row.ts';

const h = React.createElement;

/** The token's symbol, as report.md names it. */
const TOKEN = 'PINR';

export function settlementsText(settlements: RunSample['settlements']): string {
  const parts = [fmtInt(settlements.count), `gas ${fmtBigCompact(settlements.gasUsed)}`];
  if (settlements.lastProveMs !== null) parts.push(`last proof ${fmtMs(settlements.lastProveMs)}`);
  return joined(parts);
}

/** The proof queue, settlements and their gas, and the rewards they credited. */
export function ChainPanel({ sample }: { sample: RunSample }): React.ReactElement {
  const { proofs } = sample;
  return h(
    Box,
    { flexDirection: 'column' },
    h(
      Row,
      { label: 'proofs' },
      joined([`queued ${fmtInt(proofs.queued)}`, `proving ${fmtInt(proofs.proving)}`, `settled ${fmtInt(proofs.settled)}`]),
      ' · ',
      h(Text, proofs.failed > 0 ? { color: 'red' } : {}, `failed ${fmtInt(proofs.failed)}`),
    ),
    h(Row, { label: 'settlements' }, settlementsText(sample.settlements)),
    h(Row, { label: 'rewards' }, `${fmtTokenCompact(sample.rewardsWei)} ${TOKEN} credited`),
  );
}
