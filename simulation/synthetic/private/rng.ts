/**
 * A small seedable PRNG (sfc32) and a string/number hash. Every random choice of the
 * generator goes through these, so one seed reproduces every byte; Math.random is never used.
 * Streams are derived from (seed, labels...) so each output file has its own stream and
 * files can be generated in any order with the same content.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';

/** 32-bit finalizer of MurmurHash3: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a list of numbers and strings; stable across runs and platforms. */
export function hash32(...parts: readonly (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Split into two 32-bit halves so integers above 2^32 (timestamps) hash fully.
      h = fmix32(h ^ (part >>> 0));
      h = fmix32(h ^ Math.floor(part / 0x100000000));
    } else {
      for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
      h = fmix32(h ^ part.length);
    }
  }
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...labels: readonly (number | string)[]) {
    this.a = hash32(1, ...labels);
    this.b = hash32(2, ...labels);
    this.c = hash32(3, ...labels);
    this.d = hash32(4, ...labels) | 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform unsigned 32-bit integer. */
  public next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  public float(): number {
    return this.next() / 0x100000000;
  }

  /** Uniform integer in [0, n). */
  public int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max]. */
  public between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  public chance(p: number): boolean {
    return this.float() < p;
  }

  public pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Picks by weight; `weights` are non-negative and not all zero. */
  public weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }

  private chars(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /** Letters (both cases) and digits, as in CloudTrail's file-name unique part. */
  public alnum(n: number): string {
    return this.chars(ALNUM, n);
  }

  /** Capital letters and digits, as in IAM ids and access key ids. */
  public upperAlnum(n: number): string {
    return this.chars(UPPER_ALNUM, n);
  }

  public hex(n: number): string {
    return this.chars(HEX, n);
  }

  /** A version-4 UUID, as CloudTrail's eventID. */
  public uuid(): string {
    const a = this.next();
    const b = this.next();
    const c = this.next();
    const d = this.next();
    // Version nibble 4 and variant bits 10, as RFC 4122 random UUIDs have.
    return (
      `${BYTE_HEX[a >>> 24]}${BYTE_HEX[(a >>> 16) & 255]}${BYTE_HEX[(a >>> 8) & 255]}${BYTE_HEX[a & 255]}-` +
      `${BYTE_HEX[b >>> 24]}${BYTE_HEX[(b >>> 16) & 255]}-${BYTE_HEX[((b >>> 8) & 15) | 64]}${BYTE_HEX[b & 255]}-` +
      `${BYTE_HEX[((c >>> 24) & 63) | 128]}${BYTE_HEX[(c >>> 16) & 255]}-${BYTE_HEX[(c >>> 8) & 255]}${BYTE_HEX[c & 255]}` +
      `${BYTE_HEX[d >>> 24]}${BYTE_HEX[(d >>> 16) & 255]}${BYTE_HEX[(d >>> 8) & 255]}${BYTE_HEX[d & 255]}`
    );
  }
}

/** Two hex digits for every byte value. */
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Items with fixed weights, drawn in O(log n) from precomputed cumulative sums. */
export class WeightedTable<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    for (const w of weights) this.cumulative.push((sum += w));
    this.total = sum;
  }

  public draw(rng: Rng): T {
    const r = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}
