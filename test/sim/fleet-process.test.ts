import { describe, expect, it } from 'vitest';
import { Outbox } from '../../sim/fleet-process/outbox.ts';
import { FollowerClock } from '../../sim/fleet-process/follower-clock.ts';
import { LatencyMatcher } from '../../sim/fleet-process/latency-matcher.ts';
import { FleetProcessHost, type ChildHandle } from '../../sim/fleet-process/host.ts';
import { chooseFleetPlacement } from '../../sim/run/fleet-placement.ts';
import { IoSettle } from '../../sim/clock/io-settle.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { ChildMessage, FleetBatch, ParentMessage } from '../../sim/fleet-process/ipc-messages.ts';
import type { FleetEnrolment } from '../../sim/fleet/fleet-enrolment.ts';
import type { Scenario } from '../../scenarios/index.ts';

function outbox(maxItems = 3) {
  const sent: FleetBatch[] = [];
  let now = 0;
  const box = new Outbox({
    send: (batch) => sent.push(batch),
    snapshot: () => ({ counters: { published: 7, sent: 9, online: 2, peak: 3, states: [['online', 2]], connects: 2, refused: [], incidents: { publishFailed: 0, bufferDropped: 0, connectionsLost: 0 } }, memory: { rssBytes: 100, maxRssBytes: 120 }, connectMs: [] }),
    maxItems,
    heartbeatMs: 250,
    wallNowMs: () => now,
  });
  return { box, sent, advance: (ms: number) => (now += ms) };
}

describe('fleet process: IPC batching', () => {
  it('behavior: items wait for a tick and go out as one batch with the counters', () => {
    const { box, sent } = outbox(10);
    box.published('a', new Uint8Array([1]), 5, 6, 1000);
    box.register('b');
    box.publishFailed('c', 'closed');
    expect(sent).toEqual([]);
    box.tick();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'batch',
      published: [['a', new Uint8Array([1]), 5, 6, 1000]],
      register: ['b'],
      publishFailed: [['c', 'closed']],
      counters: { published: 7, sent: 9 },
      memory: { rssBytes: 100, maxRssBytes: 120 },
    });
  });

  it('behavior: a full batch goes out at once, without waiting for the tick', () => {
    const { box, sent } = outbox(3);
    for (const id of ['a', 'b', 'c', 'd']) box.register(id);
    expect(sent.map((b) => b.register)).toEqual([['a', 'b', 'c']]);
    box.flush();
    expect(sent.map((b) => b.register)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('behavior: without items a tick sends only a heartbeat every heartbeatMs', () => {
    const { box, sent, advance } = outbox();
    box.tick();
    expect(sent).toHaveLength(1);
    advance(100);
    box.tick();
    expect(sent).toHaveLength(1);
    advance(200);
    box.tick();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.published).toEqual([]);
  });
});

describe('fleet process: follower clock', () => {
  it('behavior: timers fire when the leader reaches them, in (time, scheduling) order, each at its own time', () => {
    const c = new FollowerClock(1000, 100);
    const seen: string[] = [];
    c.schedule(50, () => seen.push(`b@${c.nowMs()}`));
    c.schedule(20, () => seen.push(`a@${c.nowMs()}`));
    c.schedule(50, () => seen.push(`c@${c.nowMs()}`));
    const late = c.schedule(500, () => seen.push('late'));
    expect(c.nextDue()).toEqual({ atMs: 1020, barrier: false });
    c.follow(1049);
    expect(seen).toEqual(['a@1020']);
    expect(c.nowMs()).toBe(1049);
    c.follow(1060);
    expect(seen).toEqual(['a@1020', 'b@1050', 'c@1050']);
    expect(c.nowMs()).toBe(1060);
    c.cancel(late);
    c.follow(5000);
    expect(seen).toHaveLength(3);
    expect(c.pending()).toBe(0);
  });

  it('behavior: time never goes back and barriers are reported as such', () => {
    const c = new FollowerClock(1000, 100);
    c.follow(2000);
    c.follow(1500);
    expect(c.nowMs()).toBe(2000);
    c.scheduleBarrier(10, () => undefined);
    expect(c.nextDue()).toEqual({ atMs: 2010, barrier: true });
  });

  it('behavior: alone, it runs slice by slice, a barrier starting a slice of its own', async () => {
    const c = new FollowerClock(0, 1000);
    const log: string[] = [];
    c.schedule(100, () => log.push('a'));
    c.scheduleBarrier(200, () => log.push(`close@${c.nowMs()}`));
    c.schedule(300, () => log.push('b'));
    c.schedule(5000, () => log.push('after-end'));
    await c.runUntil(4000, async () => void log.push('settle'));
    expect(log).toEqual(['a', 'settle', 'close@200', 'b', 'settle', 'settle']);
    expect(c.nowMs()).toBe(4000);
  });
});

