// The signature-check floor of the ingest bench: what one P-256 verify costs OpenSSL itself on
// this machine, from `openssl speed -seconds N ecdsap256`, run in the same bench as the
// measurement it is compared with.
import { spawnSync } from 'node:child_process';

export type VerifyFloor =
  | { ok: true; verifyPerS: number; verifyUs: number; seconds: number; openssl: string }
  | { ok: false; reason: string };

/**
 * Verifies per second from `openssl speed -mr` output: the `+F4:<n>:256:<sign/s>:<verify/s>`
 * summary line, else the `+R6:<count>:256:<seconds>` verify line. openssl divides by CPU user
 * time unless `-elapsed` is given, so this is verifies per CPU second of one core.
 */
export function parseOpensslSpeed(output: string): number | undefined {
  const summary = /^\+F4:\d+:256:[\d.]+:([\d.]+)\s*$/m.exec(output);
  if (summary !== null) return Number(summary[1]);
  const verify = /^\+R6:(\d+):256:([\d.]+)\s*$/m.exec(output);
  if (verify !== null && Number(verify[2]) > 0) return Number(verify[1]) / Number(verify[2]);
  // Human-readable form: " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  51769.3  16903.5"
  const table = /256 bits ecdsa \(nistp256\)\s+[\d.]+s\s+[\d.]+s\s+[\d.]+\s+([\d.]+)/.exec(output);
  return table === null ? undefined : Number(table[1]);
}

/** Runs `openssl speed` (one core: it runs sign, then verify, `seconds` each). */
export function measureVerifyFloor(seconds: number): VerifyFloor {
  const version = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    return { ok: false, reason: `openssl is not installed (${version.error?.message ?? `exit ${version.status}`}); install it (Debian: apt-get install openssl, as .ci/run does) for the CPU floor` };
  }
  const run = spawnSync('openssl', ['speed', '-mr', '-seconds', String(Math.max(1, Math.round(seconds))), 'ecdsap256'], { encoding: 'utf8' });
  const perS = run.status === 0 ? parseOpensslSpeed(`${run.stdout}\n${run.stderr}`) : undefined;
  if (perS === undefined || !(perS > 0)) {
    return { ok: false, reason: `openssl speed ecdsap256 gave no verify figure (exit ${run.status}): ${(run.stderr || run.stdout).trim().split('\n').slice(-2).join(' ')}` };
  }
  return { ok: true, verifyPerS: Math.round(perS), verifyUs: 1e6 / perS, seconds, openssl: version.stdout.trim() };
}
