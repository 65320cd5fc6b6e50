import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, scenarioJsonSchema } from '../../scenarios/index.ts';
import type { FleetGroup } from '../../scenarios/index.ts';
import { isPinbenchError, type PinbenchError } from '../../core/errors.ts';

const minimal = { name: 'mini', fleet: [{ count: 3 }], epochs: { lengthS: 10, count: 1 } };

function errorOf(work: () => unknown): PinbenchError {
  try {
    work();
  } catch (error) {
    if (isPinbenchError(error)) return error;
    throw error;
  }
  throw new Error('no error');
}

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-scenario-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('scenario loading', () => {
  it('behavior: the smoke scenario loads with defaults merged', () => {
    const s = loadScenarioFile('scenarios/smoke.yaml');
    expect(s.name).toBe('smoke');
    expect(s.fleet.reduce((n, g) => n + (g as FleetGroup).count, 0)).toBe(20);
    expect(s.reward.rewardPerUnitWei).toBe(1_000_000_000_000n);
    expect(s.circuit).toEqual({ batchSize: 4, readingsPerDevice: 8 });
    expect(s.ingest.maxClockSkewS).toBe(300);
  });

  it('behavior: a minimal scenario gets every default', () => {
    const s = parseScenario(minimal, 'mini.yaml');
    expect(s.seed).toBe(1);
    expect(s.fleet[0]).toEqual({ profile: 'pebble', count: 3, motion: 'car', uploadPeriodS: 2, faults: [], registration: 'confirm' });
    expect(s.area).toBe('berlin');
    expect(s.time).toEqual({ mode: 'realtime', speed: 'max', sliceMs: 5000 });
    expect(s.ramp).toEqual({ devicesPerS: 'all' });
    expect(s.reward.unitsPerSample).toBe(1000);
    // Parsed only: tests never build the default 32×4 circuit (it needs a 2^15 ptau).
    expect(s.circuit).toEqual({ batchSize: 32, readingsPerDevice: 4 });
  });

  it('behavior: the scenario files the tests run use the small circuit shape', () => {
    for (const file of ['scenarios/smoke.yaml', 'scenarios/adversaries.yaml']) {
      expect(loadScenarioFile(file).circuit, file).toEqual({ batchSize: 4, readingsPerDevice: 8 });
    }
  });

  it('error: a circuit batchSize that is not a multiple of 4, or too many readings per device', () => {
    expect(() => parseScenario({ ...minimal, circuit: { batchSize: 6 } }, 'c.yaml')).toThrow(
      'c.yaml: circuit.batchSize: expected a multiple of 4 (a batch fills whole accrual words on chain), e.g. 4 or 32, got 6',
    );
    expect(() => parseScenario({ ...minimal, circuit: { readingsPerDevice: 16 } }, 'c.yaml')).toThrow(
      'c.yaml: circuit.readingsPerDevice: expected a positive integer of at most 15, got 16',
    );
  });

  it('error: a ramp that is neither "all" nor a positive rate, or that outlasts the run', () => {
    expect(() => parseScenario({ ...minimal, ramp: { devicesPerS: 'fast' } }, 'r.yaml')).toThrow(
      'r.yaml: ramp.devicesPerS: expected "all" or a positive number of devices per second, got "fast"',
    );
    expect(() => parseScenario({ ...minimal, fleet: [{ count: 101 }], ramp: { devicesPerS: 10 } }, 'r.yaml')).toThrow(
      "r.yaml: ramp.devicesPerS: 10 devices per second powers 101 devices on over 10 s, not within the run's 10 s; raise devicesPerS or lengthen the epochs",
    );
    expect(parseScenario({ ...minimal, fleet: [{ count: 100 }], ramp: { devicesPerS: 10 } }, 'r.yaml').ramp).toEqual({ devicesPerS: 10 });
  });

  it('error: names the file, the field path, what was expected and what was found', () => {
    expect(() => parseScenario({ ...minimal, fleet: [{ count: 3 }, { count: 3 }, { count: -5 }] }, 'bad.yaml')).toThrow(
      'bad.yaml: fleet[2].count: expected a positive integer, got -5',
    );
  });

  it('error: lists the valid motion names', () => {
    expect(() => parseScenario({ ...minimal, fleet: [{ count: 1, motion: 'jet' }] }, 'bad.yaml')).toThrow(
      'bad.yaml: fleet[0].motion: expected one of: stationary, walk, bike, car, got "jet"',
    );
  });

  it('error: an unknown fault lists the valid names', () => {
    expect(() => parseScenario({ ...minimal, fleet: [{ count: 1, faults: ['wifi'] }] }, 'f.yaml')).toThrow(
      'f.yaml: fleet[0].faults[0]: unknown fault "wifi"; valid faults: flaky-network, clock-skew, stuck-sensor, noisy-sensor, corrupted-packets, battery-failure',
    );
  });

  it('error: an unknown adversary lists the valid names', () => {
    expect(() => parseScenario({ ...minimal, fleet: [{ count: 1, adversary: { name: 'hacker' } }] }, 'a.yaml')).toThrow(
      'a.yaml: fleet[0].adversary: unknown adversary "hacker"; valid adversaries: gps-spoofing, replay, forged-signature, sybil, emulator, wrong-topic, flooding',
    );
  });

  it('error: a bad profile parameter names its path and profile', () => {
    expect(() => parseScenario({ ...minimal, fleet: [{ count: 1, adversary: { name: 'flooding', uploadRateFactor: 0 } }] }, 'p.yaml')).toThrow(
      'p.yaml: fleet[0].adversary.uploadRateFactor: Too small: expected number to be >=1 (adversary flooding), got 0',
    );
  });

  it('behavior: faults and adversaries take a name or parameters, defaults filled in', () => {
    const s = parseScenario({ ...minimal, fleet: [{ count: 1, faults: ['flaky-network', { name: 'clock-skew', offsetS: 5 }], adversary: 'replay' }] }, 'ok.yaml');
    expect((s.fleet[0] as FleetGroup).faults).toEqual([
      { name: 'flaky-network', disconnectsPerHour: 6, outageS: [5, 60] },
      { name: 'clock-skew', offsetS: 5, driftPpm: [-50, 50] },
    ]);
    expect((s.fleet[0] as FleetGroup).adversary).toMatchObject({ name: 'replay' });
  });

  it('error: an unknown city lists the presets', () => {
    expect(() => parseScenario({ ...minimal, area: 'paris' }, 'c.yaml')).toThrow(
      /^c\.yaml: area: expected a city \(berlin, .*\) or a bounding box \{ south, west, north, east \}, got "paris"$/,
    );
  });

  it('error: an unknown key is named with the key it was probably meant to be', () => {
    expect(() => parseScenario({ ...minimal, epoch: {} }, 'typo.yaml')).toThrow('typo.yaml: epoch: unknown key epoch; did you mean epochs?');
  });

  it('error: a missing section says it is missing and what was expected', () => {
    expect(() => parseScenario({ name: 'x', fleet: [{ count: 1 }] }, 'short.yaml')).toThrow('short.yaml: epochs: missing; expected an object');
  });

  it('error: wei amounts must be whole numbers', () => {
    expect(() => parseScenario({ ...minimal, reward: { rewardPerUnitWei: '1.5' } }, 'wei.yaml')).toThrow(
      'wei.yaml: reward.rewardPerUnitWei: expected a whole number of wei, as a decimal string such as "1000000000000", got "1.5"',
    );
  });

  it('error: a file that is not YAML names the file, the line and the column', () => {
    const file = writeTemp('broken.yaml', 'name: x\nfleet: [\n');
    expect(() => loadScenarioFile(file)).toThrow(/broken\.yaml:3:1: not valid YAML: /);
    const nested = writeTemp('nested.yaml', 'name: x\n  foo: : bar\n');
    expect(errorOf(() => loadScenarioFile(nested))).toMatchObject({
      code: 'SCENARIO_INVALID',
      message: `${nested}:1:7: not valid YAML: Nested mappings are not allowed in compact mappings`,
    });
    const two = writeTemp('two.yaml', 'name: a\n---\nname: b\n');
    expect(errorOf(() => loadScenarioFile(two)).message).toBe(
      `${two}:2:1: not valid YAML: a scenario file holds one YAML document; remove this \`---\` and what follows, or put each scenario in a file of its own`,
    );
    const empty = writeTemp('empty.yaml', '');
    expect(errorOf(() => loadScenarioFile(empty)).message.split('\n')[0]).toBe(`${empty}:1:1: name: missing; expected a name`);
  });

  it('error: a missing file says to check the path', () => {
    expect(() => loadScenarioFile('/nonexistent/s.yaml')).toThrow(
      /^\/nonexistent\/s\.yaml: cannot read the scenario file \(.*\); check the path$/,
    );
  });

  it('behavior: the schema is also a JSON Schema for editors', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['name', 'seed', 'fleet', 'epochs', 'reward', 'ingest', 'circuit']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'fleet', 'epochs']));
  });
});

