import { describe, expect, it } from 'vitest';
import { CLEAN_LINK, gilbertElliottLossRate, resolveLinkConditions } from './link-conditions.js';

describe('link conditions', () => {
  it('fills defaults and applies patches: absent fields kept, undefined fields reset', () => {
    const a = resolveLinkConditions({ delayMs: 20, lossRate: 0.1, burstLoss: { p: 0.01, r: 0.2 } });
    expect(a.delayMs).toBe(20);
    expect(a.burstLoss).toEqual({ p: 0.01, r: 0.2, lossGood: 0, lossBad: 1 });
    expect(a.mtu).toBe(Number.POSITIVE_INFINITY);
    expect(a.reorderDelayMs).toBe(CLEAN_LINK.reorderDelayMs);
    const b = resolveLinkConditions({ lossRate: 0.2 }, a);
    expect(b.delayMs).toBe(20);
    expect(b.lossRate).toBe(0.2);
    const c = resolveLinkConditions({ delayMs: undefined, burstLoss: undefined }, b);
    expect(c.delayMs).toBe(0);
    expect(c.burstLoss).toBeUndefined();
    expect(c.lossRate).toBe(0.2);
  });

  it.each([
    { lossRate: -0.1 },
    { lossRate: 1.5 },
    { lossRate: Number.NaN },
    { duplicateRate: 2 },
    { corruptRate: -1 },
    { reorderRate: 1.01 },
    { delayMs: -1 },
    { delayMs: Number.POSITIVE_INFINITY },
    { jitterMs: Number.NaN },
    { rateBps: 0 },
    { rateBps: -5 },
    { mtu: -1 },
    { queueBytes: -1 },
    { burstLoss: { p: 1.2, r: 0.1 } },
    { burstLoss: { p: 0.1, r: 0.1, lossBad: -0.5 } },
    { blackholes: [{ startMs: 10, endMs: 5 }] },
  ])('rejects %o with a RangeError', (patch) => {
    expect(() => resolveLinkConditions(patch)).toThrow(RangeError);
  });

  it('computes the Gilbert–Elliott stationary loss rate', () => {
    expect(gilbertElliottLossRate({ p: 0.01, r: 0.1 })).toBeCloseTo(0.01 / 0.11, 12);
    expect(gilbertElliottLossRate({ p: 0.1, r: 0.3, lossGood: 0.01, lossBad: 0.5 })).toBeCloseTo(
      (0.3 * 0.01 + 0.1 * 0.5) / 0.4,
      12,
    );
    expect(gilbertElliottLossRate({ p: 0, r: 0, lossGood: 0.02 })).toBe(0.02);
  });
});
