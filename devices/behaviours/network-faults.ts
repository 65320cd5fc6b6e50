import type { Random } from '../../core/ports.ts';
import { forkRandom } from '../random.ts';
import { draw } from './draw.ts';
import { unchanged, type TrackerBehaviour } from './hook.ts';
import type { z } from 'zod';
import type { clockSkewSchema, corruptedPacketsSchema, flakyNetworkSchema } from './schemas.ts';

/**
 * Connection losses as a Poisson process of `disconnectsPerHour`: the chance of a loss grows
 * with the simulated time since the tracker last asked, so the rate does not depend on how
 * often it asks.
 */
export function flakyNetwork(params: z.output<typeof flakyNetworkSchema>): TrackerBehaviour {
  let lastMs: number | undefined;
  return {
    outageMs(nowMs: number, random: Random) {
      const sinceMs = lastMs === undefined ? 0 : Math.max(0, nowMs - lastMs);
      lastMs = nowMs;
      const p = 1 - Math.exp((-params.disconnectsPerHour * sinceMs) / 3_600_000);
      if (random.next() >= p) return undefined;
      return Math.round(draw(params.outageS, random) * 1000);
    },
  };
}

/** A device clock off by a constant offset plus a drift counted from the first question. */
export function clockSkew(params: z.output<typeof clockSkewSchema>, random: Random): TrackerBehaviour {
  const own = forkRandom(random);
  const offsetMs = draw(params.offsetS, own) * 1000;
  const drift = draw(params.driftPpm, own) * 1e-6;
  let originMs: number | undefined;
  return {
    clockOffsetMs(nowMs: number) {
      originMs ??= nowMs;
      return Math.round(offsetMs + drift * (nowMs - originMs));
    },
  };
}

/** Flips bytes of some payloads (a bad modem or flash): the ingest must reject them undecoded or unverified. */
export function corruptedPackets(params: z.output<typeof corruptedPacketsSchema>): TrackerBehaviour {
  return {
    onUpload(honest, { random }) {
      if (random.next() >= params.probability) return [unchanged(honest)];
      const payload = honest.payload.slice();
      const flips = Math.max(1, Math.round(draw(params.bytesFlipped, random)));
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(random.next() * payload.length);
        payload[at] = payload[at]! ^ (1 + Math.floor(random.next() * 255));
      }
      return [{ topic: honest.topic, payload, timestampS: honest.timestampS, note: `corrupted-packets: ${flips} byte(s) flipped` }];
    },
  };
}
