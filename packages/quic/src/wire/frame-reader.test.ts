import { ByteWriter, TransportError, TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Frame } from './frame.js';
import { encodedLengthFrame, encodeFrame } from './frame-codec.js';
import { FrameReader } from './frame-reader.js';
import { FrameType, isFrameAllowedInPacket } from './frame-type.js';
import { PacketType } from './packet-type.js';
import { anyFrame, normalizeFrame } from './test-support/frame-arbitraries.js';
import { hex } from './test-support/vectors.js';

function payloadOf(frames: readonly Frame[], lastWithoutLength = false): Uint8Array {
  let size = 0;
  frames.forEach((f, i) => {
    size += encodedLengthFrame(f, !(lastWithoutLength && i === frames.length - 1));
  });
  const w = new ByteWriter(new Uint8Array(size));
  frames.forEach((f, i) => {
    encodeFrame(w, f, !(lastWithoutLength && i === frames.length - 1));
  });
  return w.buf;
}

function readAll(reader: FrameReader): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let f = reader.next(); f !== null; f = reader.next()) out.push(normalizeFrame(f));
  return out;
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransportError) return e.code;
    throw e;
  }
  return undefined;
}

describe('FrameReader', () => {
  it('iterates a 1-RTT payload (ACK + STREAM) and reports ack-elicitation', () => {
    const payload = hex('02 0a 00 00 00  0b 04 03 616263');
    const reader = new FrameReader().reset(payload, 0, payload.length, PacketType.ONE_RTT, 'server');
    expect(readAll(reader)).toEqual([
      { type: FrameType.ACK, ackDelay: 0, rangeCount: 1, ranges: [10, 10], ecn: null },
      { type: FrameType.STREAM, streamId: 4, offset: 0, fin: true, data: '616263' },
    ]);
    expect(reader.frameCount).toBe(2);
    expect(reader.ackEliciting).toBe(true);
    expect(reader.inFlight).toBe(true);
    expect(reader.probingOnly).toBe(false);
  });

  it('folds a run of PADDING into one frame and reuses its frame objects', () => {
    const payload = hex('06 00 01 ff 00000000 06 01 01 ee');
    const reader = new FrameReader().reset(payload, 0, payload.length, PacketType.INITIAL);
    const a = reader.next();
    expect(reader.frameType).toBe(FrameType.CRYPTO);
    const pad = reader.next();
    expect(pad).toEqual({ type: FrameType.PADDING, length: 4 });
    const b = reader.next();
    expect(b).toBe(a); // the same reused CryptoFrame object
    expect(b !== null && b.type === FrameType.CRYPTO && b.offset).toBe(1);
    expect(reader.next()).toBeNull();
    expect(reader.frameCount).toBe(3);
  });

  it('a packet of ACK and PADDING only is in flight but not ack-eliciting (RFC 9002 §2)', () => {
    const payload = hex('02 00 00 00 00 0000');
    const reader = new FrameReader().reset(payload, 0, payload.length, PacketType.HANDSHAKE);
    readAll(reader);
    expect(reader.ackEliciting).toBe(false);
    expect(reader.inFlight).toBe(true);
    const ackOnly = hex('02 00 00 00 00');
    readAll(reader.reset(ackOnly, 0, ackOnly.length, PacketType.HANDSHAKE));
    expect(reader.inFlight).toBe(false);
  });

  it('flags probing-only packets (RFC 9000 §9.1)', () => {
    const payload = hex('1a 0102030405060708 00 00');
    const reader = new FrameReader().reset(payload, 0, payload.length, PacketType.ONE_RTT);
    readAll(reader);
    expect(reader.probingOnly).toBe(true);
  });

  it('a packet without frames is a PROTOCOL_VIOLATION (RFC 9000 §12.4)', () => {
    const reader = new FrameReader().reset(new Uint8Array(4), 2, 2, PacketType.ONE_RTT);
    expect(codeOf(() => reader.next())).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });

  it('rejects frames not permitted in the packet type with PROTOCOL_VIOLATION (RFC 9000 §12.4, §12.5)', () => {
    const cases: [string, PacketType][] = [
      ['0b 04 01 61', PacketType.INITIAL], // STREAM in Initial
      ['1d 00 00', PacketType.HANDSHAKE], // application CONNECTION_CLOSE in Handshake
      ['02 00 00 00 00', PacketType.ZERO_RTT], // ACK in 0-RTT
      ['06 00 01 61', PacketType.ZERO_RTT], // CRYPTO in 0-RTT
      ['1e', PacketType.ZERO_RTT], // HANDSHAKE_DONE in 0-RTT
      ['10 01', PacketType.HANDSHAKE], // MAX_DATA in Handshake
    ];
    for (const [h, packetType] of cases) {
      const p = hex(h);
      const reader = new FrameReader().reset(p, 0, p.length, packetType);
      let err: TransportError | undefined;
      try {
        reader.next();
      } catch (e) {
        err = e as TransportError;
      }
      expect(err).toBeInstanceOf(TransportError);
      expect(err?.code).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
      expect(err?.frameType).toBe(p[0]);
    }
    // The transport CONNECTION_CLOSE is fine everywhere.
    const cc = hex('1c 0a 00 00');
    for (const t of [PacketType.INITIAL, PacketType.HANDSHAKE, PacketType.ZERO_RTT, PacketType.ONE_RTT]) {
      expect(new FrameReader().reset(cc, 0, cc.length, t).next()?.type).toBe(FrameType.CONNECTION_CLOSE);
    }
  });

  it('rejects NEW_TOKEN and HANDSHAKE_DONE from a client (RFC 9000 §19.7, §19.20)', () => {
    for (const h of ['07 01 aa', '1e']) {
      const p = hex(h);
      expect(codeOf(() => new FrameReader().reset(p, 0, p.length, PacketType.ONE_RTT, 'client').next())).toBe(
        TransportErrorCode.PROTOCOL_VIOLATION,
      );
      expect(new FrameReader().reset(p, 0, p.length, PacketType.ONE_RTT, 'server').next()).not.toBeNull();
    }
  });

  it('enforces max_datagram_frame_size (RFC 9221 §3)', () => {
    const p = hex('31 03 616263'); // 5 bytes in all
    expect(codeOf(() => new FrameReader().reset(p, 0, p.length, PacketType.ONE_RTT).next())).toBe(
      TransportErrorCode.PROTOCOL_VIOLATION,
    );
    expect(
      codeOf(() => new FrameReader({ maxDatagramFrameSize: 4 }).reset(p, 0, p.length, PacketType.ONE_RTT).next()),
    ).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
    const f = new FrameReader({ maxDatagramFrameSize: 5 }).reset(p, 0, p.length, PacketType.ONE_RTT).next();
    expect(f && normalizeFrame(f)).toEqual({ type: FrameType.DATAGRAM, data: '616263' });
  });

  it('maps truncation inside the payload to FRAME_ENCODING_ERROR with the frame type', () => {
    const p = hex('02 00 00 00 00 11 04');
    const reader = new FrameReader().reset(p, 0, p.length, PacketType.ONE_RTT);
    expect(reader.next()?.type).toBe(FrameType.ACK);
    let err: TransportError | undefined;
    try {
      reader.next();
    } catch (e) {
      err = e as TransportError;
    }
    expect(err?.code).toBe(TransportErrorCode.FRAME_ENCODING_ERROR);
    expect(err?.frameType).toBe(FrameType.MAX_STREAM_DATA);
  });

  it('round-trips random frame sequences permitted in a packet type (fast-check)', () => {
    const packetTypes = [PacketType.INITIAL, PacketType.HANDSHAKE, PacketType.ZERO_RTT, PacketType.ONE_RTT] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...packetTypes),
        fc.array(anyFrame(), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (packetType, all, lastOpen) => {
          const frames = all.filter((f) => {
            const t = f.type === FrameType.CONNECTION_CLOSE && f.isApplication ? 0x1d : f.type;
            return isFrameAllowedInPacket(t, packetType);
          });
          // Adjacent PADDING runs merge when parsed; keep at most one in a row.
          const cleaned = frames.filter(
            (f, i) => !(f.type === FrameType.PADDING && frames[i - 1]?.type === FrameType.PADDING),
          );
          if (cleaned.length === 0) return;
          const payload = payloadOf(cleaned, lastOpen);
          const reader = new FrameReader({ maxDatagramFrameSize: 65535 }).reset(payload, 0, payload.length, packetType);
          expect(readAll(reader)).toEqual(cleaned.map(normalizeFrame));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('random payloads end in frames or a TransportError, never another exception or a hang', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.constantFrom(PacketType.INITIAL, PacketType.HANDSHAKE, PacketType.ZERO_RTT, PacketType.ONE_RTT),
        (payload, packetType) => {
          const reader = new FrameReader({ maxDatagramFrameSize: 1200 }).reset(payload, 0, payload.length, packetType);
          let n = 0;
          try {
            while (reader.next() !== null) n++;
          } catch (e) {
            expect(e).toBeInstanceOf(TransportError);
          }
          expect(n).toBeLessThanOrEqual(payload.length);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
