import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AckFrameFields, AckTracker } from './ack-tracker.js';
import { EcnCodepoint, PacketNumberSpace } from './packet-number-space.js';

const { INITIAL, HANDSHAKE, APPLICATION_DATA: APP } = PacketNumberSpace;

function frame(tracker: AckTracker, nowMs: number, maxRanges?: number): AckFrameFields | undefined {
  const out = new AckFrameFields();
  return tracker.writeAckFrame(nowMs, out, maxRanges) ? out : undefined;
}

function pairs(f: AckFrameFields): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < f.rangeCount; i++) out.push([f.ranges[2 * i], f.ranges[2 * i + 1]]);
  return out;
}

describe('AckTracker: when to acknowledge (RFC 9000 §13.2.1, §13.2.2)', () => {
  it('acknowledges ack-eliciting Initial and Handshake packets immediately', () => {
    for (const space of [INITIAL, HANDSHAKE]) {
      const t = new AckTracker({ space });
      t.onPacketReceived(10, 0, true);
      expect(t.pollAckDeadline()).toBe(10);
      expect(t.ackDue(10)).toBe(true);
    }
  });

  it('delays an ApplicationData ACK by max_ack_delay, and sends one after every 2nd ack-eliciting packet', () => {
    const t = new AckTracker({ space: APP, maxAckDelayMs: 25 });
    t.onPacketReceived(10, 0, true);
    expect(t.pollAckDeadline()).toBe(35);
    expect(t.ackDue(34)).toBe(false);
    t.onPacketReceived(12, 1, true);
    expect(t.pollAckDeadline()).toBe(12);
    t.onAckSent();
    expect(t.pollAckDeadline()).toBeUndefined();
    t.onPacketReceived(20, 2, true);
    expect(t.pollAckDeadline()).toBe(45); // the counter restarted
  });

  it('honours a configured ack-eliciting threshold', () => {
    const t = new AckTracker({ space: APP, maxAckDelayMs: 25, ackElicitingThreshold: 4 });
    for (let pn = 0; pn < 3; pn++) t.onPacketReceived(pn, pn, true);
    expect(t.pollAckDeadline()).toBe(25); // from the first one
    t.onPacketReceived(3, 3, true);
    expect(t.pollAckDeadline()).toBe(3);
  });

  it('non-ack-eliciting packets never trigger an ACK on their own', () => {
    for (const space of [INITIAL, APP]) {
      const t = new AckTracker({ space });
      t.onPacketReceived(0, 0, false);
      t.onPacketReceived(1, 5, false); // even with a gap
      t.onPacketReceived(2, 3, false); // or out of order
      expect(t.pollAckDeadline()).toBeUndefined();
      expect(t.ackPending).toBe(true);
      expect(frame(t, 2)).toBeDefined();
    }
  });

  it('acknowledges at once a packet below the largest ack-eliciting one', () => {
    const t = new AckTracker({ space: APP, ackElicitingThreshold: 10 });
    t.onPacketReceived(0, 0, true);
    t.onPacketReceived(1, 2, true); // above a gap: at once
    t.onAckSent();
    t.onPacketReceived(5, 1, true); // fills the gap, but below 2: at once too
    expect(t.pollAckDeadline()).toBe(5);
  });

  it('acknowledges at once a packet above a gap, not one that follows in sequence', () => {
    const t = new AckTracker({ space: APP, ackElicitingThreshold: 10 });
    t.onPacketReceived(0, 0, true);
    t.onPacketReceived(1, 1, true);
    expect(t.pollAckDeadline()).toBe(25);
    t.onPacketReceived(2, 3, true);
    expect(t.pollAckDeadline()).toBe(2);
    t.onAckSent();
    // A non-ack-eliciting packet fills the gap below: not missing.
    t.onPacketReceived(3, 4, false);
    t.onPacketReceived(4, 5, true);
    expect(t.pollAckDeadline()).toBe(29);
  });

  it('the first ack-eliciting packet above missing ones is acknowledged at once', () => {
    const t = new AckTracker({ space: APP });
    t.onPacketReceived(7, 3, true);
    expect(t.pollAckDeadline()).toBe(7);
  });

  it('acknowledges CE-marked packets immediately and counts ECN codepoints (RFC 9000 §13.4.1)', () => {
    const t = new AckTracker({ space: APP });
    t.onPacketReceived(0, 0, true);
    expect(frame(t, 0)?.ecn).toBeNull(); // no codepoint seen: plain ACK
    t.onPacketReceived(1, 1, false, EcnCodepoint.ECT0);
    t.onPacketReceived(2, 2, false, EcnCodepoint.ECT1);
    t.onAckSent();
    t.onPacketReceived(3, 3, true, EcnCodepoint.CE);
    expect(t.pollAckDeadline()).toBe(3);
    expect(frame(t, 3)?.ecn).toEqual({ ect0: 1, ect1: 1, ce: 1 });
  });
});

