import { describe, expect, it } from 'vitest';
import { PacketNumberSpace } from './packet-number-space.js';
import { ack, type Harness, makeHarness, pns, send } from './test-support/harness.js';

const { HANDSHAKE, APPLICATION_DATA: APP } = PacketNumberSpace;

// The RTT is sampled at 50 ms (packet 0, acked at t = 50), then at 100 ms by the final ACK (packet 5 sent at 1200,
// acked at 1300): smoothed_rtt 56.25, rttvar 31.25, so with max_ack_delay 25 the persistent congestion duration is
// (56.25 + 4 · 31.25 + 25) · 3 = 618.75 ms (RFC 9002 §7.6.1). Packets sent up to 1187.5 are lost by time threshold.
const PC_DURATION = (56.25 + 4 * 31.25 + 25) * 3;

function scenario(times: readonly number[], options: { paddingOnly?: readonly number[] } = {}): Harness {
  const h = makeHarness({ peerMaxAckDelayMs: 25 });
  h.ld.setHandshakeConfirmed(0);
  send(h.ld, 0, APP, 0);
  h.ld.onAckReceived(50, APP, ack([[0, 0]]));
  times.forEach((t, k) => {
    const pn = k + 1;
    const padding = options.paddingOnly?.includes(pn) ?? false;
    // A PADDING-only packet is in flight but not ack-eliciting.
    h.ld.onPacketSent(t, APP, pn, 1200, !padding, true, { space: APP, pn });
  });
  return h;
}

describe('LossDetector: persistent congestion (RFC 9002 §7.6)', () => {
  it('is established when two ack-eliciting lost packets span more than the duration, none acked between', () => {
    const { ld, cc, rtt } = scenario([60, 200, 600, 1100, 1200]);
    expect(rtt.minRttMs).toBe(50);
    cc.clear();
    const r = ld.onAckReceived(1300, APP, ack([[5, 5]]));
    expect(rtt.smoothedRttMs).toBe(56.25);
    expect(rtt.rttVarMs).toBe(31.25);
    expect(1100 - 60).toBeGreaterThan(PC_DURATION);
    expect(pns(r.lost)).toEqual([1, 2, 3, 4]);
    expect(r.persistentCongestion).toBe(true);
    expect(cc.hooks()).toEqual(['congestion', 'persistent', 'acked', 'ackProcessed']);
    expect(cc.of('congestion')[0]).toMatchObject({ sentTime: 1100, lostBytes: 4800 });
    expect(rtt.minRttMs).toBe(100); // §5.2: min_rtt restarts from the newest sample
  });

  it('is not established when a packet sent between them was acknowledged', () => {
    const { ld, cc } = scenario([60, 200, 600, 1100, 1200]);
    const r = ld.onAckReceived(
      1300,
      APP,
      ack([
        [5, 5],
        [3, 3],
      ]),
    );
    expect(pns(r.lost)).toEqual([1, 2, 4]);
    expect(r.congestionEvent).toBe(true);
    expect(r.persistentCongestion).toBe(false);
    expect(cc.of('persistent')).toEqual([]);
  });

  it('is not established when the span does not exceed the duration', () => {
    const { ld } = scenario([600, 700, 900, 1100, 1200]);
    const r = ld.onAckReceived(1300, APP, ack([[5, 5]]));
    expect(1100 - 600).toBeLessThan(PC_DURATION);
    expect(pns(r.lost)).toEqual([1, 2, 3, 4]);
    expect(r.persistentCongestion).toBe(false);
  });

  it('only counts ack-eliciting packets as the two ends', () => {
    const { ld } = scenario([60, 600, 1100, 1200], { paddingOnly: [1] });
    const r = ld.onAckReceived(1300, APP, ack([[4, 4]]));
    expect(pns(r.lost)).toEqual([1, 2, 3]);
    expect(r.persistentCongestion).toBe(false);
    const control = scenario([60, 600, 1100, 1200]);
    expect(control.ld.onAckReceived(1300, APP, ack([[4, 4]])).persistentCongestion).toBe(true);
  });

  it('ignores packets sent before the first RTT sample', () => {
    const { ld, cc } = makeHarness({ peerMaxAckDelayMs: 25 });
    [0, 60, 200, 600, 1100, 1200].forEach((t, pn) => {
      send(ld, t, APP, pn);
    });
    const r = ld.onAckReceived(1300, APP, ack([[5, 5]])); // the first sample
    expect(pns(r.lost)).toEqual([0, 1, 2, 3, 4]);
    expect(r.persistentCongestion).toBe(false);
    expect(cc.of('persistent')).toEqual([]);
  });
});

