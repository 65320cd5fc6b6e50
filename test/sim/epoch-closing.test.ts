import { describe, expect, it } from 'vitest';
import { submitYielding } from '../../sim/run/stages/epoch-closing.ts';

describe('epoch closing', () => {
  it('behavior: proof jobs are submitted one at a time with the event loop running between them', async () => {
    const events: string[] = [];
    // Stands for a proof coming back or a settlement to send while the close is still submitting.
    setImmediate(() => events.push('other work'));
    await submitYielding([0, 1, 2], (batch) => events.push(`batch ${batch}`));
    expect(events).toEqual(['batch 0', 'other work', 'batch 1', 'batch 2']);
  });
});
