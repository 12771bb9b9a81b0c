import { CongestionControllerFactory, CongestionOptionsError, createContainer, resolve } from '@fos/core';
import { CongestionHarness as Harness } from '@fos/core/testing';
import { describe, expect, it } from 'vitest';
import { NewRenoController } from './newreno.js';
import { NewRenoFactory } from './newreno-factory.js';
import { registerNewReno } from './register.js';

const MDS = 1200;

function make(mds = MDS, rttMs = 100): { cc: NewRenoController; h: Harness } {
  const cc = new NewRenoController({ maxDatagramSizeBytes: mds, nowMs: 0 });
  return { cc, h: new Harness(cc, mds, rttMs) };
}

/** Drives a controller out of slow start: one loss, then an ACK of a packet sent after the recovery start. */
function intoCongestionAvoidance(): { cc: NewRenoController; h: Harness } {
  const { cc, h } = make();
  const first = h.fill();
  h.advance(100);
  h.lose([first[0]!]);
  h.ack(first.slice(1)); // all sent before the recovery start: no growth
  h.advance(1);
  const after = h.fill();
  h.advance(100);
  h.ack([after[0]!]); // sent after the recovery start: recovery ends
  h.fill();
  return { cc, h };
}

describe('NewReno windows (RFC 9002 §7.2)', () => {
  it.each([
    // [max_datagram_size, min(10·mds, max(14720, 2·mds))]
    [1200, 12_000],
    [1252, 12_520],
    [1472, 14_720],
    [1500, 14_720],
    [9000, 18_000],
  ])('mds %i → initial window %i bytes, minimum 2·mds', (mds, initial) => {
    const { cc } = make(mds);
    expect(cc.windowBytes).toBe(initial);
    expect(cc.initialWindowBytes).toBe(initial);
    expect(cc.minimumWindowBytes).toBe(2 * mds);
    expect(cc.slowStartThresholdBytes).toBe(Number.POSITIVE_INFINITY);
    expect(cc.state).toBe('slow_start');
  });

  it('honours explicit initial and minimum window sizes in datagrams', () => {
    const cc = new NewRenoController({
      maxDatagramSizeBytes: 1000,
      initialWindowPackets: 32,
      minimumWindowPackets: 4,
      nowMs: 0,
    });
    expect(cc.windowBytes).toBe(32_000);
    expect(cc.minimumWindowBytes).toBe(4000);
  });

  it.each([
    [{ maxDatagramSizeBytes: 0, nowMs: 0 }],
    [{ maxDatagramSizeBytes: Number.NaN, nowMs: 0 }],
    [{ maxDatagramSizeBytes: 1200, initialWindowPackets: -1, nowMs: 0 }],
    [{ maxDatagramSizeBytes: 1200, minimumWindowPackets: Number.POSITIVE_INFINITY, nowMs: 0 }],
  ])('rejects options outside their domain with CongestionOptionsError', (options) => {
    expect(() => new NewRenoController(options)).toThrow(CongestionOptionsError);
  });

  it('rejects a pacing gain below 1 (RFC 9002 §7.7: N is at least 1)', () => {
    expect(() => new NewRenoController({ maxDatagramSizeBytes: 1200, nowMs: 0 }, { pacingGain: 0.5 })).toThrow(
      CongestionOptionsError,
    );
  });
});

describe('NewReno slow start (RFC 9002 §7.3.1)', () => {
  it('grows the window by the bytes acknowledged', () => {
    const { cc, h } = make();
    const sent = h.fill();
    expect(sent).toHaveLength(10);
    h.advance(100);
    h.ack(sent.slice(0, 3));
    expect(cc.windowBytes).toBe(12_000 + 3 * MDS);
    h.ack([h.inFlight[0]!]);
    expect(cc.windowBytes).toBe(12_000 + 4 * MDS);
  });

  it('doubles the window once per round trip while cwnd-limited', () => {
    const { cc, h } = make();
    for (let round = 0; round < 4; round++) {
      const before = cc.windowBytes;
      h.fill();
      h.advance(100);
      h.ackEach();
      expect(cc.windowBytes).toBe(2 * before);
    }
  });

  it('exits slow start on the first loss (§7.3.1)', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(100);
    h.lose([sent[0]!]);
    expect(cc.state).toBe('recovery');
    expect(cc.slowStartThresholdBytes).toBe(6000);
    expect(cc.windowBytes).toBe(6000);
  });
});

