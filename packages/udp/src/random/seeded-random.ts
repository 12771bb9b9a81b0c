/** A seed: an integer (any safe integer) or a string. */
export type Seed = number | string;

const FNV_PRIME = 0x01000193;
// Four FNV-1a offset bases, one per 32-bit lane of the derived 128-bit state.
const LANE_BASES = [0x811c9dc5, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35] as const;

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Appends the parts to four FNV-1a lanes, with a separator after each part so ('ab','c') ≠ ('a','bc'). */
function hashParts(parts: readonly Seed[]): [number, number, number, number] {
  const lanes: [number, number, number, number] = [LANE_BASES[0], LANE_BASES[1], LANE_BASES[2], LANE_BASES[3]];
  const feed = (unit: number): void => {
    for (let l = 0; l < 4; l++) lanes[l] = Math.imul(lanes[l] ^ (unit + l), FNV_PRIME) >>> 0;
  };
  for (const part of parts) {
    if (typeof part === 'number') {
      if (!Number.isSafeInteger(part)) throw new RangeError(`seed must be a safe integer or a string, got ${part}`);
      const lo = (part % 0x1_0000_0000) >>> 0;
      const hi = Math.floor(part / 0x1_0000_0000) >>> 0;
      feed(0x6e); // type tag: number
      for (const w of [lo, hi]) for (let s = 0; s < 32; s += 8) feed((w >>> s) & 0xff);
    } else {
      feed(0x73); // type tag: string
      for (let i = 0; i < part.length; i++) {
        const c = part.charCodeAt(i);
        feed(c & 0xff);
        feed(c >>> 8);
      }
    }
    feed(0x1f); // separator
  }
  return [fmix32(lanes[0]), fmix32(lanes[1]), fmix32(lanes[2]), fmix32(lanes[3])];
}

/**
 * A small, fast, seeded pseudo-random generator: xoshiro128** (Blackman & Vigna), 128-bit state, period 2^128 − 1,
 * 32-bit outputs. Not cryptographic — it exists so simulations replay exactly from a seed.
 *
 * `SeededRandom.derive(seed, 'a', 'b')` gives an independent stream per label tuple (used for one stream per link).
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A stream determined by `seed` alone (same as `SeededRandom.derive(seed)`). */
  constructor(seed: Seed = 0) {
    const [a, b, c, d] = hashParts([seed]);
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
    this.fixZeroState();
  }

  /** A stream determined by the seed and the labels, statistically independent of other label tuples. */
  static derive(seed: Seed, ...labels: readonly string[]): SeededRandom {
    const r = new SeededRandom(0);
    r.setState(hashParts([seed, ...labels]));
    return r;
  }

  /** A generator with exactly this 128-bit state (for known-answer tests and snapshots). All zero is invalid. */
  static fromState(state: readonly [number, number, number, number]): SeededRandom {
    if ((state[0] | state[1] | state[2] | state[3]) === 0)
      throw new RangeError('xoshiro128** state must not be all zero');
    const r = new SeededRandom(0);
    r.setState(state);
    return r;
  }

  /** The current state; `SeededRandom.fromState(r.state())` continues the same sequence. */
  state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** The next raw 32-bit output, an integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** An unbiased integer in [0, n) for an integer 1 ≤ n ≤ 2^32 (rejection sampling). */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x1_0000_0000) throw new RangeError(`nextInt bound must be 1..2^32: ${n}`);
    // Accept only draws below the largest multiple of n, so every residue is equally likely.
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** true with probability `p` (p ≤ 0 never, p ≥ 1 always — and then no draw is consumed). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  private setState(state: readonly [number, number, number, number]): void {
    this.s0 = state[0] >>> 0;
    this.s1 = state[1] >>> 0;
    this.s2 = state[2] >>> 0;
    this.s3 = state[3] >>> 0;
    this.fixZeroState();
  }

  private fixZeroState(): void {
    // xoshiro's all-zero state is a fixed point; any non-zero state works.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 0x9e3779b9;
  }
}
