import { detectAnomalies, type EpochReading } from './detect.ts';
import { decodeBinPackage, decodeSensorData } from '../../protocol/index.ts';

/**
 * What the epoch summary flags: cheating that no single message shows. A flagged device earns
 * nothing for the epoch; its readings stay in run.db. Per-message rejections (bad signature,
 * replay, foreign topic) are counted by the ingest; here they only become a flag when they
 * make up a pattern an honest device with a bad modem or a flaky network does not produce.
 */
export type EpochFlag = 'impossible-speed' | 'teleport' | 'noise-free' | 'duplicate-key' | 'flooding' | 'replay' | 'forged-signature' | 'wrong-topic';

export interface FlagFinding {
  flag: EpochFlag;
  evidence: string;
}

export interface DeviceEpochTraffic {
  /** Accepted signed packages of the epoch, as published. */
  packages: readonly Uint8Array[];
  /** Rejections by reason attributed to the device's connection during the epoch. */
  rejected: Readonly<Record<string, number>>;
  /** The upload period the backend configured for the device. */
  uploadPeriodS: number;
  /** How many registered devices share this device's public key (1 when honest). */
  keyShares: number;
}

export const FLAG_THRESHOLDS = {
  /** Messages beyond this multiple of the expected count (epoch length / upload period). */
  floodingFactor: 3,
  /** A pattern needs at least this many offending messages… */
  minOffences: 3,
  /** …and at least this share of the device's messages. A flaky modem corrupts a few packets. */
  replayShare: 0.2,
  forgedShare: 0.3,
} as const;

function toEpochReading(bytes: Uint8Array): EpochReading {
  const pkg = decodeBinPackage(bytes);
  const s = decodeSensorData(pkg.data);
  return {
    timestampS: pkg.timestamp,
    latE7: s.latitude,
    lonE7: s.longitude,
    accelerometer: s.accelerometer,
    gyroscope: s.gyroscope,
    temperature: s.temperature,
    humidity: s.humidity,
    pressure: s.pressure,
  };
}

export function flagDeviceEpoch(traffic: DeviceEpochTraffic, epochLengthS: number): FlagFinding[] {
  const findings: FlagFinding[] = detectAnomalies(traffic.packages.map(toEpochReading)).map((d) => ({ flag: d.flag, evidence: d.evidence }));
  const rejectedTotal = Object.values(traffic.rejected).reduce((a, b) => a + b, 0);
  const messages = traffic.packages.length + rejectedTotal;
  const expected = Math.ceil(epochLengthS / traffic.uploadPeriodS) + 1;
  if (traffic.keyShares > 1) {
    findings.push({ flag: 'duplicate-key', evidence: `its public key is registered for ${traffic.keyShares} devices` });
  }
  if (messages > FLAG_THRESHOLDS.floodingFactor * expected) {
    findings.push({ flag: 'flooding', evidence: `${messages} messages in the epoch, ${expected} expected at a ${traffic.uploadPeriodS} s upload period` });
  }
  const pattern = (reason: string, share: number, flag: EpochFlag, what: string) => {
    const n = traffic.rejected[reason] ?? 0;
    if (n >= FLAG_THRESHOLDS.minOffences && n >= share * messages) findings.push({ flag, evidence: `${n} of ${messages} messages ${what}` });
  };
  pattern('replay', FLAG_THRESHOLDS.replayShare, 'replay', 'replayed old timestamps');
  pattern('signature', FLAG_THRESHOLDS.forgedShare, 'forged-signature', 'carried signatures that do not verify');
  const foreign = traffic.rejected['acl.publish'] ?? 0;
  if (foreign >= FLAG_THRESHOLDS.minOffences) findings.push({ flag: 'wrong-topic', evidence: `${foreign} publishes on other devices' topics` });
  return findings;
}
