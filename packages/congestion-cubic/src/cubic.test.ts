import { CongestionControllerFactory, CongestionOptionsError, createContainer, resolve } from '@fos/core';
import { CongestionHarness as Harness } from '@fos/core/testing';
import { describe, expect, it } from 'vitest';
import { CubicController, type CubicOptions } from './cubic.js';
import { CubicFactory } from './cubic-factory.js';
import { registerCubic } from './register.js';

const MDS = 1200;
// The RFC 9438 formulas, written out independently of the implementation (segments and seconds).
const C = 0.4;
const BETA = 0.7;
const ALPHA = (3 * (1 - BETA)) / (1 + BETA);
const wCubic = (t: number, k: number, wMax: number): number => C * (t - k) ** 3 + wMax;
const seg = (bytes: number): number => bytes / MDS;

function make(
  tuning: CubicOptions = {},
  initialWindowPackets?: number,
  rttMs = 100,
): { cc: CubicController; h: Harness } {
  const cc = new CubicController({ maxDatagramSizeBytes: MDS, initialWindowPackets, nowMs: 0 }, tuning);
  return { cc, h: new Harness(cc, MDS, rttMs) };
}

/**
 * A window of `wMaxPackets` segments suffers one loss; the rest of the flight is acknowledged (no growth in
 * recovery) and a new flight is sent, so the next ACK starts the congestion avoidance stage.
 */
function afterLoss(wMaxPackets: number, tuning: CubicOptions = {}, rttMs = 100): { cc: CubicController; h: Harness } {
  const { cc, h } = make({ hystart: false, ...tuning }, wMaxPackets, rttMs);
  const sent = h.fill();
  h.advance(rttMs);
  h.lose([sent[0]!]);
  h.ack(sent.slice(1));
  h.advance(1);
  h.fill();
  h.advance(rttMs);
  return { cc, h };
}

/** One round trip of a bulk sender: every packet in flight is acknowledged (one ACK each), then the window refilled. */
function roundTrip(h: Harness, rttMs: number): void {
  h.ackEach();
  h.fill();
  h.advance(rttMs);
}

describe('CUBIC windows (RFC 9002 §7.2)', () => {
  it('starts in slow start with the RFC 9002 initial window and a 2-datagram minimum', () => {
    const { cc } = make();
    expect(cc.name).toBe('cubic');
    expect(cc.windowBytes).toBe(12_000);
    expect(cc.minimumWindowBytes).toBe(2400);
    expect(cc.slowStartThresholdBytes).toBe(Number.POSITIVE_INFINITY);
    expect(cc.state).toBe('slow_start');
    expect(cc.hystartPhase).toBe('slow_start');
    expect(cc.epochStartMs).toBeUndefined();
  });

  it.each([
    [{ maxDatagramSizeBytes: -1, nowMs: 0 }, {}],
    [{ maxDatagramSizeBytes: 1200, minimumWindowPackets: 0, nowMs: 0 }, {}],
    [{ maxDatagramSizeBytes: 1200, nowMs: 0 }, { pacingGain: 0.9 }],
    [{ maxDatagramSizeBytes: 1200, nowMs: 0 }, { slowStartPacingGain: Number.NaN }],
  ])('rejects options outside their domain with CongestionOptionsError', (options, tuning) => {
    expect(() => new CubicController(options, tuning)).toThrow(CongestionOptionsError);
  });
});

