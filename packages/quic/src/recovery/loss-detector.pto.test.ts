import { describe, expect, it } from 'vitest';
import { LossTimerMode } from './loss-detector.js';
import { PacketNumberSpace } from './packet-number-space.js';
import { ack, makeHarness, pns, send } from './test-support/harness.js';

const { INITIAL, HANDSHAKE, APPLICATION_DATA: APP } = PacketNumberSpace;
// RFC 9002 §6.2.2: kInitialRtt 333 ms → smoothed_rtt + max(4·rttvar, kGranularity) = 333 + 4 · 166.5.
const INITIAL_PTO = 999;

describe('LossDetector: PTO (RFC 9002 §6.2, Appendix A.8/A.9)', () => {
  it('arms the Initial PTO without max_ack_delay and backs off exponentially on expiry', () => {
    const { ld, cc } = makeHarness({ peerMaxAckDelayMs: 25 });
    send(ld, 10, INITIAL, 0);
    expect(ld.timerMode).toBe(LossTimerMode.PTO);
    expect(ld.pollTimeout()).toBe(10 + INITIAL_PTO);
    expect(ld.handleTimeout(10 + INITIAL_PTO - 1).probeCount).toBe(0);
    cc.clear();
    const r = ld.handleTimeout(10 + INITIAL_PTO);
    expect(r).toMatchObject({ space: INITIAL, probeCount: 2, antiDeadlock: false });
    expect(r.lost).toEqual([]); // §6.2: a PTO is not a loss
    expect(cc.calls).toEqual([]);
    expect(ld.ptoCount).toBe(1);
    expect(ld.pollTimeout()).toBe(10 + 2 * INITIAL_PTO);
    ld.handleTimeout(10 + 2 * INITIAL_PTO);
    expect(ld.ptoCount).toBe(2);
    expect(ld.pollTimeout()).toBe(10 + 4 * INITIAL_PTO);
    // A probe restarts the timer from its own send time, still backed off.
    send(ld, 5000, INITIAL, 1);
    expect(ld.pollTimeout()).toBe(5000 + 4 * INITIAL_PTO);
    // An acknowledgment resets pto_count (the server always, A.7).
    ld.onAckReceived(5010, INITIAL, ack([[1, 1]]));
    expect(ld.ptoCount).toBe(0);
  });

  it('honours a probe count of 1', () => {
    const { ld } = makeHarness({ ptoProbeCount: 1 });
    send(ld, 0, HANDSHAKE, 0);
    expect(ld.handleTimeout(INITIAL_PTO)).toMatchObject({ space: HANDSHAKE, probeCount: 1 });
  });

  it('uses the RTT estimate once sampled', () => {
    const { ld } = makeHarness();
    send(ld, 0, HANDSHAKE, 0, 1);
    ld.onAckReceived(100, HANDSHAKE, ack([[0, 0]])); // srtt 100, rttvar 50
    expect(ld.ptoPeriodMs(HANDSHAKE)).toBe(300);
    expect(ld.pollTimeout()).toBe(0 + 300);
  });

  it('does not arm the ApplicationData PTO before the handshake is confirmed, then adds max_ack_delay', () => {
    const { ld } = makeHarness({ peerMaxAckDelayMs: 25 });
    send(ld, 0, APP, 0);
    expect(ld.pollTimeout()).toBeUndefined();
    ld.setHandshakeConfirmed(5);
    expect(ld.pollTimeout()).toBe(INITIAL_PTO + 25);
    ld.handleTimeout(INITIAL_PTO + 25);
    expect(ld.pollTimeout()).toBe((INITIAL_PTO + 25) * 2); // max_ack_delay is backed off too
    ld.setPeerMaxAckDelay(10, 100);
    expect(ld.pollTimeout()).toBe((INITIAL_PTO + 100) * 2);
  });

  it('takes the earliest PTO across spaces, and restarts it when a space is discarded', () => {
    const { ld } = makeHarness();
    send(ld, 0, INITIAL, 0);
    send(ld, 100, HANDSHAKE, 0);
    ld.setHandshakeConfirmed(100);
    send(ld, 200, APP, 0);
    expect(ld.pollTimeout()).toBe(INITIAL_PTO);
    expect(ld.handleTimeout(INITIAL_PTO).space).toBe(INITIAL);
    ld.discardSpace(INITIAL_PTO, INITIAL); // pto_count resets (A.11)
    expect(ld.ptoCount).toBe(0);
    expect(ld.pollTimeout()).toBe(100 + INITIAL_PTO);
    expect(ld.handleTimeout(100 + INITIAL_PTO).space).toBe(HANDSHAKE);
    ld.discardSpace(100 + INITIAL_PTO, HANDSHAKE);
    expect(ld.pollTimeout()).toBe(200 + INITIAL_PTO + 25);
  });

  it('the loss timer takes precedence over the PTO (§6.2.1)', () => {
    const { ld } = makeHarness();
    send(ld, 0, APP, 0, 1);
    ld.setHandshakeConfirmed(0);
    ld.onAckReceived(100, APP, ack([[1, 1]]));
    expect(ld.timerMode).toBe(LossTimerMode.LOSS_TIME);
    expect(ld.pollTimeout()).toBe(112.5);
  });

  it('a client keeps its PTO backoff on Initial ACKs until the server validated its address (§6.2.1)', () => {
    const { ld } = makeHarness({ isServer: false });
    send(ld, 0, INITIAL, 0, 1);
    ld.handleTimeout(INITIAL_PTO);
    expect(ld.ptoCount).toBe(1);
    ld.onAckReceived(1000, INITIAL, ack([[1, 1]]));
    expect(ld.ptoCount).toBe(1);
    ld.setHandshakeKeysAvailable(1000);
    send(ld, 1000, HANDSHAKE, 0);
    ld.onAckReceived(1050, HANDSHAKE, ack([[0, 0]]));
    expect(ld.ptoCount).toBe(0);
  });
});

