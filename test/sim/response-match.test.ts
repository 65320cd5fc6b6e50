import { describe, expect, it } from 'vitest';
import { matchResponse, ReadingAnswers } from '../../sim/observe/response-match.ts';

const ids = new Set(['351111111111111', '352222222222222']);
const text = (s: string) => new TextEncoder().encode(s);
const digest = 'ab'.repeat(32);

describe('--observe: answers matched to readings', () => {
  it('unit: the device comes from a topic level or a JSON field, the reading from digest, else timestamp, else order', () => {
    expect(matchResponse('ack/351111111111111', text('ok'), ids)).toEqual({ deviceId: '351111111111111' });
    expect(matchResponse('results', text('{"imei":"352222222222222","timestamp":1767225600}'), ids)).toEqual({ deviceId: '352222222222222', timestampS: 1767225600 });
    expect(matchResponse('a/351111111111111/b', text(`{"digest":"${digest.toUpperCase()}","timestamp":5}`), ids)).toEqual({ deviceId: '351111111111111', digestHex: digest });
    expect(matchResponse('ack/359999999999999', text('{"deviceId":"359999999999999"}'), ids)).toBeUndefined();
    expect(matchResponse('ack', text('{not json'), ids)).toBeUndefined();
  });

  it('behavior: an answer pairs with its reading in either order, by key or oldest first', () => {
    const latencies: number[] = [];
    const pairs = new ReadingAnswers((ms) => latencies.push(ms));
    pairs.reading('351111111111111', 'aa', 10, 1000);
    pairs.reading('351111111111111', 'bb', 12, 1100);
    expect(pairs.answer({ deviceId: '351111111111111', timestampS: 12 }, 1150)).toBe(true);
    expect(pairs.answer({ deviceId: '351111111111111' }, 1200)).toBe(true);
    // The backend answered before the bench handled the PUBACK: paired when the reading comes.
    expect(pairs.answer({ deviceId: '352222222222222', digestHex: 'cc' }, 2050)).toBe(false);
    pairs.reading('352222222222222', 'dd', 20, 2000);
    pairs.reading('352222222222222', 'cc', 21, 2010);
    expect(latencies).toEqual([50, 200, 40]);
  });

  it('unit: a silent backend or stray answers keep only so many per device', () => {
    const latencies: number[] = [];
    const pairs = new ReadingAnswers((ms) => latencies.push(ms), 2);
    for (let i = 0; i < 5; i++) pairs.reading('351111111111111', `r${i}`, i, i * 100);
    pairs.answer({ deviceId: '351111111111111' }, 1000);
    expect(latencies).toEqual([700]);
  });
});