describe('CUBIC multiplicative decrease (RFC 9438 §4.6)', () => {
  it('sets ssthresh = cwnd = β·cwnd, W_max = cwnd_prior = the window before the reduction', () => {
    const { cc, h } = make({ hystart: false }, 100);
    const sent = h.fill();
    h.advance(100);
    h.lose([sent[0]!]);
    expect(cc.windowBytes).toBeCloseTo(BETA * 120_000, 9);
    expect(cc.slowStartThresholdBytes).toBeCloseTo(BETA * 120_000, 9);
    expect(cc.wMaxBytes).toBe(120_000);
    expect(cc.cwndPriorBytes).toBe(120_000);
    expect(cc.state).toBe('recovery');
  });

  it('never goes below the minimum window', () => {
    const { cc, h } = make({ hystart: false });
    for (let i = 0; i < 10; i++) {
      h.advance(1);
      h.send(1);
      h.advance(100);
      h.lose([h.inFlight.at(-1)!]);
      expect(cc.windowBytes).toBeGreaterThanOrEqual(2 * MDS);
      expect(cc.slowStartThresholdBytes).toBeGreaterThanOrEqual(2 * MDS);
    }
    expect(cc.windowBytes).toBe(2 * MDS);
  });

  it('reduces once per recovery period and does not grow on ACKs of packets sent before it (RFC 9002 §7.3.2)', () => {
    const { cc, h } = make({ hystart: false }, 100);
    const sent = h.fill();
    h.advance(100);
    h.lose([sent[0]!]);
    const reduced = cc.windowBytes;
    h.advance(5);
    h.lose([sent[1]!, sent[2]!]);
    h.ack(sent.slice(3, 50));
    expect(cc.windowBytes).toBe(reduced);
    expect(cc.state).toBe('recovery');
    h.advance(1);
    const after = h.send(1);
    h.advance(100);
    h.ack(after);
    expect(cc.state).toBe('congestion_avoidance');
    expect(cc.epochStartMs).toBe(h.now);
  });

  it('treats an ECN-CE increase like a loss (RFC 9002 §7.3.2)', () => {
    const { cc, h } = make({ hystart: false }, 100);
    const sent = h.fill();
    h.advance(100);
    cc.onCongestionEvent(h.now, sent.at(-1)!.timeSentMs, 0, h.bytesInFlight);
    expect(cc.windowBytes).toBeCloseTo(BETA * 120_000, 9);
  });
});

describe('CUBIC epoch and K (RFC 9438 §4.2)', () => {
  it.each([
    // [window at the loss (segments), fast convergence, W_max, cwnd_epoch]
    [100, true, 100, 70], // first loss: no earlier W_max
    [1000, true, 1000, 700],
    [10, false, 10, 7],
  ])(
    'a loss at %d segments (fc %s) gives W_max %d, cwnd_epoch %d and K = ∛((W_max − cwnd_epoch)/C)',
    (w, fc, wMax, epoch) => {
      const { cc, h } = afterLoss(w, { fastConvergence: fc });
      h.ack([h.inFlight[0]!]);
      expect(cc.epochStartMs).toBe(h.now);
      expect(seg(cc.wMaxBytes)).toBeCloseTo(wMax, 9);
      expect(seg(cc.cwndEpochBytes)).toBeCloseTo(epoch, 9);
      expect(cc.kSeconds).toBeCloseTo(Math.cbrt((wMax - epoch) / C), 9);
      expect(cc.kSeconds).toBeCloseTo(Math.cbrt((wMax * (1 - BETA)) / C), 9);
    },
  );

  it('tracks W_cubic(t) through the concave and convex regions', () => {
    const rtt = 100;
    const { cc, h } = afterLoss(1000, {}, rtt);
    h.ack([h.inFlight[0]!]);
    const epoch = cc.epochStartMs!;
    const k = cc.kSeconds;
    expect(k).toBeCloseTo(Math.cbrt(750), 9);
    h.fill();
    const seen = new Set<string>();
    for (let i = 0; i < 140; i++) {
      roundTrip(h, rtt);
      // The ACKs of this round were processed at t; each moved cwnd toward target = W_cubic(t + RTT).
      const t = (h.now - rtt - epoch) / 1000;
      const w = seg(cc.windowBytes);
      if (t >= 1) {
        expect(w).toBeGreaterThan(0.99 * wCubic(t, k, 1000));
        expect(w).toBeLessThan(1.001 * wCubic(t + rtt / 1000, k, 1000));
        expect(cc.region).toBe(w < 1000 ? 'concave' : 'convex');
        seen.add(cc.region);
      }
    }
    expect(seen).toEqual(new Set(['concave', 'convex']));
  });

  it('grows cwnd by (target − cwnd)/cwnd per segment acknowledged', () => {
    const { cc, h } = afterLoss(100);
    h.ack([h.inFlight[0]!]);
    const epoch = cc.epochStartMs!;
    const k = cc.kSeconds;
    for (const t of [1, 2.5, 4, 6]) {
      h.advance(epoch + t * 1000 - h.now);
      const p = h.send(1)[0]!;
      const before = seg(cc.windowBytes);
      h.ack([p]);
      const target = Math.min(Math.max(wCubic(t + 0.1, k, 100), before), 1.5 * before);
      expect(seg(cc.windowBytes)).toBeCloseTo(before + (target - before) / before, 9);
      expect(cc.region).toBe('concave');
    }
  });

  it('clamps target at 1.5·cwnd far into the convex region', () => {
    const { cc, h } = afterLoss(100);
    h.ack([h.inFlight[0]!]);
    h.advance(30_000); // W_cubic(30 s) ≫ 1.5·cwnd
    const p = h.send(1)[0]!;
    const before = cc.windowBytes;
    h.ack([p]);
    expect(cc.windowBytes).toBeCloseTo(before + 0.5 * MDS, 9);
  });

  it('starts the epoch at the end of the recovery period, not at the loss', () => {
    const { cc, h } = afterLoss(100);
    expect(cc.epochStartMs).toBeUndefined();
    expect(cc.state).toBe('recovery');
    h.ack([h.inFlight[0]!]);
    expect(cc.epochStartMs).toBe(201);
  });
});