describe('fleet process: latency pairing', () => {
  it('behavior: a send time and an accept time pair up in either order', () => {
    const got: number[] = [];
    const m = new LatencyMatcher((ms) => got.push(ms));
    const d1 = new Uint8Array([1, 2]);
    const d2 = new Uint8Array([3, 4]);
    m.sentAt('dev', d1, 100);
    m.acceptedAt('dev', d1, 112);
    m.acceptedAt('dev', d2, 230);
    m.sentAt('dev', d2, 200);
    m.sentAt('other', d1, 100);
    expect(got).toEqual([12, 30]);
    expect(m.pending()).toBe(1);
  });

  it('behavior: unpaired halves are dropped oldest first beyond the bound', () => {
    const m = new LatencyMatcher(() => undefined, 2);
    for (let i = 0; i < 5; i++) m.acceptedAt('dev', new Uint8Array([i]), i);
    expect(m.pending()).toBe(2);
  });
});

describe('fleet process: placement', () => {
  const fits = () => ({}) as never;
  const refuses = () => {
    throw new PinbenchError('HOST_CAPACITY_EXCEEDED', 'too many');
  };
  it('args: auto keeps small fleets inline and moves large or unfittable ones out', () => {
    expect(chooseFleetPlacement('auto', 100, fits)).toBe('inline');
    expect(chooseFleetPlacement('auto', 499, fits)).toBe('inline');
    expect(chooseFleetPlacement('auto', 500, fits)).toBe('child');
    expect(chooseFleetPlacement('auto', 100, refuses)).toBe('child');
    expect(chooseFleetPlacement('inline', 5000, refuses)).toBe('inline');
    expect(chooseFleetPlacement('child', 1, fits)).toBe('child');
  });
});

/** A fleet process that is a pair of arrays: what the host sent, and a way to answer. */
function fakeChild() {
  const received: ParentMessage[] = [];
  let onMessage: (m: ChildMessage) => void = () => undefined;
  let onExit: (code: number | null, signal: NodeJS.Signals | null) => void = () => undefined;
  const child: ChildHandle = {
    pid: 4242,
    send: (m) => received.push(m),
    onMessage: (h) => (onMessage = h),
    onExit: (h) => (onExit = h),
    kill: () => onExit(null, 'SIGKILL'),
  };
  return { child, received, say: (m: ChildMessage) => onMessage(m), exit: (code: number | null, signal: NodeJS.Signals | null) => onExit(code, signal) };
}

function batch(part: Partial<FleetBatch>): FleetBatch {
  return {
    type: 'batch', published: [], register: [], publishFailed: [], registrationFailed: [], logs: [],
    counters: { published: 0, sent: 0, online: 0, peak: 0, states: [], connects: 0, refused: [], incidents: { publishFailed: 0, bufferDropped: 0, connectionsLost: 0 } }, memory: { rssBytes: 0, maxRssBytes: 0 }, connectMs: [], ...part,
  };
}

