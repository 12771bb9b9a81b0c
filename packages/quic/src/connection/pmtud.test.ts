import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_DATAGRAM_SIZE, Pmtud } from './pmtud.js';

describe('Pmtud', () => {
  it('probes the ceiling first and adopts it when acknowledged', () => {
    const p = new Pmtud(1452, true);
    expect(p.nextProbe()).toBe(1452);
    p.onProbeSent(1452);
    expect(p.nextProbe()).toBeUndefined(); // one probe at a time
    expect(p.onProbeAcked(1452)).toBe(1452);
    expect(p.current).toBe(1452);
    expect(p.nextProbe()).toBeUndefined();
  });

  it('bisects down to a working size below a path MTU', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_DATAGRAM_SIZE, max: 1500 }), (mtu) => {
        const p = new Pmtud(1500, true);
        for (let size = p.nextProbe(); size !== undefined; size = p.nextProbe()) {
          p.onProbeSent(size);
          if (size <= mtu) p.onProbeAcked(size);
          else p.onProbeLost(size);
        }
        expect(p.current).toBeLessThanOrEqual(mtu);
        expect(mtu - p.current).toBeLessThan(16);
      }),
    );
  });

  it('respects the peer limit and can be disabled', () => {
    const p = new Pmtud(1452, true);
    p.limitTo(1300);
    expect(p.nextProbe()).toBe(1300);
    expect(new Pmtud(1452, false).nextProbe()).toBeUndefined();
    expect(new Pmtud(1200, true).nextProbe()).toBeUndefined();
  });
});
