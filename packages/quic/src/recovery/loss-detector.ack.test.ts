import { TransportError, TransportErrorCode } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { AckFrameFields, AckTracker } from './ack-tracker.js';
import { LossTimerMode } from './loss-detector.js';
import { EcnCodepoint, PacketNumberSpace } from './packet-number-space.js';
import { ack, makeHarness, pns, send } from './test-support/harness.js';

const { INITIAL, HANDSHAKE, APPLICATION_DATA: APP } = PacketNumberSpace;

function transportErrorCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransportError) return e.code;
    throw e;
  }
  return undefined;
}

describe('LossDetector: ACK processing (RFC 9002 §6.1, Appendix A.7)', () => {
  it('reports newly acked payloads in ascending order and calls onPacketAcked per packet, then onAckProcessed', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, APP, 0, 4);
    expect(ld.bytesInFlight).toBe(6000);
    cc.clear();
    const r = ld.onAckReceived(
      100,
      APP,
      ack([
        [4, 3],
        [1, 0],
      ]),
    );
    expect(r.space).toBe(APP);
    expect(pns(r.acked)).toEqual([0, 1, 3, 4]);
    expect(r.lost).toEqual([]);
    expect(ld.bytesInFlight).toBe(1200);
    expect(cc.hooks()).toEqual(['acked', 'acked', 'acked', 'acked', 'ackProcessed']);
    // bytesInFlight handed to each hook excludes the packet (Appendix B.5).
    expect(cc.of('acked').map((c) => [c.pn, c.inFlight])).toEqual([
      [0, 4800],
      [1, 3600],
      [3, 2400],
      [4, 1200],
    ]);
    expect(cc.of('ackProcessed')[0].inFlight).toBe(1200);
    expect(ld.largestAcked(APP)).toBe(4);
  });

  it('a duplicate ACK acknowledges nothing new and calls no hooks', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, APP, 0, 2);
    ld.onAckReceived(10, APP, ack([[2, 0]]));
    cc.clear();
    const r = ld.onAckReceived(20, APP, ack([[2, 0]]));
    expect(r.acked).toEqual([]);
    expect(r.rttSampled).toBe(false);
    expect(cc.calls).toEqual([]);
  });

  it('acknowledging a packet number never sent is PROTOCOL_VIOLATION (RFC 9000 §13.1), state unchanged', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, APP, 0, 2);
    send(ld, 0, APP, 5); // 3 and 4 skipped
    cc.clear();
    expect(transportErrorCode(() => ld.onAckReceived(10, APP, ack([[6, 6]])))).toBe(
      TransportErrorCode.PROTOCOL_VIOLATION,
    );
    expect(transportErrorCode(() => ld.onAckReceived(10, APP, ack([[5, 3]])))).toBe(
      TransportErrorCode.PROTOCOL_VIOLATION,
    );
    // The valid range listed first must not be applied when a later one is invalid.
    expect(
      transportErrorCode(() =>
        ld.onAckReceived(
          10,
          APP,
          ack([
            [5, 5],
            [4, 4],
          ]),
        ),
      ),
    ).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
    expect(transportErrorCode(() => ld.onAckReceived(10, HANDSHAKE, ack([[0, 0]])))).toBe(
      TransportErrorCode.PROTOCOL_VIOLATION,
    );
    expect(ld.bytesInFlight).toBe(4800);
    expect(ld.largestAcked(APP)).toBe(-1);
    expect(cc.calls).toEqual([]);
    const r = ld.onAckReceived(
      10,
      APP,
      ack([
        [5, 5],
        [2, 0],
      ]),
    );
    expect(pns(r.acked)).toEqual([0, 1, 2, 5]);
  });

  it('malformed ranges are FRAME_ENCODING_ERROR (RFC 9000 §19.3.1)', () => {
    const { ld } = makeHarness();
    send(ld, 0, APP, 0, 9);
    const bad = [
      { ranges: [], rangeCount: 0, ackDelayMs: 0 },
      { ranges: [1], rangeCount: 1, ackDelayMs: 0 },
      ack([[1, 2]]),
      ack([
        [1, 0],
        [5, 3],
      ]),
      ack([
        [5, 2],
        [3, 0],
      ]),
      ack([
        [5, 2],
        [2, 0],
      ]),
      ack([[2, -1]]),
      ack([[2.5, 1]]),
    ];
    for (const a of bad) {
      expect(transportErrorCode(() => ld.onAckReceived(10, APP, a))).toBe(TransportErrorCode.FRAME_ENCODING_ERROR);
    }
    expect(ld.bytesInFlight).toBe(12_000);
  });

  it('ignores acknowledgments of packets already acknowledged and forgotten', () => {
    const { ld } = makeHarness();
    send(ld, 0, APP, 0, 3);
    ld.onAckReceived(10, APP, ack([[3, 0]]));
    send(ld, 10, APP, 4);
    const r = ld.onAckReceived(20, APP, ack([[4, 0]]));
    expect(pns(r.acked)).toEqual([4]);
  });

  it('reports the largest Largest Acknowledged of ACK frames carried by newly acked packets (RFC 9000 §13.2.4)', () => {
    const { ld, cc } = makeHarness();
    ld.onPacketSent(0, APP, 0, 1200, true, true, { space: APP, pn: 0 }, 7);
    ld.onPacketSent(0, APP, 1, 50, false, false, { space: APP, pn: 1 }, 9); // ACK-only: not in flight
    ld.onPacketSent(0, APP, 2, 1200, true, true, { space: APP, pn: 2 });
    expect(ld.bytesInFlight).toBe(2400);
    expect(cc.of('sent').map((c) => c.pn)).toEqual([0, 2]);
    const r = ld.onAckReceived(10, APP, ack([[1, 0]]));
    expect(r.largestAckedAckFrame).toBe(9);
    const r2 = ld.onAckReceived(11, APP, ack([[2, 0]]));
    expect(r2.largestAckedAckFrame).toBe(-1);
  });
});