describe('LossDetector: persistent congestion across packet number spaces (RFC 9002 §7.6.2)', () => {
  // RTT sampled in Handshake (50 ms twice), then App packets 0..2 are lost by the ACK of App 3 at t = 1300 (a
  // 100 ms sample): smoothed 56.25, rttvar 26.5625, duration (56.25 + 106.25 + 25) · 3 = 562.5 ms.
  function handshakeScenario(ackHandshakeBetween: boolean, atFront: boolean): Harness {
    const h = makeHarness({ peerMaxAckDelayMs: 25 });
    const { ld } = h;
    send(ld, 0, HANDSHAKE, 0);
    ld.onAckReceived(50, HANDSHAKE, ack([[0, 0]]));
    send(ld, 60, APP, 0);
    if (!atFront) send(ld, 250, HANDSHAKE, 1); // stays unacknowledged, keeping the acked one in the ring
    send(ld, 300, HANDSHAKE, atFront ? 1 : 2);
    if (ackHandshakeBetween) {
      const pn = atFront ? 1 : 2;
      ld.onAckReceived(350, HANDSHAKE, ack([[pn, pn]]));
    }
    send(ld, 600, APP, 1);
    send(ld, 1100, APP, 2);
    send(ld, 1200, APP, 3);
    return h;
  }

  it('an acknowledged Handshake packet sent between two lost App packets prevents it', () => {
    for (const atFront of [true, false]) {
      const { ld, rtt } = handshakeScenario(true, atFront);
      const r = ld.onAckReceived(1300, APP, ack([[3, 3]]));
      expect(rtt.smoothedRttMs).toBe(56.25);
      expect(pns(r.lost)).toEqual([0, 1, 2]);
      // 60 → 1100 exceeds 562.5 but Handshake 1 (300) was acked; 600 → 1100 does not.
      expect(r.persistentCongestion).toBe(false);
    }
  });

  it('is established when the Handshake packet between them was not acknowledged', () => {
    const { ld } = handshakeScenario(false, true);
    const r = ld.onAckReceived(1300, APP, ack([[3, 3]]));
    expect(pns(r.lost)).toEqual([0, 1, 2]);
    expect(r.persistentCongestion).toBe(true);
  });

  it('restarts the run after the acknowledged packet of another space', () => {
    const h = makeHarness({ peerMaxAckDelayMs: 25 });
    const { ld } = h;
    send(ld, 0, HANDSHAKE, 0);
    ld.onAckReceived(50, HANDSHAKE, ack([[0, 0]]));
    send(ld, 60, APP, 0);
    send(ld, 100, HANDSHAKE, 1);
    ld.onAckReceived(150, HANDSHAKE, ack([[1, 1]]));
    send(ld, 200, APP, 1); // the run restarts here, after Handshake 1 (100)
    send(ld, 1100, APP, 2);
    send(ld, 1200, APP, 3);
    const r = ld.onAckReceived(1300, APP, ack([[3, 3]]));
    expect(pns(r.lost)).toEqual([0, 1, 2]);
    expect(r.persistentCongestion).toBe(true); // 200 → 1100 = 900 ms still exceeds the duration
  });
});