function hostWith(mode: 'realtime' | 'accelerated') {
  const fake = fakeChild();
  const io = new IoSettle({ stallMs: 60_000, maxWaitMs: 60_000, wallNowMs: () => performance.now() });
  const follower = mode === 'accelerated' ? new FollowerClock(0, 1000) : undefined;
  const spec = { id: 'dev-1', password: 'pw' };
  const recorded: Array<[string, number]> = [];
  const enrolment: FleetEnrolment = {
    specs: [spec] as never,
    register: async () => 17,
    drain: async () => undefined,
    recordPublished: (id, _digest, ms) => void recorded.push([id, ms]),
    registeredCount: () => 1,
  };
  const host = new FleetProcessHost({
    child: fake.child, scenario: {} as Scenario, scenarioDir: '/', startMs: 0, mode, io, follower, logPath: '/tmp/fleet.log',
  });
  const latencies: number[] = [];
  const logs: string[] = [];
  const logger = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), debug: (m: string) => logs.push(m) };
  const fleet = host.runtime({ enrolment, logger, publishLatency: { record: (ms) => void latencies.push(ms) } });
  return { ...fake, io, follower, host, fleet, recorded, latencies, logs };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('fleet process: host', () => {
  it('behavior: registrations are answered with registry indices, publishes recorded, counters mirrored', async () => {
    const h = hostWith('realtime');
    expect(h.received[0]).toMatchObject({ type: 'init', startMs: 0, mode: 'realtime' });
    h.say(batch({
      register: ['dev-1'],
      published: [['dev-1', new Uint8Array([9]), 100, 105, 1767225600]],
      logs: [['warn', 'from the fleet']],
      counters: { published: 1, sent: 1, online: 1, peak: 1, states: [['online', 1]], connects: 1, refused: [], incidents: { publishFailed: 0, bufferDropped: 0, connectionsLost: 0 } },
      memory: { rssBytes: 50, maxRssBytes: 80 },
    }));
    h.fleet.readingAccepted(['dev-1'][0]!, new Uint8Array([9]), new Uint8Array([1]), 103);
    await tick();
    await tick();
    expect(h.received.at(-1)).toEqual({ type: 'registered', results: [['dev-1', 17, undefined]] });
    expect(h.recorded).toEqual([['dev-1', 105]]);
    expect(h.latencies).toEqual([3]);
    expect(h.logs).toEqual(['from the fleet']);
    expect(h.fleet.publishedCount()).toBe(1);
    expect(h.fleet.statesSnapshot()).toEqual({ online: 1 });
    expect(h.fleet.childPeakRssBytes()).toBe(80);
  });

  it('behavior: a slice is settled only once the broker has seen its publishes', async () => {
    const h = hostWith('accelerated');
    const closes: number[] = [];
    h.follower!.scheduleBarrier(1500, () => closes.push(h.follower!.nowMs()));
    h.say({ type: 'time', nowMs: 1600 });
    expect(closes).toEqual([1500]);
    expect(h.received.at(-1)).toEqual({ type: 'time-ok', nextTimer: undefined });
    h.say({ type: 'slice', nowMs: 1600, sent: 2 });
    await tick();
    await tick();
    expect(h.received.at(-1)?.type).toBe('time-ok');
    h.io.publishArrived();
    h.io.publishArrived();
    for (let i = 0; i < 5 && h.received.at(-1)?.type !== 'settled'; i++) await tick();
    expect(h.received.at(-1)).toEqual({ type: 'settled', nextTimer: undefined });
  });

  it('behavior: advance resolves when the fleet reports it, with the run\'s clock at the end', async () => {
    const h = hostWith('accelerated');
    const done = h.host.advance(9000);
    expect(h.received.at(-1)).toEqual({ type: 'advance', endMs: 9000, nextTimer: undefined });
    h.say({ type: 'advanced', nowMs: 9000 });
    await done;
    expect(h.follower!.nowMs()).toBe(9000);
  });

  it('error: a fleet process that dies names its exit and where its output went', async () => {
    const h = hostWith('accelerated');
    const advancing = h.host.advance(9000);
    h.say({ type: 'failed', message: 'boom', code: undefined });
    h.exit(1, null);
    await expect(advancing).rejects.toThrow('the fleet process (pid 4242) exited with code 1: boom; its output is in /tmp/fleet.log');
    await expect(h.host.failed()).rejects.toMatchObject({ code: 'FLEET_PROCESS_FAILED' });
    await expect(h.fleet.stop()).resolves.toBeUndefined();
  });

  it('error: a fleet process that dies while stopping fails the stop', async () => {
    const h = hostWith('realtime');
    const stopping = h.fleet.stop();
    h.exit(null, 'SIGSEGV');
    await expect(stopping).rejects.toThrow('the fleet process (pid 4242) was killed by SIGSEGV');
  });

  it('behavior: stop asks the fleet to stop and waits for its exit', async () => {
    const h = hostWith('realtime');
    const stopping = h.fleet.stop();
    expect(h.received.at(-1)).toEqual({ type: 'stop' });
    h.say({ type: 'stopped' });
    h.exit(0, null);
    await stopping;
    expect(h.host.leading()).toBe(false);
  });
});
