import { TransportError, TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LossDetectionResult, ReceivedAck } from './loss-detection-result.js';
import { PacketNumberSpace } from './packet-number-space.js';
import { makeHarness, type TestPayload } from './test-support/harness.js';

type State = 'outstanding' | 'acked' | 'lost' | 'late-acked' | 'discarded';
interface ModelPacket {
  state: State;
  readonly bytes: number;
  readonly ackEliciting: boolean;
  readonly inFlight: boolean;
}

// ApplicationData carries most traffic; the handshake spaces are short-lived.
const spaceArb = fc.constantFrom<PacketNumberSpace>(
  PacketNumberSpace.INITIAL,
  PacketNumberSpace.HANDSHAKE,
  PacketNumberSpace.APPLICATION_DATA,
  PacketNumberSpace.APPLICATION_DATA,
  PacketNumberSpace.APPLICATION_DATA,
);

const opArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      space: spaceArb,
      count: fc.integer({ min: 1, max: 6 }),
      skip: fc.integer({ min: 0, max: 2 }),
      type: fc.constantFrom('ack-eliciting', 'ack-eliciting', 'padding', 'ack-only'),
      bytes: fc.integer({ min: 20, max: 1500 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('ack' as const),
      space: spaceArb,
      // Which of the recent packets the peer acknowledges: mostly all, sometimes with holes (losses).
      mask: fc.array(fc.constantFrom(true, true, true, false), { minLength: 1, maxLength: 40 }),
      window: fc.integer({ min: 1, max: 60 }),
      ackDelayMs: fc.integer({ min: 0, max: 40 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bogus-ack' as const), space: spaceArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('discard' as const),
      space: fc.constantFrom<PacketNumberSpace>(PacketNumberSpace.INITIAL, PacketNumberSpace.HANDSHAKE),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('confirm' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('amplification' as const), blocked: fc.boolean() }) },
);

function run(isServer: boolean, ops: readonly Op[], capacity: number): void {
  const { ld } = makeHarness({ isServer, initialCapacity: capacity });
  const model: Map<number, ModelPacket>[] = [new Map(), new Map(), new Map()];
  const sentList: number[][] = [[], [], []];
  const nextPn = [0, 0, 0];
  let now = 0;

  const apply = (r: LossDetectionResult<TestPayload>): void => {
    const move = (list: TestPayload[], from: State, to: State): void => {
      for (const p of list) {
        expect(p.space).toBe(r.space);
        const m = model[p.space].get(p.pn) as ModelPacket;
        expect(m.state).toBe(from); // each packet is reported once per transition, never twice
        m.state = to;
      }
    };
    move(r.acked, 'outstanding', 'acked');
    move(r.lost, 'outstanding', 'lost');
    move(r.lateAcked, 'lost', 'late-acked');
    move(r.discarded, 'outstanding', 'discarded');
    for (const p of r.lost) expect(p.pn).toBeLessThan(ld.largestAcked(r.space)); // only below an acked packet
  };

  const checkInvariants = (): void => {
    let bytes = 0;
    for (let s = 0; s < 3; s++) {
      let ackElicitingOut = false;
      for (const m of model[s].values()) {
        if (m.state !== 'outstanding') continue;
        if (m.inFlight) bytes += m.bytes;
        if (m.ackEliciting) ackElicitingOut = true;
      }
      expect(ld.hasAckElicitingInFlight(s as PacketNumberSpace)).toBe(ackElicitingOut);
    }
    expect(ld.bytesInFlight).toBe(bytes);
    const deadline = ld.pollTimeout();
    if (deadline !== undefined) expect(Number.isFinite(deadline)).toBe(true);
  };

  const sendPackets = (space: PacketNumberSpace, count: number, type: string, bytes: number, skip = 0): void => {
    for (let k = 0; k < count; k++) {
      const pn = nextPn[space] + (k === 0 ? skip : 0);
      nextPn[space] = pn + 1;
      const ackEliciting = type === 'ack-eliciting';
      const inFlight = ackEliciting || type === 'padding';
      ld.onPacketSent(now, space, pn, bytes, ackEliciting, inFlight, { space, pn });
      model[space].set(pn, { state: 'outstanding', bytes, ackEliciting, inFlight });
      sentList[space].push(pn);
    }
  };

  for (const op of ops) {
    switch (op.kind) {
      case 'send':
        sendPackets(op.space, op.count, op.type, op.bytes, op.skip);
        break;
      case 'ack': {
        // A random subset of the most recent sent packet numbers, as maximal runs of consecutive numbers.
        const sent = sentList[op.space];
        const recent = sent.slice(Math.max(0, sent.length - op.window));
        const chosen = recent.filter((_, i) => op.mask[i % op.mask.length]).sort((a, b) => b - a);
        if (chosen.length === 0) break;
        const ranges: number[] = [];
        for (const pn of chosen) {
          if (ranges.length > 0 && ranges[ranges.length - 1] === pn + 1) ranges[ranges.length - 1] = pn;
          else ranges.push(pn, pn);
        }
        const a: ReceivedAck = { ranges, rangeCount: ranges.length / 2, ackDelayMs: op.ackDelayMs };
        const r = ld.onAckReceived(now, op.space, a);
        apply(r);
        // Every in-flight or ack-eliciting packet covered by the frame is now acknowledged (or was already).
        for (const pn of chosen) {
          const m = model[op.space].get(pn) as ModelPacket;
          if (m.ackEliciting || m.inFlight) expect(m.state).not.toBe('outstanding');
        }
        break;
      }
      case 'bogus-ack': {
        const before = ld.bytesInFlight;
        const never = nextPn[op.space] + 5;
        let code: number | undefined;
        try {
          ld.onAckReceived(now, op.space, { ranges: [never, never], rangeCount: 1, ackDelayMs: 0 });
        } catch (e) {
          code = e instanceof TransportError ? e.code : -1;
        }
        expect(code).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
        expect(ld.bytesInFlight).toBe(before);
        break;
      }
      case 'tick': {
        now += op.ms;
        for (let guard = 0; guard < 64; guard++) {
          const deadline = ld.pollTimeout();
          if (deadline === undefined || deadline > now) break;
          const r = ld.handleTimeout(now);
          apply(r);
          // Probes: ack-eliciting packets in the space the PTO fired for.
          if (r.probeCount > 0) sendPackets(r.space, r.probeCount, 'ack-eliciting', 1200);
        }
        break;
      }
      case 'discard':
        apply(ld.discardSpace(now, op.space));
        break;
      case 'confirm':
        ld.setHandshakeConfirmed(now);
        break;
      case 'amplification':
        if (isServer) ld.setAmplificationBlocked(now, op.blocked);
        break;
    }
    checkInvariants();
  }

  // Discarding everything leaves each packet in exactly one final state (or forgotten as an unacked ACK-only one).
  for (const space of [PacketNumberSpace.INITIAL, PacketNumberSpace.HANDSHAKE, PacketNumberSpace.APPLICATION_DATA]) {
    apply(ld.discardSpace(now, space));
  }
  checkInvariants();
  expect(ld.bytesInFlight).toBe(0);
  let forgotten = 0;
  for (let s = 0; s < 3; s++) {
    for (const m of model[s].values()) {
      if (m.state === 'outstanding') {
        expect(m.ackEliciting || m.inFlight).toBe(false);
        forgotten++;
      }
    }
  }
  expect(forgotten).toBe(ld.forgottenUnackedPackets);
  // Nothing in flight: no timer, except a client's anti-deadlock PTO before its address is validated (§6.2.2.1).
  if (isServer) expect(ld.pollTimeout()).toBeUndefined();
}

type Op = typeof opArb extends fc.Arbitrary<infer O> ? O : never;

describe('LossDetector: properties under random send/ack/loss schedules', () => {
  it('every sent packet ends exactly once acked, lost or discarded; bytes in flight always match', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(opArb, { minLength: 10, maxLength: 120 }),
        fc.constantFrom(1, 4, 16),
        (isServer, ops, capacity) => {
          run(isServer, ops, capacity);
        },
      ),
      { numRuns: 300 },
    );
  });
});