describe('CUBIC Reno-friendly region (RFC 9438 §4.3)', () => {
  it('adds α·segments_acked/cwnd to W_est per ACK, α = α_cubic until W_est reaches cwnd_prior, then 1', () => {
    const { cc, h } = afterLoss(10, {}, 10);
    h.ack([h.inFlight[0]!]);
    let alphaCubicSeen = false;
    let alphaOneSeen = false;
    for (let i = 0; i < 1000 && !alphaOneSeen; i++) {
      const p = h.send(1)[0]!;
      h.advance(0.1);
      const wEst = seg(cc.wEstBytes);
      const cwnd = seg(cc.windowBytes);
      const alpha = wEst >= seg(cc.cwndPriorBytes) ? 1 : ALPHA;
      h.ack([p]);
      expect(seg(cc.wEstBytes)).toBeCloseTo(wEst + alpha / cwnd, 9);
      if (alpha === 1) alphaOneSeen = true;
      else alphaCubicSeen = true;
    }
    expect(alphaCubicSeen && alphaOneSeen).toBe(true);
  });

  it('grows W_est by about α_cubic per window acknowledged', () => {
    const rtt = 10;
    const { cc, h } = afterLoss(100, {}, rtt);
    h.ack([h.inFlight[0]!]);
    h.fill();
    for (let i = 0; i < 10; i++) {
      h.advance(rtt);
      const acked = seg(h.bytesInFlight);
      const before = seg(cc.wEstBytes);
      const cwnd = seg(cc.windowBytes);
      h.ackEach();
      h.fill();
      const growth = seg(cc.wEstBytes) - before;
      expect(growth).toBeGreaterThan((ALPHA * acked) / (cwnd + 1));
      expect(growth).toBeLessThanOrEqual((ALPHA * acked) / cwnd + 1e-9);
    }
  });

  it('follows W_est while W_cubic(t) < W_est, the cubic curve while it is above', () => {
    // W_max 200, RTT 20 ms: the concave curve (slope 1.2·K² ≈ 34 segments/s at first) leads, then flattens below
    // W_est's α_cubic / RTT ≈ 26 segments/s, and the Reno-friendly region takes over after about a second.
    const rtt = 20;
    const { cc, h } = afterLoss(200, {}, rtt);
    h.ack([h.inFlight[0]!]);
    const epoch = cc.epochStartMs!;
    const k = cc.kSeconds;
    const regions: string[] = [cc.region]; // t = 0: W_est has just grown past W_cubic(0) = cwnd_epoch
    h.fill();
    for (let t = 0; t < 3; ) {
      h.advance(rtt);
      t = (h.now - epoch) / 1000;
      h.ackEach();
      h.fill();
      const wEst = seg(cc.wEstBytes);
      if (cc.region === 'reno_friendly') {
        expect(wCubic(t, k, 200)).toBeLessThan(wEst);
        expect(seg(cc.windowBytes)).toBeGreaterThanOrEqual(wEst - 1e-9);
      } else {
        expect(cc.region).toBe('concave');
        expect(wCubic(t, k, 200)).toBeGreaterThanOrEqual(wEst);
      }
      if (regions.at(-1) !== cc.region) regions.push(cc.region);
    }
    expect(regions).toEqual(['reno_friendly', 'concave', 'reno_friendly']);
  });
});

