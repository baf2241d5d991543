/**
 * Seeded randomness for the generator. Never Math.random: image i must come out byte-identical
 * from (seed, i) alone, so every image draws from its own streams keyed by (seed, index, stream).
 */

/** Murmur3's 32-bit finaliser: spreads nearby seeds (0, 1, 2...) over the whole state space. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit key for (seed, index, stream). Seeds up to 2^53 keep both halves. */
export function streamKey(seed: number, index: number, stream: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  let h = mix32(lo ^ 0x9e3779b9);
  h = mix32(h ^ hi ^ 0x7f4a7c15);
  h = mix32(h ^ (index >>> 0));
  return mix32(h ^ Math.imul(stream + 1, 0x27d4eb2d));
}

/** sfc32: small, fast, passes PractRand far beyond what one image needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(key: number) {
    this.a = key >>> 0;
    this.b = mix32(key ^ 0xdeadbeef);
    this.c = mix32(key ^ 0x01234567);
    for (let i = 0; i < 12; i++) this.u32();
  }

  static of(seed: number, index: number, stream: number): Rng {
    return new Rng(streamKey(seed, index, stream));
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 0x1_0000_0000;
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Log-uniform in [lo, hi): as many small sizes per octave as large ones. */
  logRange(lo: number, hi: number): number {
    return lo * Math.pow(hi / lo, this.next());
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Roughly normal (sum of three uniforms), mean 0, deviation about `sd`. */
  gauss(sd = 1): number {
    return (this.next() + this.next() + this.next() - 1.5) * 2 * sd;
  }
}
