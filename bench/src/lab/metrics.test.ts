import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cumulativeAt, jainIndex, lowerBound, quantile, SampleColumn, valuesBetween } from './metrics.js';

describe("Jain's fairness index", () => {
  it('is 1 for equal shares, 1/n when one flow has everything, and the textbook value in between', () => {
    expect(jainIndex([5, 5, 5, 5])).toBe(1);
    expect(jainIndex([10, 0, 0, 0])).toBeCloseTo(0.25, 12);
    // (1 + 3)² / (2 · (1 + 9)) = 16 / 20
    expect(jainIndex([1, 3])).toBeCloseTo(0.8, 12);
    expect(jainIndex([])).toBe(1);
    expect(jainIndex([0, 0])).toBe(1);
  });

  it('lies in [1/n, 1] and does not depend on the unit', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 8 }), (xs) => {
        const j = jainIndex(xs);
        expect(j).toBeGreaterThanOrEqual(1 / xs.length - 1e-12);
        expect(j).toBeLessThanOrEqual(1 + 1e-12);
        if (xs.some((x) => x > 1e-3)) expect(jainIndex(xs.map((x) => x * 8))).toBeCloseTo(j, 9);
      }),
    );
  });

  it('rejects negative or NaN shares', () => {
    expect(() => jainIndex([1, -1])).toThrow(RangeError);
    expect(() => jainIndex([Number.NaN])).toThrow(RangeError);
  });
});

describe('quantile (nearest rank)', () => {
  it('picks the smallest value with at least q·n values at or below it', () => {
    const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(quantile(xs, 0.5)).toBe(5);
    expect(quantile(xs, 0.95)).toBe(10);
    expect(quantile(xs, 0.9)).toBe(9);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(10);
    expect(quantile([], 0.5)).toBeNaN();
    expect(xs[0]).toBe(5); // not sorted in place
    expect(() => quantile(xs, 1.5)).toThrow(RangeError);
  });
});

describe('sample columns and windows', () => {
  it('grows without losing samples and selects a time window', () => {
    const t = new SampleColumn(1);
    const v = new SampleColumn(1);
    for (let i = 0; i < 100; i++) {
      t.push(i * 10);
      v.push(i);
    }
    expect(t.length).toBe(100);
    expect(Array.from(valuesBetween(t, v, 95, 150))).toEqual([10, 11, 12, 13, 14]);
    expect(valuesBetween(t, v, 2000, 3000).length).toBe(0);
    expect(lowerBound([1, 2, 2, 3], 2)).toBe(1);
  });

  it('interpolates a cumulative series', () => {
    const times = [0, 10, 20];
    const values = [0, 100, 100];
    expect(cumulativeAt(times, values, -5)).toBe(0);
    expect(cumulativeAt(times, values, 5)).toBe(50);
    expect(cumulativeAt(times, values, 10)).toBe(100);
    expect(cumulativeAt(times, values, 99)).toBe(100);
    expect(cumulativeAt([], [], 1)).toBe(0);
  });
});
