/**
 * Powers of tau: read a given file's header, or make a local one once and cache it by power.
 * A locally made ptau has a single known-to-this-machine contribution: fine for a test bench,
 * not for production (docs/architecture.md, "Decisions"); point `ptauPath` at a ceremony file for that.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PinbenchError } from '../core/errors.ts';
import type { Logger } from '../core/ports.ts';
import { acquireDirLock, removeLeftovers } from './lock.ts';
import { loadSnarkjs, snarkjsLogger, terminateCurve } from './snarkjs.ts';

export const MIN_LOCAL_PTAU_POWER = 12;
/** snarkjs caps the bn128 ceremony at 2^28. */
const MAX_PTAU_POWER = 28;

/** The power snarkjs' groth16 setup requires: 2^power > constraints + public signals. */
export function requiredPtauPower(nConstraints: number, nPublic: number): number {
  return Math.floor(Math.log2(nConstraints + nPublic)) + 1;
}

export interface PtauHeader {
  power: number;
  /** Whether `powersoftau prepare phase2` has been run (section 12 present). */
  prepared: boolean;
}

/** Reads the header section of a .ptau binary file (magic, version, sections of type/size/data). */
export async function readPtauHeader(file: string): Promise<PtauHeader> {
  const fd = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    await fd.read(head, 0, 12, 0);
    if (head.toString('latin1', 0, 4) !== 'ptau') throw new Error('not a ptau file (bad magic)');
    const nSections = head.readUInt32LE(8);
    const sectionHead = Buffer.alloc(12);
    let pos = 12;
    let power: number | undefined;
    let prepared = false;
    for (let i = 0; i < nSections; i++) {
      const { bytesRead } = await fd.read(sectionHead, 0, 12, pos);
      if (bytesRead < 12) throw new Error('truncated section table');
      const type = sectionHead.readUInt32LE(0);
      const size = Number(sectionHead.readBigUInt64LE(4));
      if (type === 1) {
        const n8Buf = Buffer.alloc(4);
        await fd.read(n8Buf, 0, 4, pos + 12);
        const n8 = n8Buf.readUInt32LE(0);
        const powBuf = Buffer.alloc(4);
        await fd.read(powBuf, 0, 4, pos + 12 + 4 + n8);
        power = powBuf.readUInt32LE(0);
      }
      if (type === 12) prepared = true;
      pos += 12 + size;
    }
    if (power === undefined) throw new Error('no header section');
    return { power, prepared };
  } finally {
    await fd.close();
  }
}

/** Checks a user-supplied ptau file against the power the circuit needs. */
export async function checkPtauFile(ptauPath: string, needed: number): Promise<PtauHeader> {
  try {
    await stat(ptauPath);
  } catch (err) {
    throw new PinbenchError('PTAU_NOT_FOUND', `ptauPath ${ptauPath}: file not found; pass an existing .ptau file (e.g. a Hermez ceremony file of power >= ${needed}) or omit ptauPath to make one locally`, { details: { ptauPath }, cause: err });
  }
  let header: PtauHeader;
  try {
    header = await readPtauHeader(ptauPath);
  } catch (err) {
    throw new PinbenchError('PTAU_INVALID', `ptauPath ${ptauPath}: not a readable powers-of-tau file (${(err as Error).message}); pass a .ptau produced by snarkjs or a ceremony`, { details: { ptauPath }, cause: err });
  }
  if (header.power < needed) {
    throw new PinbenchError('PTAU_TOO_SMALL', `ptauPath ${ptauPath}: power ${header.power} is too small for this circuit, which needs 2^${needed}; use a ptau of power >= ${needed} or lower batchSize/readingsPerDevice`, { details: { ptauPath, power: header.power, needed } });
  }
  if (!header.prepared) {
    throw new PinbenchError('PTAU_NOT_PREPARED', `ptauPath ${ptauPath}: phase 2 is not prepared; run \`npx snarkjs powersoftau prepare phase2 ${ptauPath} <out.ptau>\` and pass the output`, { details: { ptauPath } });
  }
  return header;
}

/** Smallest cached local ptau of at least `power`, so a circuit change rarely regenerates one. */
async function findCachedLocal(ptauDir: string, power: number): Promise<{ file: string; power: number } | undefined> {
  let names: string[];
  try {
    names = await readdir(ptauDir);
  } catch {
    return undefined;
  }
  const powers = names
    .map((n) => /^local_(\d+)\.ptau$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((p) => p >= power)
    .sort((a, b) => a - b);
  const best = powers[0];
  return best === undefined ? undefined : { file: path.join(ptauDir, `local_${best}.ptau`), power: best };
}

export interface LocalPtauOptions {
  cacheDir: string;
  power: number;
  logger: Logger;
  lockTimeoutMs: number;
}

/** Returns a cached local ptau of at least `power` (min 12), generating `local_<power>.ptau` if needed. */
export async function ensureLocalPtau(options: LocalPtauOptions): Promise<{ file: string; power: number }> {
  const { cacheDir, logger, lockTimeoutMs } = options;
  const power = Math.max(MIN_LOCAL_PTAU_POWER, options.power);
  if (power > MAX_PTAU_POWER) {
    throw new PinbenchError('PTAU_TOO_SMALL', `the circuit needs powers of tau 2^${power}, above the 2^${MAX_PTAU_POWER} maximum; lower batchSize/readingsPerDevice`, { details: { power } });
  }
  const ptauDir = path.join(cacheDir, 'ptau');
  const cached = await findCachedLocal(ptauDir, power);
  if (cached) return cached;

  const what = `ptau 2^${power}`;
  const lock = await acquireDirLock(path.join(ptauDir, `local_${power}.lock`), { what, timeoutMs: lockTimeoutMs, logger });
  const work = path.join(ptauDir, `local_${power}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const again = await findCachedLocal(ptauDir, power);
    if (again) return again;
    await removeLeftovers(ptauDir, `local_${power}.tmp-`, work);
    await mkdir(work, { recursive: true });
    const snarkjs = await loadSnarkjs();
    const slog = snarkjsLogger(logger);
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    // The steps run for minutes without output, so say every 30 s that work goes on.
    const step = async (label: string, run: () => Promise<unknown>): Promise<void> => {
      const ticker = setInterval(() => logger.info(`${what}: ${label}, still running [${elapsed()}]`), 30_000);
      ticker.unref();
      try {
        await run();
      } finally {
        clearInterval(ticker);
      }
      logger.info(`${what}: ${label} done [${elapsed()}]`);
    };
    logger.info(`${what}: generating locally (takes minutes, done once; cached in ${ptauDir})`);
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    await step('new accumulator', () => snarkjs.powersOfTau.newAccumulator(curve, power, path.join(work, '0.ptau'), slog));
    await step('contribution', () => snarkjs.powersOfTau.contribute(path.join(work, '0.ptau'), path.join(work, '1.ptau'), 'pinbench local', randomBytes(32).toString('hex'), slog));
    await step('phase 2 preparation', () => snarkjs.powersOfTau.preparePhase2(path.join(work, '1.ptau'), path.join(work, 'final.ptau'), slog));
    const file = path.join(ptauDir, `local_${power}.ptau`);
    await rename(path.join(work, 'final.ptau'), file);
    return { file, power };
  } finally {
    await terminateCurve();
    await rm(work, { recursive: true, force: true });
    await lock.release();
  }
}