describe('LossDetector: RTT samples (RFC 9002 §5.1, §5.3)', () => {
  it('samples when the largest acknowledged is newly acked and ack-eliciting', () => {
    const { ld, rtt } = makeHarness();
    send(ld, 10, APP, 0);
    const r = ld.onAckReceived(110, APP, ack([[0, 0]]));
    expect(r.rttSampled).toBe(true);
    expect(rtt.latestRttMs).toBe(100);
    expect(rtt.smoothedRttMs).toBe(100);
  });

  it('does not sample when the largest acknowledged is not newly acked', () => {
    const { ld, rtt } = makeHarness();
    send(ld, 0, APP, 0, 1);
    ld.onAckReceived(50, APP, ack([[1, 1]]));
    const r = ld.onAckReceived(80, APP, ack([[1, 0]]));
    expect(pns(r.acked)).toEqual([0]);
    expect(r.rttSampled).toBe(false);
    expect(rtt.latestRttMs).toBe(50);
  });

  it('the ACK of an ACK-only packet gives no RTT sample (§5.1: no ack-eliciting packet newly acked)', () => {
    const { ld, rtt, cc } = makeHarness();
    ld.onPacketSent(0, APP, 0, 40, false, false, { space: APP, pn: 0 });
    expect(ld.bytesInFlight).toBe(0);
    const r = ld.onAckReceived(30, APP, ack([[0, 0]]));
    expect(pns(r.acked)).toEqual([0]);
    expect(r.rttSampled).toBe(false);
    expect(rtt.hasSample).toBe(false);
    expect(cc.of('acked')).toEqual([]);
  });

  // Second sample of 200 ms after a first of 100 ms, reported ack delay as given.
  function secondSample(space: PacketNumberSpace, ackDelayMs: number, confirmed: boolean): number {
    const { ld, rtt } = makeHarness({ peerMaxAckDelayMs: 25 });
    if (confirmed) ld.setHandshakeConfirmed(0);
    send(ld, 0, space, 0);
    ld.onAckReceived(100, space, ack([[0, 0]]));
    send(ld, 100, space, 1);
    ld.onAckReceived(300, space, ack([[1, 1]], ackDelayMs));
    return rtt.smoothedRttMs;
  }

  it('ignores the ack delay of Initial ACKs', () => {
    expect(secondSample(INITIAL, 50, false)).toBe(0.875 * 100 + 0.125 * 200);
  });

  it('subtracts the Handshake ack delay, not capped before confirmation', () => {
    expect(secondSample(HANDSHAKE, 50, false)).toBe(0.875 * 100 + 0.125 * 150);
    expect(secondSample(HANDSHAKE, 80, false)).toBe(0.875 * 100 + 0.125 * 120);
  });

  it('caps the ApplicationData ack delay at max_ack_delay once the handshake is confirmed', () => {
    expect(secondSample(APP, 80, true)).toBe(0.875 * 100 + 0.125 * 175);
    expect(secondSample(APP, 80, false)).toBe(0.875 * 100 + 0.125 * 120);
  });
});

