import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCircuit, readPtauHeader } from '../../circuits/index.ts';
import { loadSnarkjs, terminateCurve } from '../../circuits/snarkjs.ts';
import { silentLogger, type Logger } from '../../core/ports.ts';
import { SMALL_SHAPE } from '../../core/reward-rule.ts';

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
    // Reuse the shared cache's ptau files so this test does not generate one for minutes (the
    // small shape's build makes sure a 2^13 one is there; never the default 32×4, which needs 2^15).
    await buildCircuit({ cacheDir: sharedCache, ...SMALL_SHAPE, logger: silentLogger });
    const cacheDir = path.join(root, 'concurrent');
    await mkdir(cacheDir, { recursive: true });
    await symlink(path.join(sharedCache, 'ptau'), path.join(cacheDir, 'ptau'));
    const lines: string[] = [];
    const logger = recordingLogger(lines);
    const shape = { batchSize: 4, readingsPerDevice: 1 };
    const [a, b] = await Promise.all([
      buildCircuit({ cacheDir, ...shape, logger }),
      buildCircuit({ cacheDir, ...shape, logger }),
    ]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ batchSize: 4, readingsPerDevice: 1, lanes: 1, nPublic: 3 });
    expect(a.buildMs).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes(': compiling with circom2')).length).toBe(1);
    expect(lines.some((l) => l.includes('another process is building it, waiting'))).toBe(true);
    expect((await readdir(path.join(cacheDir, 'circuits'))).sort()).toEqual([a.key]);
  }, 600_000);

  it('error: a ptauPath that does not exist', async () => {
    const ptauPath = path.join(root, 'missing.ptau');
    await expect(buildCircuit({ cacheDir: root, ...SMALL_SHAPE, ptauPath })).rejects.toMatchObject({
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
    await expect(buildCircuit({ cacheDir: root, batchSize: 4, readingsPerDevice: 1, ptauPath })).rejects.toMatchObject({
      code: 'PTAU_TOO_SMALL',
      message: expect.stringMatching(new RegExp(`^ptauPath ${ptauPath}: power 4 is too small for this circuit, which needs 2\\^\\d+; use a ptau of power >= \\d+ or lower batchSize/readingsPerDevice$`)),
    });
  }, 120_000);

  it('behavior: compileOnly reports constraints and public signals without a ptau or zkey', async () => {
    const lines: string[] = [];
    const compiled = await buildCircuit({ cacheDir: path.join(root, 'compile-only'), batchSize: 8, readingsPerDevice: 1, compileOnly: true, logger: recordingLogger(lines) });
    expect(compiled).toMatchObject({ batchSize: 8, readingsPerDevice: 1, lanes: 2, nPublic: 4, wasmPath: '', zkeyPath: '' });
    expect(compiled.constraints).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('4 public signals'))).toBe(true);
    expect(lines.some((l) => l.includes('groth16 setup'))).toBe(false);
  }, 300_000);

  it('error: a batchSize that is not a multiple of 4, or more than 15 readings per device', async () => {
    await expect(buildCircuit({ cacheDir: root, batchSize: 6, readingsPerDevice: 8 })).rejects.toMatchObject({
      code: 'RULE_INVALID_SHAPE',
      message: 'batchSize: expected a multiple of 4 in [4, 1024], got 6; use e.g. 32',
    });
    await expect(buildCircuit({ cacheDir: root, batchSize: 4, readingsPerDevice: 16 })).rejects.toMatchObject({
      code: 'RULE_INVALID_SHAPE',
      message: 'readingsPerDevice: expected an integer in [1, 15] (units must stay below 2^36), got 16; use e.g. 4',
    });
  });
});