describe('LossDetector: anti-deadlock PTO (RFC 9002 §6.2.2.1)', () => {
  it('a client arms the PTO with nothing in flight until its address is validated', () => {
    const { ld } = makeHarness({ isServer: false });
    send(ld, 0, INITIAL, 0);
    ld.onAckReceived(100, INITIAL, ack([[0, 0]])); // srtt 100, rttvar 50 → 300
    expect(ld.hasAckElicitingInFlight(INITIAL)).toBe(false);
    expect(ld.timerMode).toBe(LossTimerMode.ANTI_DEADLOCK);
    expect(ld.pollTimeout()).toBe(100 + 300); // from now, not from a send time
    const r = ld.handleTimeout(400);
    expect(r).toMatchObject({ space: INITIAL, probeCount: 1, antiDeadlock: true });
    expect(ld.pollTimeout()).toBe(400 + 600);
    // With Handshake keys the probe is a Handshake packet.
    ld.setHandshakeKeysAvailable(500);
    expect(ld.pollTimeout()).toBe(500 + 600);
    expect(ld.handleTimeout(1100)).toMatchObject({ space: HANDSHAKE, probeCount: 1, antiDeadlock: true });
    // A Handshake ACK proves the server validated the address: nothing in flight → no timer.
    send(ld, 1100, HANDSHAKE, 0);
    ld.onAckReceived(1150, HANDSHAKE, ack([[0, 0]]));
    expect(ld.pollTimeout()).toBeUndefined();
  });

  it('also when only ApplicationData (0-RTT) packets are in flight before confirmation', () => {
    const { ld } = makeHarness({ isServer: false });
    send(ld, 0, INITIAL, 0);
    send(ld, 0, APP, 0);
    ld.onAckReceived(100, INITIAL, ack([[0, 0]]));
    expect(ld.timerMode).toBe(LossTimerMode.ANTI_DEADLOCK);
    expect(ld.pollTimeout()).toBe(400);
  });

  it('a server arms no timer with nothing in flight', () => {
    const { ld } = makeHarness({ isServer: true });
    send(ld, 0, INITIAL, 0);
    ld.onAckReceived(100, INITIAL, ack([[0, 0]]));
    expect(ld.pollTimeout()).toBeUndefined();
    expect(ld.timerMode).toBe(LossTimerMode.NONE);
  });
});

