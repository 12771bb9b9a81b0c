import { CongestionHarness as Harness } from '@fos/core/testing';
import { describe, expect, it } from 'vitest';
import { CubicController } from './cubic.js';
import {
  CSS_GROWTH_DIVISOR,
  CSS_ROUNDS,
  HyStart,
  HyStartTransition,
  MAX_RTT_THRESH_MS,
  MIN_RTT_DIVISOR,
  MIN_RTT_THRESH_MS,
  N_RTT_SAMPLE,
  NON_PACED_L,
  rttThresholdMs,
} from './hystart.js';

/**
 * Plays one HyStart++ round: sends `rtts.length` packets, then acknowledges them one ACK frame each, the i-th ACK
 * carrying the RTT sample rtts[i]. The first ACK acknowledges the first packet sent after the previous round
 * started, so it ends that round; each call is exactly one round. Returns the transition of every ACK.
 */
class Rounds {
  readonly hy = new HyStart();
  private pn = 0;

  round(rtts: readonly number[]): HyStartTransition[] {
    const first = this.pn;
    for (let i = 0; i < rtts.length; i++) this.hy.onPacketSent(this.pn++);
    return rtts.map((rtt, i) => {
      this.hy.onPacketAcked(first + i);
      return this.hy.onAck(rtt);
    });
  }

  /** A round of `n` ACKs that all carry `rttMs`. */
  flat(n: number, rttMs: number): HyStartTransition[] {
    return this.round(new Array<number>(n).fill(rttMs));
  }
}

const NONE = HyStartTransition.NONE;

describe('HyStart++ constants (RFC 9406 §4.3)', () => {
  it('has the RFC values', () => {
    expect([MIN_RTT_THRESH_MS, MAX_RTT_THRESH_MS, MIN_RTT_DIVISOR, N_RTT_SAMPLE]).toEqual([4, 16, 8, 8]);
    expect([CSS_GROWTH_DIVISOR, CSS_ROUNDS, NON_PACED_L]).toEqual([4, 5, 8]);
  });

  it.each([
    // [lastRoundMinRTT, clamp(lastRoundMinRTT / 8, 4, 16)]
    [10, 4],
    [32, 4],
    [40, 5],
    [64, 8],
    [100, 12.5],
    [128, 16],
    [500, 16],
  ])('RttThresh(%d ms) = %d ms', (last, thresh) => {
    expect(rttThresholdMs(last)).toBe(thresh);
  });
});

