import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { PinbenchError } from '../../core/errors.ts';

/** What the host allows; `null` where it cannot be read (not Linux), and that limit is not checked. */
export interface HostLimits {
  /** Soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start-up). */
  openFiles: number | null;
  /** Hard RLIMIT_NOFILE: how far `ulimit -n` can go without root. */
  openFilesHard: number | null;
  /** Memory available to this process, bytes (MemAvailable, or the cgroup limit when lower). */
  availableMemoryBytes: number | null;
  /** net.ipv4.ip_local_port_range. */
  ephemeralPorts: { low: number; high: number } | null;
}

export interface CapacityOptions {
  connections: number;
  /**
   * Whether both ends of every connection live in this process (the embedded broker and the
   * virtual fleet of `pinbench run`): 2 file descriptors per connection instead of 1.
   */
  bothEnds?: boolean;
  /** Read from the host when omitted (tests pass fixed limits). */
  limits?: HostLimits;
}

export interface CapacityEstimate {
  connections: number;
  fileDescriptors: number;
  memoryBytes: number;
  ephemeralPorts: number;
  limits: HostLimits;
}

/** Descriptors a run holds besides connections: SQLite (db, WAL, shm), the listener, anvil pipes, stdio, epoll, threads. */
export const BASE_FILE_DESCRIPTORS = 100;
/** Resident memory of a run before its connections: V8, tsx, aedes, SQLite, prover. */
export const BASE_MEMORY_BYTES = 400 * 2 ** 20;
/**
 * Resident memory per connection, both ends in one process (aedes client + mqtt.js client +
 * tracker machine). Measured with test/bench (RSS growth over the connect ramp): broker side
 * 15–20 KB at 10,000 connections and 32–48 KB at 1,000; mqtt.js side 23–25 KB and 42–47 KB.
 * Rounded up for the tracker machine and for headroom.
 */
export const MEMORY_PER_CONNECTION_BYTES = 100 * 1024;

export function readHostLimits(): HostLimits {
  const [openFiles, openFilesHard] = readOpenFilesLimits();
  return { openFiles, openFilesHard, availableMemoryBytes: readAvailableMemory(), ephemeralPorts: readPortRange() };
}

function readOpenFilesLimits(): [number | null, number | null] {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = line?.slice('Max open files'.length).trim().split(/\s+/) ?? [];
    const parse = (v: string | undefined) => (v === undefined ? null : v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
    return [parse(soft), parse(hard)];
  } catch {
    return [null, null];
  }
}

function readAvailableMemory(): number | null {
  const free = freemem();
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  // constrainedMemory() reports "no limit" as 0 or as a huge number, depending on the cgroup version.
  return constrained !== undefined && constrained > 0 && constrained < free ? constrained : free;
}

function readPortRange(): { low: number; high: number } | null {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined && Number.isFinite(low) && Number.isFinite(high) ? { low, high } : null;
  } catch {
    return null;
  }
}

const MiB = 2 ** 20;

/** What `connections` will need of the host (no checks). */
export function estimateCapacity(options: CapacityOptions): CapacityEstimate {
  const { connections } = options;
  const bothEnds = options.bothEnds ?? true;
  return {
    connections,
    fileDescriptors: BASE_FILE_DESCRIPTORS + connections * (bothEnds ? 2 : 1),
    memoryBytes: BASE_MEMORY_BYTES + connections * (bothEnds ? MEMORY_PER_CONNECTION_BYTES : MEMORY_PER_CONNECTION_BYTES / 2),
    // Every client connection to the one broker address takes a local port.
    ephemeralPorts: connections,
    limits: options.limits ?? readHostLimits(),
  };
}

/**
 * Preflight: fails before any device connects when the host cannot hold `connections`, with
 * the limit that was hit and what to run about it (HOST_CAPACITY_EXCEEDED); returns the estimate otherwise.
 */
export function checkCapacity(options: CapacityOptions): CapacityEstimate {
  const estimate = estimateCapacity(options);
  const { connections, limits } = estimate;
  if (limits.openFiles !== null && estimate.fileDescriptors > limits.openFiles) {
    const perConnection = (options.bothEnds ?? true) ? 2 : 1;
    const suggestion = Math.ceil((estimate.fileDescriptors * 1.2) / 1000) * 1000;
    const hard = limits.openFilesHard;
    const todo =
      hard === null || hard >= estimate.fileDescriptors
        ? `run \`ulimit -n ${suggestion}\` in this shell first`
        : `the hard limit is ${hard}, so raise it as root first (\`ulimit -Hn ${suggestion}\`, nofile in /etc/security/limits.conf, ` +
          `or \`docker run --ulimit nofile=${suggestion}:${suggestion}\`) and then run \`ulimit -n ${suggestion}\``;
    throw new PinbenchError(
      'HOST_CAPACITY_EXCEEDED',
      `${connections} connections need about ${estimate.fileDescriptors} open files (${perConnection} per connection + ${BASE_FILE_DESCRIPTORS}), ` +
        `but the limit is ${limits.openFiles}; ${todo}, or run fewer devices`,
      { details: { limit: 'open-files', needed: estimate.fileDescriptors, available: limits.openFiles, suggestion } },
    );
  }
  if (limits.ephemeralPorts !== null) {
    const ports = limits.ephemeralPorts.high - limits.ephemeralPorts.low + 1;
    if (estimate.ephemeralPorts > ports) {
      throw new PinbenchError(
        'HOST_CAPACITY_EXCEEDED',
        `${connections} connections to one broker address need ${connections} local ports, but net.ipv4.ip_local_port_range ` +
          `(${limits.ephemeralPorts.low}–${limits.ephemeralPorts.high}) has ${ports}; widen it with ` +
          `\`sudo sysctl -w net.ipv4.ip_local_port_range="1024 65535"\`, or run fewer devices`,
        { details: { limit: 'ephemeral-ports', needed: connections, available: ports } },
      );
    }
  }
  if (limits.availableMemoryBytes !== null && estimate.memoryBytes > limits.availableMemoryBytes) {
    const perConnection = estimate.memoryBytes - BASE_MEMORY_BYTES;
    const fits = Math.max(0, Math.floor(((limits.availableMemoryBytes - BASE_MEMORY_BYTES) / perConnection) * connections));
    throw new PinbenchError(
      'HOST_CAPACITY_EXCEEDED',
      `${connections} connections need about ${Math.ceil(estimate.memoryBytes / MiB)} MiB of memory, but ${Math.floor(limits.availableMemoryBytes / MiB)} MiB is available; ` +
        `free memory (stop other programs) or run at most about ${fits} devices`,
      { details: { limit: 'memory', needed: estimate.memoryBytes, available: limits.availableMemoryBytes, fits } },
    );
  }
  return estimate;
}
