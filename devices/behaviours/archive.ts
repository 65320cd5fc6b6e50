import type { Random } from '../../core/ports.ts';

/** A signed packet as it went over the wire. */
export interface ArchivedPacket {
  readonly deviceId: string;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly timestampS: number;
}

/**
 * Packets captured for replay. One archive is shared by all replayers of a fleet; replayers add
 * their own uploads, and sim may add what it saw others publish (`record` from the event sink's
 * `published`) to model a sniffer. Each device keeps its latest `perDeviceCapacity` packets.
 */
export class PacketArchive {
  private readonly byDevice = new Map<string, ArchivedPacket[]>();
  private readonly deviceIds: string[] = [];

  constructor(private readonly perDeviceCapacity = 256) {}

  record(packet: ArchivedPacket): void {
    let list = this.byDevice.get(packet.deviceId);
    if (!list) {
      list = [];
      this.byDevice.set(packet.deviceId, list);
      this.deviceIds.push(packet.deviceId);
    }
    list.push({ ...packet, payload: packet.payload.slice() });
    if (list.length > this.perDeviceCapacity) list.shift();
  }

  get size(): number {
    let n = 0;
    for (const list of this.byDevice.values()) n += list.length;
    return n;
  }

  /**
   * A random packet at most `maxTimestampS`, from `deviceId` itself ('own'), from any other
   * device ('others') or from anyone ('any'); undefined when none qualifies.
   */
  pick(random: Random, query: { readonly deviceId: string; readonly source: 'own' | 'others' | 'any'; readonly maxTimestampS: number }): ArchivedPacket | undefined {
    const ids = query.source === 'own' ? [query.deviceId] : this.deviceIds.filter((id) => query.source === 'any' || id !== query.deviceId);
    const candidates: ArchivedPacket[] = [];
    for (const id of ids) for (const p of this.byDevice.get(id) ?? []) if (p.timestampS <= query.maxTimestampS) candidates.push(p);
    return candidates.length === 0 ? undefined : candidates[Math.floor(random.next() * candidates.length)];
  }
}
