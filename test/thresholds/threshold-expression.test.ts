import { describe, expect, it } from 'vitest';
import {
  compareThreshold, formatInUnit, growingCounterCanStillPass, isThresholdSyntaxError, parseThresholdExpression, unitMismatch, type ThresholdExpression,
} from '../../core/threshold-expression.ts';

const parse = (text: string): ThresholdExpression => {
  const parsed = parseThresholdExpression(text);
  if (isThresholdSyntaxError(parsed)) throw new Error(parsed.error);
  return parsed;
};
const errorOf = (text: string): string => {
  const parsed = parseThresholdExpression(text);
  if (!isThresholdSyntaxError(parsed)) throw new Error(`${text} parsed`);
  return parsed.error;
};

describe('threshold expressions', () => {
  it('behavior: every unit is read into its base unit', () => {
    expect(parse('latency.publishToAccept.p99 < 100ms').bound).toBe(100);
    expect(parse('connect.p95 < 2s').bound).toBe(2000);
    expect(parse('settlement.closeToMined.p95 < 0.5min').bound).toBe(30_000);
    expect(parse('memory.wholeRun < 512B').bound).toBe(512);
    expect(parse('memory.wholeRun < 4KiB').bound).toBe(4096);
    expect(parse('memory.wholeRun < 1.5MiB').bound).toBe(1.5 * 1024 ** 2);
    expect(parse('memory.wholeRun < 2GiB').bound).toBe(2 * 1024 ** 3);
    expect(parse('profiles.gps-spoofing.rewardShare < 1%').bound).toBeCloseTo(0.01, 12);
    expect(parse('gas.perDeviceEpoch <= 15000').bound).toBe(15000);
  });

  it('behavior: every comparison is parsed, with or without spaces, and keeps what was written', () => {
    for (const op of ['<', '<=', '>', '>=', '==', '!='] as const) {
      const spaced = parse(`rejected.signature ${op} 5`);
      const tight = parse(`rejected.signature${op}5`);
      expect([spaced.op, tight.op]).toEqual([op, op]);
      expect(spaced.metric).toBe('rejected.signature');
    }
    const t = parse('  latency.publishToAccept.p99 < 100ms ');
    expect([t.source, t.boundText, t.unit]).toEqual(['latency.publishToAccept.p99 < 100ms', '100ms', 'ms']);
  });

  it('behavior: each comparison at its boundary', () => {
    expect([compareThreshold(5, '<', 5), compareThreshold(4, '<', 5)]).toEqual([false, true]);
    expect([compareThreshold(5, '<=', 5), compareThreshold(6, '<=', 5)]).toEqual([true, false]);
    expect([compareThreshold(5, '>', 5), compareThreshold(6, '>', 5)]).toEqual([false, true]);
    expect([compareThreshold(5, '>=', 5), compareThreshold(4, '>=', 5)]).toEqual([true, false]);
    expect([compareThreshold(0, '==', 0), compareThreshold(1, '==', 0)]).toEqual([true, false]);
    expect([compareThreshold(0, '!=', 0), compareThreshold(1, '!=', 0)]).toEqual([false, true]);
  });

  it('error: malformed expressions say what is wrong and how to write one', () => {
    expect(errorOf('latency.publishToAccept.p99')).toBe(
      '`latency.publishToAccept.p99` has no comparison (one of <= >= == != < >); write e.g. `latency.publishToAccept.p99 < 100ms` or `rejected.signature <= 5`',
    );
    expect(errorOf('messages.unaccounted = 0')).toBe('`messages.unaccounted = 0`: `=` is not a comparison, use `==`; write e.g. `latency.publishToAccept.p99 < 100ms` or `rejected.signature <= 5`');
    expect(errorOf('connect.p95 < fast')).toBe('`connect.p95 < fast` is not `<metric> <comparison> <number>[unit]`; write e.g. `latency.publishToAccept.p99 < 100ms` or `rejected.signature <= 5`');
    expect(errorOf('connect.p95 < 2h')).toBe('`connect.p95 < 2h`: unknown unit `h`; units are ms, s, min, B, KiB, MiB, GiB, %, or none for counts');
  });

  it('error: a unit that does not fit the metric names both and shows one that does', () => {
    expect(unitMismatch(parse('memory.wholeRun < 2s'), 'bytes')).toBe(
      '`memory.wholeRun < 2s`: 2s is a duration (ms, s or min), and memory.wholeRun is a size in bytes (B, KiB, MiB or GiB); write e.g. memory.wholeRun < 2GiB',
    );
    expect(unitMismatch(parse('rejected.signature <= 5%'), 'count')).toContain('rejected.signature is a count (a plain number)');
    expect(unitMismatch(parse('profiles.replay.rewardShare < 5'), 'ratio')).toBe(
      '`profiles.replay.rewardShare < 5`: profiles.replay.rewardShare is a ratio from 0 to 1; write e.g. 5% or 0.05',
    );
    expect(unitMismatch(parse('connect.p95 < 2000'), 'duration')).toBeNull();
    expect(unitMismatch(parse('profiles.replay.rewardShare < 0.01'), 'ratio')).toBeNull();
  });

  it('behavior: a growing counter is lost once past a bound from above, never for a bound from below', () => {
    expect(growingCounterCanStillPass(5, '<=', 5)).toBe(true);
    expect(growingCounterCanStillPass(6, '<=', 5)).toBe(false);
    expect(growingCounterCanStillPass(5, '<', 5)).toBe(false);
    expect(growingCounterCanStillPass(1, '==', 0)).toBe(false);
    expect(growingCounterCanStillPass(1000, '>=', 5)).toBe(true);
    expect(growingCounterCanStillPass(1000, '!=', 5)).toBe(true);
  });

  it('behavior: measured values are written in the threshold\'s own unit', () => {
    expect(formatInUnit(84.23, 'ms', 'duration')).toBe('84.23ms');
    expect(formatInUnit(2500, 's', 'duration')).toBe('2.5s');
    expect(formatInUnit(1.31 * 1024 ** 3, 'GiB', 'bytes')).toBe('1.31GiB');
    expect(formatInUnit(0.004, '%', 'ratio')).toBe('0.4%');
    expect(formatInUnit(7, null, 'count')).toBe('7');
    expect(formatInUnit(12.5, null, 'duration')).toBe('12.5ms');
  });
});
