import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPICS, topicLayout } from '../../protocol/topics.ts';
import { deviceIdOfClientId, firmwareClientId } from '../../protocol/client-ids.ts';

describe('topic layout and ACL', () => {
  const { mayPublish, maySubscribe } = DEFAULT_TOPICS;

  it('behavior: a device publishes its own data, confirm and query topics only', () => {
    expect(mayPublish('351', 'device/351/data')).toBe(true);
    expect(mayPublish('351', 'device/351/confirm')).toBe(true);
    expect(mayPublish('351', 'device/351/query')).toBe(true);
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
    expect(DEFAULT_TOPICS.downlinkFilters('351')).toEqual(['backend/351/#']);
  });

  it('behavior: another layout moves topics and the ACL with them', () => {
    const layout = topicLayout({ data: 'fleet/{id}/up/reading', status: 'fleet/{id}/down/status', config: 'cfg/{id}' });
    expect(layout.data('7')).toBe('fleet/7/up/reading');
    expect(layout.uplinkKind('7', 'fleet/7/up/reading')).toBe('data');
    expect(layout.mayPublish('7', 'device/7/data')).toBe(false);
    expect(layout.mayPublish('7', 'device/7/confirm')).toBe(true);
    // status and config share no prefix that holds the id: the device subscribes to each.
    expect(layout.downlinkFilters('7')).toEqual(['fleet/7/down/status', 'cfg/7']);
    expect(layout.maySubscribe('7', 'fleet/7/down/status')).toBe(true);
    expect(layout.maySubscribe('7', 'fleet/7/#')).toBe(false);
    expect(layout.downlinkKind('7', 'cfg/7')).toBe('config');
  });

  it('behavior: a backend on another broker reads whose uplink a topic is from the topic alone', () => {
    expect(DEFAULT_TOPICS.uplinkFilters()).toEqual(['device/+/data', 'device/+/confirm', 'device/+/query']);
    expect(DEFAULT_TOPICS.uplinkOf('device/351/data')).toEqual({ deviceId: '351', kind: 'data' });
    expect(DEFAULT_TOPICS.uplinkOf('device/351/query')).toEqual({ deviceId: '351', kind: 'query' });
    expect(DEFAULT_TOPICS.uplinkOf('device/351/data/x')).toBeUndefined();
    expect(DEFAULT_TOPICS.uplinkOf('device//data')).toBeUndefined();
    expect(DEFAULT_TOPICS.uplinkOf('backend/351/config')).toBeUndefined();
    const layout = topicLayout({ data: 'fleet/{id}/up/reading' });
    expect(layout.uplinkFilters()[0]).toBe('fleet/+/up/reading');
    expect(layout.uplinkOf('fleet/7/up/reading')).toEqual({ deviceId: '7', kind: 'data' });
  });

  it('error: a template that cannot work says which and why', () => {
    expect(() => topicLayout({ data: 'device/data' })).toThrow('topics.data: expected {id} exactly once, as a whole topic level, got "device/data"; see docs/topics.md');
    expect(() => topicLayout({ data: 'device/+/{id}' })).toThrow('topics.data: a topic may not hold the wildcards + or #');
    expect(() => topicLayout({ query: 'device/{id}/data' })).toThrow('topics.query: the same topic as topics.data; give each kind its own topic');
    expect(() => topicLayout({ config: 'x/{id}-cfg' })).toThrow('topics.config: expected {id} exactly once, as a whole topic level');
  });
});

describe('client ids', () => {
  it('behavior: nrf-<IMEI> and <IMEI> name the same device', () => {
    expect(deviceIdOfClientId('nrf-351756051523999')).toBe('351756051523999');
    expect(deviceIdOfClientId('351756051523999')).toBe('351756051523999');
    expect(deviceIdOfClientId('nrf-')).toBe('nrf-');
    expect(firmwareClientId('351756051523999')).toBe('nrf-351756051523999');
  });
});
