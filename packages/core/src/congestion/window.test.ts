import { describe, expect, it } from 'vitest';
import type { SentPacketInfo } from '../contracts/congestion.js';
import type { RttView } from '../recovery/rtt-estimator.js';
import { CongestionOptionsError, DatagramWindowSizes, initialWindowBytes, pacingRateBytesPerSecond } from './window.js';
import { WindowedCongestionController } from './windowed-controller.js';

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

describe('WindowedCongestionController (the base a controller extends)', () => {
  class Halving extends WindowedCongestionController {
    readonly name = 'halving';
    onPacketSent(): void {}
    onPacketAcked(_now: number, p: SentPacketInfo, _rtt: RttView, _inFlight: number): void {
      this.anyAcked = true;
      if (p.timeSentMs > this.recoveryStartMs) this.cwnd += p.sentBytes;
    }
    onAckProcessed(): void {}
    onCongestionEvent(now: number, sentTimeMs: number, _lost: number, _inFlight: number): void {
      if (sentTimeMs <= this.recoveryStartMs) return;
      this.recoveryStartMs = now;
      this.recovering = true;
      this.ssthresh = this.cwnd / 2;
      this.cwnd = Math.max(this.cwnd / 2, this.sizes.minimumWindow);
    }
    onPersistentCongestion(): void {
      this.cwnd = this.sizes.minimumWindow;
    }
    onSpuriousCongestion(): void {}
    onApplicationLimited(): void {
      this.appLimited = true;
    }
    pacingRateBytesPerSecond(rtt: RttView): number | undefined {
      return pacingRateBytesPerSecond(1, this.cwnd, rtt);
    }
  }
  const packet = (timeSentMs: number, sentBytes = 1200): SentPacketInfo =>
    ({ packetNumber: 0, timeSentMs, sentBytes }) satisfies SentPacketInfo;

  it('starts at the initial window in slow start and reports the state its fields describe', () => {
    const c = new Halving({ maxDatagramSizeBytes: 1200, nowMs: 0 });
    expect(c.windowBytes).toBe(12_000);
    expect(c.initialWindowBytes).toBe(12_000);
    expect(c.minimumWindowBytes).toBe(2400);
    expect(c.maxDatagramSizeBytes).toBe(1200);
    expect(c.slowStartThresholdBytes).toBe(Number.POSITIVE_INFINITY);
    expect(c.recoveryStartTimeMs).toBe(Number.NEGATIVE_INFINITY);
    expect(c.state).toBe('slow_start');
    c.onPacketAcked(1, packet(0), {} as RttView, 0);
    expect(c.windowBytes).toBe(13_200);
    c.onCongestionEvent(2, 1, 1200, 0);
    expect(c.state).toBe('recovery');
    expect(c.windowBytes).toBe(6600);
    expect(c.recoveryStartTimeMs).toBe(2);
    c.onApplicationLimited();
    expect(c.isApplicationLimited).toBe(true);
  });

  it('a smaller datagram size before anything was acknowledged restarts from the new initial window', () => {
    const c = new Halving({ maxDatagramSizeBytes: 1500, nowMs: 0 });
    c.onMaxDatagramSizeChanged(1200);
    expect(c.windowBytes).toBe(12_000);
    const acked = new Halving({ maxDatagramSizeBytes: 1500, nowMs: 0 });
    acked.onPacketAcked(1, packet(0), {} as RttView, 0);
    acked.onMaxDatagramSizeChanged(1200);
    expect(acked.windowBytes).toBe(14_720 + 1200); // kept: something was acknowledged
    acked.onPersistentCongestion();
    expect(acked.windowBytes).toBe(2400);
    acked.onMaxDatagramSizeChanged(1500);
    expect(acked.windowBytes).toBe(3000); // raised to the minimum window of the larger size
    expect(() => acked.onMaxDatagramSizeChanged(0)).toThrow(CongestionOptionsError);
  });
});
