import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from '../../protocol/topics.ts';

describe('topic ACL', () => {
  it('behavior: a device publishes its own data and confirm topics only', () => {
    expect(mayPublish('351', 'device/351/data')).toBe(true);
    expect(mayPublish('351', 'device/351/confirm')).toBe(true);
    expect(mayPublish('351', 'device/352/data')).toBe(false);
    expect(mayPublish('351', 'device/351/other')).toBe(false);
    expect(mayPublish('351', 'device/351/data/x')).toBe(false);
    expect(mayPublish('351', 'backend/351/config')).toBe(false);
    expect(mayPublish('35', 'device/351/data')).toBe(false);
  });

  it('behavior: a device subscribes under its own backend subtree only', () => {
    expect(maySubscribe('351', 'backend/351/#')).toBe(true);
    expect(maySubscribe('351', 'backend/351/config')).toBe(true);
    expect(maySubscribe('351', 'backend/352/config')).toBe(false);
    expect(maySubscribe('351', 'backend/#')).toBe(false);
    expect(maySubscribe('351', '#')).toBe(false);
    expect(maySubscribe('351', 'backend/351/')).toBe(false);
  });
});
