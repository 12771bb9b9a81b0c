import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DelayHistogram } from './delay-histogram.js';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

describe('DelayHistogram', () => {
  it('reports zeros for an empty histogram', () => {
    expect(new DelayHistogram().summary()).toEqual({
      count: 0,
      meanMs: 0,
      minMs: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      maxMs: 0,
    });
  });

  it('keeps count, mean, min and max exact and quantiles within 1/128 of the exact order statistic', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e6, noNaN: true })), {
          minLength: 1,
          maxLength: 300,
        }),
        (samples) => {
          const h = new DelayHistogram();
          for (const s of samples) h.record(s);
          const sorted = [...samples].sort((a, b) => a - b);
          const sum = samples.reduce((a, b) => a + b, 0);
          const s = h.summary();
          expect(s.count).toBe(samples.length);
          expect(s.meanMs).toBeCloseTo(sum / samples.length, 6);
          expect(s.minMs).toBe(sorted[0]);
          expect(s.maxMs).toBe(sorted[sorted.length - 1]);
          for (const q of [0.5, 0.95, 0.99]) {
            const exact = exactQuantile(sorted, q);
            const got = h.quantile(q);
            expect(got).toBeGreaterThanOrEqual(exact * (1 - 1e-12));
            expect(got).toBeLessThanOrEqual(exact * (1 + 1 / 128) + 1e-6);
          }
        },
      ),
    );
  });

  it('finds the median of a known distribution', () => {
    const h = new DelayHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    const s = h.summary();
    expect(s.p50Ms).toBeGreaterThanOrEqual(500);
    expect(s.p50Ms).toBeLessThanOrEqual(500 * (1 + 1 / 128));
    expect(s.p95Ms).toBeGreaterThanOrEqual(950);
    expect(s.p95Ms).toBeLessThanOrEqual(950 * (1 + 1 / 128));
    expect(s.maxMs).toBe(1000);
  });
});
