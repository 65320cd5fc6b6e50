import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCircuit, readPtauHeader } from '../../circuits/index.ts';
import { loadSnarkjs, terminateCurve } from '../../circuits/snarkjs.ts';
import { silentLogger, type Logger } from '../../core/ports.ts';

const sharedCache = process.env.PINBENCH_CACHE ?? path.join(os.homedir(), '.cache', 'pinbench');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pinbench-build-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function recordingLogger(lines: string[]): Logger {
  return { info: (m) => lines.push(m), warn: (m) => lines.push(m), debug: () => {} };
}

describe('buildCircuit', () => {
  it('behavior: concurrent builds of one circuit compile once and share the result', async () => {
    // Reuse the shared cache's ptau files so this test does not generate one for minutes.
    await buildCircuit({ cacheDir: sharedCache, logger: silentLogger });
    const cacheDir = path.join(root, 'concurrent');
    await mkdir(cacheDir, { recursive: true });
    await symlink(path.join(sharedCache, 'ptau'), path.join(cacheDir, 'ptau'));
    const lines: string[] = [];
    const logger = recordingLogger(lines);
    const shape = { batchSize: 2, readingsPerDevice: 2 };
    const [a, b] = await Promise.all([
      buildCircuit({ cacheDir, ...shape, logger }),
      buildCircuit({ cacheDir, ...shape, logger }),
    ]);
    expect(a).toEqual(b);
    expect(a.nPublic).toBe(7);
    expect(lines.filter((l) => l.includes(': compiling with circom2')).length).toBe(1);
    expect(lines.some((l) => l.includes('another process is building it, waiting'))).toBe(true);
    expect((await readdir(path.join(cacheDir, 'circuits'))).sort()).toEqual([a.key]);
  }, 600_000);

  it('error: a ptauPath that does not exist', async () => {
    const ptauPath = path.join(root, 'missing.ptau');
    await expect(buildCircuit({ cacheDir: root, ptauPath })).rejects.toMatchObject({
      code: 'PTAU_NOT_FOUND',
      message: `ptauPath ${ptauPath}: file not found; pass an existing prepared .ptau file or omit ptauPath to make one locally`,
    });
  });

  it('error: a ptau file too small for the circuit', async () => {
    const snarkjs = await loadSnarkjs();
    const raw = path.join(root, 'tiny_raw.ptau');
    const ptauPath = path.join(root, 'tiny.ptau');
    await snarkjs.powersOfTau.newAccumulator(await snarkjs.curves.getCurveFromName('bn128'), 4, raw);
    await snarkjs.powersOfTau.preparePhase2(raw, ptauPath);
    await terminateCurve();
    expect(await readPtauHeader(ptauPath)).toEqual({ power: 4, prepared: true });
    expect(await readPtauHeader(raw)).toEqual({ power: 4, prepared: false });
    await expect(buildCircuit({ cacheDir: root, batchSize: 1, readingsPerDevice: 1, ptauPath })).rejects.toMatchObject({
      code: 'PTAU_TOO_SMALL',
      message: expect.stringMatching(new RegExp(`^ptauPath ${ptauPath}: power 4 is too small for this circuit, which needs 2\\^\\d+; use a ptau of power >= \\d+ or lower batchSize/readingsPerDevice$`)),
    });
  }, 120_000);

  it('error: a shape whose hashes exceed Poseidon\'s 16 inputs', async () => {
    await expect(buildCircuit({ cacheDir: root, readingsPerDevice: 16 })).rejects.toMatchObject({ code: 'RULE_SHAPE_TOO_LARGE' });
  });
});
