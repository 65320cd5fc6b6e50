/**
 * One small fast random stream per device: xoshiro128** (Blackman & Vigna) on 32-bit integers,
 * its four words seeded by splitmix32 from (seed, device). All states live in one Uint32Array,
 * so a fleet of a thousand streams is 16 KB and drawing allocates nothing. A device's draws
 * depend only on (seed, device), never on how devices are split across jobs or threads.
 */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const GOLDEN = 0x9e3779b9;

export class DeviceStreams {
  readonly state: Uint32Array;

  constructor(seed: number, devices: number) {
    this.state = new Uint32Array(devices * 4);
    for (let d = 0; d < devices; d++) {
      let x = (mix32(seed) ^ mix32(d + GOLDEN)) >>> 0;
      for (let w = 0; w < 4; w++) {
        x = (x + GOLDEN) >>> 0;
        this.state[d * 4 + w] = mix32(x);
      }
      // The all-zero state is xoshiro's one fixed point.
      if ((this.state[d * 4]! | this.state[d * 4 + 1]! | this.state[d * 4 + 2]! | this.state[d * 4 + 3]!) === 0) this.state[d * 4] = 1;
    }
  }

  /** The device's next 32-bit output (unsigned). */
  next(d: number): number {
    const s = this.state;
    const i = d * 4;
    const s0 = s[i]!, s1 = s[i + 1]!, s2 = s[i + 2]!, s3 = s[i + 3]!;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[i + 1] = s1 ^ n2;
    s[i] = s0 ^ n3;
    s[i + 2] = n2 ^ t;
    s[i + 3] = (n3 << 11) | (n3 >>> 21);
    return result;
  }
}
