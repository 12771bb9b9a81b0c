import { describe, expect, it } from 'vitest';
import type { RttView } from '../recovery/rtt-estimator.js';
import { CongestionOptionsError, DatagramWindowSizes, initialWindowBytes, pacingRateBytesPerSecond } from './window.js';

describe('RFC 9002 §7.2 window sizes', () => {
  it('initial window: min(10 · mds, max(14720, 2 · mds))', () => {
    expect(initialWindowBytes(1200, undefined, 2400)).toBe(12_000);
    expect(initialWindowBytes(1500, undefined, 3000)).toBe(14_720);
    expect(initialWindowBytes(9000, undefined, 18_000)).toBe(18_000);
    // an explicit packet count replaces the default but never goes below the minimum window
    expect(initialWindowBytes(1200, 1, 2400)).toBe(2400);
  });

  it('DatagramWindowSizes follows max_datagram_size and reports decreases', () => {
    const s = new DatagramWindowSizes({ maxDatagramSizeBytes: 1200 });
    expect([s.maxDatagramSize, s.minimumWindow, s.initialWindow]).toEqual([1200, 2400, 12_000]);
    expect(s.resize(1452)).toBe(false);
    expect([s.maxDatagramSize, s.minimumWindow, s.initialWindow]).toEqual([1452, 2904, 14_520]);
    expect(s.resize(1200)).toBe(true);
    expect(s.initialWindow).toBe(12_000);
    const custom = new DatagramWindowSizes({
      maxDatagramSizeBytes: 1000,
      minimumWindowPackets: 4,
      initialWindowPackets: 3,
    });
    expect([custom.minimumWindow, custom.initialWindow]).toEqual([4000, 4000]);
  });

  it('rejects sizes and counts outside their domain', () => {
    expect(() => new DatagramWindowSizes({ maxDatagramSizeBytes: 0 })).toThrow(CongestionOptionsError);
    expect(() => new DatagramWindowSizes({ maxDatagramSizeBytes: 1200, minimumWindowPackets: 0 })).toThrow(
      CongestionOptionsError,
    );
    expect(() => new DatagramWindowSizes({ maxDatagramSizeBytes: 1200, initialWindowPackets: Number.NaN })).toThrow(
      CongestionOptionsError,
    );
    const s = new DatagramWindowSizes({ maxDatagramSizeBytes: 1200 });
    expect(() => s.resize(Number.POSITIVE_INFINITY)).toThrow(CongestionOptionsError);
    expect(s.maxDatagramSize).toBe(1200);
  });
});

describe('RFC 9002 §7.7 pacing rate', () => {
  const rtt = (smoothedRttMs: number, hasSample = true): RttView => ({ smoothedRttMs, hasSample }) as RttView;

  it('is gain · cwnd / smoothed_rtt in bytes per second', () => {
    expect(pacingRateBytesPerSecond(1.25, 12_000, rtt(100))).toBe(150_000);
  });

  it('is undefined without a sample, on a zero RTT and on overflow', () => {
    expect(pacingRateBytesPerSecond(1.25, 12_000, rtt(100, false))).toBeUndefined();
    expect(pacingRateBytesPerSecond(1.25, 12_000, rtt(0))).toBeUndefined();
    expect(pacingRateBytesPerSecond(1.25, 12_000, rtt(Number.MIN_VALUE))).toBeUndefined();
  });
});
