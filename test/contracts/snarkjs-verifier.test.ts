import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wallet } from 'ethers';
import { bn254 } from '@noble/curves/bn254';
import { silentLogger } from '../../core/ports.ts';
import { compileContracts } from '../../contracts/compile.ts';
import { deployPinbench, registerDevices, SCALAR_FIELD, type PinbenchDeployment } from '../../contracts/deploy.ts';
import { claimRewards, settleBatch } from '../../contracts/settle.ts';
import { encodeHeader, laneCount, packLanes } from '../../core/reward-rule.ts';
import { connectRpc, startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { PARAMS, fakePubKey, idHash } from './chain-fixture.ts';

/**
 * Runs Settlement against a verifier rendered from snarkjs's own Groth16 Solidity template, so
 * the low-level call (selector for N = 2 + ceil(B/6) = 3, signals encoded inline) meets the real
 * verifier code.
 * The verification key is a TEST-ONLY trivial one (every point a generator), for which a valid
 * "proof" of any public signals can be computed directly: it checks the encoding, not soundness.
 */

const G1 = bn254.G1.ProjectivePoint.BASE;
const G2 = bn254.G2.ProjectivePoint.BASE.toAffine();
const g1 = (p: typeof G1): [bigint, bigint] => {
  const { x, y } = p.toAffine();
  return [x, y];
};
/** snarkjs vk JSON layout of a G2 point: [[x.c0, x.c1], [y.c0, y.c1], [1, 0]]. */
const g2Json = [[G2.x.c0, G2.x.c1], [G2.y.c0, G2.y.c1], [1n, 0n]].map((pair) => pair.map(String));
/** The EVM precompile (EIP-197) takes the imaginary part first, as snarkjs' exportSolidityCallData does. */
const B = [[G2.x.c1, G2.x.c0], [G2.y.c1, G2.y.c0]] as const;

/**
 * With alpha = A = G1, beta = gamma = delta = B = G2 and every IC = G1, the pairing check
 * e(-A,B)·e(alpha,beta)·e(vk_x,gamma)·e(C,delta) = 1 reduces to c = -(1 + Σ signals) mod r.
 */
function trivialProof(signals: bigint[]): { a: [bigint, bigint]; b: typeof B; c: [bigint, bigint] } {
  const x = signals.reduce((sum, s) => (sum + s) % SCALAR_FIELD, 1n);
  return { a: g1(G1), b: B, c: g1(G1.multiply((SCALAR_FIELD - x) % SCALAR_FIELD)) };
}

/** The proof as Settlement.settle takes it: a0, a1, b00, b01, b10, b11, c0, c1 (b already in precompile order). */
const words = (p: ReturnType<typeof trivialProof>): bigint[] => [...p.a, ...p.b[0], ...p.b[1], ...p.c];

async function renderTemplateVerifier(nPublic: number): Promise<string> {
  const snarkjsEntry = createRequire(import.meta.url).resolve('snarkjs');
  const ejs = createRequire(snarkjsEntry)('ejs') as { render(template: string, data: object): string };
  const template = await readFile(join(dirname(snarkjsEntry), '..', 'templates', 'verifier_groth16.sol.ejs'), 'utf8');
  const ic = Array.from({ length: nPublic + 1 }, () => g1(G1).map(String));
  return ejs.render(template, {
    vk_alpha_1: g1(G1).map(String),
    vk_beta_2: g2Json,
    vk_gamma_2: g2Json,
    vk_delta_2: g2Json,
    IC: ic,
    nPublic,
  });
}

let dir: string;
let anvil: AnvilNode;
let d: PinbenchDeployment;
let wallets: Wallet[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pinbench-verifier-'));
  const verifierSolPath = join(dir, 'Groth16Verifier.sol');
  await writeFile(verifierSolPath, await renderTemplateVerifier(2 + laneCount(PARAMS.batchSize)));
  anvil = await startAnvil({ logger: silentLogger });
  const { provider } = await connectRpc(anvil.rpcUrl);
  wallets = anvil.accounts.map((key) => new Wallet(key, provider));
  const compiled = await compileContracts({ cacheDir: join(dir, 'cache'), verifierSolPath, logger: silentLogger });
  d = await deployPinbench({ signer: wallets[0], compiled, params: PARAMS, operator: wallets[0].address });
  await registerDevices(d.registry, [1, 2].map((i) => ({ idHash: idHash(`v${i}`), pubKey: fakePubKey(i), owner: wallets[i].address })));
});

afterAll(async () => {
  await anvil?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ruleParams = { unitsPerSample: BigInt(PARAMS.unitsPerSample), maxStepE7: BigInt(PARAMS.maxStepE7) };
const lanes = packLanes([3n, 5n, 0n, 0n]);
const signals = (epoch: number, batch: number, commitment: bigint, l: bigint[]): bigint[] => [encodeHeader(epoch, batch, ruleParams), commitment, ...l];
const settleArgs = (s: bigint[], proof: bigint[]) => ({ proof, header: s[0]!, commitment: s[1]!, lanes: s.slice(2) });

describe('settle with a snarkjs-template verifier', () => {
  it('behavior: a proof the verifier accepts accrues the units; the owners claim them', async () => {
    const s = signals(1, 0, 99n, lanes);
    const proof = trivialProof(s);
    expect(await d.verifier.getFunction('verifyProof')(proof.a, proof.b, proof.c, s)).toBe(true);
    const result = await settleBatch(d.settlement, settleArgs(s, words(proof)));
    // Verify (~4 pairings + 3 ecMul) plus one accrual word: a regression guard, not a benchmark.
    expect(result.gasUsed).toBeLessThan(400_000n);
    expect(await d.settlement.getFunction('accruedUnits')(1)).toBe(3n);
    expect(await d.settlement.getFunction('accruedUnits')(2)).toBe(5n);
    const claimed = await claimRewards(d.settlement.connect(wallets[2]) as typeof d.settlement, [2]);
    expect(claimed.units).toBe(5n);
    expect(await d.token.getFunction('balanceOf')(wallets[2].address)).toBe(5n * BigInt(PARAMS.rewardPerUnitWei));
  });

  it('error: a tampered lane makes the real verifier answer false, and settle reverts InvalidProof', async () => {
    const s = signals(2, 0, 99n, lanes);
    const proof = trivialProof(s);
    const tampered = packLanes([4n, 5n, 0n, 0n]);
    await expect(settleBatch(d.settlement, { ...settleArgs(s, words(proof)), lanes: tampered })).rejects.toThrow(
      'settlement reverted with InvalidProof()',
    );
  });

  it('error: b in snarkjs JSON order (real part first) is rejected: settle expects the precompile order', async () => {
    const s = signals(3, 0, 99n, lanes);
    const proof = trivialProof(s);
    const unswapped = [...proof.a, proof.b[0][1], proof.b[0][0], proof.b[1][1], proof.b[1][0], ...proof.c];
    await expect(settleBatch(d.settlement, settleArgs(s, unswapped))).rejects.toThrow('settlement reverted with InvalidProof()');
  });

  it('error: the verifier itself answers false (not a revert) for a signal outside the field', async () => {
    const s = signals(4, 0, 99n, lanes);
    const proof = trivialProof(s);
    s[2] += SCALAR_FIELD;
    expect(await d.verifier.getFunction('verifyProof')(proof.a, proof.b, proof.c, s)).toBe(false);
  });
});
