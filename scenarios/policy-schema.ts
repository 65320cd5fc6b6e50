import { z } from 'zod';
import { DEFAULT_MAX_SUPPLY_WEI, formatPolicyProblems, policyProblems, type RewardPolicy } from '../core/reward-policy/index.ts';
import { EMISSION_KINDS, FLAG_PENALTIES, type Emission } from '../core/reward-policy/types.ts';

/**
 * The scenario's `policy:` block (issue 20): how an epoch's emission is shared. It defaults to
 * today's rule (a rate of reward.rewardPerUnitWei per unit, flags per reading), so a scenario
 * without it behaves exactly as before. zod checks the shapes; the ranges are checked once, by
 * core/reward-policy/policy.ts (policyProblems), so they have one definition.
 * The work parameters unitsPerSample and maxStepE7 (and a rate's rewardPerUnitWei) stay under
 * `reward:`, which the circuit's header carries; the block may repeat them only with the same
 * value, so that a parsed scenario written out (run.db's meta) parses again to the same thing.
 */

const doc = (description: string) => ({ description });

/** A whole number given as a decimal string, a safe integer or a bigint (run.db stores bigints as strings). */
const wholeNumber = (what: string) =>
  z
    .union([z.string(), z.number(), z.bigint()], { error: `expected ${what}, as a decimal string` })
    .refine((value) => /^[0-9]+$/.test(String(value)) && (typeof value !== 'number' || Number.isSafeInteger(value)), {
      error: `expected ${what}: a whole number, as a decimal string such as "1000000000000000000000"`,
    })
    .transform((value) => BigInt(value));

const count = (what: string) => z.number({ error: `expected ${what}` });

const emissionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('rate').meta(doc('Today\'s rule: each unit pays reward.rewardPerUnitWei, no pro rata.')),
    rewardPerUnitWei: wholeNumber('a whole number of wei').optional().meta(doc('Leave out: it is reward.rewardPerUnitWei (given here, it must be the same).')),
  }),
  z.strictObject({
    kind: z.literal('constant').meta(doc('The same amount every epoch, shared pro rata to work units.')),
    perEpochWei: wholeNumber('a whole number of wei').meta(doc('Wei emitted per epoch, a whole number of gwei, as a decimal string.')),
  }),
  z.strictObject({
    kind: z.literal('halving').meta(doc('An amount halved every `everyEpochs` epochs, shared pro rata.')),
    initialWei: wholeNumber('a whole number of wei').meta(doc('Wei emitted in the first epoch, a whole number of gwei, as a decimal string.')),
    everyEpochs: count('a whole number of epochs').meta(doc('Epochs between halvings.')),
  }),
  z.strictObject({
    kind: z.literal('decay').meta(doc('An amount that decays by `yearlyDecay` a year, applied per epoch, shared pro rata.')),
    initialWei: wholeNumber('a whole number of wei').meta(doc('Wei emitted in the first epoch, a whole number of gwei, as a decimal string.')),
    yearlyDecay: count('a fraction in [0, 1)').meta(doc('The fraction the emission loses in a year, in [0, 1).')),
    epochsPerYear: count('a whole number of epochs').meta(doc('Epochs in a year (365 for daily epochs).')),
  }),
], { error: `expected an emission whose kind is one of: ${EMISSION_KINDS.join(', ')}` });