describe('AckTracker: duplicates and ranges', () => {
  it('detects duplicates (RFC 9000 §12.3) without changing state', () => {
    const t = new AckTracker({ space: APP });
    expect(t.isDuplicate(0)).toBe(false);
    expect(t.onPacketReceived(0, 0, true)).toBe(true);
    expect(t.isDuplicate(0)).toBe(true);
    t.onAckSent();
    expect(t.onPacketReceived(1, 0, true)).toBe(false);
    expect(t.pollAckDeadline()).toBeUndefined();
    expect(t.ackPending).toBe(false);
  });

  it('writes descending ranges, the ACK Delay since the largest arrived, and omits the oldest ranges first', () => {
    const t = new AckTracker({ space: APP, ackDelayExponent: 3 });
    for (const pn of [0, 1, 2, 5, 6, 9]) t.onPacketReceived(pn === 9 ? 100 : 0, pn, true);
    t.onPacketReceived(105, 4, true); // not the largest: the delay still counts from packet 9
    const f = frame(t, 110.5) as AckFrameFields;
    expect(pairs(f)).toEqual([
      [9, 9],
      [6, 4],
      [2, 0],
    ]);
    expect(f.largestAcknowledged).toBe(9);
    expect(f.ackDelayMicros).toBe(10_500);
    expect(f.ackDelay).toBe(Math.floor(10_500 / 8));
    expect(pairs(frame(t, 110.5, 2) as AckFrameFields)).toEqual([
      [9, 9],
      [6, 4],
    ]);
    expect(t.largestReceived).toBe(9);
    expect(frame(new AckTracker({ space: APP }), 0)).toBeUndefined();
  });

  it('keeps at most maxRanges ranges, dropping the oldest', () => {
    const t = new AckTracker({ space: APP, maxRanges: 32 });
    for (let k = 0; k < 40; k++) t.onPacketReceived(k, 2 * k, true);
    const f = frame(t, 40) as AckFrameFields;
    expect(f.rangeCount).toBe(32);
    expect(f.ranges[0]).toBe(78);
    expect(f.ranges[2 * 31 + 1]).toBe(16);
    expect(t.isDuplicate(14)).toBe(true); // dropped: treated as already received
    expect(t.isDuplicate(15)).toBe(false);
  });

  it('stops reporting packets once an ACK frame covering them was acknowledged (RFC 9000 §13.2.4)', () => {
    const t = new AckTracker({ space: APP });
    for (const pn of [0, 1, 2, 4, 5]) t.onPacketReceived(0, pn, true);
    t.onAckSent();
    t.onPacketReceived(1, 7, true);
    t.onAckFrameAcked(5);
    expect(pairs(frame(t, 1) as AckFrameFields)).toEqual([[7, 7]]);
    expect(t.isDuplicate(3)).toBe(true); // a late packet at or below the acked Largest Acknowledged is dropped
    expect(t.onPacketReceived(2, 6, true)).toBe(true);
    expect(pairs(frame(t, 2) as AckFrameFields)).toEqual([[7, 6]]);
    t.onAckFrameAcked(7);
    expect(frame(t, 3)).toBeUndefined();
    expect(t.largestReceived).toBe(7);
  });

  it('property: the ACK ranges from any arrival order (with duplicates) describe exactly the set received', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 150 }), { maxLength: 100 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 64 }),
        (arrivals, duplicatePicks, maxRanges) => {
          const t = new AckTracker({ space: APP, maxRanges });
          const order = [...arrivals];
          for (const pick of duplicatePicks) if (arrivals.length > 0) order.push(arrivals[pick % arrivals.length]);
          const accepted = new Set<number>();
          let now = 0;
          for (const pn of order) {
            const fresh = t.onPacketReceived(now++, pn, true);
            if (fresh) {
              expect(accepted.has(pn)).toBe(false);
              accepted.add(pn);
            }
          }
          const f = new AckFrameFields();
          if (accepted.size === 0) {
            expect(t.writeAckFrame(now, f)).toBe(false);
            return;
          }
          expect(t.writeAckFrame(now, f)).toBe(true);
          expect(f.rangeCount).toBeLessThanOrEqual(maxRanges);
          const acked = new Set<number>();
          let previousSmallest = Number.POSITIVE_INFINITY;
          for (let i = 0; i < f.rangeCount; i++) {
            const [largest, smallest] = [f.ranges[2 * i], f.ranges[2 * i + 1]];
            expect(smallest).toBeLessThanOrEqual(largest);
            expect(largest).toBeLessThan(previousSmallest - 1); // disjoint, with a gap (RFC 9000 §19.3.1)
            previousSmallest = smallest;
            for (let pn = smallest; pn <= largest; pn++) acked.add(pn);
          }
          const floor = t.ranges.floor;
          // Exactly the received packets at or above the floor; below it, everything counts as a duplicate.
          expect([...acked].sort((a, b) => a - b)).toEqual(
            [...accepted].filter((pn) => pn >= floor).sort((a, b) => a - b),
          );
          for (let pn = 0; pn < floor; pn++) expect(t.isDuplicate(pn)).toBe(true);
          expect(f.ranges[0]).toBe(Math.max(...accepted));
          // With few enough gaps nothing was dropped: every arrival is acknowledged.
          if (floor === 0) expect(acked.size).toBe(accepted.size);
          if (new Set(arrivals).size === arrivals.length && maxRanges >= arrivals.length) {
            expect(accepted.size).toBe(arrivals.length);
          }
        },
      ),
    );
  });
});