describe('NewReno congestion avoidance (RFC 9002 §7.3.3, B.5)', () => {
  it('adds max_datagram_size · acked / cwnd per acknowledged packet', () => {
    const { cc, h } = intoCongestionAvoidance();
    expect(cc.state).toBe('congestion_avoidance');
    let expected = cc.windowBytes;
    for (const p of [...h.inFlight]) {
      h.ack([p]);
      expected += (MDS * MDS) / expected;
      expect(cc.windowBytes).toBeCloseTo(expected, 9);
    }
  });

  it('uses the acknowledged byte count, not a packet count', () => {
    const { cc, h } = intoCongestionAvoidance();
    const small = h.send(1, 300)[0]!;
    const before = cc.windowBytes;
    h.ack([small]);
    expect(cc.windowBytes).toBeCloseTo(before + (MDS * 300) / before, 9);
  });

  it('grows by at most one max_datagram_size per window acknowledged', () => {
    const { cc, h } = intoCongestionAvoidance();
    for (let round = 0; round < 20; round++) {
      const before = cc.windowBytes;
      h.fill();
      const acked = h.bytesInFlight;
      expect(acked).toBeLessThanOrEqual(before);
      h.advance(100);
      h.ackEach();
      const growth = cc.windowBytes - before;
      // Each increment is mds·bytes/cwnd with cwnd between its start and end values.
      expect(growth).toBeLessThanOrEqual((acked * MDS) / before);
      expect(growth).toBeGreaterThanOrEqual((acked * MDS) / cc.windowBytes);
      expect(growth).toBeLessThanOrEqual(MDS);
    }
  });
});

describe('NewReno recovery period (RFC 9002 §7.3.2, B.6)', () => {
  it('reduces once per round trip: losses of packets sent before the recovery start are ignored', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(50);
    h.lose([sent[0]!]);
    expect(cc.windowBytes).toBe(6000);
    h.advance(10);
    h.lose([sent[1]!, sent[2]!]);
    expect(cc.windowBytes).toBe(6000);
    expect(cc.slowStartThresholdBytes).toBe(6000);
    expect(cc.recoveryStartTimeMs).toBe(50);
  });

  it('does not grow on ACKs of packets sent before the recovery start, and stays in recovery', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(50);
    h.lose([sent[0]!]);
    h.ack(sent.slice(1, 5));
    expect(cc.windowBytes).toBe(6000);
    expect(cc.state).toBe('recovery');
  });

  it('treats a packet sent at the recovery start time as sent before it (sent_time <= start)', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(50);
    h.lose([sent[0]!]);
    const sameInstant = h.send(1)[0]!;
    h.ack([sameInstant]);
    expect(cc.state).toBe('recovery');
    expect(cc.windowBytes).toBe(6000);
  });

  it('ends on the ACK of a packet sent after the recovery start, which grows the window', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(50);
    h.lose([sent[0]!]);
    h.ack(sent.slice(1));
    h.advance(1);
    const after = h.fill();
    h.advance(100);
    h.ack([after[0]!]);
    expect(cc.state).toBe('congestion_avoidance');
    expect(cc.windowBytes).toBeCloseTo(6000 + (MDS * MDS) / 6000, 9);
  });

  it('reduces again for a loss of a packet sent after the recovery start', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(50);
    h.lose([sent[0]!]);
    h.ack(sent.slice(1));
    h.advance(1);
    const after = h.fill();
    h.advance(100);
    h.lose([after[0]!]);
    expect(cc.slowStartThresholdBytes).toBe(3000);
    expect(cc.windowBytes).toBe(3000);
    expect(cc.recoveryStartTimeMs).toBe(151);
  });

  it('treats an ECN-CE increase as a congestion event (§7.3.2, B.7)', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(100);
    // B.7 ProcessECN: OnCongestionEvent(sent time of the largest acknowledged packet).
    cc.onCongestionEvent(h.now, sent[9]!.timeSentMs, 0, h.bytesInFlight);
    expect(cc.windowBytes).toBe(6000);
    expect(cc.state).toBe('recovery');
  });

  it('never reduces below the minimum window, even though ssthresh may fall below it (B.6)', () => {
    const { cc, h } = make();
    for (let i = 0; i < 6; i++) {
      h.advance(1);
      h.send(1);
      h.advance(100);
      h.lose([h.inFlight[h.inFlight.length - 1]!]);
      expect(cc.windowBytes).toBeGreaterThanOrEqual(2 * MDS);
    }
    expect(cc.windowBytes).toBe(2 * MDS);
    expect(cc.slowStartThresholdBytes).toBeLessThan(2 * MDS);
  });

  it('ignores onSpuriousCongestion: RFC 9002 has no undo', () => {
    const { cc, h } = make();
    const sent = h.fill();
    h.advance(50);
    h.lose([sent[0]!]);
    cc.onSpuriousCongestion(h.now);
    expect(cc.windowBytes).toBe(6000);
    expect(cc.slowStartThresholdBytes).toBe(6000);
  });
});