describe('HyStart++ rounds and the slow start exit (RFC 9406 §4.2)', () => {
  it('enters CSS in the round whose minimum RTT rose by RttThresh, at its N_RTT_SAMPLE-th sample', () => {
    const r = new Rounds();
    expect(r.flat(10, 100)).toEqual(new Array(10).fill(NONE)); // round 1: no previous round to compare with
    expect(r.hy.lastRoundMinRttMs).toBe(Number.POSITIVE_INFINITY);
    expect(r.flat(10, 112)).toEqual(new Array(10).fill(NONE)); // 112 < 100 + 12.5
    expect(r.hy.lastRoundMinRttMs).toBe(100);
    expect(r.hy.phase).toBe('slow_start');
    // Round 3: the threshold now derives from round 2's minimum: 112 + 112/8 = 126.
    const third = r.flat(10, 126);
    expect(third.indexOf(HyStartTransition.ENTER_CSS)).toBe(N_RTT_SAMPLE - 1);
    expect(third.filter((t) => t !== NONE)).toHaveLength(1);
    expect(r.hy.phase).toBe('conservative_slow_start');
    expect(r.hy.cssBaselineMinRttMs).toBe(126);
    expect(r.hy.rounds).toBe(3);
  });

  it('does not exit when the rise is just below the threshold', () => {
    const r = new Rounds();
    r.flat(10, 100);
    expect(r.flat(10, 112.49)).toEqual(new Array(10).fill(NONE));
    r.flat(10, 112.49 + 112.49 / 8 - 0.01);
    expect(r.hy.phase).toBe('slow_start');
  });

  it('uses the round minimum: one low sample among high ones keeps slow start', () => {
    const r = new Rounds();
    r.flat(10, 100);
    expect(r.round([200, 200, 200, 200, 200, 200, 200, 105, 200, 200])).toEqual(new Array(10).fill(NONE));
  });

  it('needs N_RTT_SAMPLE samples in the round before it decides', () => {
    const r = new Rounds();
    r.flat(7, 100);
    expect(r.flat(7, 200)).toEqual(new Array(7).fill(NONE)); // 7 samples only
    expect(r.hy.phase).toBe('slow_start');
    const next = r.flat(8, 300);
    expect(next.slice(0, 7)).toEqual(new Array(7).fill(NONE));
    expect(next[7]).toBe(HyStartTransition.ENTER_CSS);
  });

  it('ignores ACKs without an RTT sample when counting', () => {
    const r = new Rounds();
    r.flat(10, 100);
    const hy = r.hy;
    // A round of 10 packets where only 7 ACKs carried a sample.
    const base = 20;
    for (let i = 0; i < 10; i++) hy.onPacketSent(base + i);
    const transitions: HyStartTransition[] = [];
    for (let i = 0; i < 10; i++) {
      hy.onPacketAcked(base + i);
      transitions.push(hy.onAck(i < 7 ? 200 : undefined));
    }
    expect(transitions).toEqual(new Array(10).fill(NONE));
    expect(hy.rttSampleCount).toBe(7);
  });

  it.each([
    // [base RTT, RTT that is just enough: base + clamp(base/8, 4, 16)]
    [20, 24], // 2.5 → clamped up to MIN_RTT_THRESH
    [64, 72], // 8, inside the clamp
    [200, 216], // 25 → clamped down to MAX_RTT_THRESH
  ])('base %d ms: exits at %d ms, not a hair below', (base, exitAt) => {
    const below = new Rounds();
    below.flat(8, base);
    below.flat(8, exitAt - 0.001);
    expect(below.hy.phase).toBe('slow_start');
    const at = new Rounds();
    at.flat(8, base);
    at.flat(8, exitAt);
    expect(at.hy.phase).toBe('conservative_slow_start');
  });

  it('rounds end when a packet sent after the round start is acknowledged', () => {
    const hy = new HyStart();
    for (let pn = 0; pn < 10; pn++) hy.onPacketSent(pn);
    hy.onPacketAcked(0); // windowEnd starts at SND.NXT = 0
    hy.onAck(50);
    expect(hy.rounds).toBe(1);
    for (let pn = 10; pn < 20; pn++) hy.onPacketSent(pn); // sent during round 1 (windowEnd = 10)
    for (let pn = 1; pn < 10; pn++) {
      hy.onPacketAcked(pn);
      hy.onAck(50);
    }
    expect(hy.rounds).toBe(1);
    expect(hy.rttSampleCount).toBe(10);
    hy.onPacketAcked(10);
    hy.onAck(60);
    expect(hy.rounds).toBe(2);
    expect(hy.lastRoundMinRttMs).toBe(50);
    expect(hy.currentRoundMinRttMs).toBe(60);
    expect(hy.rttSampleCount).toBe(1);
  });
});

describe('HyStart++ Conservative Slow Start (RFC 9406 §4.2)', () => {
  function inCss(): Rounds {
    const r = new Rounds();
    r.flat(10, 100);
    r.flat(10, 120); // enters CSS at its 8th ACK, baseline 120
    expect(r.hy.phase).toBe('conservative_slow_start');
    return r;
  }

  it('grows at 1/CSS_GROWTH_DIVISOR of the slow start rate', () => {
    const r = inCss();
    expect(r.hy.growthDivisor).toBe(4);
    expect(new HyStart().growthDivisor).toBe(1);
  });

  it('returns to slow start when a round minimum falls below the baseline', () => {
    const r = inCss();
    const back = r.flat(10, 110);
    expect(back.indexOf(HyStartTransition.RESUME_SLOW_START)).toBe(N_RTT_SAMPLE - 1);
    expect(r.hy.phase).toBe('slow_start');
    expect(r.hy.cssBaselineMinRttMs).toBe(Number.POSITIVE_INFINITY);
    expect(r.hy.growthDivisor).toBe(1);
    // …including HyStart++: a later rise enters CSS again (110 + 110/8 = 123.75).
    r.flat(10, 124);
    expect(r.hy.phase).toBe('conservative_slow_start');
  });

  it('stays in CSS while the RTT stays at or above the baseline, and exits after CSS_ROUNDS rounds', () => {
    const r = inCss(); // CSS entered during round 2: it counts as the first CSS round
    for (let round = 1; round < CSS_ROUNDS; round++) {
      expect(r.flat(10, 120 + round)).toEqual(new Array(10).fill(NONE));
      expect(r.hy.phase).toBe('conservative_slow_start');
      expect(r.hy.cssRounds).toBe(round);
    }
    // The first ACK of the next round completes the fifth CSS round.
    const last = r.flat(10, 125);
    expect(last[0]).toBe(HyStartTransition.EXIT_TO_CONGESTION_AVOIDANCE);
    expect(r.hy.phase).toBe('done');
    expect(r.hy.active).toBe(false);
    expect(last.slice(1)).toEqual(new Array(9).fill(NONE));
  });

  it('stop() ends HyStart++ for good (loss, ECN-CE, persistent congestion)', () => {
    const r = inCss();
    r.hy.stop();
    expect(r.hy.phase).toBe('done');
    expect(r.flat(10, 50)).toEqual(new Array(10).fill(NONE));
    expect(r.hy.phase).toBe('done');
  });
});

