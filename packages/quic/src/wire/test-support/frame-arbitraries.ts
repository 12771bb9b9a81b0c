// Test-only: fast-check generators of valid frames, and a normal form to compare frames by value.
import fc from 'fast-check';
import type { AckFrame, Frame } from '../frame.js';
import { FrameType } from '../frame-type.js';
import { toHex } from './vectors.js';

/** Varint values, biased to every encoding length (RFC 9000 §16), kept within exact doubles. */
export const varint = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: 0, max: 63 }),
    fc.integer({ min: 64, max: 16383 }),
    fc.integer({ min: 16384, max: 2 ** 30 - 1 }),
    fc.integer({ min: 2 ** 30, max: Number.MAX_SAFE_INTEGER }),
  );

const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });

export const ackFrame = (): fc.Arbitrary<AckFrame> =>
  fc
    .record({
      largest: fc.integer({ min: 0, max: 2 ** 40 }),
      first: fc.integer({ min: 0, max: 1000 }),
      more: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 5000 }), len: fc.integer({ min: 0, max: 5000 }) }), {
        maxLength: 20,
      }),
      ackDelay: varint(),
      ecn: fc.option(fc.record({ ect0: varint(), ect1: varint(), ce: varint() }), { nil: null }),
    })
    .map(({ largest, first, more, ackDelay, ecn }) => {
      const ranges = [largest, Math.max(0, largest - first)];
      let smallest = ranges[1];
      for (const { gap, len } of more) {
        const l = smallest - gap - 2;
        if (l < 0) break;
        const s = Math.max(0, l - len);
        ranges.push(l, s);
        smallest = s;
      }
      return { type: FrameType.ACK, ackDelay, rangeCount: ranges.length / 2, ranges, ecn };
    });

/** Any valid frame (STREAM offset + length within 2^53, stream counts within 2^60). */
export const anyFrame = (): fc.Arbitrary<Frame> =>
  fc.oneof(
    fc.integer({ min: 1, max: 64 }).map((length): Frame => ({ type: FrameType.PADDING, length })),
    fc.constant<Frame>({ type: FrameType.PING }),
    ackFrame(),
    fc
      .record({ streamId: varint(), applicationErrorCode: varint(), finalSize: varint() })
      .map((f): Frame => ({ type: FrameType.RESET_STREAM, ...f })),
    fc
      .record({ streamId: varint(), applicationErrorCode: varint() })
      .map((f): Frame => ({ type: FrameType.STOP_SENDING, ...f })),
    fc
      .record({ offset: fc.integer({ min: 0, max: 2 ** 52 }), data: bytes(0, 300) })
      .map((f): Frame => ({ type: FrameType.CRYPTO, ...f })),
    bytes(1, 200).map((token): Frame => ({ type: FrameType.NEW_TOKEN, token })),
    fc
      .record({
        streamId: varint(),
        offset: fc.integer({ min: 0, max: 2 ** 52 }),
        fin: fc.boolean(),
        data: bytes(0, 300),
      })
      .map((f): Frame => ({ type: FrameType.STREAM, ...f })),
    varint().map((maximumData): Frame => ({ type: FrameType.MAX_DATA, maximumData })),
    fc
      .record({ streamId: varint(), maximumStreamData: varint() })
      .map((f): Frame => ({ type: FrameType.MAX_STREAM_DATA, ...f })),
    fc
      .record({ bidirectional: fc.boolean(), maximumStreams: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) })
      .map((f): Frame => ({ type: FrameType.MAX_STREAMS, ...f })),
    varint().map((maximumData): Frame => ({ type: FrameType.DATA_BLOCKED, maximumData })),
    fc
      .record({ streamId: varint(), maximumStreamData: varint() })
      .map((f): Frame => ({ type: FrameType.STREAM_DATA_BLOCKED, ...f })),
    fc
      .record({ bidirectional: fc.boolean(), maximumStreams: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) })
      .map((f): Frame => ({ type: FrameType.STREAMS_BLOCKED, ...f })),
    fc
      .record({
        sequenceNumber: varint(),
        rpt: fc.double({ min: 0, max: 1, noNaN: true }),
        connectionId: bytes(1, 20),
        statelessResetToken: bytes(16, 16),
      })
      .map(
        ({ sequenceNumber, rpt, connectionId, statelessResetToken }): Frame => ({
          type: FrameType.NEW_CONNECTION_ID,
          sequenceNumber,
          retirePriorTo: Math.floor(sequenceNumber * rpt),
          connectionId,
          statelessResetToken,
        }),
      ),
    varint().map((sequenceNumber): Frame => ({ type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber })),
    bytes(8, 8).map((data): Frame => ({ type: FrameType.PATH_CHALLENGE, data })),
    bytes(8, 8).map((data): Frame => ({ type: FrameType.PATH_RESPONSE, data })),
    fc
      .record({ isApplication: fc.boolean(), errorCode: varint(), frameType: varint(), reason: bytes(0, 100) })
      .map((f): Frame => ({ type: FrameType.CONNECTION_CLOSE, ...f, frameType: f.isApplication ? 0 : f.frameType })),
    fc.constant<Frame>({ type: FrameType.HANDSHAKE_DONE }),
    bytes(0, 300).map((data): Frame => ({ type: FrameType.DATAGRAM, data })),
  );

/** A comparable normal form: byte fields as hex, ACK ranges cut to rangeCount, no shared-object identity. */
export function normalizeFrame(frame: Frame): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(frame)) {
    if (v instanceof Uint8Array) out[k] = toHex(v);
    else if (k === 'ranges') out[k] = (v as number[]).slice(0, 2 * (frame as AckFrame).rangeCount);
    else if (v && typeof v === 'object') out[k] = { ...v };
    else out[k] = v;
  }
  return out;
}
