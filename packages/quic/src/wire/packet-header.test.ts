import { ByteWriter, readPacketNumber } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  longHeaderLength,
  patchLongHeaderLength,
  shortHeaderLength,
  writeLongHeader,
  writeShortHeader,
} from './packet-builder.js';
import {
  HeaderStatus,
  keyPhaseBit,
  PacketHeader,
  packetNumberLengthBits,
  parsePacketHeader,
  reservedBits,
} from './packet-header.js';
import { longPacketTypeBits, longPacketTypeFromBits, PacketType, packetTypeName } from './packet-type.js';
import { hex, readFixture, toHex } from './test-support/vectors.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from './versions.js';

interface RfcSet {
  version_hex: string;
  client_destination_connection_id: string;
  client_initial: { packet_number: number; packet_number_length: number; unprotected_header: string };
  server_initial: { packet_number: number; packet_number_length: number; unprotected_header: string };
  retry: { retry_packet: string; retry_token_hex: string };
  short_header: { packet_number: number; packet_number_length: number; unprotected_header: string };
}
const fixtures = readFixture<{
  rfc9001: RfcSet;
  rfc9369: RfcSet;
  rfc9369_long_header_packet_types: Record<string, string>;
}>('wire-rfc-vectors.json');

/** The header followed by zero bytes up to the end its Length field announces. */
function withPayload(header: Uint8Array, length: number, pnLength: number): Uint8Array {
  const out = new Uint8Array(header.length - pnLength + length);
  out.set(header);
  return out;
}

describe.each([
  ['RFC 9001 (v1)', fixtures.rfc9001, QUIC_VERSION_1],
  ['RFC 9369 (v2)', fixtures.rfc9369, QUIC_VERSION_2],
] as const)('%s Appendix A headers', (_name, v, version) => {
  it('A.2: parses the client Initial header (unprotected first byte and packet number)', () => {
    const h = hex(v.client_initial.unprotected_header);
    const packet = withPayload(h, 1182, 4); // Length 0x449e = 1182
    const out = new PacketHeader();
    expect(parsePacketHeader(packet, 0, packet.length, 8, out)).toBe(HeaderStatus.OK);
    expect(out.isLong).toBe(true);
    expect(out.type).toBe(PacketType.INITIAL);
    expect(out.version).toBe(version);
    expect(out.version).toBe(Number.parseInt(v.version_hex, 16));
    expect(toHex(out.dcid)).toBe(v.client_destination_connection_id);
    expect(out.scidLength).toBe(0);
    expect(out.tokenLength).toBe(0);
    expect(out.payloadLength).toBe(1182);
    expect(out.pnOffset).toBe(h.length - 4);
    expect(out.packetEnd).toBe(1200);
    expect(packetNumberLengthBits(out.firstByte)).toBe(v.client_initial.packet_number_length);
    expect(readPacketNumber(packet, out.pnOffset, 4)).toBe(v.client_initial.packet_number);
    expect(reservedBits(out.firstByte, true)).toBe(0);
    // Rebuild the same header with our writer.
    const w = new ByteWriter(new Uint8Array(1200));
    const lengthOffset = writeLongHeader(w, PacketType.INITIAL, version, out.dcid, out.scid, out.token, 2, 4);
    patchLongHeaderLength(w.buf, lengthOffset, 1200);
    expect(toHex(w.written())).toBe(v.client_initial.unprotected_header);
    expect(w.pos).toBe(longHeaderLength(PacketType.INITIAL, 8, 0, 0, 4));
  });

  it('A.3: parses the server Initial header', () => {
    const h = hex(v.server_initial.unprotected_header);
    const packet = withPayload(h, 0x75, 2);
    const out = new PacketHeader();
    expect(parsePacketHeader(packet, 0, packet.length, 8, out)).toBe(HeaderStatus.OK);
    expect(out.type).toBe(PacketType.INITIAL);
    expect(out.dcidLength).toBe(0);
    expect(toHex(out.scid)).toBe('f067a5502a4262b5');
    expect(out.payloadLength).toBe(0x75);
    expect(packetNumberLengthBits(out.firstByte)).toBe(2);
    expect(readPacketNumber(packet, out.pnOffset, 2)).toBe(v.server_initial.packet_number);
    const w = new ByteWriter(new Uint8Array(200));
    const lengthOffset = writeLongHeader(w, PacketType.INITIAL, version, out.dcid, out.scid, out.token, 1, 2);
    patchLongHeaderLength(w.buf, lengthOffset, lengthOffset + 2 + 0x75);
    expect(toHex(w.written())).toBe(v.server_initial.unprotected_header);
  });

  it('A.4: parses the Retry packet (token, integrity tag position)', () => {
    const packet = hex(v.retry.retry_packet);
    const out = new PacketHeader();
    expect(parsePacketHeader(packet, 0, packet.length, 8, out)).toBe(HeaderStatus.OK);
    expect(out.type).toBe(PacketType.RETRY);
    expect(out.pnOffset).toBe(-1);
    expect(toHex(out.token)).toBe(v.retry.retry_token_hex);
    expect(out.retryIntegrityTagOffset).toBe(packet.length - 16);
    expect(out.packetEnd).toBe(packet.length);
  });

  it('A.5: parses the short header (key phase 0, 3-byte packet number, empty DCID)', () => {
    const h = hex(v.short_header.unprotected_header);
    const packet = new Uint8Array(h.length + 17);
    packet.set(h);
    const out = new PacketHeader();
    expect(parsePacketHeader(packet, 0, packet.length, 0, out)).toBe(HeaderStatus.OK);
    expect(out.isLong).toBe(false);
    expect(out.type).toBe(PacketType.ONE_RTT);
    expect(out.pnOffset).toBe(1);
    expect(packetNumberLengthBits(out.firstByte)).toBe(v.short_header.packet_number_length);
    expect(keyPhaseBit(out.firstByte)).toBe(0);
    expect(out.spinBit).toBe(false);
    expect(reservedBits(out.firstByte, false)).toBe(0);
    // The truncated packet number 0x00bff4; the full one, 654360564 = 0x2700bff4, decodes with a recent largest.
    expect(readPacketNumber(packet, 1, 3)).toBe(v.short_header.packet_number % 2 ** 24);
    const w = new ByteWriter(new Uint8Array(16));
    writeShortHeader(w, new Uint8Array(0), v.short_header.packet_number, 3, 0, false);
    expect(toHex(w.written())).toBe(v.short_header.unprotected_header);
  });
});

