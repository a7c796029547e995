/**
 * Seeded pseudo-random numbers for the simulation engines: xoshiro128** (period 2^128 - 1),
 * seeded through splitmix32. Integer arithmetic only (`Math.imul`, shifts), so the same seed
 * gives the same sequence on every machine and Node version.
 */

export interface Random {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform float in [0, 1), with 32 bits of resolution. */
  next(): number;
}

const TWO_POW_32 = 4294967296;

/** One splitmix32 step: a well-mixed 32-bit value from a 32-bit counter. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

export class Xoshiro128 implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed any safe integer (negative allowed); all 53 bits take part in the state.
   * @throws RangeError when `seed` is not a safe integer.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const low = seed >>> 0;
    const high = Math.floor(seed / TWO_POW_32) >>> 0;
    let x = splitmix32(low ^ splitmix32(high));
    const state: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x6a09e667) | 0;
      state.push(splitmix32(x));
    }
    if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1; // the one state xoshiro cannot leave
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** A generator at an exact 128-bit state (four 32-bit words, not all 0): for checks against the reference implementation. */
  static fromState(s0: number, s1: number, s2: number, s3: number): Xoshiro128 {
    if (((s0 | s1 | s2 | s3) >>> 0) === 0) throw new RangeError('xoshiro128** state must not be all zero');
    const rng = new Xoshiro128(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = [s0 | 0, s1 | 0, s2 | 0, s3 | 0];
    return rng;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }
}

/** A seeded generator: same seed, same sequence. */
export function createRandom(seed: number): Random {
  return new Xoshiro128(seed);
}
