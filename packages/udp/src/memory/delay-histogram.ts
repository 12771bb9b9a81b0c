/** Summary of recorded delays (ms). Quantiles are within 1/128 (0.8 %) relative error; count, mean, min and max are exact. */
export interface DelaySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const SUB_BUCKET_BITS = 7;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
/** Values below this (1 ns) count as zero. */
const RESOLUTION_MS = 1e-6;
/** 2^60 ns is far beyond any simulated run; larger values land in the last bucket. */
const OCTAVES = 60;

/**
 * A log-linear histogram of delays in bounded memory (what HdrHistogram does, in miniature): every power-of-two
 * range above 1 ns is split into 128 linear buckets, so a quantile is reported within 0.8 % of the true value no
 * matter how many samples a long simulation records.
 */
export class DelayHistogram {
  private counts: Uint32Array | undefined = undefined;
  private zeros = 0;
  private n = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  get count(): number {
    return this.n;
  }

  record(ms: number): void {
    this.n++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    if (!(ms >= RESOLUTION_MS)) {
      this.zeros++;
      return;
    }
    this.counts ??= new Uint32Array(OCTAVES * SUB_BUCKETS);
    this.counts[bucketOf(ms)]++;
  }

  /** The smallest bucket bound at or below which a fraction `q` of the samples fall (clamped to [min, max]). */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    if (rank <= this.zeros) return Math.max(this.min, 0);
    let seen = this.zeros;
    const counts = this.counts!;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) return Math.min(Math.max(bucketUpperBound(i), this.min), this.max);
    }
    return this.max;
  }

  summary(): DelaySummary {
    if (this.n === 0) return { count: 0, meanMs: 0, minMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    return {
      count: this.n,
      meanMs: this.sum / this.n,
      minMs: this.min,
      p50Ms: this.quantile(0.5),
      p95Ms: this.quantile(0.95),
      p99Ms: this.quantile(0.99),
      maxMs: this.max,
    };
  }
}

function bucketOf(ms: number): number {
  const x = ms / RESOLUTION_MS; // ≥ 1
  const octave = Math.min(Math.floor(Math.log2(x)), OCTAVES - 1);
  const base = 2 ** octave;
  // Clamped both ways: log2 may round across an octave boundary by one ulp.
  const sub = Math.max(0, Math.min(Math.floor((x / base - 1) * SUB_BUCKETS), SUB_BUCKETS - 1));
  return octave * SUB_BUCKETS + sub;
}

function bucketUpperBound(index: number): number {
  const octave = Math.floor(index / SUB_BUCKETS);
  const sub = index % SUB_BUCKETS;
  return 2 ** octave * (1 + (sub + 1) / SUB_BUCKETS) * RESOLUTION_MS;
}