describe('CUBIC fast convergence (RFC 9438 §4.7)', () => {
  function secondLoss(fastConvergence: boolean): { cc: CubicController; lossWindow: number } {
    const { cc, h } = afterLoss(100, { fastConvergence });
    for (let i = 0; i < 10; i++) roundTrip(h, 100);
    const lossWindow = cc.windowBytes;
    expect(lossWindow).toBeLessThan(cc.wMaxBytes); // still below the previous W_max
    h.lose([h.inFlight[0]!]);
    return { cc, lossWindow };
  }

  it('remembers W_max = cwnd·(1 + β)/2 when the loss comes below the previous W_max', () => {
    const { cc, lossWindow } = secondLoss(true);
    expect(cc.wMaxBytes).toBeCloseTo((lossWindow * (1 + BETA)) / 2, 9);
    expect(cc.windowBytes).toBeCloseTo(lossWindow * BETA, 9);
    expect(cc.cwndPriorBytes).toBe(lossWindow);
  });

  it('remembers W_max = cwnd when disabled', () => {
    const { cc, lossWindow } = secondLoss(false);
    expect(cc.wMaxBytes).toBe(lossWindow);
  });

  it('remembers W_max = cwnd when the loss comes at or above the previous W_max', () => {
    const { cc, h } = afterLoss(10);
    for (let i = 0; i < 40; i++) roundTrip(h, 100);
    const lossWindow = cc.windowBytes;
    expect(lossWindow).toBeGreaterThan(cc.wMaxBytes);
    h.lose([h.inFlight[0]!]);
    expect(cc.wMaxBytes).toBe(lossWindow);
  });
});

describe('CUBIC application-limited (RFC 9002 §7.8, RFC 9438 §5.8)', () => {
  it('holds cwnd and W_est while application-limited, in slow start and in congestion avoidance', () => {
    const ss = make();
    const ca = afterLoss(100);
    ca.h.ack(ca.h.inFlight.slice(0, 10));
    for (const { cc, h } of [ss, ca]) {
      h.send(1);
      h.appLimited();
      expect(cc.state).toBe('application_limited');
      const window = cc.windowBytes;
      const wEst = cc.wEstBytes;
      for (let i = 0; i < 5; i++) {
        h.advance(100);
        h.ackEach();
        h.send(2);
      }
      expect(cc.windowBytes).toBe(window);
      expect(cc.wEstBytes).toBe(wEst);
    }
  });

  it('does not charge the application-limited time to the epoch', () => {
    const { cc, h } = afterLoss(100);
    h.ack([h.inFlight[0]!]);
    const epoch = cc.epochStartMs!;
    h.advance(1000);
    h.ackEach();
    h.appLimited();
    const limitedAt = h.now;
    h.advance(5000);
    h.fill(); // cwnd-limited again: the epoch moves forward by the 5 s spent application-limited
    expect(h.now - limitedAt).toBe(5000);
    expect(cc.epochStartMs).toBe(epoch + 5000);
    // The next ACK uses t = now − shifted epoch.
    h.advance(100);
    const before = seg(cc.windowBytes);
    h.ack([h.inFlight[0]!]);
    const t = (h.now - epoch - 5000) / 1000;
    const target = Math.min(Math.max(wCubic(t + 0.1, cc.kSeconds, 100), before), 1.5 * before);
    expect(seg(cc.windowBytes)).toBeCloseTo(before + (target - before) / before, 9);
  });
});

