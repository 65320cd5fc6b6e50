import { describe, expect, it } from 'vitest';
import { SessionTakeovers, TAKEOVER_FLAG_COUNT, TAKEOVER_FLAG_WINDOW_MS } from '../../backend/broker/session-takeovers.ts';

describe('session takeovers per device', () => {
  it('flags a device at 3 takeovers within 60 s', () => {
    expect([TAKEOVER_FLAG_COUNT, TAKEOVER_FLAG_WINDOW_MS]).toEqual([3, 60_000]);
    const log = new SessionTakeovers();
    log.record('350000000000001', 1_000);
    log.record('350000000000001', 2_500);
    expect(log.byDevice()).toEqual([{ deviceId: '350000000000001', count: 2, flagged: false }]);
    log.record('350000000000001', 4_000);
    expect(log.byDevice()).toEqual([{ deviceId: '350000000000001', count: 3, flagged: true }]);
  });

  it('does not flag takeovers spread wider than the window, and keeps counting them', () => {
    const log = new SessionTakeovers();
    for (let k = 0; k < 5; k++) log.record('350000000000002', k * 40_000);
    log.record('350000000000001', 0);
    expect(log.byDevice()).toEqual([
      { deviceId: '350000000000001', count: 1, flagged: false },
      { deviceId: '350000000000002', count: 5, flagged: false },
    ]);
    expect(log.total()).toBe(6);
  });

  it('stays flagged once flagged', () => {
    const log = new SessionTakeovers();
    for (const t of [0, 100, 200, 500_000]) log.record('350000000000003', t);
    expect(log.byDevice()).toEqual([{ deviceId: '350000000000003', count: 4, flagged: true }]);
  });
});
