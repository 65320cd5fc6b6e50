import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { assertSolcVersion, compileContracts, PINNED_SOLC_VERSION } from '../../contracts/compile.ts';
import { FAKE_VERIFIER_SOL } from './chain-fixture.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pinbench-compile-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), debug: (m) => lines.push(`debug ${m}`) };
}

describe('compileContracts', () => {
  it('behavior: compiles once, then serves the same output from cacheDir/contracts/<hash>.json', async () => {
    const cacheDir = join(dir, 'cache-a');
    const logger = recordingLogger();
    const first = await compileContracts({ cacheDir, logger });
    expect(first.fromCache).toBe(false);
    expect(first.solcVersion.startsWith(`${PINNED_SOLC_VERSION}+`)).toBe(true);
    expect(first.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.verifier).toBeUndefined();
    for (const c of [first.registry, first.token, first.settlement]) expect(c.bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
    expect(await readdir(join(cacheDir, 'contracts'))).toEqual([`${first.sourceHash}.json`]);

    const second = await compileContracts({ cacheDir, logger: silentLogger });
    expect(second.fromCache).toBe(true);
    expect({ ...second, fromCache: false }).toEqual(first);
  });

  it('behavior: the verifier source is part of the key', async () => {
    const cacheDir = join(dir, 'cache-b');
    const without = await compileContracts({ cacheDir, logger: silentLogger });
    const withFake = await compileContracts({
      cacheDir,
      verifierSolPath: FAKE_VERIFIER_SOL,
      verifierContractName: 'FakeVerifier',
      logger: silentLogger,
    });
    expect(withFake.fromCache).toBe(false);
    expect(withFake.sourceHash).not.toBe(without.sourceHash);
    expect(withFake.verifier?.contractName).toBe('FakeVerifier');
    expect((await readdir(join(cacheDir, 'contracts'))).sort()).toEqual([`${without.sourceHash}.json`, `${withFake.sourceHash}.json`].sort());
  });

  it('behavior: an unreadable cache file is rebuilt with a warning', async () => {
    const cacheDir = join(dir, 'cache-c');
    const { sourceHash } = await compileContracts({ cacheDir, logger: silentLogger });
    const file = join(cacheDir, 'contracts', `${sourceHash}.json`);
    await writeFile(file, '{"torn');
    const logger = recordingLogger();
    const again = await compileContracts({ cacheDir, logger });
    expect(again.fromCache).toBe(false);
    expect(logger.lines).toContain(`warn contracts: cache file ${file} is unreadable; compiling again`);
  });

  it('error: a compile error names file:line:column', async () => {
    const broken = join(dir, 'Broken.sol');
    await writeFile(broken, 'pragma solidity ^0.8.0;\ncontract Groth16Verifier {\n  function f() public { uint x = ; }\n}\n');
    await expect(compileContracts({ cacheDir: join(dir, 'cache-d'), verifierSolPath: broken, logger: silentLogger })).rejects.toMatchObject({
      code: 'CONTRACTS_COMPILE_FAILED',
      message: `Solidity compilation failed:\n  ${broken}:3:34: ParserError: Expected primary expression.\nfix the source at the location shown and run again`,
    });
  });

  it('error: a missing verifier source says to build the circuits', async () => {
    const missing = join(dir, 'nope', 'Verifier.sol');
    await expect(compileContracts({ cacheDir: join(dir, 'cache-e'), verifierSolPath: missing, logger: silentLogger })).rejects.toMatchObject({
      code: 'VERIFIER_SOURCE_MISSING',
      message: `verifier source not found at ${missing}: build the circuits first (it is generated with the zkey)`,
    });
  });

  it('error: a verifier source without the expected contract name', async () => {
    await expect(
      compileContracts({ cacheDir: join(dir, 'cache-f'), verifierSolPath: FAKE_VERIFIER_SOL, logger: silentLogger }),
    ).rejects.toMatchObject({
      code: 'CONTRACT_NOT_FOUND',
      message:
        'contract Groth16Verifier not found in verifier/FakeVerifier.sol: check the contract name (the snarkjs verifier is named Groth16Verifier)',
    });
  });
});

describe('assertSolcVersion', () => {
  it('args: accepts the pinned release with any build suffix', () => {
    expect(() => assertSolcVersion(`${PINNED_SOLC_VERSION}+commit.f401782d.Emscripten.clang`)).not.toThrow();
    expect(() => assertSolcVersion(PINNED_SOLC_VERSION)).not.toThrow();
  });

  it('error: another release fails with what to run', () => {
    expect(() => assertSolcVersion('0.8.30+commit.73712a01.Emscripten.clang')).toThrow(
      `installed solc is 0.8.30+commit.73712a01.Emscripten.clang, but pinbench pins ${PINNED_SOLC_VERSION}: run \`npm ci\` to install the locked version`,
    );
  });
});