describe('LossDetector: loss detection (RFC 9002 §6.1)', () => {
  it('packet threshold: a packet kPacketThreshold below an acked one is lost (§6.1.1)', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, APP, 0, 5);
    cc.clear();
    const r = ld.onAckReceived(10, APP, ack([[5, 5]]));
    expect(pns(r.lost)).toEqual([0, 1, 2]);
    expect(pns(r.acked)).toEqual([5]);
    expect(r.congestionEvent).toBe(true);
    expect(ld.bytesInFlight).toBe(2400);
    // Loss before acknowledgment, as in Appendix A.7.
    expect(cc.hooks()).toEqual(['congestion', 'acked', 'ackProcessed']);
    expect(cc.of('congestion')[0]).toMatchObject({ sentTime: 0, lostBytes: 3600, inFlight: 3600 });
    // 3 and 4 wait for the time threshold: 9/8 · 10 ms after they were sent.
    expect(ld.timerMode).toBe(LossTimerMode.LOSS_TIME);
    expect(ld.pollTimeout()).toBe(11.25);
  });

  it('a custom packet threshold is honoured', () => {
    const { ld } = makeHarness({ packetThreshold: 5 });
    send(ld, 0, APP, 0, 5);
    expect(pns(ld.onAckReceived(10, APP, ack([[5, 5]])).lost)).toEqual([0]);
  });

  it('the congestion event carries the send time of the largest lost packet', () => {
    const { ld, cc } = makeHarness();
    for (let pn = 0; pn <= 5; pn++) send(ld, Math.min(pn, 3), APP, pn);
    ld.onAckReceived(4, APP, ack([[5, 5]]));
    expect(cc.of('congestion')).toHaveLength(1);
    expect(cc.of('congestion')[0].sentTime).toBe(2);
  });

  it('time threshold: arms the loss timer and declares the loss when it fires (§6.1.2)', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, APP, 0);
    send(ld, 10, APP, 1);
    const r = ld.onAckReceived(110, APP, ack([[1, 1]]));
    expect(r.lost).toEqual([]);
    expect(ld.timerMode).toBe(LossTimerMode.LOSS_TIME);
    expect(ld.pollTimeout()).toBe(112.5); // 0 + 9/8 · 100
    expect(ld.handleTimeout(112).lost).toEqual([]);
    cc.clear();
    const t = ld.handleTimeout(112.5);
    expect(t.space).toBe(APP);
    expect(pns(t.lost)).toEqual([0]);
    expect(t.probeCount).toBe(0);
    expect(cc.hooks()).toEqual(['congestion']);
    expect(ld.bytesInFlight).toBe(0);
    expect(ld.pollTimeout()).toBeUndefined();
  });

  it('time threshold uses max(smoothed_rtt, latest_rtt)', () => {
    const { ld, rtt } = makeHarness();
    send(ld, 0, APP, 0);
    ld.onAckReceived(100, APP, ack([[0, 0]]));
    send(ld, 100, APP, 1);
    send(ld, 110, APP, 2);
    ld.onAckReceived(310, APP, ack([[2, 2]]));
    expect(rtt.latestRttMs).toBe(200);
    expect(rtt.smoothedRttMs).toBe(112.5);
    expect(ld.pollTimeout()).toBe(100 + (9 / 8) * 200);
  });

  it('a packet sent long enough ago is lost at once, with a loss delay of at least kGranularity', () => {
    const { ld } = makeHarness();
    send(ld, 0, APP, 0);
    send(ld, 0, APP, 1);
    ld.onAckReceived(0.1, APP, ack([[1, 1]]));
    expect(ld.pollTimeout()).toBe(1); // max(9/8 · 0.1, kGranularity)
    send(ld, 50, APP, 2);
    send(ld, 50, APP, 3);
    const r = ld.onAckReceived(50.1, APP, ack([[3, 3]]));
    expect(pns(r.lost)).toEqual([0]); // sent 50 ms ago ≫ 1.125 ms
  });

  it('losing only packets that are not in flight is no congestion event', () => {
    const { ld, cc } = makeHarness();
    ld.onPacketSent(0, APP, 0, 40, false, false, { space: APP, pn: 0 });
    send(ld, 0, APP, 1, 3);
    const r = ld.onAckReceived(5, APP, ack([[3, 3]]));
    expect(pns(r.lost)).toEqual([0]);
    expect(r.congestionEvent).toBe(false);
    expect(cc.of('congestion')).toEqual([]);
  });
});

