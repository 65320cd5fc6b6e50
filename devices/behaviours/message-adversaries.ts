import type { z } from 'zod';
import type { Random } from '../../core/ports.ts';
import { decodeBinPackage, encodeBinPackage } from '../../protocol/codec/bin-package.ts';
import type { CurveName } from '../../protocol/curves.ts';
import { nobleCurves } from '../crypto/noble-curves.ts';
import { signReading } from '../crypto/sign.ts';
import { forkRandom } from '../random.ts';
import type { PacketArchive } from './archive.ts';
import { unchanged, type PlannedPublish, type TrackerBehaviour } from './hook.ts';
import type { forgedSignatureSchema, replaySchema, wrongTopicSchema } from './schemas.ts';

/** Publishes its upload and, now and then, an old signed packet (its own or a captured one) again. */
export function replay(params: z.output<typeof replaySchema>, archive: PacketArchive): TrackerBehaviour {
  return {
    onUpload(honest, { random, deviceId }) {
      const out: PlannedPublish[] = [unchanged(honest)];
      if (random.next() < params.probability) {
        const old = archive.pick(random, { deviceId, source: params.source, maxTimestampS: honest.timestampS - params.minAgeS });
        if (old) out.push({ topic: honest.topic, payload: old.payload, timestampS: old.timestampS, note: `replay: packet of ${old.deviceId} from ${old.timestampS}` });
      }
      archive.record({ deviceId, topic: honest.topic, payload: honest.payload, timestampS: honest.timestampS });
      return out;
    },
  };
}

/** A private key drawn from `random` (never registered): rejection-sampled into [1, n−1]. */
export function unregisteredKey(random: Random, curve: CurveName): Uint8Array {
  const n = nobleCurves[curve].CURVE.n;
  for (;;) {
    const bytes = new Uint8Array(32);
    for (let k = 0; k < 32; k++) bytes[k] = Math.floor(random.next() * 256);
    const scalar = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
    if (scalar > 0n && scalar < n) return bytes;
  }
}

/** Re-signs its readings with a key the registry does not know. */
export function forgedSignature(params: z.output<typeof forgedSignatureSchema>, random: Random, curve: CurveName): TrackerBehaviour {
  const key = { curve, privateKey: unregisteredKey(forkRandom(random), curve) };
  return {
    onUpload(honest, { random: r }) {
      if (r.next() >= params.probability) return [unchanged(honest)];
      let pkg;
      try {
        pkg = decodeBinPackage(honest.payload);
      } catch {
        return [unchanged(honest)];
      }
      const data = pkg.data.slice();
      const signature = signReading(key, pkg.type, data, pkg.timestamp);
      const payload = encodeBinPackage({ type: pkg.type, data, timestamp: pkg.timestamp, signature });
      return [{ topic: honest.topic, payload, timestampS: honest.timestampS, note: 'forged-signature: signed with an unregistered key' }];
    },
  };
}

/** Sends some uploads on a victim's topic (the broker's ACL should refuse them). */
export function wrongTopic(params: z.output<typeof wrongTopicSchema>, deviceId: string, fleet: readonly { readonly id: string }[], random: Random): TrackerBehaviour {
  const others = fleet.filter((d) => d.id !== deviceId);
  // With no other device known, it targets an id no device has.
  const victim = others.length > 0 ? others[Math.floor(forkRandom(random).next() * others.length)]!.id : `${deviceId}0`;
  return {
    onUpload(honest, { random: r }) {
      if (r.next() >= params.probability) return [unchanged(honest)];
      // The victim's data topic in whatever layout the device's own follows.
      const topic = honest.topic.split('/').map((level) => (level === deviceId ? victim : level)).join('/');
      return [{ topic, payload: honest.payload, timestampS: honest.timestampS, note: `wrong-topic: published as ${victim}` }];
    },
  };
}