describe('NewReno persistent congestion (RFC 9002 §7.6.2, B.8)', () => {
  it('collapses to the minimum window, leaves recovery and slow-starts back to ssthresh', () => {
    const { cc, h } = make();
    for (let i = 0; i < 3; i++) {
      h.fill();
      h.advance(100);
      h.ackEach();
    }
    expect(cc.windowBytes).toBe(96_000);
    const sent = h.fill();
    h.advance(1000);
    h.lose(sent);
    cc.onPersistentCongestion(h.now);
    expect(cc.windowBytes).toBe(2 * MDS);
    expect(cc.slowStartThresholdBytes).toBe(48_000);
    expect(cc.recoveryStartTimeMs).toBe(Number.NEGATIVE_INFINITY);
    expect(cc.state).toBe('slow_start');
    // Packets sent before the persistent congestion now grow the window again (the recovery start was reset).
    const next = h.fill();
    h.advance(100);
    h.ack(next);
    expect(cc.windowBytes).toBe(4 * MDS);
  });
});

describe('NewReno application-limited (RFC 9002 §7.8)', () => {
  it('holds the window while underutilized, in slow start and in congestion avoidance', () => {
    for (const { cc, h } of [make(), intoCongestionAvoidance()]) {
      h.ack(h.inFlight.slice(0, 2));
      const window = cc.windowBytes;
      h.send(1);
      h.appLimited(); // room for more, nothing to send
      expect(cc.state).toBe('application_limited');
      expect(cc.isApplicationLimited).toBe(true);
      h.advance(100);
      h.ackEach();
      expect(cc.windowBytes).toBe(window);
    }
  });

  it('resumes growth once a send fills the window again', () => {
    const { cc, h } = make();
    h.send(3);
    h.appLimited();
    h.advance(100);
    h.ackEach();
    expect(cc.windowBytes).toBe(12_000);
    const sent = h.fill();
    expect(cc.isApplicationLimited).toBe(false);
    h.advance(100);
    h.ack(sent);
    expect(cc.windowBytes).toBe(24_000);
  });

  it('ignores onApplicationLimited when less than one datagram of window is unused', () => {
    const { cc, h } = make();
    h.fill();
    h.appLimited();
    expect(cc.isApplicationLimited).toBe(false);
  });
});

