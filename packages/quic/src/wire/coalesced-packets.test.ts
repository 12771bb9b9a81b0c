import { ByteWriter } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoalescedPacketIterator } from './coalesced-packets.js';
import { patchLongHeaderLength, writeLongHeader, writeShortHeader } from './packet-builder.js';
import { HeaderStatus, PacketHeader } from './packet-header.js';
import { PacketType } from './packet-type.js';
import { hex } from './test-support/vectors.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from './versions.js';

const DCID = hex('0102030405060708');
const SCID = hex('a1a2a3a4');
const EMPTY = new Uint8Array(0);

function long(w: ByteWriter, type: PacketType, payload: number, dcid = DCID, version = QUIC_VERSION_1): void {
  const lo = writeLongHeader(w, type, version, dcid, SCID, EMPTY, 7, 2);
  w.fill(0xab, payload);
  patchLongHeaderLength(w.buf, lo, w.pos);
}

function collect(buf: Uint8Array, end: number, it = new CoalescedPacketIterator()): PacketHeader[] {
  it.reset(buf, 0, end, DCID.length);
  const out: PacketHeader[] = [];
  for (let h = new PacketHeader(); it.next(h); h = new PacketHeader()) out.push(h);
  return out;
}

describe('CoalescedPacketIterator (RFC 9000 §12.2)', () => {
  it('splits Initial + Handshake + 1-RTT by their Length fields, without copying', () => {
    const w = new ByteWriter(new Uint8Array(1500));
    long(w, PacketType.INITIAL, 100);
    const handshakeStart = w.pos;
    long(w, PacketType.HANDSHAKE, 200);
    const shortStart = w.pos;
    writeShortHeader(w, DCID, 9, 2, 1, true);
    w.fill(0xcd, 50);
    const packets = collect(w.buf, w.pos);
    expect(packets.map((p) => p.type)).toEqual([PacketType.INITIAL, PacketType.HANDSHAKE, PacketType.ONE_RTT]);
    expect(packets[0].packetEnd).toBe(handshakeStart);
    expect(packets[1].packetStart).toBe(handshakeStart);
    expect(packets[1].packetEnd).toBe(shortStart);
    expect(packets[2].packetEnd).toBe(w.pos);
    expect(packets.every((p) => p.buf === w.buf)).toBe(true);
  });

  it('ignores trailing zero padding after the last long-header packet', () => {
    const w = new ByteWriter(new Uint8Array(1200));
    long(w, PacketType.INITIAL, 300);
    const end = w.pos;
    const it = new CoalescedPacketIterator();
    const packets = collect(w.buf, 1200, it);
    expect(packets).toHaveLength(1);
    expect(it.ignoredBytes).toBe(1200 - end);
  });

  it('ignores a following packet with a different DCID (RFC 9000 §12.2 SHOULD)', () => {
    const w = new ByteWriter(new Uint8Array(1500));
    long(w, PacketType.INITIAL, 100);
    const second = w.pos;
    long(w, PacketType.HANDSHAKE, 100, hex('0102030405060709'));
    long(w, PacketType.HANDSHAKE, 100);
    const it = new CoalescedPacketIterator();
    expect(collect(w.buf, w.pos, it)).toHaveLength(1);
    expect(it.ignoredBytes).toBe(w.pos - second);
  });

  it('reports a bad first packet and stops', () => {
    const w = new ByteWriter(new Uint8Array(1200));
    w.u8(0xc0).u32(0x0a1a2a3a).u8(8).bytes(DCID).u8(0);
    const packets = collect(w.buf, 1200);
    expect(packets).toHaveLength(1);
    expect(packets[0].status).toBe(HeaderStatus.UNSUPPORTED_VERSION);
  });

  it('keeps going past a packet whatever the transport does with it (offsets only)', () => {
    // Three Handshake packets; the iterator does not care whether the middle one decrypts.
    const w = new ByteWriter(new Uint8Array(1500));
    for (let i = 0; i < 3; i++) long(w, PacketType.HANDSHAKE, 60 + i, DCID, QUIC_VERSION_2);
    const packets = collect(w.buf, w.pos);
    expect(packets.map((p) => p.payloadLength)).toEqual([62, 63, 64]);
    expect(packets.every((p) => p.version === QUIC_VERSION_2)).toBe(true);
  });

  it('random datagrams: never throws, packets tile the datagram in order (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const it = new CoalescedPacketIterator().reset(bytes, 0, bytes.length, 8);
        const h = new PacketHeader();
        let expectedStart = 0;
        let count = 0;
        while (it.next(h)) {
          expect(h.packetStart).toBe(expectedStart);
          expect(h.packetEnd).toBeLessThanOrEqual(bytes.length);
          if (h.status === HeaderStatus.OK) expect(h.packetEnd).toBeGreaterThan(h.packetStart);
          expectedStart = h.packetEnd;
          count++;
          expect(count).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('mutated valid datagrams: never throws, every reported packet stays inside the datagram (fast-check)', () => {
    const w = new ByteWriter(new Uint8Array(1200));
    long(w, PacketType.INITIAL, 100);
    long(w, PacketType.HANDSHAKE, 200);
    writeShortHeader(w, DCID, 9, 2, 1, true);
    w.fill(0xcd, 50);
    const valid = w.buf.slice(0, w.pos);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (edits) => {
          const bytes = valid.slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const it = new CoalescedPacketIterator().reset(bytes, 0, bytes.length, DCID.length);
          const h = new PacketHeader();
          let count = 0;
          while (it.next(h)) {
            expect(h.packetEnd).toBeLessThanOrEqual(bytes.length);
            expect(++count).toBeLessThanOrEqual(3);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
