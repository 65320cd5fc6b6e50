/**
 * The prover bench's `--baseline-commit`: the batch circuit of an older commit, built beside
 * today's (its own cache key: buildCircuit hashes the sources) and proven from the same inputs.
 * Its sources come from git into a temporary folder; today's input is cut to the inputs that
 * circuit declares, and only inputs at their off value (all zeros) may be cut, so both circuits
 * prove the same header, commitment and lanes (the bench checks the public signals match).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchCircuitInput } from '../../circuits/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const git = (...args: string[]): string => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });

export interface BaselineSources {
  /** The full commit id. */
  commit: string;
  /** A temporary folder with that commit's circuits/*.circom; `remove` deletes it. */
  dir: string;
  /** Input signals of its BatchRewards template, the circuit's main component. */
  inputs: Set<string>;
  remove(): void;
}

/** Today's commit, and whether its .circom sources differ from the working tree's (which the bench builds). */
export function currentCommit(): { commit: string; circomUncommitted: boolean } {
  return { commit: git('rev-parse', 'HEAD').trim(), circomUncommitted: git('status', '--porcelain', '--', 'circuits/*.circom').trim() !== '' };
}

export function baselineSources(rev: string): BaselineSources {
  let commit: string;
  try {
    commit = git('rev-parse', '--verify', '--quiet', `${rev}^{commit}`).trim();
  } catch {
    throw new Error(`option --baseline-commit: ${JSON.stringify(rev)} is not a commit of this repository; give a commit id or ref (git log circuits/batch.circom lists the circuit's)`);
  }
  const names = git('ls-tree', '--name-only', commit, 'circuits/').split('\n').filter((n) => n.endsWith('.circom'));
  if (!names.includes('circuits/batch.circom')) throw new Error(`option --baseline-commit: commit ${commit.slice(0, 7)} has no circuits/batch.circom; give a commit that has the batch circuit`);
  const dir = mkdtempSync(path.join(tmpdir(), 'pinbench-prover-baseline-'));
  let batch = '';
  for (const name of names) {
    const source = git('show', `${commit}:${name}`);
    if (name === 'circuits/batch.circom') batch = source;
    writeFileSync(path.join(dir, path.basename(name)), source);
  }
  return { commit, dir, inputs: templateInputs(batch, 'BatchRewards'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Names of a template's `signal input`s (`lat` for `signal input lat[B][K];`). */
export function templateInputs(source: string, template: string): Set<string> {
  const start = source.search(new RegExp(String.raw`\btemplate\s+${template}\s*\(`));
  if (start < 0) throw new Error(`the baseline's batch.circom has no template ${template}; the bench builds main = ${template}(B, K, L)`);
  const next = source.slice(start + 1).search(/\btemplate\s+\w+\s*\(/);
  const body = next < 0 ? source.slice(start) : source.slice(start, start + 1 + next);
  return new Set([...body.matchAll(/\bsignal\s+input\s+(\w+)/g)].map((m) => m[1]!));
}

const allZero = (value: unknown): boolean => (Array.isArray(value) ? value.every(allZero) : String(value) === '0');

/** Today's input without the signals the baseline does not have; each of those must be all zeros. */
export function inputForBaseline(input: BatchCircuitInput, baselineInputs: Set<string>): Record<string, unknown> {
  const cut: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (baselineInputs.has(name)) cut[name] = value;
    else if (!allZero(value)) throw new Error(`the baseline circuit has no input ${name}, and this bench's input sets it to ${JSON.stringify(value)}: the two circuits would not prove the same thing`);
  }
  return cut;
}