describe('HyStart++ inside CubicController', () => {
  const MDS = 1200;

  /** One slow start round: fill the window, then one ACK frame per packet, all with RTT `rttMs`. */
  function round(h: Harness, rttMs: number): void {
    const sent = h.fill();
    h.rtt.latestRttMs = rttMs;
    h.advance(rttMs);
    h.ackEach(sent);
  }

  it('grows by a quarter of the acknowledged bytes in CSS, and sets ssthresh = cwnd after CSS_ROUNDS', () => {
    const cc = new CubicController({ maxDatagramSizeBytes: MDS, nowMs: 0 });
    const h = new Harness(cc, MDS, 100);
    round(h, 100);
    round(h, 100);
    expect(cc.hystartPhase).toBe('slow_start');
    // The next round's samples are 20 ms higher: CSS from its 8th ACK on.
    const sent = h.fill();
    h.rtt.latestRttMs = 120;
    h.advance(120);
    h.ackEach(sent.slice(0, N_RTT_SAMPLE));
    expect(cc.hystartPhase).toBe('conservative_slow_start');
    const before = cc.windowBytes;
    h.ack([sent[N_RTT_SAMPLE]!]);
    expect(cc.windowBytes).toBe(before + MDS / CSS_GROWTH_DIVISOR);
    expect(cc.state).toBe('slow_start');
    expect(cc.slowStartThresholdBytes).toBe(Number.POSITIVE_INFINITY);
    h.ackEach(sent.slice(N_RTT_SAMPLE + 1));
    for (let i = 1; i < CSS_ROUNDS; i++) round(h, 120);
    expect(cc.hystartPhase).toBe('conservative_slow_start');
    const last = h.fill();
    h.advance(120);
    h.ack([last[0]!]);
    expect(cc.hystartPhase).toBe('done');
    expect(cc.slowStartThresholdBytes).toBe(cc.windowBytes);
    expect(cc.cwndPriorBytes).toBe(cc.windowBytes);
    expect(cc.state).toBe('congestion_avoidance');
    // RFC 9438 §4.10: the first epoch after a loss-free exit has K = 0 and W_max = cwnd_epoch.
    const cwndEpoch = cc.windowBytes;
    h.ack([last[1]!]);
    expect(cc.epochStartMs).toBe(h.now);
    expect(cc.kSeconds).toBe(0);
    expect(cc.wMaxBytes).toBe(cwndEpoch);
    expect(cc.cwndEpochBytes).toBe(cwndEpoch);
  });

  it('limits growth per ACK to L = 8 segments when not paced, and not at all when paced', () => {
    for (const [paced, growth] of [
      [false, NON_PACED_L * MDS],
      [true, 10 * MDS],
    ] as const) {
      const cc = new CubicController({ maxDatagramSizeBytes: MDS, nowMs: 0 }, { paced });
      const h = new Harness(cc, MDS, 100);
      const sent = h.fill();
      h.advance(100);
      h.ack(sent); // one ACK frame for 10 packets
      expect(cc.windowBytes).toBe(12_000 + growth);
    }
  });

  it('is not used after persistent congestion, nor when disabled', () => {
    const cc = new CubicController({ maxDatagramSizeBytes: MDS, nowMs: 0 });
    expect(cc.hystartPhase).toBe('slow_start');
    cc.onPersistentCongestion(0);
    expect(cc.hystartPhase).toBe('done');
    const off = new CubicController({ maxDatagramSizeBytes: MDS, nowMs: 0 }, { hystart: false, paced: false });
    expect(off.hystartPhase).toBe('done');
    const h = new Harness(off, MDS, 100);
    const sent = h.fill();
    h.advance(100);
    h.ack(sent);
    expect(off.windowBytes).toBe(24_000); // standard slow start: no L limit either
  });

  it('ends at the first loss in slow start (RFC 9406 §4.2), with the β reduction', () => {
    const cc = new CubicController({ maxDatagramSizeBytes: MDS, nowMs: 0 });
    const h = new Harness(cc, MDS, 100);
    const sent = h.fill();
    h.advance(100);
    h.lose([sent[0]!]);
    expect(cc.hystartPhase).toBe('done');
    expect(cc.windowBytes).toBeCloseTo(12_000 * 0.7, 9);
  });
});