describe('long header packet types (RFC 9000 §17.2 Table 5, RFC 9369 §3.2)', () => {
  it('maps v2 type bits as RFC 9369 §3.2 says', () => {
    const t = fixtures.rfc9369_long_header_packet_types;
    const bits = (s: string): number => Number.parseInt(s.slice(2), 2);
    expect(longPacketTypeFromBits(QUIC_VERSION_2, bits(t.initial))).toBe(PacketType.INITIAL);
    expect(longPacketTypeFromBits(QUIC_VERSION_2, bits(t['0rtt']))).toBe(PacketType.ZERO_RTT);
    expect(longPacketTypeFromBits(QUIC_VERSION_2, bits(t.handshake))).toBe(PacketType.HANDSHAKE);
    expect(longPacketTypeFromBits(QUIC_VERSION_2, bits(t.retry))).toBe(PacketType.RETRY);
    for (const type of [PacketType.INITIAL, PacketType.ZERO_RTT, PacketType.HANDSHAKE, PacketType.RETRY]) {
      expect(longPacketTypeFromBits(QUIC_VERSION_2, longPacketTypeBits(QUIC_VERSION_2, type))).toBe(type);
      expect(longPacketTypeBits(QUIC_VERSION_1, type)).toBe(type);
    }
    expect(() => longPacketTypeBits(QUIC_VERSION_1, PacketType.ONE_RTT)).toThrow(RangeError);
    expect(packetTypeName(PacketType.ZERO_RTT)).toBe('0RTT');
  });
});