describe('LossDetector: spurious losses', () => {
  it('reports late acknowledgments and signals a spurious congestion event once all its losses arrive', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, APP, 0, 5);
    ld.onAckReceived(10, APP, ack([[5, 5]]));
    expect(cc.windowBytes).toBe(6000);
    const partial = ld.onAckReceived(
      11,
      APP,
      ack([
        [5, 5],
        [1, 0],
      ]),
    );
    expect(pns(partial.lateAcked)).toEqual([0, 1]);
    expect(partial.acked).toEqual([]);
    expect(partial.spuriousCongestion).toBe(false);
    const r = ld.onAckReceived(12, APP, ack([[5, 0]]));
    expect(pns(r.lateAcked)).toEqual([2]);
    expect(pns(r.acked)).toEqual([3, 4]);
    expect(r.spuriousCongestion).toBe(true);
    expect(cc.of('spurious')).toHaveLength(1);
    expect(cc.windowBytes).toBe(12_000);
    expect(ld.bytesInFlight).toBe(0);
    // Once is enough.
    expect(ld.onAckReceived(13, APP, ack([[5, 0]])).spuriousCongestion).toBe(false);
  });

  it('losses in the same recovery period join the reduction: all must turn out spurious', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, APP, 0, 9);
    ld.onAckReceived(10, APP, ack([[5, 5]])); // 0,1,2 lost: reduction
    ld.onAckReceived(
      11,
      APP,
      ack([
        [8, 8],
        [5, 5],
      ]),
    ); // 3,4 (sent before recovery) lost: no new reduction
    expect(cc.of('congestion')).toHaveLength(2);
    expect(cc.windowBytes).toBe(6000);
    const r = ld.onAckReceived(
      12,
      APP,
      ack([
        [8, 8],
        [5, 5],
        [2, 0],
      ]),
    );
    expect(pns(r.lateAcked)).toEqual([0, 1, 2]);
    expect(r.spuriousCongestion).toBe(false);
    const r2 = ld.onAckReceived(13, APP, ack([[8, 0]]));
    expect(pns(r2.lateAcked)).toEqual([3, 4]);
    expect(r2.spuriousCongestion).toBe(true);
  });

  it('forgets lost packets a PTO after declaring them: a later acknowledgment is ignored', () => {
    const { ld, rtt } = makeHarness();
    send(ld, 0, APP, 0, 5);
    ld.onAckReceived(10, APP, ack([[5, 5]]));
    const later = 10 + 2 * rtt.ptoMs(25);
    send(ld, later, APP, 6);
    const r = ld.onAckReceived(later, APP, ack([[6, 6]])); // prunes the expired lost packets 0..2
    expect(pns(r.lost)).toEqual([3, 4]);
    const late = ld.onAckReceived(later + 1, APP, ack([[6, 0]]));
    expect(pns(late.lateAcked)).toEqual([3, 4]); // declared lost just now: still recognized
    expect(late.acked).toEqual([]);
  });
});

