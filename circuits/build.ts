/**
 * Turns circuits/*.circom into the artifacts a run needs (witness wasm, Groth16 zkey,
 * verification key, Solidity verifier), cached under `<cacheDir>/circuits/<key>/` where the key
 * hashes everything that changes them. Safe when several processes build at once: one builds
 * under a lock into a temporary directory and renames it into place; the others wait and reuse.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, copyFile, cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PinbenchError } from '../core/errors.ts';
import { PARENT_PID_ENV } from '../core/parent-watchdog.js';
import { silentLogger, type Logger } from '../core/ports.ts';
import { DEFAULT_SHAPE, laneCount, validateShape } from '../core/reward-rule.ts';
import { acquireDirLock, removeLeftovers } from './lock.ts';
import { checkPtauFile, ensureLocalPtau, requiredPtauPower } from './ptau.ts';
import { loadSnarkjs, snarkjsLogger, terminateCurve } from './snarkjs.ts';

export interface BuildCircuitOptions {
  /** Cache root; artifacts go to `<cacheDir>/circuits/<key>/`, local ptau files to `<cacheDir>/ptau/`. */
  cacheDir: string;
  batchSize?: number;
  readingsPerDevice?: number;
  /** A prepared powers-of-tau file (e.g. a ceremony file); omitted: one is made locally and cached. */
  ptauPath?: string;
  /** Stop after compiling (no ptau, no zkey): for constraint counts. */
  compileOnly?: boolean;
  /**
   * Folder of the `.circom` sources; default this folder. The prover bench builds an older
   * commit's circuit from one (the key hashes the sources, so the builds do not collide).
   */
  sourceDir?: string;
  logger?: Logger;
  lockTimeoutMs?: number;
}

export interface CircuitArtifacts {
  key: string;
  batchSize: number;
  readingsPerDevice: number;
  /** Public lanes of units: ceil(B/6). */
  lanes: number;
  wasmPath: string;
  zkeyPath: string;
  vkeyPath: string;
  verifierSolPath: string;
  constraints: number;
  ptauPower: number;
  /** 2 + lanes. */
  nPublic: number;
  /** Wall time of the build that made the artifacts (0 when only compiled). */
  buildMs: number;
}

type Manifest = Omit<CircuitArtifacts, 'wasmPath' | 'zkeyPath' | 'vkeyPath' | 'verifierSolPath'> & {
  ptau: string;
  versions: Record<string, string>;
  builtAt: string;
};

/** Bump when the build steps change in a way that changes the artifacts. */
const BUILD_FORMAT = 2;
const CIRCUITS_DIR = path.dirname(fileURLToPath(import.meta.url));
const FILES = {
  wasm: 'batch.wasm', r1cs: 'batch.r1cs', zkey: 'batch.zkey', vkey: 'verification_key.json',
  verifier: 'Groth16Verifier.sol', manifest: 'manifest.json',
};
const require = createRequire(import.meta.url);

async function packageDir(name: string): Promise<string> {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // keep walking up
    }
    const up = path.dirname(dir);
    if (up === dir) throw new PinbenchError('CIRCUIT_DEPENDENCY_MISSING', `package ${name} not found; run npm install in the pinbench checkout`);
    dir = up;
  }
}

async function packageVersion(dir: string): Promise<string> {
  return (JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

function mainSource(b: number, k: number): string {
  return [
    'pragma circom 2.1.0;',
    'include "batch.circom";',
    `component main {public [header, commitment, lane]} = BatchRewards(${b}, ${k}, ${laneCount(b)});`,
    '',
  ].join('\n');
}

function artifactsFrom(dir: string, m: Manifest): CircuitArtifacts {
  return {
    key: m.key, batchSize: m.batchSize, readingsPerDevice: m.readingsPerDevice, lanes: m.lanes,
    wasmPath: path.join(dir, FILES.wasm), zkeyPath: path.join(dir, FILES.zkey),
    vkeyPath: path.join(dir, FILES.vkey), verifierSolPath: path.join(dir, FILES.verifier),
    constraints: m.constraints, ptauPower: m.ptauPower, nPublic: m.nPublic, buildMs: m.buildMs,
  };
}

async function readCached(dir: string): Promise<CircuitArtifacts | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, FILES.manifest), 'utf8')) as Manifest;
    const artifacts = artifactsFrom(dir, manifest);
    await Promise.all([artifacts.wasmPath, artifacts.zkeyPath, artifacts.vkeyPath, artifacts.verifierSolPath].map((f) => access(f)));
    return artifacts;
  } catch {
    return undefined;
  }
}

