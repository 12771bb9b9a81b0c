import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALPHA_CUBIC,
  BETA_CUBIC,
  CUBIC_C,
  cubicK,
  cubicTarget,
  cubicWindow,
  fastConvergenceWMax,
  TARGET_MAX_RATIO,
} from './cubic-math.js';

describe('RFC 9438 constants', () => {
  it('C = 0.4, β_cubic = 0.7, α_cubic = 3(1 − β)/(1 + β) = 0.9/1.7', () => {
    expect(CUBIC_C).toBe(0.4);
    expect(BETA_CUBIC).toBe(0.7);
    expect(ALPHA_CUBIC).toBeCloseTo(0.9 / 1.7, 12);
    expect(ALPHA_CUBIC).toBeCloseTo(0.5294117647, 9);
    expect(TARGET_MAX_RATIO).toBe(1.5);
  });
});

describe('K (RFC 9438 §4.2 Figure 2)', () => {
  it.each([
    // [W_max, cwnd_epoch, K = ∛((W_max − cwnd_epoch)/0.4) worked out by hand]
    [100, 70, 4.2171633265], // ∛75
    [1000, 700, 9.0856029641], // ∛750
    [10, 7, 1.9574338205], // ∛7.5
    [68, 56, 3.107232506], // fast convergence: W_max = 80·0.85, cwnd_epoch = 80·0.7 → ∛30
    [2, 1.4, 1.1447142426], // ∛1.5
  ])('W_max %d, cwnd_epoch %d → K ≈ %d s', (wMax, cwndEpoch, k) => {
    expect(cubicK(wMax, cwndEpoch)).toBeCloseTo(k, 8);
  });

  it('is 0 when the epoch starts at or above W_max (§4.8, §4.10)', () => {
    expect(cubicK(100, 100)).toBe(0);
    expect(cubicK(100, 150)).toBe(0);
    expect(cubicK(0, 10)).toBe(0);
  });

  it('equals ∛(W_max·(1 − β)/C) after a plain β reduction', () => {
    fc.assert(
      fc.property(fc.double({ min: 2, max: 1e7, noNaN: true }), (wMax) => {
        const k = cubicK(wMax, BETA_CUBIC * wMax);
        expect(k).toBeCloseTo(Math.cbrt((wMax * (1 - BETA_CUBIC)) / CUBIC_C), 6);
      }),
    );
  });
});

describe('W_cubic(t) (RFC 9438 §4.2 Figure 1)', () => {
  const wMax = 100;
  const k = Math.cbrt(75); // cwnd_epoch = 70

  it.each([
    // [t, C·(t − K)³ + W_max computed by hand with K = 4.2171633265]
    [0, 70],
    [1, 86.6807638], // 100 + 0.4·(−3.2171633)³ = 100 − 13.3192362
    [2, 95.6403357], // 100 + 0.4·(−2.2171633)³
    [4.2171633265, 100],
    [5, 100.1918993], // 100 + 0.4·(0.7828367)³
    [8, 121.6527351], // 100 + 0.4·(3.7828367)³
  ])('W_max 100, cwnd_epoch 70: W_cubic(%d) ≈ %d', (t, expected) => {
    expect(cubicWindow(t, k, wMax)).toBeCloseTo(expected, 5);
  });

  it('starts at cwnd_epoch, reaches W_max at K, and is point-symmetric about (K, W_max)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 2, max: 1e6, noNaN: true }),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (w, ratio, d) => {
          const epoch = ratio * w;
          const kk = cubicK(w, epoch);
          expect(cubicWindow(0, kk, w)).toBeCloseTo(Math.min(epoch, w), 6);
          expect(cubicWindow(kk, kk, w)).toBe(w);
          expect(cubicWindow(kk + d, kk, w) - w).toBeCloseTo(w - cubicWindow(kk - d, kk, w), 3);
        },
      ),
    );
  });

  it('grows monotonically: concave below W_max, convex above', () => {
    let previous = Number.NEGATIVE_INFINITY;
    let previousStep = Number.POSITIVE_INFINITY;
    for (let t = 0; t <= k; t += 0.25) {
      const w = cubicWindow(t, k, wMax);
      expect(w).toBeGreaterThan(previous);
      if (previous !== Number.NEGATIVE_INFINITY) {
        expect(w - previous).toBeLessThan(previousStep); // concave: shrinking steps
        previousStep = w - previous;
      }
      previous = w;
    }
    previousStep = 0;
    previous = wMax;
    for (let t = k + 0.25; t < k + 5; t += 0.25) {
      const w = cubicWindow(t, k, wMax);
      expect(w - previous).toBeGreaterThan(previousStep); // convex: growing steps
      previousStep = w - previous;
      previous = w;
    }
  });
});

describe('target (RFC 9438 §4.2)', () => {
  it('is W_cubic(t + RTT) clamped to [cwnd, 1.5·cwnd]', () => {
    expect(cubicTarget(80, 100)).toBe(100);
    expect(cubicTarget(120, 100)).toBe(120);
    expect(cubicTarget(150, 100)).toBe(150);
    expect(cubicTarget(151, 100)).toBe(150);
    expect(cubicTarget(1e9, 100)).toBe(150);
  });
});

describe('fast convergence (RFC 9438 §4.7)', () => {
  it('remembers cwnd·(1 + β)/2 when the window peaked below the previous W_max', () => {
    expect(fastConvergenceWMax(80, 100, true)).toBeCloseTo(68, 12);
    expect(fastConvergenceWMax(80, 100, false)).toBe(80);
  });

  it('remembers cwnd when it reached or passed the previous W_max', () => {
    expect(fastConvergenceWMax(100, 100, true)).toBe(100);
    expect(fastConvergenceWMax(120, 100, true)).toBe(120);
    expect(fastConvergenceWMax(50, 0, true)).toBe(50);
  });
});
