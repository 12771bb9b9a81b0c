// Pure metric helpers of the congestion lab: Jain's fairness index, percentiles, and growable sample columns.

/**
 * Jain's fairness index (Jain, Chiu, Hawe 1984): (Σx)² / (n · Σx²), 1 when all shares are equal, 1/n when one flow
 * has everything. Defined as 1 for an empty set or all-zero shares (nobody is treated worse than anybody else).
 */
export function jainIndex(values: ArrayLike<number>): number {
  const n = values.length;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (!(x >= 0)) throw new RangeError(`fairness shares must be ≥ 0, got ${x}`);
    sum += x;
    squares += x * x;
  }
  if (n === 0 || squares === 0) return 1;
  return (sum * sum) / (n * squares);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` by the nearest-rank method: the smallest value with at least q·n values
 * at or below it. NaN for no values. Does not modify `values`.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil(q * n));
  return sorted[rank - 1];
}

/** A growable column of float64 samples (amortized O(1) append, no per-sample object). */
export class SampleColumn {
  private data: Float64Array;
  private n = 0;

  constructor(initialCapacity = 1024) {
    this.data = new Float64Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.n;
  }

  push(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }

  at(i: number): number {
    return this.data[i];
  }

  /** A view of the samples (valid until the next push). */
  view(): Float64Array {
    return this.data.subarray(0, this.n);
  }

  toArray(): number[] {
    return Array.from(this.view());
  }
}

/**
 * Values of `values` whose matching `times` lie in [fromMs, toMs). Both columns must have the same length and
 * `times` must be non-decreasing.
 */
export function valuesBetween(times: SampleColumn, values: SampleColumn, fromMs: number, toMs: number): Float64Array {
  const t = times.view();
  let lo = lowerBound(t, fromMs);
  const hi = lowerBound(t, toMs);
  if (hi < lo) lo = hi;
  return values.view().subarray(lo, hi);
}

/** First index i with a[i] ≥ x (a non-decreasing), or a.length. */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Linear interpolation of a cumulative series (times non-decreasing) at `tMs`: 0 before the first sample, the last
 * value after the last one.
 */
export function cumulativeAt(times: ArrayLike<number>, values: ArrayLike<number>, tMs: number): number {
  const n = times.length;
  if (n === 0 || tMs < times[0]) return 0;
  if (tMs >= times[n - 1]) return values[n - 1];
  const i = lowerBound(times, tMs);
  if (times[i] === tMs) return values[i];
  const t0 = times[i - 1];
  const v0 = values[i - 1];
  return v0 + ((values[i] - v0) * (tMs - t0)) / (times[i] - t0);
}
