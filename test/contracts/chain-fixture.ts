import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { Wallet, keccak256, toUtf8Bytes, type JsonRpcProvider } from 'ethers';
import { silentLogger } from '../../core/ports.ts';
import { compileContracts, type CompiledPinbench } from '../../contracts/compile.ts';
import { deployPinbench, type PinbenchDeployment, type SettlementParams } from '../../contracts/deploy.ts';
import { connectRpc, startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';

/** Test-only verifier with the snarkjs signature for B = 4 (N = 2 + ceil(4/6) = 3 public signals). */
export const FAKE_VERIFIER_SOL = fileURLToPath(new URL('./fixtures/FakeVerifier.sol', import.meta.url));
/** Shared between test files and runs: the key is the source hash, so stale entries are never read. */
export const TEST_CACHE_DIR = join(tmpdir(), 'pinbench-test-cache');

export const PARAMS: SettlementParams = {
  batchSize: 4,
  unitsPerSample: 10,
  maxStepE7: 5000,
  rewardPerUnitWei: 10n ** 15n,
  // Above what the largest-units tests mint (3 · 2^40 units at 1e15 wei).
  maxSupplyWei: 10n ** 30n,
};

export interface ChainFixture {
  anvil: AnvilNode;
  provider: JsonRpcProvider;
  /** accounts[0] deploys and operates; the others own devices or play strangers. */
  wallets: Wallet[];
  compiled: CompiledPinbench;
  deployment: PinbenchDeployment;
}

export async function startChainFixture(): Promise<ChainFixture> {
  const anvil = await startAnvil({ logger: silentLogger });
  try {
    const { provider } = await connectRpc(anvil.rpcUrl);
    const wallets = anvil.accounts.map((key) => new Wallet(key, provider));
    const compiled = await compileContracts({
      cacheDir: TEST_CACHE_DIR,
      verifierSolPath: FAKE_VERIFIER_SOL,
      verifierContractName: 'FakeVerifier',
      logger: silentLogger,
    });
    const deployment = await deployPinbench({ signer: wallets[0], compiled, params: PARAMS, operator: wallets[0].address });
    return { anvil, provider, wallets, compiled, deployment };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

/** Chain state is rolled back after each test (evm_snapshot / evm_revert, anvil and hardhat RPC). */
export async function snapshot(provider: JsonRpcProvider): Promise<() => Promise<void>> {
  const id = (await provider.send('evm_snapshot', [])) as string;
  return async () => {
    await provider.send('evm_revert', [id]);
  };
}

/**
 * The hooks of a test file that shares one chain: each test runs on the state the file's
 * `beforeAll` left (rolled back after it), and the chain stops after the file.
 */
export function rollBackEachTest(fixture: () => ChainFixture | undefined): void {
  let rollback: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await fixture()?.anvil.stop();
  });
  beforeEach(async () => {
    rollback = await snapshot(fixture()!.provider);
  });
  afterEach(async () => {
    await rollback?.();
  });
}

export const idHash = (name: string): string => keccak256(toUtf8Bytes(name));

/** A syntactically valid uncompressed key (the registry checks shape, not curve membership). */
export function fakePubKey(seed: number): string {
  const body = keccak256(toUtf8Bytes(`x${seed}`)).slice(2) + keccak256(toUtf8Bytes(`y${seed}`)).slice(2);
  return `0x04${body}`;
}

/** Eight zero words in Settlement.settle's proof layout (a0, a1, b00, b01, b10, b11, c0, c1): the fake verifier ignores them. */
export const ZERO_PROOF: readonly bigint[] = Object.freeze(Array.from({ length: 8 }, () => 0n));
