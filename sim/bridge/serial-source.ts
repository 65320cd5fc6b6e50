import { SerialPort } from 'serialport';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { LineSplitter } from './line-splitter.ts';

/** What the source needs of a serial port (serialport's `SerialPort`, or a fake in tests). */
export interface SerialPortLike {
  open(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: (error?: Error | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(): unknown;
}

export type OpenPort = (path: string, baudRate: number) => SerialPortLike;

export interface BackoffMs {
  /** Delay before the first reopen; it doubles after each failed attempt. */
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_REOPEN_BACKOFF: BackoffMs = { initialMs: 1000, maxMs: 30_000 };

export type PortState = 'open' | 'reopening' | 'closed';

export interface SerialSourceOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly onLine: (line: string) => void;
  /** Called when the port is lost (`reopening`) and when it is back (`open`). */
  readonly onState?: (state: PortState) => void;
  readonly logger: Logger;
  readonly backoff?: BackoffMs;
  readonly openPort?: OpenPort;
}

export interface SerialSource {
  readonly state: PortState;
  /** How often the port vanished while open. */
  readonly losses: number;
  close(): Promise<void>;
}

const realPort: OpenPort = (path, baudRate) => new SerialPort({ path, baudRate, autoOpen: false });

/** serialport's errors carry no errno code, only the OS's text. */
function whyUnavailable(error: Error): string {
  const m = error.message;
  if (/no such file|ENOENT/i.test(m)) return 'no such port';
  if (/permission denied|EACCES/i.test(m)) return 'permission denied (add your user to the dialout group, then log in again)';
  if (/busy|lock/i.test(m)) return 'in use by another program';
  return 'the OS refused it';
}

export function portUnavailable(path: string, error: Error): PinbenchError {
  // bindings-cpp puts "Error: " into the message itself.
  const osText = error.message.replace(/^Error: /, '');
  return new PinbenchError(
    'SERIAL_PORT_UNAVAILABLE',
    `cannot open ${path}: ${whyUnavailable(error)} (${osText}); list ports with \`ls /dev/ttyUSB* /dev/ttyACM*\` or check the cable`,
    { details: { path }, cause: error },
  );
}

function openOnce(openPort: OpenPort, path: string, baudRate: number): Promise<SerialPortLike> {
  return new Promise((resolve, reject) => {
    let port: SerialPortLike;
    try {
      port = openPort(path, baudRate);
    } catch (error) {
      reject(error as Error);
      return;
    }
    port.open((error) => (error ? reject(error) : resolve(port)));
  });
}

/**
 * Opens the port and hands on its lines. Fails at once when the port cannot be opened at start
 * (a wrong path should not look like a receiver that is slow to boot); once it has been open,
 * a lost port (cable pulled, adapter reset) is reopened with exponential backoff until `close`.
 */
export async function openSerialSource(options: SerialSourceOptions): Promise<SerialSource> {
  const { path, baudRate, logger } = options;
  const openPort = options.openPort ?? realPort;
  const backoff = options.backoff ?? DEFAULT_REOPEN_BACKOFF;
  const splitter = new LineSplitter(options.onLine);
  let state: PortState = 'open';
  let losses = 0;
  let port: SerialPortLike | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lostAtMs = 0;

  const setState = (next: PortState) => {
    state = next;
    options.onState?.(next);
  };

  const attach = (opened: SerialPortLike) => {
    port = opened;
    splitter.reset();
    let gone = false;
    const lose = (why: string) => {
      if (gone || state === 'closed') return;
      gone = true;
      opened.removeAllListeners();
      // A port that errors may still hold its descriptor; an error from closing it says nothing new.
      opened.on('error', () => {});
      opened.close(() => {});
      port = undefined;
      losses++;
      lostAtMs = Date.now();
      setState('reopening');
      logger.warn(`serial port ${path} lost (${why}); no readings until it is back, reopening in ${(backoff.initialMs / 1000).toFixed(1)} s`);
      retry(backoff.initialMs);
    };
    opened.on('data', (chunk) => splitter.push(chunk));
    opened.on('close', (error) => lose(error?.message ?? 'closed'));
    opened.on('error', (error) => lose(error.message));
  };

  const retry = (delayMs: number) => {
    timer = setTimeout(() => {
      timer = undefined;
      openOnce(openPort, path, baudRate).then(
        (opened) => {
          if (state === 'closed') {
            opened.close(() => {});
            return;
          }
          attach(opened);
          setState('open');
          logger.info(`serial port ${path} is back after ${((Date.now() - lostAtMs) / 1000).toFixed(1)} s; reading again`);
        },
        (error: Error) => {
          if (state === 'closed') return;
          const next = Math.min(delayMs * 2, backoff.maxMs);
          logger.debug(`serial port ${path}: ${error.message}; next attempt in ${(next / 1000).toFixed(1)} s`);
          retry(next);
        },
      );
    }, delayMs);
  };

  try {
    attach(await openOnce(openPort, path, baudRate));
  } catch (error) {
    throw portUnavailable(path, error as Error);
  }

  return {
    get state() {
      return state;
    },
    get losses() {
      return losses;
    },
    close() {
      if (state === 'closed') return Promise.resolve();
      state = 'closed';
      if (timer !== undefined) clearTimeout(timer);
      const open = port;
      port = undefined;
      if (open === undefined) return Promise.resolve();
      open.removeAllListeners();
      open.on('error', () => {});
      return new Promise<void>((resolve) => open.close(() => resolve()));
    },
  };
}
