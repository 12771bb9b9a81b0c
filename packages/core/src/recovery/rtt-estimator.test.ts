import { describe, expect, it } from 'vitest';
import { GRANULARITY_MS, INITIAL_RTT_MS, RttEstimator } from './rtt-estimator.js';

describe('RttEstimator (RFC 9002 §5)', () => {
  it('starts from kInitialRtt (§6.2.2)', () => {
    const rtt = new RttEstimator();
    expect(rtt.smoothedRttMs).toBe(INITIAL_RTT_MS);
    expect(rtt.rttVarMs).toBe(INITIAL_RTT_MS / 2);
    expect(rtt.hasSample).toBe(false);
    expect(rtt.ptoMs(25)).toBe(333 + 4 * 166.5 + 25);
  });

  it('the first sample sets min_rtt and smoothed_rtt and rttvar = sample/2 (§5.3)', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 30, true, 25);
    expect(rtt).toMatchObject({ latestRttMs: 100, minRttMs: 100, smoothedRttMs: 100, rttVarMs: 50, hasSample: true });
  });

  it('later samples subtract the ack delay, capped by max_ack_delay once the handshake is confirmed', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, true, 25);
    rtt.update(140, 30, true, 25); // ack_delay capped to 25 → adjusted 115
    expect(rtt.rttVarMs).toBeCloseTo(0.75 * 50 + 0.25 * Math.abs(100 - 115), 10);
    expect(rtt.smoothedRttMs).toBeCloseTo(0.875 * 100 + 0.125 * 115, 10);
    expect(rtt.minRttMs).toBe(100);
  });

  it('before confirmation the full reported ack delay is used', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, false, 25);
    rtt.update(140, 30, false, 25); // adjusted 110
    expect(rtt.smoothedRttMs).toBeCloseTo(0.875 * 100 + 0.125 * 110, 10);
  });

  it('does not subtract an ack delay that would take the sample below min_rtt', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, true, 25);
    rtt.update(110, 20, true, 25); // 110 < 100 + 20 → adjusted stays 110
    expect(rtt.smoothedRttMs).toBeCloseTo(0.875 * 100 + 0.125 * 110, 10);
  });

  it('min_rtt ignores ack delay and tracks the minimum (§5.2), and resets to the newest sample', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, true, 25);
    rtt.update(80, 50, true, 25);
    expect(rtt.minRttMs).toBe(80);
    rtt.update(120, 0, true, 25);
    expect(rtt.minRttMs).toBe(80);
    rtt.resetMinRtt();
    expect(rtt.minRttMs).toBe(120);
  });

  it('PTO and loss delay follow §6.2.1 and §6.1.2', () => {
    const rtt = new RttEstimator();
    rtt.update(10, 0, true, 25);
    expect(rtt.ptoMs(0)).toBe(10 + 4 * 5);
    expect(rtt.lossDelayMs()).toBe((9 / 8) * 10);
    const tiny = new RttEstimator();
    tiny.update(0.1, 0, true, 0);
    tiny.update(0.1, 0, true, 0);
    expect(tiny.ptoMs(0)).toBeCloseTo(0.1 + GRANULARITY_MS, 10);
    expect(tiny.lossDelayMs()).toBe(GRANULARITY_MS);
  });

  it('reset() forgets the path', () => {
    const rtt = new RttEstimator(100);
    rtt.update(10, 0, true, 25);
    rtt.reset();
    expect(rtt).toMatchObject({
      smoothedRttMs: 100,
      rttVarMs: 50,
      hasSample: false,
      minRttMs: Number.POSITIVE_INFINITY,
    });
  });
});