describe('parsePacketHeader drop rules', () => {
  const out = new PacketHeader();

  it('drops long headers with a connection ID over 20 bytes for v1/v2 (RFC 9000 §17.2)', () => {
    const w = new ByteWriter(new Uint8Array(100));
    w.u8(0xc0).u32(QUIC_VERSION_1).u8(21).bytes(new Uint8Array(21)).u8(0).u8(0).u8(1).u8(0);
    expect(parsePacketHeader(w.buf, 0, w.pos, 8, out)).toBe(HeaderStatus.CID_TOO_LONG);
  });

  it('reads the invariant fields of an unsupported version, even with long CIDs (RFC 8999 §5.1)', () => {
    const w = new ByteWriter(new Uint8Array(1200));
    w.u8(0xc0).u32(0x1a2a3a4a).u8(30).fill(7, 30).u8(25).fill(9, 25);
    expect(parsePacketHeader(w.buf, 0, 1200, 8, out)).toBe(HeaderStatus.UNSUPPORTED_VERSION);
    expect(out.version).toBe(0x1a2a3a4a);
    expect(out.dcidLength).toBe(30);
    expect(out.scidLength).toBe(25);
    expect(out.scid[0]).toBe(9);
  });

  it('drops a cleared fixed bit unless grease_quic_bit was advertised (RFC 9000 §17.2, RFC 9287 §3)', () => {
    const short = hex('02 0102030405060708 aa bb');
    expect(parsePacketHeader(short, 0, short.length, 8, out)).toBe(HeaderStatus.FIXED_BIT_CLEAR);
    expect(parsePacketHeader(short, 0, short.length, 8, out, { acceptClearedFixedBit: true })).toBe(HeaderStatus.OK);
    expect(out.fixedBit).toBe(false);
    const w = new ByteWriter(new Uint8Array(64));
    const lo = writeLongHeader(
      w,
      PacketType.HANDSHAKE,
      QUIC_VERSION_1,
      hex('01'),
      hex('02'),
      new Uint8Array(0),
      0,
      1,
      false,
    );
    w.fill(0, 20);
    patchLongHeaderLength(w.buf, lo, w.pos);
    expect(parsePacketHeader(w.buf, 0, w.pos, 1, out)).toBe(HeaderStatus.FIXED_BIT_CLEAR);
    expect(parsePacketHeader(w.buf, 0, w.pos, 1, out, { acceptClearedFixedBit: true })).toBe(HeaderStatus.OK);
  });

  it('drops a Retry with an empty token (RFC 9000 §17.2.5.2)', () => {
    const w = new ByteWriter(new Uint8Array(64));
    w.u8(0xf0).u32(QUIC_VERSION_1).u8(0).u8(1).u8(5).fill(0, 16);
    expect(parsePacketHeader(w.buf, 0, w.pos, 0, out)).toBe(HeaderStatus.EMPTY_RETRY_TOKEN);
  });

  it('every truncation of a long-header packet is TRUNCATED, never a throw', () => {
    const packet = withPayload(hex(fixtures.rfc9001.client_initial.unprotected_header), 1182, 4);
    for (let n = 0; n < packet.length; n++) {
      expect(parsePacketHeader(packet, 0, n, 8, out)).toBe(HeaderStatus.TRUNCATED);
    }
    const retry = hex(fixtures.rfc9001.retry.retry_packet);
    const minimum = retry.length - 5 + 1; // header + a 1-byte token + tag
    for (let n = 0; n < minimum - 1; n++) {
      expect(parsePacketHeader(retry, 0, n, 8, out)).not.toBe(HeaderStatus.OK);
    }
  });

  it('a short header needs the DCID and at least one packet-number byte', () => {
    const p = hex('40 0102030405060708 01');
    for (let n = 0; n < p.length; n++) expect(parsePacketHeader(p, 0, n, 8, out)).toBe(HeaderStatus.TRUNCATED);
    expect(parsePacketHeader(p, 0, p.length, 8, out)).toBe(HeaderStatus.OK);
  });
});