describe('LossDetector: ECN (RFC 9002 §7.1, RFC 9000 §13.4.2)', () => {
  it('an ECN-CE increase is a congestion event for the send time of the largest acked packet', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, APP, 0);
    send(ld, 5, APP, 1);
    send(ld, 6, APP, 2);
    cc.clear();
    const r = ld.onAckReceived(20, APP, ack([[1, 0]], 0, { ect0: 0, ect1: 0, ce: 1 }));
    expect(r.ecnCongestionEvent).toBe(true);
    expect(cc.hooks()).toEqual(['congestion', 'acked', 'acked', 'ackProcessed']);
    expect(cc.of('congestion')[0]).toMatchObject({ sentTime: 5, lostBytes: 0, inFlight: 3600 });
    const same = ld.onAckReceived(21, APP, ack([[2, 0]], 0, { ect0: 0, ect1: 0, ce: 1 }));
    expect(same.ecnCongestionEvent).toBe(false);
    expect(ld.ecnValidationFailed).toBe(false);
  });

  it('ignores ECN counts of an ACK that does not increase the largest acknowledged', () => {
    const { ld } = makeHarness();
    send(ld, 0, APP, 0, 2);
    ld.onAckReceived(10, APP, ack([[2, 2]]));
    const r = ld.onAckReceived(
      11,
      APP,
      ack(
        [
          [2, 2],
          [0, 0],
        ],
        0,
        { ect0: 0, ect1: 0, ce: 3 },
      ),
    );
    expect(r.ecnCongestionEvent).toBe(false);
    expect(ld.ecnValidationFailed).toBe(false);
  });

  it('fails validation on counts for a codepoint never sent, or decreasing counts, then ignores ECN', () => {
    const { ld } = makeHarness(); // NOT_ECT, as on Node
    send(ld, 0, APP, 0, 3);
    ld.onAckReceived(10, APP, ack([[0, 0]], 0, { ect0: 1, ect1: 0, ce: 0 }));
    expect(ld.ecnValidationFailed).toBe(true);
    expect(ld.onAckReceived(11, APP, ack([[1, 0]], 0, { ect0: 1, ect1: 0, ce: 5 })).ecnCongestionEvent).toBe(false);

    const h = makeHarness();
    send(h.ld, 0, APP, 0, 3);
    h.ld.onAckReceived(10, APP, ack([[0, 0]], 0, { ect0: 0, ect1: 0, ce: 2 }));
    h.ld.onAckReceived(11, APP, ack([[1, 0]], 0, { ect0: 0, ect1: 0, ce: 1 }));
    expect(h.ld.ecnValidationFailed).toBe(true);
  });

  it('with ECT(0) marking, ACKs must report counts covering the newly acked packets', () => {
    const ok = makeHarness({ ecnCodepoint: EcnCodepoint.ECT0 });
    send(ok.ld, 0, APP, 0, 3);
    ok.ld.onAckReceived(10, APP, ack([[1, 0]], 0, { ect0: 1, ect1: 0, ce: 1 }));
    expect(ok.ld.ecnValidationFailed).toBe(false);
    ok.ld.onAckReceived(11, APP, ack([[2, 0]], 0, { ect0: 1, ect1: 0, ce: 1 }));
    expect(ok.ld.ecnValidationFailed).toBe(true); // one more packet acked, no count increased

    const missing = makeHarness({ ecnCodepoint: EcnCodepoint.ECT0 });
    send(missing.ld, 0, APP, 0);
    missing.ld.onAckReceived(10, APP, ack([[0, 0]]));
    expect(missing.ld.ecnValidationFailed).toBe(true);
  });
});

describe('LossDetector: at scale', () => {
  it('10 000 packets in flight, cumulative ACK frames every 2 packets, every 100th packet lost', () => {
    const { ld, cc } = makeHarness();
    const n = 10_000;
    for (let pn = 0; pn < n; pn++) send(ld, pn * 0.01, APP, pn);
    expect(ld.bytesInFlight).toBe(n * 1200);
    const tracker = new AckTracker({ space: APP, maxRanges: 32 });
    const frameOut = new AckFrameFields();
    const lost: number[] = [];
    let acked = 0;
    const now = n * 0.01 + 20;
    let k = 0;
    for (let pn = 0; pn < n; pn++) {
      if (pn % 100 === 99) continue;
      tracker.onPacketReceived(now, pn, true);
      if (++k % 2 === 0 || pn === n - 2) {
        tracker.writeAckFrame(now, frameOut);
        tracker.onAckSent();
        const r = ld.onAckReceived(now, APP, {
          ranges: frameOut.ranges,
          rangeCount: frameOut.rangeCount,
          ackDelayMs: 0,
        });
        acked += r.acked.length;
        lost.push(...pns(r.lost));
      }
    }
    expect(acked).toBe(n - 100);
    // The last missing packet (9999) has nothing acknowledged after it: still outstanding, for the PTO.
    expect(lost).toEqual(Array.from({ length: 99 }, (_, i) => 100 * i + 99));
    expect(ld.bytesInFlight).toBe(1200);
    expect(ld.hasAckElicitingInFlight(APP)).toBe(true);
    expect(cc.of('acked')).toHaveLength(n - 100);
  });

  it('forgets ACK-only packets that are never acknowledged, keeping the ring bounded', () => {
    const { ld, rtt } = makeHarness({ initialCapacity: 4 });
    const maxAge = 3 * rtt.ptoMs(25);
    for (let pn = 0; pn < 1000; pn++) ld.onPacketSent(pn * 10, APP, pn, 40, false, false, { space: APP, pn });
    // Packets older than 3 PTOs are dropped whenever the ring is full.
    expect(ld.forgottenUnackedPackets).toBeGreaterThan(1000 - Math.ceil(maxAge / 10) * 2 - 4);
    const r = ld.onAckReceived(10_000, APP, ack([[999, 990]]));
    expect(pns(r.acked)).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
  });
});
