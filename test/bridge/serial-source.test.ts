import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../core/ports.ts';
import { PublishQueue } from '../../sim/bridge/publish-queue.ts';
import { openSerialSource, type SerialPortLike } from '../../sim/bridge/serial-source.ts';

class FakePort extends EventEmitter implements SerialPortLike {
  closed = false;
  constructor(private readonly openError: Error | null) {
    super();
  }
  open(callback: (error: Error | null) => void): void {
    queueMicrotask(() => callback(this.openError));
  }
  close(callback?: (error: Error | null) => void): void {
    this.closed = true;
    callback?.(null);
  }
}

function recordingLogger() {
  const lines: string[] = [];
  const logger: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), debug: () => {} };
  return { logger, lines };
}

// serialport's own wording (bindings-cpp): no errno code, the OS's text after "Error: ".
const ENOENT = (path = '/dev/ttyUSB0') => new Error(`Error: No such file or directory, cannot open ${path}`);

afterEach(() => vi.useRealTimers());

describe('openSerialSource', () => {
  it('error: a port that cannot be opened at start is SERIAL_PORT_UNAVAILABLE, one line with the OS error', async () => {
    const { logger } = recordingLogger();
    await expect(openSerialSource({ path: '/dev/ttyUSB9', baudRate: 9600, onLine: () => {}, logger, openPort: () => new FakePort(ENOENT('/dev/ttyUSB9')) })).rejects.toMatchObject({
      code: 'SERIAL_PORT_UNAVAILABLE',
      message:
        'cannot open /dev/ttyUSB9: no such port (No such file or directory, cannot open /dev/ttyUSB9); list ports with `ls /dev/ttyUSB* /dev/ttyACM*` or check the cable',
    });
    await expect(
      openSerialSource({ path: '/dev/ttyS0', baudRate: 9600, onLine: () => {}, logger, openPort: () => new FakePort(new Error('Error: Permission denied, cannot open /dev/ttyS0')) }),
    ).rejects.toThrow('cannot open /dev/ttyS0: permission denied (add your user to the dialout group, then log in again)');
  });

  it('behavior: a lost port is reported and reopened with doubling backoff up to its cap; lines flow again, the half line is dropped', async () => {
    vi.useFakeTimers();
    const { logger, lines: log } = recordingLogger();
    const attempts: number[] = [];
    const ports: FakePort[] = [];
    // Open, then four failed reopens, then back.
    const outcomes = [null, ENOENT(), ENOENT(), ENOENT(), ENOENT(), null];
    const openPort = () => {
      attempts.push(Date.now());
      const port = new FakePort(outcomes[ports.length] ?? null);
      ports.push(port);
      return port;
    };
    const got: string[] = [];
    const states: string[] = [];
    const source = await openSerialSource({ path: '/dev/ttyUSB0', baudRate: 9600, onLine: (l) => got.push(l), onState: (s) => states.push(s), logger, openPort, backoff: { initialMs: 100, maxMs: 300 } });
    ports[0]!.emit('data', Buffer.from('$A*00\r\n$B,half'));
    const t0 = Date.now();
    ports[0]!.emit('close', Object.assign(new Error('bad file descriptor'), { disconnected: true }));
    expect(source.state).toBe('reopening');
    expect(source.losses).toBe(1);
    expect(log).toContain('warn serial port /dev/ttyUSB0 lost (bad file descriptor); no readings until it is back, reopening in 0.1 s');
    await vi.advanceTimersByTimeAsync(2000);
    expect(attempts.slice(1).map((t) => t - t0)).toEqual([100, 300, 600, 900, 1200]); // delays 100, 200, 300 (cap), 300, 300
    expect(source.state).toBe('open');
    expect(states).toEqual(['reopening', 'open']);
    expect(log.at(-1)).toMatch(/^info serial port \/dev\/ttyUSB0 is back after 1\.2 s; reading again$/);
    ports.at(-1)!.emit('data', Buffer.from('*01\r\n$C*02\r\n'));
    expect(got).toEqual(['$A*00', '*01', '$C*02']);
    await source.close();
    expect(ports.at(-1)!.closed).toBe(true);
    expect(source.state).toBe('closed');
  });

  it('behavior: close stops the reopening', async () => {
    vi.useFakeTimers();
    const { logger } = recordingLogger();
    let opens = 0;
    const first = new FakePort(null);
    const source = await openSerialSource({
      path: '/dev/ttyACM0', baudRate: 115200, onLine: () => {}, logger, backoff: { initialMs: 10, maxMs: 10 },
      openPort: () => (opens++ === 0 ? first : new FakePort(ENOENT())),
    });
    first.emit('error', new Error('device reports readiness to read but returned no data'));
    await vi.advanceTimersByTimeAsync(35);
    const before = opens;
    await source.close();
    await vi.advanceTimersByTimeAsync(100);
    expect(opens).toBe(before);
  });
});

describe('PublishQueue', () => {
  it('behavior: bounded, drops the oldest and counts it, drains oldest first', () => {
    const queue = new PublishQueue<number>(3);
    for (let i = 1; i <= 5; i++) queue.push(i);
    expect([queue.length, queue.dropped]).toEqual([3, 2]);
    expect(queue.drain()).toEqual([3, 4, 5]);
    expect(queue.length).toBe(0);
    expect(() => new PublishQueue(0)).toThrow(RangeError);
  });
});
