import type { Scenario } from '../../scenarios/index.ts';
import { DEFAULT_FLUSH_EVERY_MS, type RunStore } from '../../backend/store/run-store.ts';
import type { ChainSetup } from '../../backend/chain/chain-client.ts';
import { epochCloseRecords, openEpochs } from '../../backend/epochs/close-records.ts';
import type { ReportCheck, ResumeReport } from '../../reports/types.ts';
import { PINBENCH_VERSION } from '../version.ts';
import type { ClaimSummary } from './claims.ts';
import { perDeviceRewards, policyPart } from './report-builder.ts';
import type { ResumedEpoch } from './resume-epochs.ts';

/** How long the run store buffers rows before a commit: what a kill can lose. */
const STORE_BUFFER_S = DEFAULT_FLUSH_EVERY_MS / 1000;

export interface ResumeReportInput {
  scenario: Scenario;
  runDir: string;
  store: RunStore;
  chain: ChainSetup;
  resumedAt: Date;
  previousReport: string | null;
  epochsClosed: readonly ResumedEpoch[];
  jobsOwed: number;
  lostOnChain: number;
  claims: ClaimSummary;
  checks: ReportCheck[];
}

/**
 * The resumed run's report, from run.db and the chain alone. Its checks are the chain's (every
 * batch settled, accruals equal the rule, balances equal rewards) and one of its own: every
 * epoch with accepted readings was closed, so no accepted reading is left out of a batch.
 */
export function buildResumeReport(input: ResumeReportInput): ResumeReport {
  const { scenario, store, chain } = input;
  const db = store.db;
  const devices = (db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;
  const published = (db.prepare('SELECT count(*) AS n FROM published').get() as { n: number }).n;
  const accepted = (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  const rejected = Object.fromEntries(
    (db.prepare('SELECT reason, count(*) AS n FROM rejections GROUP BY reason ORDER BY reason').all() as Array<{ reason: string; n: number }>).map((r) => [r.reason, r.n]),
  );
  const unaccounted = store.unaccountedPublishes().reduce((n, r) => n + r.count, 0);
  const startedAt = (db.prepare("SELECT value FROM meta WHERE key = 'started_at'").get() as { value: string } | undefined)?.value ?? input.resumedAt.toISOString();
  const records = epochCloseRecords(store);
  const reopened = new Set(input.epochsClosed.map((e) => e.epoch));
  const jobsByEpoch = db.prepare("SELECT epoch, count(*) AS batches, sum(status = 'settled') AS settled FROM proof_jobs GROUP BY epoch").all() as Array<{ epoch: number; batches: number; settled: number }>;
  const epochs = [...records.values()]
    .sort((a, b) => a.epoch - b.epoch)
    .map((r) => {
      const jobs = jobsByEpoch.find((j) => j.epoch === r.epoch);
      return { epoch: r.epoch, devices: r.devices, readings: r.readings, flagged: r.flagged, closedBy: reopened.has(r.epoch) ? ('resume' as const) : ('run' as const), batches: jobs?.batches ?? 0, settled: jobs?.settled ?? 0 };
    });
  const perDevice = perDeviceRewards(store);
  const tx = chain.txStats();
  const checks = [epochsClosedCheck(store, scenario, records), ...input.checks];
  return {
    pinbench: { version: PINBENCH_VERSION },
    mode: 'resumed',
    scenario: { name: scenario.name, seed: scenario.seed, source: `${input.runDir}/run.db (scenario)`, devices, epochs: scenario.epochs.count, epochLengthS: scenario.epochs.lengthS },
    runDir: input.runDir,
    startedAt,
    finishedAt: input.resumedAt.toISOString(),
    ok: checks.every((c) => c.ok),
    checks,
    timingsMs: {},
    resumed: {
      at: input.resumedAt.toISOString(),
      previousReport: input.previousReport,
      epochsClosed: input.epochsClosed.map((e) => e.epoch),
      jobsOwed: input.jobsOwed,
      lostOnChain: input.lostOnChain,
      cutShort: cutShort({ scenario, epochsClosed: input.epochsClosed, lastEpoch: lastEpochWithReadings(store), unaccounted, lostOnChain: input.lostOnChain }),
    },
    counts: { published, accepted, rejected, unaccounted },
    epochs,
    chain: {
      rpcUrl: chain.rpcUrl, embedded: chain.embedded, contracts: chain.addresses,
      transactions: { sent: tx.sent, confirmed: tx.confirmed, failed: tx.failed },
    },
    rewards: { totalWei: perDevice.reduce((a, d) => a + BigInt(d.rewardWei), 0n).toString(), perDevice, ...policyPart(scenario, store) },
    claims: { claims: input.claims.claims, gasUsed: input.claims.gasUsed.toString(), failures: input.claims.failures },
  };
}

function lastEpochWithReadings(store: RunStore): number | undefined {
  return (store.db.prepare('SELECT max(epoch) AS e FROM readings').get() as { e: number | null }).e ?? undefined;
}

/** Every epoch of the scenario with accepted readings has its close record: each such reading is in a proof job. */
function epochsClosedCheck(store: RunStore, scenario: Scenario, records: ReadonlyMap<number, unknown>): ReportCheck {
  const open = openEpochs(store, scenario.epochs.count);
  return {
    name: 'every epoch with readings closed',
    ok: open.length === 0,
    detail: open.length === 0 ? `${records.size} epochs closed, every accepted reading of them summarized into a proof job` : `epochs ${open.join(', ')} have accepted readings and were not closed`,
  };
}

/** What the stop cut short, in sentences for the report: what was not measured, and what was lost. */
export function cutShort(input: { scenario: Scenario; epochsClosed: readonly ResumedEpoch[]; lastEpoch: number | undefined; unaccounted: number; lostOnChain: number }): string[] {
  const { scenario } = input;
  const lines: string[] = [];
  const count = scenario.epochs.count;
  if (input.lastEpoch === undefined) lines.push('The run stopped before run.db held any accepted reading.');
  else if (input.lastEpoch < count - 1) {
    lines.push(`The run stopped during epoch ${input.lastEpoch} of ${count} (0 to ${count - 1}): ${plural(count - 1 - input.lastEpoch, 'later epoch')} never ran.`);
  }
  for (const e of input.epochsClosed) {
    lines.push(`Epoch ${e.epoch} was open when the run stopped: the resume closed it with the ${e.readings} readings run.db holds from ${plural(e.devices, 'device')}; readings the devices would have sent after the stop are not in it.`);
  }
  if (input.unaccounted > 0) {
    lines.push(
      `${plural(input.unaccounted, 'acknowledged publish', 'acknowledged publishes')} of the fleet ${input.unaccounted === 1 ? 'has' : 'have'} neither a reading nor a rejection in run.db: the run store commits once a second (${STORE_BUFFER_S} s), and the rows waiting for that commit were lost with the process.`,
    );
  }
  if (input.lostOnChain > 0) lines.push(`${plural(input.lostOnChain, 'batch', 'batches')} recorded as settled were not on the chain (its last save predates them): settled again.`);
  if (lines.length === 0) lines.push('Nothing: every epoch had closed and every accepted reading was in a proof job; the resume proved, settled and claimed what was left.');
  return lines;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
