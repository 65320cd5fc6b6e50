// `npx tsx test/bench/store-commit.ts [--devices 1000] [--rows 400000] [--repeat 3] [--per-commit 500,1000,2000,5000,10000]`:
// CPU per reading stored through RunStore (addReading, then flush every N rows: one commit),
// devices round robin as under load, and the longest commit (the event-loop stall it makes).
// A commit writes each page it dirtied to the WAL once; every device's next readings land on
// that device's own page of the readings_epoch index, so a commit costs about a page per device
// in it: rows per commit should well exceed the devices sending (backend/store/run-store.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunStore } from '../../backend/store/run-store.ts';
import { benchArgs, integer, integers } from './bench-args.ts';

const { devices, rows, repeat, perCommit } = benchArgs({
  devices: integer(1000),
  rows: integer(400000),
  repeat: integer(3),
  perCommit: integers([500, 1000, 2000, 5000, 10000]),
});

const dir = mkdtempSync(join(tmpdir(), 'pinbench-store-commit-'));
const packages = Array.from({ length: 64 }, () => randomBytes(146));
const digests = Array.from({ length: 64 }, () => randomBytes(8));
const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

function run(n: number, r: number): { usPerRow: number; longestCommitMs: number } {
  const store = new RunStore(join(dir, `run-${n}-${r}.db`), 3_600_000, Infinity);
  store.addDevices(Array.from({ length: devices }, (_, d) => ({ deviceIndex: d + 1, deviceId: `d${d}`, owner: '0x0', publicKey: new Uint8Array(65) })));
  let longest = 0;
  const c0 = cpuUs();
  for (let i = 0; i < rows; i++) {
    const d = i % devices;
    store.addReading({
      deviceIndex: d + 1,
      epoch: 0,
      timestampS: 1_700_000_000 + Math.floor(i / devices),
      latE7: 525_200_000 + (i % 100_000),
      lonE7: 134_050_000 + (i % 100_000),
      receivedMs: 1.7e12 + i + 0.5,
      packageBytes: packages[i & 63]!,
      digest: digests[i & 63]!,
    });
    if ((i + 1) % n === 0) {
      const t = performance.now();
      store.flush();
      longest = Math.max(longest, performance.now() - t);
    }
  }
  store.flush();
  const usPerRow = (cpuUs() - c0) / rows;
  store.close();
  return { usPerRow, longestCommitMs: longest };
}

const results: Record<string, { usPerRow: number[]; longestCommitMs: number[] }> = {};
for (let r = 0; r < repeat; r++) {
  for (const n of perCommit) {
    const { usPerRow, longestCommitMs } = run(n, r);
    const entry = (results[String(n)] ??= { usPerRow: [], longestCommitMs: [] });
    entry.usPerRow.push(Number(usPerRow.toFixed(2)));
    entry.longestCommitMs.push(Number(longestCommitMs.toFixed(1)));
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const summary = Object.fromEntries(
  Object.entries(results).map(([n, v]) => [n, { medianUsPerRow: median(v.usPerRow), medianLongestCommitMs: median(v.longestCommitMs), runs: v.usPerRow }]),
);
process.stdout.write(JSON.stringify({ devices, rows, repeat, rowsPerCommit: summary }, null, 2) + '\n');
rmSync(dir, { recursive: true, force: true });
