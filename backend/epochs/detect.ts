/**
 * Cheat detection over one device's accepted readings of an epoch: pure functions for the
 * epoch summary. Each flag comes with evidence a report can show.
 */

export interface EpochReading {
  readonly timestampS: number;
  /** Degrees ×1e7, as in SensorData; absent when the reading had no fix. */
  readonly latE7?: number | undefined;
  readonly lonE7?: number | undefined;
  readonly accelerometer?: readonly number[] | undefined;
  readonly gyroscope?: readonly number[] | undefined;
  readonly temperature?: number | undefined;
  readonly humidity?: number | undefined;
  readonly pressure?: number | undefined;
}

export type DetectionFlag = 'impossible-speed' | 'teleport' | 'noise-free';
export const DETECTION_FLAGS: readonly DetectionFlag[] = ['impossible-speed', 'teleport', 'noise-free'];

export interface Detection {
  readonly flag: DetectionFlag;
  /** One line for a report, e.g. "142 m/s between 1717236000 and 1717236060 (8.5 km)". */
  readonly evidence: string;
  /** The measured value that crossed the threshold (m/s, km, or share of steps). */
  readonly value: number;
  /** Timestamp of the reading where it was seen, when there is one. */
  readonly atS?: number;
}

export interface DetectOptions {
  /** Fastest plausible ground speed (m/s); default 70 (250 km/h). */
  readonly maxSpeedMps?: number;
  /** A step this long (km) at an impossible speed is also a teleport; default 2. */
  readonly teleportKm?: number;
  /** Distance forgiven per step for GPS noise (m); default 50. */
  readonly gpsSlackM?: number;
  /** Fewest readings before noise-freeness is judged; default 10. */
  readonly minReadings?: number;
  /** Share of position steps that are perfectly linear above which motion is noise-free; default 0.6. */
  readonly linearShare?: number;
}

const EARTH_M = 6_371_008.8;
const rad = (deg: number): number => (deg * Math.PI) / 180;

export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const a = Math.sin(rad(lat2 - lat1) / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

interface Positioned {
  readonly t: number;
  readonly lat: number;
  readonly lon: number;
}

/** Flags for one device's epoch; empty for an honest device. At most one detection per flag (the worst). */
export function detectAnomalies(readings: readonly EpochReading[], options: DetectOptions = {}): Detection[] {
  const sorted = [...readings].sort((a, b) => a.timestampS - b.timestampS);
  const positions: Positioned[] = [];
  for (const r of sorted) if (r.latE7 !== undefined && r.lonE7 !== undefined) positions.push({ t: r.timestampS, lat: r.latE7 / 1e7, lon: r.lonE7 / 1e7 });
  return [...speedFlags(positions, options), ...noiseFreeFlags(sorted, positions, options)];
}

function speedFlags(positions: readonly Positioned[], options: DetectOptions): Detection[] {
  const maxSpeed = options.maxSpeedMps ?? 70;
  const teleportM = (options.teleportKm ?? 2) * 1000;
  const slackM = options.gpsSlackM ?? 50;
  let fastest: { mps: number; m: number; from: number; to: number } | undefined;
  let longest: { mps: number; m: number; from: number; to: number } | undefined;
  for (let k = 1; k < positions.length; k++) {
    const a = positions[k - 1]!;
    const b = positions[k]!;
    const m = haversineM(a.lat, a.lon, b.lat, b.lon);
    // Readings in the same second (bulk uploads) count as a second apart.
    const mps = Math.max(0, m - slackM) / Math.max(1, b.t - a.t);
    if (mps <= maxSpeed) continue;
    const step = { mps, m, from: a.t, to: b.t };
    if (!fastest || mps > fastest.mps) fastest = step;
    if (m >= teleportM && (!longest || m > longest.m)) longest = step;
  }
  const out: Detection[] = [];
  const km = (m: number): string => `${(m / 1000).toFixed(m < 10_000 ? 2 : 1)} km`;
  if (fastest) {
    out.push({ flag: 'impossible-speed', value: fastest.mps, atS: fastest.to, evidence: `${Math.round(fastest.mps)} m/s between ${fastest.from} and ${fastest.to} (${km(fastest.m)}), above ${maxSpeed} m/s` });
  }
  if (longest) {
    out.push({ flag: 'teleport', value: longest.m / 1000, atS: longest.to, evidence: `jump of ${km(longest.m)} in ${longest.to - longest.from} s between ${longest.from} and ${longest.to}` });
  }
  return out;
}

/** A series with no variation where a real sensor always varies, or perfectly linear motion. */
function noiseFreeFlags(readings: readonly EpochReading[], positions: readonly Positioned[], options: DetectOptions): Detection[] {
  const minReadings = options.minReadings ?? 10;
  const reasons: string[] = [];
  let value = 0;
  if (readings.length >= minReadings) {
    for (const field of ['accelerometer', 'gyroscope'] as const) {
      const series = readings.map((r) => r[field]).filter((v): v is readonly number[] => v !== undefined && v.length > 0);
      if (series.length < minReadings) continue;
      for (let axis = 0; axis < series[0]!.length; axis++) {
        const first = series[0]![axis];
        if (series.every((v) => v[axis] === first)) {
          reasons.push(`${field} axis ${'xyz'[axis] ?? axis} constant at ${first} over ${series.length} readings`);
          value = 1;
        }
      }
    }
    // Thermometer noise (~0.1 °C) makes second differences of ~0.2 °C typical; an emulator's are ~0.
    for (const field of ['temperature', 'humidity'] as const) {
      const series = readings.map((r) => r[field]).filter((v): v is number => v !== undefined);
      if (series.length < minReadings) continue;
      const second = series.slice(2).map((v, k) => Math.abs(v - 2 * series[k + 1]! + series[k]!));
      const median = [...second].sort((a, b) => a - b)[second.length >> 1]!;
      if (median <= 1) {
        reasons.push(`${field} smooth: median second difference ${median} over ${series.length} readings`);
        value = 1;
      }
    }
  }
  if (positions.length >= minReadings) {
    // Extrapolate each position from the two before it; GPS noise leaves metres of residual.
    let linear = 0;
    let steps = 0;
    const m = (p: Positioned, q: Positioned): [number, number] => [rad(q.lon - p.lon) * EARTH_M * Math.cos(rad(p.lat)), rad(q.lat - p.lat) * EARTH_M];
    for (let k = 2; k < positions.length; k++) {
      const [a, b, c] = [positions[k - 2]!, positions[k - 1]!, positions[k]!];
      if (b.t <= a.t || c.t <= b.t) continue;
      const ratio = (c.t - b.t) / (b.t - a.t);
      const [vx, vy] = m(a, b);
      const [wx, wy] = m(b, c);
      steps++;
      if (Math.hypot(wx - vx * ratio, wy - vy * ratio) < 0.5) linear++;
    }
    const share = steps === 0 ? 0 : linear / steps;
    if (steps >= minReadings - 2 && share >= (options.linearShare ?? 0.6)) {
      reasons.push(`${Math.round(share * 100)} % of ${steps} position steps perfectly linear (no GPS noise)`);
      value = Math.max(value, share);
    }
  }
  return reasons.length === 0 ? [] : [{ flag: 'noise-free', value, evidence: reasons.join('; ') }];
}
