import type { RunSample, TrackSet } from '../output.ts';
import type { LooseReport } from './loose-report.ts';
import { rewardDistribution, type RewardDistribution } from './reward-distribution.ts';
import { timelineColumns, type TimelineColumns } from './timeline-series.ts';
import { encodeTracks, type EncodedTracks } from './track-encoding.ts';

/** Every chart of the page, in page order: the page's script draws each one or says why not. */
export const CHART_IDS = [
  'throughput', 'latency', 'states', 'connections', 'resources', 'lag',
  'proof-times', 'proof-queue', 'gas', 'reward-histogram', 'lorenz', 'map',
] as const;
export type ChartId = (typeof CHART_IDS)[number];

/**
 * What the page's script draws, embedded in report.html as JSON. Not the whole report: at
 * 10,000 devices `rewards.perDevice` alone is about 2 MB, so the page carries the columns,
 * bins and curves the charts need, and report.json beside it keeps everything.
 */
export interface PageData {
  timeline: TimelineColumns | null;
  /** One entry per settled batch, in epoch and batch order. */
  batches: { label: string[]; proveMs: number[]; gasUsed: number[] };
  rewards: RewardDistribution | null;
  tracks: EncodedTracks;
  /** Why a chart has nothing to draw, by chart: "not in this report: …" on the page. */
  missing: Partial<Record<ChartId, string>>;
}

export function pageData(report: LooseReport, tracks: TrackSet): PageData {
  const missing: PageData['missing'] = {};
  const rawTimeline = report.performance?.timeline as ReadonlyArray<Partial<RunSample>> | undefined;
  const timeline = rawTimeline === undefined ? null : timelineColumns(rawTimeline);
  const timelineWhy = rawTimeline === undefined ? 'report.json has no performance.timeline' : rawTimeline.length === 0 ? 'the run recorded no per-second samples' : null;
  if (timelineWhy !== null) for (const id of ['throughput', 'latency', 'states', 'connections', 'resources', 'lag', 'proof-queue'] as const) missing[id] = timelineWhy;
  else if (timeline !== null) {
    if (timeline.latencyMs === null) missing.latency = 'its timeline predates per-second latency (performance.timeline[].latencyMs)';
    else if (timeline.latencyMs.p50.every((v) => v === null)) missing.latency = 'no reading was accepted in any second';
    if (timeline.proofs === null) missing['proof-queue'] = 'its timeline predates the proof queue (performance.timeline[].proofs)';
    if (Object.keys(timeline.states).length === 0) missing.states = 'its timeline has no device states';
  }

  const batches: PageData['batches'] = { label: [], proveMs: [], gasUsed: [] };
  for (const epoch of report.epochs ?? []) {
    for (const batch of epoch.batches ?? []) {
      batches.label.push(`epoch ${epoch.epoch ?? '?'} batch ${batch.batch ?? '?'}`);
      batches.proveMs.push(Math.round(batch.proveMs ?? 0));
      // Gas of one transaction is far below 2^53: a number is exact.
      batches.gasUsed.push(typeof batch.gasUsed === 'string' && /^\d+$/.test(batch.gasUsed) ? Number(batch.gasUsed) : 0);
    }
  }
  const batchesWhy = report.epochs === undefined ? 'report.json has no epochs' : batches.label.length === 0 ? 'no batch was settled' : null;
  if (batchesWhy !== null) missing['proof-times'] = missing.gas = batchesWhy;

  const perDevice = report.rewards?.perDevice;
  const distribution = perDevice === undefined ? { missing: 'report.json has no rewards.perDevice' } : rewardDistribution(perDevice);
  const rewards = 'missing' in distribution ? null : distribution;
  if ('missing' in distribution) missing['reward-histogram'] = missing.lorenz = distribution.missing;
  else if (distribution.lorenz.length === 0) missing.lorenz = 'no device earned a reward';

  const encoded = encodeTracks(tracks);
  if (encoded.tracks.length === 0) missing.map = 'no reading in run.db had a position';

  return { timeline, batches, rewards, tracks: encoded, missing };
}
