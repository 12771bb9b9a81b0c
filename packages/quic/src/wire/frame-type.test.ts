import { describe, expect, it } from 'vitest';
import {
  countsTowardBytesInFlight,
  FrameType,
  frameTypeName,
  isAckEliciting,
  isFrameAllowedFromSender,
  isFrameAllowedInPacket,
  isKnownFrameType,
  isProbingFrame,
} from './frame-type.js';
import { PacketType } from './packet-type.js';

// RFC 9000 §12.4 Table 3, "Pkts" and "Spec" columns, typed in from the RFC (plus RFC 9221 for DATAGRAM).
// RETIRE_CONNECTION_ID: Table 3 says "__01" but §12.5 lists it among frames that cannot be sent in 0-RTT and lets
// a server reject it there; we implement that stricter reading, hence "___1".
const TABLE: readonly [number[], string, string][] = [
  [[0x00], 'IH01', 'NP'],
  [[0x01], 'IH01', ''],
  [[0x02, 0x03], 'IH_1', 'NC'],
  [[0x04], '__01', ''],
  [[0x05], '__01', ''],
  [[0x06], 'IH_1', ''],
  [[0x07], '___1', ''],
  [[0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f], '__01', 'F'],
  [[0x10], '__01', ''],
  [[0x11], '__01', ''],
  [[0x12, 0x13], '__01', ''],
  [[0x14], '__01', ''],
  [[0x15], '__01', ''],
  [[0x16, 0x17], '__01', ''],
  [[0x18], '__01', 'P'],
  [[0x19], '___1', ''],
  [[0x1a], '__01', 'P'],
  [[0x1b], '___1', 'P'],
  [[0x1c], 'IH01', 'N'],
  [[0x1d], '__01', 'N'],
  [[0x1e], '___1', ''],
  [[0x30, 0x31], '__01', ''],
];

const COLUMNS = [PacketType.INITIAL, PacketType.HANDSHAKE, PacketType.ZERO_RTT, PacketType.ONE_RTT] as const;

describe('RFC 9000 §12.4 Table 3', () => {
  for (const [types, pkts, spec] of TABLE) {
    for (const t of types) {
      it(`frame type 0x${t.toString(16)} is permitted in "${pkts}"`, () => {
        expect(isKnownFrameType(t)).toBe(true);
        COLUMNS.forEach((packetType, i) => {
          expect(isFrameAllowedInPacket(t, packetType)).toBe(pkts[i] !== '_');
        });
        expect(isFrameAllowedInPacket(t, PacketType.RETRY)).toBe(false);
        expect(isFrameAllowedInPacket(t, PacketType.VERSION_NEGOTIATION)).toBe(false);
      });

      it(`frame type 0x${t.toString(16)} ack-eliciting / in-flight / probing per RFC 9002 §2 and "${spec}"`, () => {
        // RFC 9002 §2: all frames other than ACK, PADDING and CONNECTION_CLOSE are ack-eliciting.
        const ackEliciting = !spec.includes('N');
        expect(isAckEliciting(t)).toBe(ackEliciting);
        // RFC 9002 §2: in flight when ack-eliciting or containing PADDING.
        expect(countsTowardBytesInFlight(t)).toBe(ackEliciting || t === FrameType.PADDING);
        expect(isProbingFrame(t)).toBe(spec.includes('P'));
      });
    }
  }

  it('knows exactly the types above', () => {
    const known = new Set(TABLE.flatMap(([types]) => types));
    for (let t = 0; t < 0x100; t++) expect(isKnownFrameType(t)).toBe(known.has(t));
    expect(isKnownFrameType(-1)).toBe(false);
    expect(isKnownFrameType(0x4000)).toBe(false);
    expect(isFrameAllowedInPacket(0x1f, PacketType.ONE_RTT)).toBe(false);
    expect(isAckEliciting(0x1f)).toBe(false);
  });

  it('only a server sends NEW_TOKEN and HANDSHAKE_DONE (RFC 9000 §19.7, §19.20)', () => {
    for (const t of [FrameType.NEW_TOKEN, FrameType.HANDSHAKE_DONE]) {
      expect(isFrameAllowedFromSender(t, 'client')).toBe(false);
      expect(isFrameAllowedFromSender(t, 'server')).toBe(true);
    }
    expect(isFrameAllowedFromSender(FrameType.STREAM, 'client')).toBe(true);
    expect(isFrameAllowedFromSender(FrameType.PATH_RESPONSE, 'client')).toBe(true);
  });

  it('names frame types for qlog', () => {
    expect(frameTypeName(0x0b)).toBe('stream');
    expect(frameTypeName(0x03)).toBe('ack');
    expect(frameTypeName(0x1d)).toBe('connection_close');
    expect(frameTypeName(0x31)).toBe('datagram');
    expect(frameTypeName(0x99)).toBe('unknown');
  });
});