describe('CUBIC persistent congestion (RFC 9438 §4.8, RFC 9002 §7.6.2)', () => {
  it('collapses to the minimum window, slow-starts to ssthresh, then starts an epoch with K = 0', () => {
    const { cc, h } = make({}, 100);
    const sent = h.fill();
    h.advance(3000);
    h.lose(sent);
    cc.onPersistentCongestion(h.now);
    expect(cc.windowBytes).toBe(2 * MDS);
    expect(cc.slowStartThresholdBytes).toBeCloseTo(BETA * 120_000, 9);
    expect(cc.state).toBe('slow_start');
    expect(cc.hystartPhase).toBe('done');
    expect(cc.recoveryStartTimeMs).toBe(Number.NEGATIVE_INFINITY);
    expect(cc.epochStartMs).toBeUndefined();
    const ackOne = (): void => {
      if (h.inFlight.length === 0) {
        h.fill();
        h.advance(100);
      }
      h.ack([h.inFlight[0]!]);
    };
    while (cc.windowBytes < cc.slowStartThresholdBytes) ackOne();
    expect(cc.epochStartMs).toBeUndefined();
    ackOne();
    const epochWindow = cc.cwndEpochBytes;
    expect(cc.epochStartMs).toBe(h.now);
    expect(cc.kSeconds).toBe(0);
    expect(cc.wMaxBytes).toBe(epochWindow);
    expect(cc.wEstBytes).toBeGreaterThanOrEqual(epochWindow);
  });

  it('sets ssthresh with β if no congestion event preceded it', () => {
    const { cc } = make();
    cc.onPersistentCongestion(0);
    expect(cc.slowStartThresholdBytes).toBeCloseTo(BETA * 12_000, 9);
    expect(cc.windowBytes).toBe(2 * MDS);
  });
});

