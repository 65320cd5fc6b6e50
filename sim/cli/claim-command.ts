import { Wallet } from 'ethers';
import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { shutdownProver } from '../../circuits/index.ts';
import { fmtToken } from '../../reports/index.ts';
import { reopenRun } from '../run/reopen-run.ts';
import { runCleanups, type Cleanups } from '../run/cleanups.ts';
import { parseCommandLine } from './parse-command-line.ts';

export const CLAIM_USAGE = `Usage: pinbench claim <run folder> --owner-key <hex> [--rpc <url>] [--cache <dir>]

The owner of attached devices claims the rewards the run accrued to them, on the run's chain:
the embedded one is started again from the run folder's saved state (as resume does), or the
same --rpc chain. The key signs the claim and never leaves this process.
`;

export interface ClaimCommand {
  runDir: string;
  ownerKey: string;
  rpcUrl?: string;
  cacheDir?: string;
}

export function parseClaimArgs(argv: string[]): ClaimCommand | { help: string } {
  const parsed = parseCommandLine(argv, { 'owner-key': { type: 'string' }, rpc: { type: 'string' }, cache: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, `see \`pinbench claim --help\``);
  const { values, positionals } = parsed;
  if (values.help) return { help: CLAIM_USAGE };
  if (positionals.length !== 1) throw new PinbenchError('CLI_ARGS_INVALID', 'give one run folder: `pinbench claim runs/<time>-<scenario> --owner-key <hex>`');
  const key = values['owner-key'];
  if (key === undefined || !/^(0x)?[0-9a-fA-F]{64}$/.test(key)) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'option --owner-key: expected the owner account\'s private key, 32 bytes of hex (64 hex digits, optional 0x)');
  }
  return { runDir: positionals[0]!, ownerKey: key.startsWith('0x') ? key : `0x${key}`, rpcUrl: values.rpc, cacheDir: values.cache };
}

/** Claims every device of the key's account with units accrued; prints what was minted and the balance. */
export async function runClaimCommand(command: ClaimCommand, io: { logger: Logger; stdout: (line: string) => void }): Promise<number> {
  const owner = new Wallet(command.ownerKey).address;
  const cleanups: Cleanups = [];
  try {
    const { store, chain } = await reopenRun(command.runDir, { rpcUrl: command.rpcUrl, cacheDir: command.cacheDir, logger: io.logger }, cleanups);
    const devices = store.db.prepare('SELECT device_index AS deviceIndex, device_id AS deviceId FROM devices WHERE lower(owner) = lower(?) ORDER BY device_index').all(owner) as Array<{
      deviceIndex: number;
      deviceId: string;
    }>;
    if (devices.length === 0) {
      io.stdout(`FAIL claim: no device of this run is owned by ${owner}; check the key (it must be the owner given to \`pinbench device add\` or the scenario's attached:)`);
      return 1;
    }
    const accrued = await Promise.all(devices.map(async (d) => ({ ...d, units: await chain.accruedUnits(d.deviceIndex) })));
    const owed = accrued.filter((d) => d.units > 0n);
    if (owed.length === 0) {
      io.stdout(`DONE claim: nothing accrued to ${owner}'s ${devices.length} devices (${devices.map((d) => d.deviceId).join(', ')}): claimed already, or no readings were paid`);
      return 0;
    }
    const result = await chain.claim(command.ownerKey, owed.map((d) => d.deviceIndex));
    const balance = await chain.balanceOf(owner);
    io.stdout(
      `DONE claim: ${owner} claimed ${fmtToken(result.amountWei)} PINR for ${owed.map((d) => `${d.deviceId} (${d.units} units)`).join(', ')}; ` +
        `balance ${fmtToken(balance)} PINR; tx ${result.txHash}, gas ${result.gasUsed}`,
    );
    return 0;
  } finally {
    await runCleanups(cleanups, io.logger);
    await shutdownProver();
  }
}