export const policyBlockSchema = z
  .strictObject({
    emission: emissionSchema.prefault({ kind: 'rate' }).meta(doc('How much an epoch pays: `rate` (today\'s rule), or `constant`, `halving`, `decay` shared pro rata to work units in whole gwei.')),
    unitsPerSample: wholeNumber('a whole number of units').optional().meta(doc('Leave out: it is reward.unitsPerSample (given here, it must be the same).')),
    maxStepE7: wholeNumber('a whole number of 1e-7 degree').optional().meta(doc('Leave out: it is reward.maxStepE7 (given here, it must be the same).')),
    coverage: z
      .strictObject({
        resolution: count('an h3 resolution 0..15').meta(doc('The h3 resolution of the cells, 0 to 15.')),
        unitsPerCell: wholeNumber('a whole number of units').meta(doc('Units a visited cell pays each of its devices, up to the density target.')),
        densityTarget: count('a whole number of devices').meta(doc('Devices a cell pays in full; with n above it, each gets floor(unitsPerCell · densityTarget / n).')),
      })
      .optional()
      .meta(doc('Coverage units for the h3 cells a device visits in an epoch, density-scaled like Helium\'s HIP-17.')),
    capUnits: wholeNumber('a whole number of units').optional().meta(doc('The most units a device earns in an epoch.')),
    minSamples: count('a whole number of readings').optional().meta(doc('Fewer counted readings than this in an epoch earn nothing.')),
    flagPenalty: z.enum(FLAG_PENALTIES, { error: `expected one of: ${FLAG_PENALTIES.join(', ')}` }).default('reading').meta(doc('`reading`: a flagged reading earns nothing (today); `epoch`: any flagged reading zeroes the device-epoch.')),
    stake: z
      .strictObject({
        perDeviceWei: wholeNumber('a whole number of wei').meta(doc('Each device\'s stake, wei as a decimal string.')),
        slashBps: count('basis points 0..10000').meta(doc('What a flagged device-epoch slashes of the stake it has left, in basis points.')),
      })
      .optional()
      .meta(doc('A stake per device, slashed when a device-epoch is flagged.')),
    maxSupplyWei: wholeNumber('a whole number of wei').prefault(String(DEFAULT_MAX_SUPPLY_WEI)).meta(doc('The token\'s supply (default 10^9 tokens): the emission scheduled over the run\'s epochs may not exceed it.')),
  })
  .prefault({})
  .meta(doc('How an epoch\'s emission is shared among devices (the reward policy, core/reward-policy/); the default is today\'s rule.'));

export type PolicyBlock = z.output<typeof policyBlockSchema>;

/** The reward rule's parameters the policy takes from `reward:`. */
export interface RewardSection {
  readonly unitsPerSample: number;
  readonly maxStepE7: number;
  readonly rewardPerUnitWei: bigint;
}

/** The block and `reward:` as one RewardPolicy. */
export function resolvePolicy(block: PolicyBlock, reward: RewardSection): RewardPolicy {
  const e = block.emission;
  const emission: Emission = e.kind === 'rate' ? { kind: 'rate', rewardPerUnitWei: reward.rewardPerUnitWei } : e;
  return {
    emission,
    unitsPerSample: BigInt(reward.unitsPerSample),
    maxStepE7: BigInt(reward.maxStepE7),
    ...(block.coverage === undefined ? {} : { coverage: block.coverage }),
    ...(block.capUnits === undefined ? {} : { capUnits: block.capUnits }),
    ...(block.minSamples === undefined ? {} : { minSamples: block.minSamples }),
    flagPenalty: block.flagPenalty,
    ...(block.stake === undefined ? {} : { stake: block.stake }),
    maxSupplyWei: block.maxSupplyWei,
  };
}

export interface PolicyIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** What is wrong with the block given `reward:` and the run's epochs and readings per device. */
export function policyIssues(block: PolicyBlock, reward: RewardSection, context: { epochs: number; readingsPerDevice: number; devices?: number }): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const repeated = [
    ['unitsPerSample', block.unitsPerSample, BigInt(reward.unitsPerSample)],
    ['maxStepE7', block.maxStepE7, BigInt(reward.maxStepE7)],
  ] as const;
  for (const [name, given, set] of repeated) {
    if (given !== undefined && given !== set) issues.push({ path: ['policy', name], message: `${given} differs from reward.${name} ${set}; set it once, under reward (the circuit proves it)` });
  }
  const e = block.emission;
  if (e.kind === 'rate' && e.rewardPerUnitWei !== undefined && e.rewardPerUnitWei !== reward.rewardPerUnitWei) {
    issues.push({ path: ['policy', 'emission', 'rewardPerUnitWei'], message: `${e.rewardPerUnitWei} differs from reward.rewardPerUnitWei ${reward.rewardPerUnitWei}; set the rate once, under reward` });
  }
  const policy = resolvePolicy(block, reward);
  for (const problem of policyProblems(policy, context)) {
    // formatPolicyProblems' line, without its path: the scenario loader prints the path itself.
    const line = formatPolicyProblems([problem], '')[0]!;
    issues.push({ path: ['policy', ...problem.path], message: line.slice(line.indexOf(': ') + 2) });
  }
  return issues;
}