// The compiler is a program we do not own: this preload gives it the run's parent watchdog, so a
// killed run does not leave it compiling (it runs as one WebAssembly call, deaf to timers).
const WATCH_PARENT_PRELOAD = new URL('../core/watch-parent-preload.js', import.meta.url).href;

const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');

/** Runs the circom2 wasm compiler in a child process (it calls process.exit when done). */
async function compile(srcDir: string, circomCli: string): Promise<void> {
  const args = ['--import', WATCH_PARENT_PRELOAD, circomCli, 'main.circom', '--r1cs', '--wasm', '--O2', '-l', 'node_modules', '-o', '.'];
  const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const env = { ...process.env, [PARENT_PID_ENV]: String(process.pid) };
    const child = spawn(process.execPath, args, { cwd: srcDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => { text += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { text += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text: text.replace(ANSI, '') }));
  });
  if (output.code !== 0) {
    const firstError = output.text.split('\n').find((l) => /error/i.test(l))?.trim() ?? `exit code ${output.code}`;
    throw new PinbenchError('CIRCUIT_COMPILE_FAILED', `circom failed to compile the batch circuit: ${firstError}; fix circuits/*.circom (full compiler output in details.output)`, { details: { output: output.text, srcDir } });
  }
}

export async function buildCircuit(options: BuildCircuitOptions): Promise<CircuitArtifacts> {
  const logger = options.logger ?? silentLogger;
  const batchSize = options.batchSize ?? DEFAULT_SHAPE.batchSize;
  const readingsPerDevice = options.readingsPerDevice ?? DEFAULT_SHAPE.readingsPerDevice;
  validateShape({ batchSize, readingsPerDevice });
  const lanes = laneCount(batchSize);
  const lockTimeoutMs = options.lockTimeoutMs ?? 60 * 60_000;
  const cacheDir = path.resolve(options.cacheDir);
  const ptauPath = options.ptauPath === undefined ? undefined : path.resolve(options.ptauPath);

  const [circom2Dir, snarkjsDir, circomlibDir] = await Promise.all(['circom2', 'snarkjs', 'circomlib'].map(packageDir));
  const versions = {
    circom2: await packageVersion(circom2Dir!),
    snarkjs: await packageVersion(snarkjsDir!),
    circomlib: await packageVersion(circomlibDir!),
  };
  const sourceDir = options.sourceDir === undefined ? CIRCUITS_DIR : path.resolve(options.sourceDir);
  const names = (await readdir(sourceDir)).filter((n) => n.endsWith('.circom')).sort();
  const sources = await Promise.all(names.map(async (name) => ({ name, text: await readFile(path.join(sourceDir, name), 'utf8') })));
  let ptauId = 'local';
  if (ptauPath !== undefined) {
    const s = await stat(ptauPath).catch((err: unknown) => {
      throw new PinbenchError('PTAU_NOT_FOUND', `ptauPath ${ptauPath}: file not found; pass an existing prepared .ptau file or omit ptauPath to make one locally`, { details: { ptauPath }, cause: err });
    });
    ptauId = `${ptauPath}:${s.size}:${s.mtimeMs}`;
  }
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ format: BUILD_FORMAT, batchSize, readingsPerDevice, versions, ptau: ptauId, compileOnly: options.compileOnly === true }));
  for (const s of sources) hash.update(`\0${s.name}\0${s.text}`);
  const key = hash.digest('hex').slice(0, 16);

  const circuitsDir = path.join(cacheDir, 'circuits');
  const finalDir = path.join(circuitsDir, key);
  const what = `circuit B=${batchSize} K=${readingsPerDevice} (${key})`;
  const cached = options.compileOnly ? undefined : await readCached(finalDir);
  if (cached) {
    logger.debug(`${what}: reusing ${finalDir}`);
    return cached;
  }

  const lock = await acquireDirLock(path.join(circuitsDir, `${key}.lock`), { what, timeoutMs: lockTimeoutMs, logger });
  const work = path.join(circuitsDir, `${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const builtMeanwhile = options.compileOnly ? undefined : await readCached(finalDir);
    if (builtMeanwhile) return builtMeanwhile;
    await removeLeftovers(circuitsDir, `${key}.tmp-`, work);

    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const srcDir = path.join(work, 'src');
    await mkdir(srcDir, { recursive: true });
    for (const s of sources) await writeFile(path.join(srcDir, s.name), s.text);
    await writeFile(path.join(srcDir, 'main.circom'), mainSource(batchSize, readingsPerDevice));
    await cp(path.join(circomlibDir!, 'circuits'), path.join(srcDir, 'node_modules', 'circomlib', 'circuits'), { recursive: true });

    logger.info(`${what}: compiling with circom2 ${versions.circom2}`);
    await compile(srcDir, path.join(circom2Dir!, 'cli.js'));
    await copyFile(path.join(srcDir, 'main.r1cs'), path.join(work, FILES.r1cs));
    await copyFile(path.join(srcDir, 'main_js', 'main.wasm'), path.join(work, FILES.wasm));
    await rm(srcDir, { recursive: true, force: true });

    const snarkjs = await loadSnarkjs();
    const info = await snarkjs.r1cs.info(path.join(work, FILES.r1cs));
    const nPublic = info.nPubInputs + info.nOutputs;
    const needed = requiredPtauPower(info.nConstraints, nPublic);
    logger.info(`${what}: ${info.nConstraints} constraints, ${nPublic} public signals, needs ptau 2^${needed} [${elapsed()}]`);
    if (options.compileOnly) {
      return {
        key, batchSize, readingsPerDevice, lanes, wasmPath: '', zkeyPath: '', vkeyPath: '', verifierSolPath: '',
        constraints: info.nConstraints, ptauPower: needed, nPublic, buildMs: Date.now() - started,
      };
    }

    let ptau: { file: string; power: number };
    if (ptauPath === undefined) {
      ptau = await ensureLocalPtau({ cacheDir, power: needed, logger, lockTimeoutMs });
    } else {
      const header = await checkPtauFile(ptauPath, needed);
      ptau = { file: ptauPath, power: header.power };
    }

    const errors: string[] = [];
    const slog = snarkjsLogger(logger, errors);
    logger.info(`${what}: groth16 setup with ${path.basename(ptau.file)} (2^${ptau.power})`);
    const zkey0 = path.join(work, 'batch_0000.zkey');
    const setup = await snarkjs.zKey.newZKey(path.join(work, FILES.r1cs), ptau.file, zkey0, slog);
    if (setup === -1) {
      throw new PinbenchError('CIRCUIT_SETUP_FAILED', `groth16 setup failed: ${errors.join('; ') || 'snarkjs returned -1'}; check the ptau file ${ptau.file} (power, prepared phase 2) or delete it to regenerate`, { details: { ptau: ptau.file, errors } });
    }
    logger.info(`${what}: groth16 setup done [${elapsed()}]`);
    await snarkjs.zKey.contribute(zkey0, path.join(work, FILES.zkey), 'pinbench local', randomBytes(32).toString('hex'), slog);
    await rm(zkey0, { force: true });

    const vkey = await snarkjs.zKey.exportVerificationKey(path.join(work, FILES.zkey));
    await writeFile(path.join(work, FILES.vkey), JSON.stringify(vkey, null, 1));
    const template = await readFile(path.join(snarkjsDir!, 'templates', 'verifier_groth16.sol.ejs'), 'utf8');
    const solidity = await snarkjs.zKey.exportSolidityVerifier(path.join(work, FILES.zkey), { groth16: template });
    await writeFile(path.join(work, FILES.verifier), solidity);

    const manifest: Manifest = {
      key, batchSize, readingsPerDevice, lanes,
      constraints: info.nConstraints,
      ptauPower: ptau.power,
      nPublic,
      buildMs: Date.now() - started,
      ptau: ptauPath === undefined ? `local_${ptau.power}.ptau` : ptauPath,
      versions,
      builtAt: new Date().toISOString(),
    };
    await writeFile(path.join(work, FILES.manifest), JSON.stringify(manifest, null, 2));
    try {
      await rename(work, finalDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      const other = await readCached(finalDir);
      if (!other) throw err;
      return other;
    }
    logger.info(`${what}: built in ${elapsed()}, cached in ${finalDir}`);
    return artifactsFrom(finalDir, manifest);
  } finally {
    await terminateCurve();
    await rm(work, { recursive: true, force: true });
    await lock.release();
  }
}
