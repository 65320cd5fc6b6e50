import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenarios/index.ts';
import { parseDurationS } from '../../scenarios/timeline-schema.ts';

const base = { name: 't', fleet: [{ count: 2 }], epochs: { lengthS: 60, count: 2 } };
const parse = (timeline: unknown[], extra: Record<string, unknown> = {}) => parseScenario({ ...base, ...extra, timeline } as never, 's.yaml').timeline;
const refusal = (timeline: unknown[], extra: Record<string, unknown> = {}) => {
  try {
    parse(timeline, extra);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('parsed');
};

describe('timeline schema', () => {
  it('args: durations as seconds or with ms, s, min, h; devices as all, a share or IMEIs; defaults filled in', () => {
    expect(parseDurationS(90)).toBe(90);
    expect(parseDurationS('30s')).toBe(30);
    expect(parseDurationS('2min')).toBe(120);
    expect(parseDurationS('1h')).toBe(3600);
    expect(parseDurationS('500ms')).toBe(0.5);
    expect(parseDurationS('1.5 s')).toBe(1.5);
    expect(parseDurationS('10 seconds')).toBeUndefined();
    expect(parseDurationS(-1)).toBeUndefined();
    expect(
      parse([
        { at: '10s', event: 'devices.reconnectStorm' },
        { at: 20, event: 'network.partition', devices: '25%', for: '30s' },
        { at: '1min', event: 'devices.powerOff', devices: ['356938035643809', '356938035643809'], for: 5 },
        { at: 70, event: 'devices.powerOn' },
        { at: 80, event: 'broker.restart' },
        { at: 90, event: 'chain.restart' },
        { at: 100, event: 'chain.restart', downFor: '2s', kill: true },
      ]),
    ).toEqual([
      { at: 10, event: 'devices.reconnectStorm', devices: { kind: 'all' } },
      { at: 20, event: 'network.partition', devices: { kind: 'share', share: 0.25 }, for: 30 },
      { at: 60, event: 'devices.powerOff', devices: { kind: 'ids', ids: ['356938035643809'] }, for: 5 },
      { at: 70, event: 'devices.powerOn', devices: { kind: 'all' } },
      { at: 80, event: 'broker.restart', downFor: 10 },
      { at: 90, event: 'chain.restart', downFor: 5, kill: false },
      { at: 100, event: 'chain.restart', downFor: 2, kill: true },
    ]);
    expect(parseScenario(base as never, 's.yaml').timeline).toEqual([]);
    // YAML reads an unquoted IMEI as a number.
    expect(parse([{ at: 1, event: 'devices.powerOff', devices: [356938035643809] }])[0]).toMatchObject({ devices: { kind: 'ids', ids: ['356938035643809'] } });
  });

  it.each<[string, unknown[], string]>([
    ['an unknown event', [{ at: 5, event: 'devices.explode' }], 'timeline[0].event: expected an event of: devices.reconnectStorm, network.partition, devices.powerOff, devices.powerOn, broker.restart, chain.restart, got {"at":5,"event":"devices.explode"}'],
    ['a duration without a unit it knows', [{ at: '5 seconds', event: 'devices.reconnectStorm' }], 'timeline[0].at: expected a duration: seconds as a number, or a string such as "30s", "2min", "1h", got "5 seconds"'],
    ['a partition without `for`', [{ at: 5, event: 'network.partition' }], 'timeline[0].for: expected a duration: seconds as a number, or a string such as "30s", "2min", "1h", got nothing'],
    ['a zero-length partition', [{ at: 5, event: 'network.partition', for: 0 }], 'timeline[0].for: expected a duration: seconds as a number, or a string such as "30s", "2min", "1h", above 0, got 0'],
    ['a share above 100%', [{ at: 5, event: 'devices.powerOff', devices: '150%' }], 'timeline[0].devices: expected "all", a share of the fleet such as "25%", or a list of device IMEIs (a share above 0% and at most 100%), got "150%"'],
    ['a share of 0%', [{ at: 5, event: 'devices.powerOff', devices: '0%' }], 'timeline[0].devices: expected "all", a share of the fleet such as "25%", or a list of device IMEIs (a share above 0% and at most 100%), got "0%"'],
    ['a device id that is no IMEI', [{ at: 5, event: 'devices.powerOff', devices: ['123'] }], 'timeline[0].devices: expected device IMEIs of 15 digits, got "123"'],
    ['an empty device list', [{ at: 5, event: 'devices.powerOff', devices: [] }], 'timeline[0].devices: expected at least one device IMEI, or "all", got []'],
    ['an unknown key', [{ at: 5, event: 'broker.restart', donwFor: 3 }], 'timeline[0].donwFor: unknown key donwFor; did you mean downFor?'],
    ['an event after the run ends', [{ at: '2min', event: 'devices.powerOn' }], "timeline[0].at: devices.powerOn at 120 s is not within the run's 120 s; move it earlier or lengthen the epochs"],
    ['a chain.restart kill that is no boolean', [{ at: 5, event: 'chain.restart', kill: 'yes' }], 'timeline[0].kill: expected true or false, got "yes"'],
  ])('errors: %s is refused in one line naming the field', (_what, timeline, message) => {
    expect(refusal(timeline)).toBe(`s.yaml: ${message}`);
  });

  it('errors: broker.restart on a team\'s broker (broker.url) is refused', () => {
    expect(refusal([{ at: 5, event: 'broker.restart' }], { broker: { url: 'mqtt://127.0.0.1:1883' } })).toBe(
      "s.yaml: timeline[0].event: broker.restart restarts the embedded broker, and broker.url replaces it with your own: restart your broker yourself, or run on the embedded one",
    );
  });
});
