import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenarios/index.ts';
import { chooseDevices } from '../../sim/timeline/choose-devices.ts';
import { planTimeline } from '../../sim/timeline/plan-timeline.ts';
import { refuseTimeline } from '../../sim/timeline/run-timeline.ts';
import { renderTimeline } from '../../reports/timeline-markdown.ts';

const pool = Array.from({ length: 20 }, (_, i) => `35693803564${String(1000 + i)}`);
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const scenarioWith = (timeline: unknown[], extra: Record<string, unknown> = {}) =>
  parseScenario({ name: 't', seed: 3, fleet: [{ count: 20 }], epochs: { lengthS: 60, count: 2 }, timeline, ...extra } as never, 's.yaml');
const planOf = (timeline: unknown[]) => {
  const s = scenarioWith(timeline);
  return planTimeline({ timeline: s.timeline, startMs: START_MS, deviceIds: pool, seed: s.seed, source: 's.yaml' });
};

describe('chooseDevices', () => {
  it('behavior: a share is drawn from the seed and the event\'s place: the same arguments pick the same devices, in fleet order', () => {
    const a = chooseDevices({ kind: 'share', share: 0.25 }, pool, 7, 2);
    expect(a).toHaveLength(5);
    expect(chooseDevices({ kind: 'share', share: 0.25 }, pool, 7, 2)).toEqual(a);
    expect([...a].sort((x, y) => pool.indexOf(x) - pool.indexOf(y))).toEqual(a);
    expect(chooseDevices({ kind: 'share', share: 0.25 }, pool, 8, 2)).not.toEqual(a);
    expect(chooseDevices({ kind: 'share', share: 0.25 }, pool, 7, 3)).not.toEqual(a);
  });

  it('args: at least one device for any share, never more than the pool; all and IMEI lists as given', () => {
    expect(chooseDevices({ kind: 'share', share: 0.001 }, pool, 1, 0)).toHaveLength(1);
    expect(chooseDevices({ kind: 'share', share: 1 }, pool, 1, 0)).toEqual(pool);
    expect(chooseDevices({ kind: 'share', share: 0.5 }, [], 1, 0)).toEqual([]);
    expect(chooseDevices({ kind: 'all' }, pool, 1, 0)).toEqual(pool);
    expect(chooseDevices({ kind: 'ids', ids: [pool[5]!, pool[2]!] }, pool, 1, 0)).toEqual([pool[2], pool[5]]);
  });
});

describe('planTimeline', () => {
  it('behavior: a powerOn brings back exactly the devices still off by then; a powerOff with `for` powers them on itself', () => {
    const plan = planOf([
      { at: 5, event: 'devices.powerOff', devices: '10%', for: 10 },
      { at: 20, event: 'devices.powerOff', devices: '25%' },
      { at: 30, event: 'devices.powerOn' },
    ]);
    const [first, second, on] = plan.events;
    expect(first!.deviceIds).toHaveLength(2);
    expect(second!.deviceIds).toHaveLength(5);
    expect(on!.deviceIds).toEqual(second!.deviceIds);
    expect(plan.interventions.map((i) => [i.kind, (i.atMs - START_MS) / 1000, i.deviceIds.length])).toEqual([
      ['cutPower', 5, 2],
      ['restorePower', 15, 2],
      ['cutPower', 20, 5],
      ['restorePower', 30, 5],
    ]);
  });

  it('behavior: a device already off is not chosen again, and events run in time order whatever the file\'s order', () => {
    const plan = planOf([
      { at: 40, event: 'devices.powerOn' },
      { at: 10, event: 'devices.powerOff', devices: '50%' },
      { at: 20, event: 'devices.powerOff', devices: 'all' },
    ]);
    expect(plan.events.map((e) => e.atS)).toEqual([10, 20, 40]);
    const [half, rest, on] = plan.events;
    expect(rest!.deviceIds.filter((id) => half!.deviceIds.includes(id))).toEqual([]);
    expect(rest!.deviceIds).toHaveLength(10);
    expect(on!.deviceIds).toEqual(pool);
  });

  it('behavior: a partition cuts its devices off until it heals; a broker restart cuts every device off until 1 ms after the broker is back', () => {
    const plan = planOf([
      { at: 12, event: 'network.partition', devices: [pool[3]], for: '30s' },
      { at: 50, event: 'broker.restart', downFor: '5s' },
    ]);
    expect(plan.interventions).toEqual([
      { id: 0, atMs: START_MS + 12_000, kind: 'cutNetwork', deviceIds: [pool[3]], untilMs: START_MS + 42_000 },
      { id: 1, atMs: START_MS + 50_000, kind: 'cutNetwork', deviceIds: pool, untilMs: START_MS + 55_001 },
    ]);
    expect(plan.brokerRestarts).toEqual([{ index: 1, atMs: START_MS + 50_000, downMs: 5000 }]);
  });

  it('behavior: a chain restart cuts no device off; its wall-clock downtime is planned apart, and its simulated duration is 0', () => {
    const plan = planOf([
      { at: 30, event: 'chain.restart', downFor: '3s', kill: true },
      { at: 40, event: 'chain.restart' },
    ]);
    expect(plan.interventions).toEqual([]);
    expect(plan.chainRestarts).toEqual([
      { index: 0, atMs: START_MS + 30_000, downMs: 3000, kill: true },
      { index: 1, atMs: START_MS + 40_000, downMs: 5000, kill: false },
    ]);
    expect(plan.events.map((e) => [e.event, e.atS, e.durationS, e.deviceIds.length])).toEqual([
      ['chain.restart', 30, 0, 0],
      ['chain.restart', 40, 0, 0],
    ]);
  });

  it('errors: an IMEI not in the fleet is refused in one line', () => {
    expect(() => planOf([{ at: 5, event: 'devices.powerOff', devices: ['356938035643809'] }])).toThrow(
      's.yaml: timeline[0].devices: 356938035643809 is not in the fleet; list IMEIs of the fleet\'s devices or give a share such as "25%"',
    );
  });
});

