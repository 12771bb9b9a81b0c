// Wire-layer micro-benchmarks: parse and encode a typical 1-RTT payload (ACK + STREAM) and a full-size STREAM
// packet, beside baselines measured in the same run (a plain 1200-byte copy, and the allocating parseFrame path).
// Run: npx vitest bench --run --project quic
import { ByteReader, ByteWriter } from '@fos/core';
import { bench, describe } from 'vitest';
import {
  type AckFrame,
  encodeAckFrame,
  encodeStreamFrame,
  FrameReader,
  FrameType,
  HeaderStatus,
  PacketHeader,
  PacketType,
  parseFrame,
  parsePacketHeader,
  type StreamFrame,
  streamFrameOverhead,
  writeShortHeader,
} from '../src/index.js';

const DCID = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const PACKET_SIZE = 1200;
const TAG = 16;

// A typical 1-RTT payload: an ACK with 3 ranges, then one STREAM frame filling the packet.
const ack: AckFrame = {
  type: FrameType.ACK,
  ackDelay: 1234,
  rangeCount: 3,
  ranges: [100_000, 99_990, 99_980, 99_970, 99_900, 99_850],
  ecn: null,
};
const data = new Uint8Array(1100).fill(0x61);
const stream: StreamFrame = { type: FrameType.STREAM, streamId: 4, offset: 1_234_567, fin: false, data };

const typicalPayload = new Uint8Array(PACKET_SIZE);
const typicalWriter = new ByteWriter(typicalPayload);
encodeAckFrame(typicalWriter, ack);
encodeStreamFrame(typicalWriter, stream);
const typicalLength = typicalWriter.pos;

// A full-size 1-RTT packet: short header, then one STREAM frame up to 1200 bytes with the AEAD tag.
const fullPacket = new Uint8Array(PACKET_SIZE);
const fullWriter = new ByteWriter(fullPacket);
writeShortHeader(fullWriter, DCID, 5000, 2, 0, false);
const room = PACKET_SIZE - TAG - fullWriter.pos;
const fullData = new Uint8Array(room - streamFrameOverhead(4, 1_234_567, room, false)).fill(0x62);
const fullStream: StreamFrame = { type: FrameType.STREAM, streamId: 4, offset: 1_234_567, fin: false, data: fullData };
encodeStreamFrame(fullWriter, fullStream, false);
const fullEnd = fullWriter.pos;

const reader = new FrameReader();
const header = new PacketHeader();
const out = new Uint8Array(PACKET_SIZE);
const writer = new ByteWriter(out);
const copyTarget = new Uint8Array(PACKET_SIZE);
let sink = 0;

describe('1-RTT payload: ACK (3 ranges) + STREAM (1100 B)', () => {
  bench('baseline: copy 1200 bytes (Uint8Array.set)', () => {
    copyTarget.set(typicalPayload);
    sink += copyTarget[7];
  });
  bench('parse: FrameReader (reused frames, views)', () => {
    reader.reset(typicalPayload, 0, typicalLength, PacketType.ONE_RTT, 'client');
    for (let f = reader.next(); f !== null; f = reader.next()) sink += f.type;
  });
  bench('parse: parseFrame (allocating, for comparison)', () => {
    const r = new ByteReader(typicalPayload, 0, typicalLength);
    while (!r.done) sink += parseFrame(r).type;
  });
  bench('encode: ACK + STREAM into a reused buffer', () => {
    writer.reset(out);
    encodeAckFrame(writer, ack);
    encodeStreamFrame(writer, stream);
    sink += writer.pos;
  });
});

describe('full-size 1-RTT packet: short header + STREAM to 1200 B', () => {
  bench('baseline: copy 1200 bytes (Uint8Array.set)', () => {
    copyTarget.set(fullPacket);
    sink += copyTarget[9];
  });
  bench('parse: header + frames', () => {
    if (parsePacketHeader(fullPacket, 0, fullEnd, DCID.length, header) !== HeaderStatus.OK) throw new Error('bad');
    // Header protection would be removed here; the packet number is 2 bytes.
    reader.reset(fullPacket, header.pnOffset + 2, fullEnd, PacketType.ONE_RTT, 'client');
    for (let f = reader.next(); f !== null; f = reader.next()) sink += f.type;
  });
  bench('encode: header + STREAM into a reused buffer', () => {
    writer.reset(out);
    writeShortHeader(writer, DCID, 5000, 2, 0, false);
    encodeStreamFrame(writer, fullStream, false);
    sink += writer.pos;
  });
});

if (sink === -1) console.log(sink);
