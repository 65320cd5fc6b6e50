/**
 * Compiles DeviceRegistry, RewardToken, SettlementV2 and a v2 circuit's Groth16 verifier with
 * the pinned solc and the settings of contracts/compile.ts (whose source list is fixed to v1),
 * cached under `<cacheDir>/contracts-v2/<sourceHash>.json`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { assertSolcVersion, type CompiledContract } from '../compile.ts';

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const;
const CONTRACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const OWN = ['DeviceRegistry', 'RewardToken', 'SettlementV2'] as const;
const require = createRequire(import.meta.url);

export interface CompiledPinbenchV2 {
  sourceHash: string;
  registry: CompiledContract;
  token: CompiledContract;
  settlement: CompiledContract;
  verifier: CompiledContract;
}

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage?: string; message: string }>;
  contracts?: Record<string, Record<string, { abi: CompiledContract['abi']; evm: { bytecode: { object: string } } }>>;
}

export async function compileContractsV2(options: { cacheDir: string; verifierSolPath: string; logger: Logger }): Promise<CompiledPinbenchV2> {
  const solc = require('solc') as { version(): string; compile(input: string): string };
  assertSolcVersion(solc.version());
  const sources: Record<string, { content: string }> = {};
  for (const name of OWN) sources[`contracts/${name}.sol`] = { content: await readFile(join(CONTRACTS_DIR, `${name}.sol`), 'utf8') };
  try {
    sources['verifier/Groth16Verifier.sol'] = { content: await readFile(options.verifierSolPath, 'utf8') };
  } catch (cause) {
    throw new PinbenchError('VERIFIER_SOURCE_MISSING', `verifier source not found at ${options.verifierSolPath}: build the v2 circuit first (buildCircuitV2 writes it with the zkey)`, { cause });
  }
  const hash = createHash('sha256').update(JSON.stringify({ version: solc.version(), settings: SETTINGS, sources })).digest('hex');
  const cacheFile = join(options.cacheDir, 'contracts-v2', `${hash}.json`);
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as CompiledPinbenchV2;
  } catch {
    // not cached yet
  }
  options.logger.info(`contracts v2: compiling with solc ${solc.version()}`);
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS }))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error').map((e) => e.formattedMessage ?? e.message);
  if (errors.length > 0) {
    throw new PinbenchError('CONTRACTS_COMPILE_FAILED', `Solidity compilation failed:\n  ${errors.join('\n  ')}\nfix the source at the location shown and run again`, { details: { errors } });
  }
  const pick = (unit: string, name: string): CompiledContract => {
    const entry = output.contracts?.[unit]?.[name];
    if (!entry) throw new PinbenchError('CONTRACT_NOT_FOUND', `contract ${name} not found in ${unit}`);
    return { contractName: name, abi: entry.abi, bytecode: `0x${entry.evm.bytecode.object}` };
  };
  const result: CompiledPinbenchV2 = {
    sourceHash: hash,
    registry: pick('contracts/DeviceRegistry.sol', 'DeviceRegistry'),
    token: pick('contracts/RewardToken.sol', 'RewardToken'),
    settlement: pick('contracts/SettlementV2.sol', 'SettlementV2'),
    verifier: pick('verifier/Groth16Verifier.sol', 'Groth16Verifier'),
  };
  await mkdir(dirname(cacheFile), { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(result));
  await rename(tmp, cacheFile);
  return result;
}
