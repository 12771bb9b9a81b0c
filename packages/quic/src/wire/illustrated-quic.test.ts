// Known-answer tests against a real QUIC v1 connection: the illustrated-quic capture (syncsynchalt/illustrated-quic,
// MIT). It is third-party data and is NOT in this repository: the tests read it from ../shared/vectors (relative to
// the repository root) and are skipped, with the reason below, when it is absent.
import { readPacketNumber } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { CoalescedPacketIterator } from './coalesced-packets.js';
import type { Frame } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { FrameType } from './frame-type.js';
import {
  HeaderStatus,
  keyPhaseBit,
  PacketHeader,
  packetNumberLengthBits,
  parsePacketHeader,
  reservedBits,
} from './packet-header.js';
import { PacketType } from './packet-type.js';
import { tlsExtension } from './test-support/tls-extensions.js';
import { HAS_ILLUSTRATED_QUIC, ILLUSTRATED_QUIC_DIR, readCap, toHex } from './test-support/vectors.js';
import { decodeTransportParameters } from './transport-parameters-codec.js';
import { QUIC_VERSION_1 } from './versions.js';

const SKIP_REASON = `illustrated-quic capture not found at ${ILLUSTRATED_QUIC_DIR} (third-party data, never copied into the repo)`;
if (!HAS_ILLUSTRATED_QUIC) console.warn(`skipping illustrated-quic known-answer tests: ${SKIP_REASON}`);

/** Short-header DCIDs in this capture are 5 bytes ("c_cid" / "s_cid"). */
const CID_LENGTH = 5;
const TYPES: Record<string, PacketType> = {
  init: PacketType.INITIAL,
  hand: PacketType.HANDSHAKE,
  data: PacketType.ONE_RTT,
};

// Datagram → packets, as listed in the capture's README.
const DATAGRAMS: [string, string[]][] = [
  ['dgram01_c01', ['01_cinit0']],
  ['dgram02_s01', ['02_sinit0', '03_shand0']],
  ['dgram03_s02', ['04_shand1']],
  ['dgram04_c02', ['05_cinit1', '06_chand0']],
  ['dgram05_c03', ['07_chand1', '08_cdata0']],
  ['dgram06_s03', ['09_shand2', '10_sdata0']],
  ['dgram07_c04', ['11_cdata1']],
  ['dgram08_s04', ['12_sdata1']],
];

function packetInfo(name: string): { type: PacketType; pn: number; sender: 'client' | 'server' } {
  const m = /^\d\d_([cs])(init|hand|data)(\d+)$/.exec(name);
  if (!m) throw new Error(name);
  return { type: TYPES[m[2]], pn: Number(m[3]), sender: m[1] === 'c' ? 'client' : 'server' };
}

function framesOf(name: string): Frame[] {
  const { type, sender } = packetInfo(name);
  const payload = readCap(`pkt_payload${name}`);
  const reader = new FrameReader().reset(payload, 0, payload.length, type, sender);
  const out: Frame[] = [];
  // Frames are reused by the reader: copy what we keep.
  for (let f = reader.next(); f !== null; f = reader.next()) out.push(structuredClone(f));
  return out;
}

describe.skipIf(!HAS_ILLUSTRATED_QUIC)('illustrated-quic capture: packets', () => {
  it.each(DATAGRAMS)('%s splits into its coalesced packets', (dgram, names) => {
    const datagram = readCap(dgram);
    const it = new CoalescedPacketIterator().reset(datagram, 0, datagram.length, CID_LENGTH);
    const header = new PacketHeader();
    for (const name of names) {
      expect(it.next(header)).toBe(true);
      expect(header.status).toBe(HeaderStatus.OK);
      const { type } = packetInfo(name);
      expect(header.type).toBe(type);
      if (header.isLong) expect(header.version).toBe(QUIC_VERSION_1);
      // The protected packet file is exactly this span of the datagram (plus, for padded client datagrams, the
      // zero bytes after the last packet, which the iterator leaves out).
      const pkt = readCap(`pkt${name}`);
      const span = datagram.subarray(header.packetStart, header.packetEnd);
      expect(toHex(pkt.subarray(0, span.length))).toBe(toHex(span));
      expect(pkt.subarray(span.length).every((b) => b === 0)).toBe(true);
    }
    const lastEnd = header.packetEnd;
    expect(it.next(header)).toBe(false);
    expect(it.ignoredBytes).toBe(datagram.length - lastEnd);
  });

  it.each(DATAGRAMS.flatMap(([, names]) => names))(
    'pkt_unprot%s: first byte and packet number in the clear',
    (name) => {
      const { type, pn } = packetInfo(name);
      const packet = readCap(`pkt_unprot${name}`);
      const header = new PacketHeader();
      expect(parsePacketHeader(packet, 0, packet.length, CID_LENGTH, header)).toBe(HeaderStatus.OK);
      expect(header.type).toBe(type);
      const pnLength = packetNumberLengthBits(header.firstByte);
      expect(readPacketNumber(packet, header.pnOffset, pnLength)).toBe(pn);
      expect(reservedBits(header.firstByte, header.isLong)).toBe(0);
      if (!header.isLong) expect(keyPhaseBit(header.firstByte)).toBe(0);
      if (type === PacketType.INITIAL && name.includes('_c')) {
        expect(toHex(header.dcid)).toBe(
          name === '01_cinit0' ? '0001020304050607' : toHex(new TextEncoder().encode('s_cid')),
        );
      }
    },
  );
});

