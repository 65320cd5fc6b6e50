import type { RunStore } from '../../../backend/store/run-store.ts';
import type { Ingest } from '../../../backend/ingest/ingest.ts';
import type { BackendBroker } from '../../../backend/start-backend.ts';
import type { EpochCalendar } from '../../../backend/epochs/calendar.ts';
import type { SettledBatch } from '../../../backend/settlement/settlement-pipeline.ts';
import { ProofJobs } from '../../../backend/store/proof-jobs.ts';
import type { RunSample } from '../../../reports/output.ts';
import type { SimTime } from '../../clock/sim-time.ts';
import type { PublishLatency } from '../../mqtt/publish-latency.ts';
import type { FleetRuntime } from '../../fleet/fleet-runtime.ts';
import { attachedState, type AttachedTraffic } from '../attached-report.ts';
import type { AttachedDevice } from '../../attach/attached-device.ts';
import type { SampleSources } from '../run-stream.ts';

/**
 * Where a run's samples come from: the fleet's and the ingest's counters, the proof jobs in
 * run.db, and the settlements the backend told of (`settled`: the run's own list). Rewards are
 * summed from run.db once per settled batch, not once a second.
 */
export function runSampleSources(input: {
  time: SimTime;
  calendar: EpochCalendar;
  fleet: FleetRuntime;
  ingest: Ingest;
  broker: Pick<BackendBroker, 'connectedClients' | 'isConnected'>;
  store: RunStore;
  publishLatency: PublishLatency;
  pipeline: { readonly activeJobs: number };
  settled: readonly SettledBatch[];
  attached: readonly AttachedDevice[];
  attachedTraffic: AttachedTraffic;
}): SampleSources {
  const { time, calendar, fleet, ingest, broker, store, settled } = input;
  const jobs = new ProofJobs(store.db);
  const batchRewards = store.db.prepare('SELECT reward_wei AS wei FROM rewards WHERE epoch = ? AND batch = ?');
  let rewardsCounted = 0;
  let rewards = 0n;
  let gas = 0n;
  // Batches settled since the last look: their gas and rewards are added once.
  const countNewlySettled = () => {
    for (; rewardsCounted < settled.length; rewardsCounted++) {
      const batch = settled[rewardsCounted]!;
      gas += BigInt(batch.gasUsed);
      for (const row of batchRewards.all(batch.epoch, batch.batch) as Array<{ wei: string }>) rewards += BigInt(row.wei);
    }
  };
  return {
    simNowMs: () => time.clock.nowMs(),
    epochOf: (simS) => calendar.epochOf(simS),
    published: () => fleet.publishedCount(),
    accepted: () => ingest.counters.accepted,
    rejectedByReason: () => ingest.counters.rejected,
    latencyInterval: () => input.publishLatency.takeInterval(),
    connections: () => broker.connectedClients() ?? fleet.onlineCount(),
    stateCount: (state) => fleet.stateCount(state),
    timerLatenessP99Ms: () => time.timerLateness()?.p99 ?? null,
    proofs: (): RunSample['proofs'] => {
      const counts = jobs.counts();
      const proving = input.pipeline.activeJobs;
      return { queued: Math.max(0, (counts.queued ?? 0) - proving), proving, settled: counts.settled ?? 0, failed: counts.failed ?? 0 };
    },
    settlements: () => {
      countNewlySettled();
      return { count: settled.length, gasUsed: gas.toString(), lastProveMs: settled.at(-1)?.proveMs ?? null };
    },
    rewardsWei: () => {
      countNewlySettled();
      return rewards;
    },
    attached: () =>
      input.attached.map((device) => ({
        deviceId: device.deviceId,
        state: attachedState(device.deviceId, broker, input.attachedTraffic),
        publishes: input.attachedTraffic.publishesOf(device.deviceId) ?? 0,
      })),
  };
}