describe('CUBIC spurious congestion undo (RFC 9438 §4.9)', () => {
  function snapshot(cc: CubicController): Record<string, unknown> {
    return {
      windowBytes: cc.windowBytes,
      ssthresh: cc.slowStartThresholdBytes,
      wMax: cc.wMaxBytes,
      k: cc.kSeconds,
      epochStart: cc.epochStartMs,
      cwndEpoch: cc.cwndEpochBytes,
      wEst: cc.wEstBytes,
      cwndPrior: cc.cwndPriorBytes,
      recoveryStart: cc.recoveryStartTimeMs,
      state: cc.state,
      hystart: cc.hystartPhase,
    };
  }

  it('restores cwnd, ssthresh, W_max, K, the epoch and W_est exactly', () => {
    const { cc, h } = afterLoss(100);
    for (let i = 0; i < 5; i++) roundTrip(h, 100);
    const before = snapshot(cc);
    h.lose([h.inFlight[0]!]);
    expect(snapshot(cc)).not.toEqual(before);
    h.ack(h.inFlight.slice(0, 10)); // in recovery: no growth
    cc.onSpuriousCongestion(h.now);
    expect(snapshot(cc)).toEqual(before);
    // Only once: a second report has nothing to undo.
    h.lose([h.inFlight[0]!]);
    const reduced = snapshot(cc);
    cc.onSpuriousCongestion(h.now);
    cc.onSpuriousCongestion(h.now);
    expect(snapshot(cc)).toEqual(before);
    expect(reduced).not.toEqual(before);
  });

  it('restores slow start (ssthresh = ∞) and HyStart++ after a spurious loss in slow start', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(100);
    const before = snapshot(cc);
    h.lose([sent[0]!]);
    cc.onSpuriousCongestion(h.now);
    expect(snapshot(cc)).toEqual(before);
    expect(cc.slowStartThresholdBytes).toBe(Number.POSITIVE_INFINITY);
    expect(cc.hystartPhase).toBe('slow_start');
  });

  it('undoes a reduction followed by persistent congestion', () => {
    const { cc, h } = afterLoss(100);
    for (let i = 0; i < 3; i++) roundTrip(h, 100);
    const before = snapshot(cc);
    h.lose(h.inFlight.slice());
    cc.onPersistentCongestion(h.now);
    cc.onSpuriousCongestion(h.now);
    expect(snapshot(cc)).toEqual(before);
  });

  it('keeps the current state when the window already regrew past its pre-reduction value', () => {
    const { cc, h } = afterLoss(10);
    const saved = 12_000; // the window before the reduction
    for (let i = 0; i < 40 && cc.windowBytes < saved; i++) roundTrip(h, 100);
    expect(cc.windowBytes).toBeGreaterThanOrEqual(saved);
    const now = snapshot(cc);
    cc.onSpuriousCongestion(h.now);
    expect(snapshot(cc)).toEqual(now);
  });

  it('does nothing without a reduction to undo', () => {
    const { cc } = make();
    const before = snapshot(cc);
    cc.onSpuriousCongestion(0);
    expect(snapshot(cc)).toEqual(before);
  });
});

describe('CUBIC pacing', () => {
  it('paces at 2·cwnd/srtt in slow start and 1.25·cwnd/srtt in congestion avoidance', () => {
    const { cc, h } = make({ hystart: false });
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeCloseTo((2 * 12_000) / 0.1, 6);
    const sent = h.fill();
    h.advance(100);
    h.lose([sent[0]!]);
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeCloseTo((1.25 * cc.windowBytes) / 0.1, 6);
  });

  it('uses configured gains, and does not pace without an RTT sample', () => {
    const { cc, h } = make({ slowStartPacingGain: 3, pacingGain: 1.1 });
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeCloseTo((3 * 12_000) / 0.1, 6);
    h.rtt.hasSample = false;
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeUndefined();
  });
});

describe('CUBIC max datagram size changes (RFC 9002 §7.2)', () => {
  it('recalculates the windows; a decrease before any ACK restarts from the new initial window', () => {
    const cc = new CubicController({ maxDatagramSizeBytes: 1500, nowMs: 0 });
    expect(cc.windowBytes).toBe(14_720);
    cc.onMaxDatagramSizeChanged(1200);
    expect(cc.windowBytes).toBe(12_000);
    expect(cc.minimumWindowBytes).toBe(2400);
    expect(() => cc.onMaxDatagramSizeChanged(Number.POSITIVE_INFINITY)).toThrow(CongestionOptionsError);
  });
});

describe('registerCubic', () => {
  it('registers a CubicFactory under the CongestionControllerFactory token, replacing an earlier one', () => {
    const c = createContainer();
    const fixed: CongestionControllerFactory = {
      name: 'fixed',
      create: () => {
        throw new Error('not used');
      },
    };
    c.register(CongestionControllerFactory, { useValue: fixed });
    registerCubic(c, { fastConvergence: false });
    const factory = resolve(c, CongestionControllerFactory);
    expect(factory).toBeInstanceOf(CubicFactory);
    const cc = factory.create({ maxDatagramSizeBytes: 1200, nowMs: 0 });
    expect(cc).toBeInstanceOf(CubicController);
    expect(cc.windowBytes).toBe(12_000);
  });
});
