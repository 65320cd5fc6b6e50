import type { RunSample, TrackSet } from '../../reports/output.ts';
import type { RunReport, TimelinePoint } from '../../reports/types.ts';

/**
 * A hand-made report and track set (fakes, for the HTML report's unit tests): the shape a run
 * writes, with figures chosen so every chart has something to draw.
 */

const WEI = 10n ** 18n;

/** One second of a run as reports/output.ts defines it. */
export function fakeSample(tS: number): RunSample {
  return {
    tS,
    simTimeS: 1_767_225_600 + tS * 60,
    epoch: 0,
    phase: tS < 8 ? 'fleet' : 'settling',
    published: tS * 40,
    accepted: tS * 38,
    rejected: tS * 2,
    publishedPerS: 40 + (tS % 3),
    acceptedPerS: 38 + (tS % 2),
    rejectedByReason: { replay: tS * 2 },
    // Nothing accepted in second 5: a gap in the latency chart.
    latencyMs: tS === 5 ? null : { p50: 3 + tS / 10, p95: 9, p99: 15 + tS },
    connections: Math.min(4, tS),
    states: tS < 3 ? { booting: 4 - tS, online: tS } : { online: 4 },
    cpuPercent: 50 + tS,
    rssMb: 180 + tS,
    loopLagP99Ms: 2 + tS / 4,
    timerLatenessP99Ms: 1,
    proofs: { queued: Math.max(0, tS - 6), proving: tS > 6 ? 1 : 0, settled: 0, failed: 0 },
    settlements: { count: 0, gasUsed: '0', lastProveMs: null },
    rewardsWei: '0',
    attached: [],
    warnings: 0,
  };
}

/** A point of an older report's timeline: no latency, timer lateness or proof queue. */
export function olderPoint(tS: number): TimelinePoint {
  const { simTimeS, publishedPerS, acceptedPerS, connections, cpuPercent, rssMb, loopLagP99Ms, states } = fakeSample(tS);
  return { tS, simTimeS, publishedPerS, acceptedPerS, connections, cpuPercent, rssMb, loopLagP99Ms, states };
}

const device = (i: number, profile: string, rewardWei: bigint) => ({
  deviceIndex: i,
  deviceId: `35981145976195${i}`,
  owner: `0x${String(i).padStart(40, '0')}`,
  motion: 'car',
  profile,
  samples: 16,
  units: String(rewardWei / 10n ** 12n),
  rewardWei: rewardWei.toString(),
});

export function fakeReport(): RunReport {
  const perDevice = [device(1, 'car', 3n * WEI), device(2, 'car', 1n * WEI), device(3, 'car · sybil', 0n), device(4, 'car', 2n * WEI)];
  const batch = (b: number, proveMs: number, gasUsed: string) => ({
    batch: b, deviceIndexes: [1, 2, 3, 4], commitment: '1', proveMs, gasUsed, calldataBytes: 420, txHash: `0x${b}`, closeToMinedMs: 2000, proofFile: `proofs/epoch-0-batch-${b}.proof.json`,
  });
  return {
    pinbench: { version: '0.1.0' },
    scenario: { name: 'fake-html', seed: 7, source: '(object)', devices: 4, epochs: 1, epochLengthS: 600 },
    runDir: '/tmp/fake-run',
    startedAt: '2026-12-07T12:00:00.000Z',
    finishedAt: '2026-12-07T12:00:20.000Z',
    ok: true,
    checks: [{ name: 'fleet registered', ok: true, detail: '4 of 4 devices registered on chain' }, { name: 'readings accepted', ok: false, detail: 'a check that failed' }],
    thresholds: [{ expression: 'latency.publishToAccept.p99 < 100ms', metric: 'latency.publishToAccept.p99', measured: 15, measuredText: '15ms', expected: '< 100ms', ok: true, abortOnFail: false, aborted: false }],
    timingsMs: { 'fleet.run': 10_000 },
    counts: { published: 400, received: 400, accepted: 380, rejected: { replay: 15, signature: 5 }, unaccounted: 0, authFailures: 0, refusedLogins: {} },
    latencyMs: { samples: 380, p50: 3.2, p95: 9.5, p99: 15.9, max: 40 },
    ackLatencyMs: { samples: 400, p50: 1, p95: 2, p99: 3, max: 5 },
    connectMs: { samples: 4, p50: 12, p95: 20, p99: 21, max: 21 },
    broker: { url: 'mqtt://127.0.0.1:1883', listeners: ['mqtt://127.0.0.1:1883'], peakConnections: 4, mode: 'embedded', dropped: 0, connects: 4, refusedConnects: {} },
    registration: { proposed: 0, confirmed: 0, refused: 0 },
    chain: {
      rpcUrl: 'http://127.0.0.1:8545', chainId: '31337', embedded: true,
      contracts: { registry: '0x1', token: '0x2', settlement: '0x3', verifier: '0x4' },
      transactions: { sent: 3, confirmed: 3, reverted: 0, failed: 0, rebroadcast: 0, retried: 0, outages: 0, lostNoncesResent: 0 },
    },
    circuit: { key: 'a21ae2079752ac64', batchSize: 4, readingsPerDevice: 8, constraints: 6903, ptauPower: 13 },
    epochs: [{ epoch: 0, devices: 4, readings: 380, flagged: 1, batches: [batch(0, 1700, '280495'), batch(1, 1020, '250001')] }],
    proofs: { count: 2, proveMsP50: 1020, proveMsMax: 1700, proveMsTotal: 2720, closeToMinedMsP50: 2000, closeToMinedMsP95: 2000 },
    gas: { deploy: '2471735', register: '1540482', settleTotal: '530496', settlePerBatchMax: '280495', perDeviceEpoch: '132624', calldataBytesPerDeviceEpoch: 105, claims: 3, claimTotal: '200000' },
    rewards: { totalWei: (6n * WEI).toString(), perDevice },
    performance: {
      timeMode: 'accelerated', simSpeed: 60, acceptedPerSecond: { mean: 38, peak: 39 }, peakRssBytes: 200 * 2 ** 20, childPeakRssBytes: null, wholeRun: null,
      cpuPercentOfCore: 55, loopLagMs: { mean: 2, p50: 1, p99: 4, max: 9 }, timerLatenessMs: null,
      timeline: Array.from({ length: 12 }, (_, i) => fakeSample(i + 1)),
    },
    profiles: [
      { profile: 'car', adversary: null, devices: 3, published: 300, accepted: 300, rejected: 0, flaggedDeviceEpochs: 0, flaggedDevices: 0, rewardWei: (6n * WEI).toString(), rewardPerDeviceWei: (2n * WEI).toString() },
      { profile: 'car · sybil', adversary: 'sybil', devices: 1, published: 100, accepted: 80, rejected: 20, flaggedDeviceEpochs: 1, flaggedDevices: 1, rewardWei: '0', rewardPerDeviceWei: '0' },
    ],
    attached: [],
  };
}