describe('LossDetector: amplification-blocked server (RFC 9002 §6.2.2.1, Appendix A.6)', () => {
  it('does not arm the PTO while blocked and re-arms it when unblocked, already expired if late', () => {
    const { ld } = makeHarness({ isServer: true });
    send(ld, 0, INITIAL, 0);
    expect(ld.pollTimeout()).toBe(INITIAL_PTO);
    ld.setAmplificationBlocked(10, true);
    expect(ld.pollTimeout()).toBeUndefined();
    expect(ld.handleTimeout(5000).probeCount).toBe(0);
    ld.setAmplificationBlocked(2000, false);
    expect(ld.pollTimeout()).toBe(INITIAL_PTO); // in the past: the connection runs it at once
    expect(ld.handleTimeout(2000)).toMatchObject({ space: INITIAL, probeCount: 2 });
  });

  it('keeps a time-threshold loss timer while blocked', () => {
    const { ld } = makeHarness({ isServer: true });
    send(ld, 0, INITIAL, 0, 1);
    ld.setAmplificationBlocked(0, true);
    ld.onAckReceived(100, INITIAL, ack([[1, 1]]));
    expect(ld.timerMode).toBe(LossTimerMode.LOSS_TIME);
    expect(pns(ld.handleTimeout(112.5).lost)).toEqual([0]);
    expect(ld.pollTimeout()).toBeUndefined();
  });
});

describe('LossDetector: discarding keys (RFC 9002 §6.4, Appendix A.11)', () => {
  it('removes the space from bytes in flight without congestion hooks and resets its timers', () => {
    const { ld, cc } = makeHarness();
    send(ld, 0, INITIAL, 0, 1);
    send(ld, 0, HANDSHAKE, 0);
    send(ld, 0, INITIAL, 2, 2, 1200, false); // not ack-eliciting, not in flight
    ld.onAckReceived(50, INITIAL, ack([[1, 1]])); // 0 waits for the time threshold
    expect(ld.timerMode).toBe(LossTimerMode.LOSS_TIME);
    expect(ld.bytesInFlight).toBe(2400);
    cc.clear();
    const r = ld.discardSpace(60, INITIAL);
    expect(r.space).toBe(INITIAL);
    expect(pns(r.discarded)).toEqual([0, 2]);
    expect(ld.bytesInFlight).toBe(1200);
    expect(cc.calls).toEqual([]);
    expect(ld.hasAckElicitingInFlight(INITIAL)).toBe(false);
    expect(ld.timerMode).toBe(LossTimerMode.PTO);
    expect(ld.pollTimeout()).toBe(0 + ld.ptoPeriodMs(HANDSHAKE));
    // Acknowledgments for discarded packets are ignored, packet numbers go on.
    expect(ld.onAckReceived(70, INITIAL, ack([[2, 0]])).acked).toEqual([]);
    send(ld, 70, INITIAL, 3);
    expect(pns(ld.onAckReceived(80, INITIAL, ack([[3, 0]])).acked)).toEqual([3]);
  });

  it('discards ApplicationData when 0-RTT is rejected, keeping pto_count', () => {
    const { ld } = makeHarness({ isServer: false });
    send(ld, 0, INITIAL, 0);
    send(ld, 0, APP, 0, 3);
    ld.handleTimeout(INITIAL_PTO);
    const r = ld.discardSpace(1000, APP);
    expect(pns(r.discarded)).toEqual([0, 1, 2, 3]);
    expect(ld.bytesInFlight).toBe(1200);
    expect(ld.ptoCount).toBe(1);
    expect(ld.largestSent(APP)).toBe(3);
  });
});
