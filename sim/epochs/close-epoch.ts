import type { CircuitShape, RuleParams } from '../../core/reward-rule.ts';
import type { RunStore, StoredReading } from '../store/run-store.ts';
import { flagDeviceEpoch, type FlagFinding } from './flags.ts';
import { summarizeEpoch, type DeviceEpochWork } from './summarize.ts';

export interface DeviceMeta {
  deviceIndex: number;
  uploadPeriodS: number;
  /** Registered devices sharing this device's public key, itself included. */
  keyShares: number;
}

export interface EpochOutcome {
  epoch: number;
  readings: number;
  /** Work of unflagged devices with at least one accepted reading, by device index. */
  work: DeviceEpochWork[];
  flagged: Array<{ deviceIndex: number; findings: FlagFinding[] }>;
}

const FLAGS_SQL = `CREATE TABLE IF NOT EXISTS flags (
  epoch INTEGER NOT NULL,
  device_index INTEGER NOT NULL,
  flag TEXT NOT NULL,
  evidence TEXT NOT NULL,
  PRIMARY KEY (epoch, device_index, flag)
)`;

/**
 * Closes an epoch: reads its accepted readings and the rejections seen since the previous
 * close, flags devices whose traffic shows cheating over time, and computes the paid work of
 * the rest by the reward rule. Flags are written to run.db (`flags`).
 */
export class EpochCloser {
  private rejectionCursor = 0;

  constructor(
    private readonly store: RunStore,
    private readonly options: {
      params: RuleParams;
      shape: CircuitShape;
      epochLengthS: number;
      /** MQTT client id → device meta, for registered devices. */
      devices: () => ReadonlyMap<string, DeviceMeta>;
    },
  ) {
    store.db.exec(FLAGS_SQL);
  }

  close(epoch: number): EpochOutcome {
    const { store } = this;
    const byDevice = store.epochReadings(epoch);
    const packages = this.packagesOf(epoch);
    const rejected = this.rejectionsSinceLastClose();
    const devices = this.options.devices();
    const metaByIndex = new Map([...devices].map(([clientId, meta]) => [meta.deviceIndex, { clientId, meta }]));

    const flagged: EpochOutcome['flagged'] = [];
    const candidates = new Set<number>([...byDevice.keys()]);
    for (const clientId of rejected.keys()) {
      const meta = devices.get(clientId);
      if (meta) candidates.add(meta.deviceIndex);
    }
    for (const deviceIndex of candidates) {
      const entry = metaByIndex.get(deviceIndex);
      if (!entry) continue;
      const findings = flagDeviceEpoch(
        {
          packages: packages.get(deviceIndex) ?? [],
          rejected: rejected.get(entry.clientId) ?? {},
          uploadPeriodS: entry.meta.uploadPeriodS,
          keyShares: entry.meta.keyShares,
        },
        this.options.epochLengthS,
      );
      if (findings.length > 0) flagged.push({ deviceIndex, findings });
    }
    flagged.sort((a, b) => a.deviceIndex - b.deviceIndex);
    this.saveFlags(epoch, flagged);

    const unflagged = new Map<number, readonly StoredReading[]>();
    const flaggedSet = new Set(flagged.map((f) => f.deviceIndex));
    for (const [deviceIndex, list] of byDevice) if (!flaggedSet.has(deviceIndex)) unflagged.set(deviceIndex, list);
    return {
      epoch,
      readings: [...byDevice.values()].reduce((n, list) => n + list.length, 0),
      work: summarizeEpoch(unflagged, this.options.params, this.options.shape.readingsPerDevice),
      flagged,
    };
  }

  private packagesOf(epoch: number): Map<number, Uint8Array[]> {
    const rows = this.store.db
      .prepare('SELECT device_index AS deviceIndex, package AS pkg FROM readings WHERE epoch = ? ORDER BY device_index, timestamp_s')
      .all(epoch) as Array<{ deviceIndex: number; pkg: Buffer }>;
    const out = new Map<number, Uint8Array[]>();
    for (const row of rows) {
      let list = out.get(row.deviceIndex);
      if (list === undefined) out.set(row.deviceIndex, (list = []));
      list.push(row.pkg);
    }
    return out;
  }

  /** client id → reason → count, for rejections stored since the previous close. */
  private rejectionsSinceLastClose(): Map<string, Record<string, number>> {
    this.store.flush();
    const rows = this.store.db
      .prepare('SELECT client_id AS clientId, reason, count(*) AS n, max(id) AS last FROM rejections WHERE id > ? AND client_id IS NOT NULL GROUP BY client_id, reason')
      .all(this.rejectionCursor) as Array<{ clientId: string; reason: string; n: number; last: number }>;
    const out = new Map<string, Record<string, number>>();
    for (const row of rows) {
      const counts = out.get(row.clientId) ?? {};
      counts[row.reason] = row.n;
      out.set(row.clientId, counts);
      this.rejectionCursor = Math.max(this.rejectionCursor, row.last);
    }
    return out;
  }

  private saveFlags(epoch: number, flagged: EpochOutcome['flagged']): void {
    const insert = this.store.db.prepare('INSERT OR REPLACE INTO flags (epoch, device_index, flag, evidence) VALUES (?, ?, ?, ?)');
    this.store.db.transaction(() => {
      for (const { deviceIndex, findings } of flagged) for (const f of findings) insert.run(epoch, deviceIndex, f.flag, f.evidence);
    })();
  }
}
