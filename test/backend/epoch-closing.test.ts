import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBinPackage, encodeSensorData, PackageType } from '../../protocol/index.ts';
import type { Ingest } from '../../backend/ingest/ingest.ts';
import type { SettlementPipeline } from '../../backend/settlement/settlement-pipeline.ts';
import { createEpochClosing, submitYielding } from '../../backend/epoch-closing.ts';
import { RunStore } from '../../backend/store/run-store.ts';

const START_S = 1_767_225_600;
const signature = new Uint8Array(64).fill(7);

/** 300 devices × 30 readings in epoch 0: 9,000 readings, three pages at the close's page size. */
function fillStore(store: RunStore): void {
  store.addDevices(
    Array.from({ length: 300 }, (_, i) => i + 1).map((d) => ({ deviceIndex: d, deviceId: `imei-${d}`, name: `t${d}`, motion: 'car', owner: '0x0', publicKey: new Uint8Array(65) })),
  );
  for (let d = 1; d <= 300; d++) {
    for (let i = 0; i < 30; i++) {
      const timestampS = START_S + i * 60;
      const latE7 = 525_000_000 + d * 1000 + i * 50;
      const pkg = encodeBinPackage({ type: PackageType.DATA, data: encodeSensorData({ latitude: latE7, longitude: 134_000_000, vbat: 4000, snr: 20 }), timestamp: timestampS, signature });
      store.addReading({ deviceIndex: d, epoch: 0, timestampS, latE7, lonE7: 134_000_000, receivedMs: 0, packageBytes: pkg, digest: Uint8Array.of(d & 0xff, d >> 8, i) });
    }
  }
  store.flush();
}

describe('epoch closing', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: proof jobs are submitted one at a time with the event loop running between them', async () => {
    const events: string[] = [];
    // Stands for a proof coming back or a settlement to send while the close is still submitting.
    setImmediate(() => events.push('other work'));
    await submitYielding([0, 1, 2], (batch) => events.push(`batch ${batch}`));
    expect(events).toEqual(['batch 0', 'other work', 'batch 1', 'batch 2']);
  });

  it('behavior: a close under way is work that moves for the slice waits, and a long one logs its progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-closing-'));
    dirs.push(dir);
    const store = new RunStore(join(dir, 'run.db'));
    fillStore(store);
    // Fakes for the unit test: an ingest with nothing in flight, a pipeline that records jobs, a wall clock 3 s per reading.
    const fakeIngest = { drain: async () => {}, closeEpoch: () => {} } as unknown as Ingest;
    const submitted: number[] = [];
    const events: string[] = [];
    const fakePipeline = {
      submit: (_epoch: number, batch: number, _work: unknown, closedAtMs: number) => {
        submitted.push(batch);
        events.push(`job ${batch} (close began at ${closedAtMs})`);
      },
    } as unknown as SettlementPipeline;
    let wallMs = 0;
    const lines: string[] = [];
    const closing = createEpochClosing({
      store, ingest: fakeIngest, pipeline: fakePipeline, shape: { batchSize: 32, readingsPerDevice: 4 },
      params: { unitsPerSample: 100n, maxStepE7: 5_000n, rewardPerUnitWei: 10n ** 12n }, epochLengthS: 3600,
      devices: () => new Map(), wallNowMs: () => (wallMs += 3000), logger: { info: (l) => void (lines.push(l), events.push(l)), warn: () => {}, debug: () => {} },
    });
    expect(closing.closeWork()).toBe(0);
    const seen = new Set<number>();
    let watching = true;
    const watch = () => {
      if (!watching) return;
      seen.add(closing.closeWork());
      setImmediate(watch);
    };
    watch();
    await closing.closeEpoch(0);
    watching = false;
    expect(closing.closeWork()).toBe(0);
    seen.delete(0);
    // Three pages and ten batches: the count changed at least once a page while the close ran.
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(submitted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Pages end on whole devices (4,096 rows hold 136 devices and part of the 137th); the wall clock moves 3 s a reading of it, a line is due every 5 s.
    expect(lines.filter((l) => l.includes('closing:'))).toEqual(['epoch 0 closing: 8,190 readings of 273 devices summarized, 8 proof jobs queued (6 s)']);
    // Proof jobs start while the close goes on: batches 0–3 after the first page (devices 1–136), 4–7 after the second (to 273), 8 after the last; all count from the close's start.
    expect(events).toEqual([
      'job 0 (close began at 3000)', 'job 1 (close began at 3000)', 'job 2 (close began at 3000)', 'job 3 (close began at 3000)',
      'job 4 (close began at 3000)', 'job 5 (close began at 3000)', 'job 6 (close began at 3000)', 'job 7 (close began at 3000)',
      'epoch 0 closing: 8,190 readings of 273 devices summarized, 8 proof jobs queued (6 s)',
      'job 8 (close began at 3000)',
      'epoch 0 closed: 9000 readings from 300 devices, 0 flagged → 10 proof batches',
      'job 9 (close began at 3000)',
    ]);
    store.close();
  });
});