describe('NewReno pacing (RFC 9002 §7.7)', () => {
  it('paces at 1.25 · cwnd / smoothed_rtt', () => {
    const { cc, h } = make();
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeCloseTo((1.25 * 12_000) / 0.1, 6);
    h.rtt.smoothedRttMs = 40;
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeCloseTo((1.25 * 12_000) / 0.04, 6);
  });

  it('uses a configured gain', () => {
    const cc = new NewRenoController({ maxDatagramSizeBytes: 1200, nowMs: 0 }, { pacingGain: 2 });
    const { h } = make();
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeCloseTo((2 * 12_000) / 0.1, 6);
  });

  it('does not pace without an RTT sample or on a zero smoothed RTT', () => {
    const { cc, h } = make();
    h.rtt.hasSample = false;
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeUndefined();
    h.rtt.hasSample = true;
    h.rtt.smoothedRttMs = 0;
    expect(cc.pacingRateBytesPerSecond(h.rtt)).toBeUndefined();
  });
});

describe('NewReno max datagram size changes (RFC 9002 §7.2)', () => {
  it('recalculates the initial and minimum windows; a decrease before any ACK restarts from the new initial window', () => {
    const { cc } = make(1500);
    expect(cc.windowBytes).toBe(14_720);
    cc.onMaxDatagramSizeChanged(1200);
    expect(cc.windowBytes).toBe(12_000);
    expect(cc.minimumWindowBytes).toBe(2400);
    expect(cc.maxDatagramSizeBytes).toBe(1200);
  });

  it('keeps the window after ACKs, but never below the new minimum', () => {
    const { cc, h } = make();
    h.ack(h.send(1)); // something was acknowledged: past the handshake
    const sent = h.send(2);
    h.advance(100);
    h.lose(sent);
    cc.onPersistentCongestion(h.now);
    expect(cc.windowBytes).toBe(2400);
    cc.onMaxDatagramSizeChanged(1500);
    expect(cc.windowBytes).toBe(3000);
    cc.onMaxDatagramSizeChanged(1200);
    expect(cc.windowBytes).toBe(3000);
  });

  it('rejects a size outside its domain', () => {
    const { cc } = make();
    expect(() => cc.onMaxDatagramSizeChanged(Number.NaN)).toThrow(CongestionOptionsError);
    expect(() => cc.onMaxDatagramSizeChanged(0)).toThrow(CongestionOptionsError);
    expect(cc.maxDatagramSizeBytes).toBe(MDS);
  });
});

describe('registerNewReno', () => {
  it('registers a NewRenoFactory under the CongestionControllerFactory token', () => {
    const c = createContainer();
    registerNewReno(c);
    const factory = resolve(c, CongestionControllerFactory);
    expect(factory).toBeInstanceOf(NewRenoFactory);
    expect(factory.name).toBe('newreno');
    const cc = factory.create({ maxDatagramSizeBytes: 1200, nowMs: 0 });
    expect(cc).toBeInstanceOf(NewRenoController);
    expect(cc.name).toBe('newreno');
    expect(cc.windowBytes).toBe(12_000);
  });

  it('creates an independent controller per path', () => {
    const factory = new NewRenoFactory();
    const a = factory.create({ maxDatagramSizeBytes: 1200, nowMs: 0 });
    const b = factory.create({ maxDatagramSizeBytes: 1200, nowMs: 0 });
    a.onCongestionEvent(10, 5, 1200, 0);
    expect(a.windowBytes).toBe(6000);
    expect(b.windowBytes).toBe(12_000);
  });

  it('passes tuning options to every controller it creates', () => {
    const c = createContainer();
    registerNewReno(c, { pacingGain: 2 });
    const cc = resolve(c, CongestionControllerFactory).create({ maxDatagramSizeBytes: 1200, nowMs: 0 });
    const rtt = { latestRttMs: 100, smoothedRttMs: 100, rttVarMs: 50, minRttMs: 100, hasSample: true };
    expect(cc.pacingRateBytesPerSecond(rtt)).toBeCloseTo(240_000, 6);
  });
});