describe('scenario errors point into the file', () => {
  const header = 'name: typo\nepochs: { lengthS: 10, count: 1 }\nfleet:\n';

  it('error: an unknown key is reported at its own line and column, with the key it was meant to be', () => {
    const file = writeTemp('x.yaml', `${header}  - count: 2\n    motoin: walk\n`);
    expect(errorOf(() => loadScenarioFile(file))).toMatchObject({
      code: 'SCENARIO_INVALID',
      message: `${file}:5:5: fleet[0].motoin: unknown key motoin; did you mean motion?`,
      details: { source: file, issues: [`${file}:5:5: fleet[0].motoin: unknown key motoin; did you mean motion?`] },
    });
  });

  it('error: a wrong type deep in the second group points at the value', () => {
    const file = writeTemp('deep.yaml', `${header}  - count: 2\n  - count: 3\n    dropouts:\n      perHour: often\n`);
    expect(errorOf(() => loadScenarioFile(file)).message).toBe(`${file}:7:16: fleet[1].dropouts.perHour: expected a number, got "often"`);
  });

  it('error: a fault parameter typo is matched against that fault\'s own parameters', () => {
    const file = writeTemp('fault.yaml', `${header}  - count: 2\n    faults:\n      - name: flaky-network\n        disconectsPerHour: 3\n`);
    expect(errorOf(() => loadScenarioFile(file)).message).toBe(
      `${file}:7:9: fleet[0].faults[0].disconectsPerHour: unknown key disconectsPerHour; did you mean disconnectsPerHour?`,
    );
  });

  it('error: no suggestion when no key is close; the keys allowed there are listed instead', () => {
    const file = writeTemp('far.yaml', `${header}  - count: 2\nreward:\n  bonus: 5\n`);
    expect(errorOf(() => loadScenarioFile(file)).message).toBe(
      `${file}:6:3: reward.bonus: unknown key bonus; expected one of: unitsPerSample, maxStepE7, rewardPerUnitWei`,
    );
  });

  it('error: a missing field points at the object that lacks it; several problems, one line each', () => {
    const file = writeTemp('short.yaml', 'name: short\nfleet:\n  - count: 0\nepochs:\n  lengthS: 10\n');
    const error = errorOf(() => loadScenarioFile(file));
    expect(error.message.split('\n')).toEqual([
      `${file}:3:12: fleet[0].count: expected a positive integer, got 0`,
      `${file}:5:3: epochs.count: missing; expected a positive integer`,
    ]);
    expect(error.details.issues).toEqual(error.message.split('\n'));
  });

  it('behavior: an object given without its text is still checked, without positions', () => {
    expect(() => parseScenario({ ...minimal, fleet: [{ count: 2, motoin: 'walk' }] }, 'object')).toThrow(
      'object: fleet[0].motoin: unknown key motoin; did you mean motion?',
    );
  });
});
