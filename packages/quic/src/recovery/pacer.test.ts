import { RttEstimator } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { Pacer } from './pacer.js';
import { RecordingController } from './test-support/recording-controller.js';

const MDS = 1200;

function makePacer(rate: number | undefined, burstPackets?: number): { pacer: Pacer; cc: RecordingController } {
  const cc = new RecordingController();
  cc.pacingRate = rate;
  const pacer = new Pacer({ controller: cc, rtt: new RttEstimator(), maxDatagramSizeBytes: MDS, burstPackets });
  return { pacer, cc };
}

/**
 * A greedy sender on virtual time whose timer fires on whole milliseconds (like Node's): returns the send times of
 * the packets sent before `untilMs`.
 */
function greedy(pacer: Pacer, untilMs: number): number[] {
  const times: number[] = [];
  let now = 0;
  while (now < untilMs) {
    const at = pacer.nextSendTimeMs(now, MDS);
    if (at > now) {
      now = Math.ceil(at);
      continue;
    }
    pacer.onPacketSent(now, MDS);
    times.push(now);
  }
  return times;
}

describe('Pacer (RFC 9002 §7.7)', () => {
  it('does not pace when the controller gives no rate', () => {
    const { pacer } = makePacer(undefined);
    for (let i = 0; i < 100; i++) {
      expect(pacer.nextSendTimeMs(5, MDS)).toBe(5);
      pacer.onPacketSent(5, MDS);
    }
    expect(pacer.availableBytes(5)).toBe(Number.POSITIVE_INFINITY);
  });

  it('allows a burst of the initial window, then spaces packets at the rate', () => {
    const { pacer } = makePacer(1_200_000); // 1200 bytes per ms
    for (let i = 0; i < 10; i++) {
      expect(pacer.nextSendTimeMs(0, MDS)).toBe(0);
      pacer.onPacketSent(0, MDS);
    }
    expect(pacer.nextSendTimeMs(0, MDS)).toBe(1);
    expect(pacer.nextSendTimeMs(1, MDS)).toBe(1);
    pacer.onPacketSent(1, MDS);
    expect(pacer.nextSendTimeMs(1.5, MDS)).toBe(2.5); // waits at least the timer granularity
  });

  it('keeps the average rate: bytes sent ≈ rate × time + one burst', () => {
    for (const rate of [600_000, 12_000_000, 125_000_000]) {
      const { pacer } = makePacer(rate);
      const times = greedy(pacer, 1000);
      const bytes = times.length * MDS;
      const capacity = pacer.capacityBytes(rate);
      expect(bytes).toBeLessThanOrEqual(rate + capacity);
      expect(bytes).toBeGreaterThanOrEqual(rate - MDS);
    }
  });

  it('releases packets in bursts per millisecond at high rates instead of one timer per packet', () => {
    const rate = 120_000_000; // 100 packets per ms
    const { pacer } = makePacer(rate);
    const times = greedy(pacer, 100);
    const wakeups = new Set(times).size;
    expect(times.length).toBeGreaterThan(9000);
    expect(wakeups).toBeLessThanOrEqual(101);
    // No burst beyond the bucket: one tick of tokens plus a datagram.
    const perTime = new Map<number, number>();
    for (const t of times) perTime.set(t, (perTime.get(t) ?? 0) + 1);
    for (const [, n] of perTime) expect(n * MDS).toBeLessThanOrEqual(pacer.capacityBytes(rate));
  });

  it('shrinks the bucket when the rate drops and resumes from full after idling', () => {
    const { pacer, cc } = makePacer(120_000_000);
    expect(pacer.availableBytes(0)).toBe(pacer.capacityBytes(120_000_000));
    cc.pacingRate = 1_200_000;
    expect(pacer.availableBytes(0)).toBe(10 * MDS);
    for (let i = 0; i < 10; i++) pacer.onPacketSent(0, MDS);
    expect(pacer.availableBytes(0)).toBe(0);
    expect(pacer.availableBytes(10_000)).toBe(10 * MDS);
  });
});