describe('refuseTimeline', () => {
  it('errors: broker.restart with --broker, and device events in a run with replay entries, are refused before the run', () => {
    expect(() => refuseTimeline(scenarioWith([{ at: 5, event: 'broker.restart' }]), 's.yaml', { externalBrokerUrl: 'mqtt://10.0.0.1:1883', replays: false, externalRpcUrl: undefined })).toThrow(
      's.yaml: timeline[0].event: broker.restart restarts the embedded broker, and mqtt://10.0.0.1:1883 is your own: restart your broker yourself, or run without --broker',
    );
    expect(() => refuseTimeline(scenarioWith([{ at: 5, event: 'devices.powerOff' }]), 's.yaml', { externalBrokerUrl: undefined, replays: true, externalRpcUrl: undefined })).toThrow(
      's.yaml: timeline[0].event: devices.powerOff is not carried out in a run with replay: entries yet; run the timeline without them',
    );
    expect(() => refuseTimeline(scenarioWith([{ at: 5, event: 'network.partition', for: 3 }]), 's.yaml', { externalBrokerUrl: 'mqtt://10.0.0.1:1883', replays: false, externalRpcUrl: undefined })).not.toThrow();
  });

  it('errors: chain.restart on a chain the run did not start (--rpc, a suite\'s shared chain) is refused before the run', () => {
    expect(() => refuseTimeline(scenarioWith([{ at: 5, event: 'chain.restart' }]), 's.yaml', { externalBrokerUrl: undefined, replays: false, externalRpcUrl: 'http://127.0.0.1:8545' })).toThrow(
      "s.yaml: timeline[0].event: chain.restart restarts the embedded anvil, and http://127.0.0.1:8545 is a chain this run did not start (--rpc, or a suite's shared chain): restart that node yourself, or run the scenario alone without --rpc",
    );
    expect(() => refuseTimeline(scenarioWith([{ at: 5, event: 'chain.restart' }]), 's.yaml', { externalBrokerUrl: undefined, replays: false, externalRpcUrl: undefined })).not.toThrow();
  });
});

describe('renderTimeline', () => {
  it('behavior: one row per event, a failed one marked; nothing without a timeline', () => {
    expect(renderTimeline(undefined)).toEqual([]);
    expect(renderTimeline([])).toEqual([]);
    expect(
      renderTimeline([
        { event: 'network.partition', atS: 12, durationS: 10, devices: 2, detail: '2 devices without network for 10 s (2 lost a connection)', ok: true },
        { event: 'broker.restart', atS: 50, durationS: 5, devices: 0, detail: 'did not run: the run ended first', ok: false },
      ]),
    ).toEqual([
      '## Timeline',
      '',
      '| at | event | for | devices | what happened |',
      '| ---: | --- | ---: | ---: | --- |',
      '| 12 s | `network.partition` | 10 s | 2 | 2 devices without network for 10 s (2 lost a connection) |',
      '| 50 s | ✘ `broker.restart` | 5 s | — | did not run: the run ended first |',
    ]);
  });
});