describe.skipIf(!HAS_ILLUSTRATED_QUIC)('illustrated-quic capture: frames', () => {
  const crypto = (name: string): Uint8Array[] =>
    framesOf(name).flatMap((f) => (f.type === FrameType.CRYPTO ? [f.data] : []));
  const concat = (parts: Uint8Array[]): string => parts.map(toHex).join('');

  it('CRYPTO frames carry the TLS messages of the capture, at the right offsets', () => {
    expect(concat(crypto('01_cinit0'))).toBe(toHex(readCap('crypto_clienthello')));
    expect(concat(crypto('02_sinit0'))).toBe(toHex(readCap('crypto_serverhello')));
    const serverFlight = ['crypto_extensions', 'crypto_cert', 'crypto_certverify', 'crypto_s_finished'];
    expect(concat([...crypto('03_shand0'), ...crypto('04_shand1')])).toBe(
      serverFlight.map((f) => toHex(readCap(f))).join(''),
    );
    expect(concat(crypto('07_chand1'))).toBe(toHex(readCap('crypto_c_finished')));
    const second = framesOf('04_shand1')[0];
    expect(second.type === FrameType.CRYPTO && second.offset).toBe(1023);
  });

  it('ACK, STREAM, HANDSHAKE_DONE and CONNECTION_CLOSE frames decode as the README describes', () => {
    const text = (b: Uint8Array): string => new TextDecoder().decode(b);
    const [ack, done, pong] = framesOf('10_sdata0');
    expect(ack.type === FrameType.ACK && ack.ranges.slice(0, 2 * ack.rangeCount)).toEqual([0, 0]);
    expect(done.type).toBe(FrameType.HANDSHAKE_DONE);
    expect(pong.type === FrameType.STREAM && [pong.streamId, pong.offset, pong.fin, text(pong.data)]).toEqual([
      0,
      0,
      true,
      'pong',
    ]);
    const [ping] = framesOf('08_cdata0');
    expect(ping.type === FrameType.STREAM && [ping.streamId, ping.fin, text(ping.data)]).toEqual([0, true, 'ping']);
    const [handshakeAck] = framesOf('07_chand1');
    expect(handshakeAck.type === FrameType.ACK && handshakeAck.ranges.slice(0, 2)).toEqual([1, 0]);
    const [close] = framesOf('12_sdata1');
    expect(close.type).toBe(FrameType.CONNECTION_CLOSE);
    if (close.type === FrameType.CONNECTION_CLOSE) {
      expect([close.isApplication, close.errorCode, close.frameType, text(close.reason)]).toEqual([
        false,
        0,
        0,
        'graceful shutdown',
      ]);
    }
    for (const [, names] of DATAGRAMS) for (const name of names) expect(framesOf(name).length).toBeGreaterThan(0);
  });

  it('the transport parameters in the ClientHello and EncryptedExtensions decode', () => {
    const client = decodeTransportParameters(tlsExtension(readCap('crypto_clienthello')) as Uint8Array, 'client');
    expect(new TextDecoder().decode(client.initialSourceConnectionId)).toBe('c_cid');
    expect([client.maxUdpPayloadSize, client.initialMaxData, client.initialMaxStreamsBidi]).toEqual([
      65527, 10485760, 10,
    ]);
    const server = decodeTransportParameters(tlsExtension(readCap('crypto_extensions')) as Uint8Array, 'server');
    expect(toHex(server.originalDestinationConnectionId as Uint8Array)).toBe('0001020304050607');
    expect(new TextDecoder().decode(server.initialSourceConnectionId)).toBe('s_cid');
    expect([server.maxIdleTimeoutMs, server.initialMaxData, server.initialMaxStreamDataBidiLocal]).toEqual([
      120000, 5242880, 524288,
    ]);
  });
});