/** Four devices around Berlin's centre: three honest, one flagged, one attached. */
export function fakeTracks(): TrackSet {
  const track = (i: number, flagged: boolean, attached: boolean) => ({
    deviceId: `35981145976195${i}`,
    profile: attached ? 'attached' : 'car',
    flagged,
    attached,
    points: Array.from({ length: 5 }, (_, j): [number, number] => [13.35 + i * 0.01 + j * 0.002, 52.5 + j * 0.001 * i]),
  });
  const tracks = [track(1, false, false), track(2, false, false), track(3, true, false), track(4, false, true)];
  return { bounds: [13.36, 52.5, 13.398, 52.516], tracks, readings: 400, kept: 20 };
}

/**
 * A city-sized report and track set (fakes): `devices` devices around Berlin, each with a
 * track of `pointsPerDevice` points of a seeded random walk (the shape readTracks gives at its
 * cap), a timeline of `seconds` samples, a batch per 32 devices and a reward for each device.
 */
export function fakeCity(devices: number, pointsPerDevice: number, seconds: number): { report: RunReport; tracks: TrackSet } {
  let seed = 19;
  // A small linear congruential generator: the same figures every time.
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const report = fakeReport();
  report.scenario = { ...report.scenario, name: 'fake-city', devices };
  report.rewards.perDevice = Array.from({ length: devices }, (_, i) => device(i + 1, i % 50 === 0 ? 'car · sybil' : 'car', i % 50 === 0 ? 0n : BigInt(Math.floor(random() * 1e6)) * 10n ** 12n));
  report.performance.timeline = Array.from({ length: seconds }, (_, i) => ({ ...fakeSample(i + 1), connections: devices, states: { online: devices - (i % 7), offline: i % 7 } }));
  report.epochs = [{ epoch: 0, devices, readings: devices * 10, flagged: devices / 50, batches: report.epochs[0]!.batches.slice(0, 1) }];
  const template = report.epochs[0]!.batches[0]!;
  report.epochs[0]!.batches = Array.from({ length: Math.ceil(devices / 32) }, (_, b) => ({ ...template, batch: b, proveMs: 1000 + random() * 500, gasUsed: String(250_000 + Math.floor(random() * 30_000)) }));
  const tracks: TrackSet['tracks'] = Array.from({ length: devices }, (_, i) => {
    let lon = 13.1 + random() * 0.6;
    let lat = 52.35 + random() * 0.3;
    const points = Array.from({ length: pointsPerDevice }, (): [number, number] => {
      lon += (random() - 0.5) * 0.02;
      lat += (random() - 0.5) * 0.012;
      return [Math.round(lon * 1e7) / 1e7, Math.round(lat * 1e7) / 1e7];
    });
    return { deviceId: `35981145${String(i).padStart(7, '0')}`, profile: i % 50 === 0 ? 'car · sybil' : 'car', flagged: i % 50 === 0, attached: i === 7, points };
  });
  const all = tracks.flatMap((t) => t.points);
  const bounds: [number, number, number, number] = [Math.min(...all.map((p) => p[0])), Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[0])), Math.max(...all.map((p) => p[1]))];
  return { report, tracks: { bounds, tracks, readings: devices * 720, kept: all.length } };
}