describe('header round trips (fast-check)', () => {
  const cid = fc.uint8Array({ minLength: 0, maxLength: 20 });
  const pnLength = fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4);

  it('writeLongHeader → parsePacketHeader', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(PacketType.INITIAL, PacketType.ZERO_RTT, PacketType.HANDSHAKE),
        fc.constantFrom(QUIC_VERSION_1, QUIC_VERSION_2),
        cid,
        cid,
        fc.uint8Array({ maxLength: 100 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        pnLength,
        fc.integer({ min: 20, max: 1400 }),
        fc.integer({ min: 0, max: 50 }),
        (type, version, dcid, scid, tokenIn, pn, pnLen, payloadLength, trailing) => {
          const token = type === PacketType.INITIAL ? tokenIn : new Uint8Array(0);
          const buf = new Uint8Array(2000);
          const w = new ByteWriter(buf, 3); // not at offset 0
          const lengthOffset = writeLongHeader(w, type, version, dcid, scid, token, pn, pnLen);
          expect(w.pos - 3).toBe(longHeaderLength(type, dcid.length, scid.length, token.length, pnLen));
          const packetEnd = lengthOffset + 2 + payloadLength;
          patchLongHeaderLength(buf, lengthOffset, packetEnd);
          const out = new PacketHeader();
          expect(parsePacketHeader(buf, 3, packetEnd + trailing, 8, out)).toBe(HeaderStatus.OK);
          expect(out.type).toBe(type);
          expect(out.version).toBe(version);
          expect(toHex(out.dcid)).toBe(toHex(dcid));
          expect(toHex(out.scid)).toBe(toHex(scid));
          expect(toHex(out.token)).toBe(toHex(token));
          expect(out.pnOffset).toBe(lengthOffset + 2);
          expect(out.packetEnd).toBe(packetEnd);
          expect(out.payloadLength).toBe(payloadLength);
          expect(packetNumberLengthBits(out.firstByte)).toBe(pnLen);
          expect(reservedBits(out.firstByte, true)).toBe(0);
          expect(readPacketNumber(buf, out.pnOffset, pnLen)).toBe(pn % 2 ** (8 * pnLen));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('writeShortHeader → parsePacketHeader', () => {
    fc.assert(
      fc.property(
        cid,
        fc.integer({ min: 0, max: 2 ** 40 }),
        pnLength,
        fc.constantFrom<0 | 1>(0, 1),
        fc.boolean(),
        (dcid, pn, pnLen, keyPhase, spin) => {
          const buf = new Uint8Array(100);
          const w = new ByteWriter(buf);
          const pnOffset = writeShortHeader(w, dcid, pn, pnLen, keyPhase, spin);
          expect(w.pos).toBe(shortHeaderLength(dcid.length, pnLen));
          w.fill(0xee, 20);
          const out = new PacketHeader();
          expect(parsePacketHeader(buf, 0, w.pos, dcid.length, out)).toBe(HeaderStatus.OK);
          expect(out.pnOffset).toBe(pnOffset);
          expect(toHex(out.dcid)).toBe(toHex(dcid));
          expect(out.spinBit).toBe(spin);
          expect(keyPhaseBit(out.firstByte)).toBe(keyPhase);
          expect(packetNumberLengthBits(out.firstByte)).toBe(pnLen);
          expect(reservedBits(out.firstByte, false)).toBe(0);
          expect(readPacketNumber(buf, pnOffset, pnLen)).toBe(pn % 2 ** (8 * pnLen));
          expect(out.packetEnd).toBe(w.pos);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random datagrams never throw and keep every offset inside the datagram', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 20 }), (bytes, dcidLength) => {
        const out = new PacketHeader();
        const status = parsePacketHeader(bytes, 0, bytes.length, dcidLength, out);
        expect(out.status).toBe(status);
        if (status === HeaderStatus.OK) {
          expect(out.packetEnd).toBeLessThanOrEqual(bytes.length);
          expect(out.dcidOffset + out.dcidLength).toBeLessThanOrEqual(bytes.length);
          expect(out.scidOffset + out.scidLength).toBeLessThanOrEqual(bytes.length);
          expect(out.tokenOffset + out.tokenLength).toBeLessThanOrEqual(out.packetEnd);
          if (out.pnOffset >= 0) expect(out.pnOffset).toBeLessThan(out.packetEnd + 1);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses to write what peers must drop', () => {
    const w = new ByteWriter(new Uint8Array(100));
    expect(() =>
      writeLongHeader(
        w,
        PacketType.HANDSHAKE,
        QUIC_VERSION_1,
        new Uint8Array(21),
        new Uint8Array(0),
        new Uint8Array(0),
        0,
        1,
      ),
    ).toThrow(RangeError);
    expect(() =>
      writeLongHeader(w, PacketType.HANDSHAKE, QUIC_VERSION_1, new Uint8Array(1), new Uint8Array(0), hex('aa'), 0, 1),
    ).toThrow(RangeError);
    expect(() =>
      writeLongHeader(
        w,
        PacketType.RETRY,
        QUIC_VERSION_1,
        new Uint8Array(1),
        new Uint8Array(0),
        new Uint8Array(0),
        0,
        1,
      ),
    ).toThrow(RangeError);
    expect(() => patchLongHeaderLength(new Uint8Array(20000), 0, 16400)).toThrow(RangeError);
  });
});
