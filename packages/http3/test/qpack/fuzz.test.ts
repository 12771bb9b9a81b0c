// Property tests across the whole QPACK exchange: random header lists round-trip through our encoder and decoder
// under random capacities, blocked-stream limits, delivery order, acknowledgment timing and cancellations; random and
// mutated encoder-stream, decoder-stream and field-section bytes yield a QPACK error or a valid result, never another
// exception, and memory stays bounded.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QpackDecoder, QpackEncoder, QpackError, QpackErrorCode } from '../../src/qpack/index.js';

const NAMES = [
  ':method',
  ':path',
  ':authority',
  'accept',
  'cookie',
  'user-agent',
  'x-trace',
  'x-a',
  'authorization',
  'etag',
];
const VALUES = ['GET', '/', '/index.html', 'example.com', '*/*', 'a=1', 'session=0123456789abcdef0123', 'v', ''];

const byteString = (maxLength: number): fc.Arbitrary<string> =>
  fc.uint8Array({ maxLength }).map((b) => Buffer.from(b).toString('latin1'));
const fieldName = fc.oneof(fc.constantFrom(...NAMES), byteString(12));
const fieldValue = fc.oneof(fc.constantFrom(...VALUES), byteString(60), byteString(400));
const headerList = fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 12 }).map((pairs) => pairs.flat());

type Action =
  | { kind: 'encode'; list: string[] }
  | { kind: 'deliver-encoder'; split: number }
  | { kind: 'deliver-section'; pick: number }
  | { kind: 'deliver-decoder' }
  | { kind: 'drop-decoder' }
  | { kind: 'cancel'; pick: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: headerList.map((list) => ({ kind: 'encode' as const, list })) },
  { weight: 3, arbitrary: fc.nat(1000).map((split) => ({ kind: 'deliver-encoder' as const, split })) },
  { weight: 3, arbitrary: fc.nat(1000).map((pick) => ({ kind: 'deliver-section' as const, pick })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'deliver-decoder' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop-decoder' as const }) },
  { weight: 1, arbitrary: fc.nat(1000).map((pick) => ({ kind: 'cancel' as const, pick })) },
);

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

describe('QPACK exchange (fast-check)', () => {
  it('round-trips random header lists under random limits, ordering, acknowledgments and cancellations', () => {
    const seen = { decoded: 0, blocked: 0, cancelled: 0, dynamic: 0 };
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(0, 64, 256, 4096), fc.nat(5000)),
        fc.oneof(fc.constantFrom(0, 1, 100), fc.nat(5)),
        fc.array(action, { minLength: 10, maxLength: 120 }),
        (capacity, maxBlocked, actions) => {
          const encoder = new QpackEncoder({ maxTableCapacity: capacity, maxBlockedStreams: maxBlocked });
          const decoder = new QpackDecoder({
            maxTableCapacity: capacity,
            maxBlockedStreams: maxBlocked,
            maxFieldSectionSize: 1 << 20,
          });
          let encoderBytes: Uint8Array = new Uint8Array(0);
          let decoderBytes: Uint8Array = new Uint8Array(0);
          const inFlight: { streamId: number; bytes: Uint8Array }[] = [];
          const expected = new Map<number, string[]>();
          const cancelled = new Set<number>();
          let nextStream = 0;
          const check = (streamId: number, fields: string[]): void => {
            expect(fields).toEqual(expected.get(streamId));
            expected.delete(streamId);
          };
          const collect = (): void => {
            for (let r = decoder.pollUnblocked(); r !== undefined; r = decoder.pollUnblocked())
              check(r.streamId, r.fields);
            const out = decoder.pollDecoderStream();
            if (out !== undefined) decoderBytes = concat([decoderBytes, out]);
          };
          const deliverEncoder = (split: number): void => {
            const n = encoderBytes.length === 0 ? 0 : split % (encoderBytes.length + 1);
            decoder.handleEncoderStream(encoderBytes.subarray(0, n));
            encoderBytes = encoderBytes.slice(n);
            collect();
          };
          const deliverSection = (i: number): void => {
            const [s] = inFlight.splice(i, 1);
            const r = decoder.decodeFieldSection(s.streamId, s.bytes);
            if (r.status === 'done') check(s.streamId, r.fields);
            else seen.blocked++;
            if (r.requiredInsertCount > 0) seen.dynamic++;
            seen.decoded++;
            expect(decoder.blockedStreams).toBeLessThanOrEqual(maxBlocked);
            collect();
          };
          for (const a of actions) {
            switch (a.kind) {
              case 'encode': {
                const streamId = 4 * nextStream++;
                inFlight.push({ streamId, bytes: encoder.encodeFieldSection(streamId, a.list) });
                expected.set(streamId, a.list);
                const out = encoder.pollEncoderStream();
                if (out !== undefined) encoderBytes = concat([encoderBytes, out]);
                break;
              }
              case 'deliver-encoder':
                deliverEncoder(a.split);
                break;
              case 'deliver-section':
                if (inFlight.length > 0) deliverSection(a.pick % inFlight.length);
                break;
              case 'deliver-decoder':
                encoder.handleDecoderStream(decoderBytes);
                decoderBytes = new Uint8Array(0);
                break;
              case 'drop-decoder':
                // the decoder stream is reliable: model a long delay by delivering it later in pieces
                if (decoderBytes.length > 1) {
                  encoder.handleDecoderStream(decoderBytes.subarray(0, 1));
                  decoderBytes = decoderBytes.slice(1);
                }
                break;
              case 'cancel': {
                if (inFlight.length === 0) break;
                const [s] = inFlight.splice(a.pick % inFlight.length, 1);
                decoder.cancelStream(s.streamId);
                expected.delete(s.streamId);
                cancelled.add(s.streamId);
                seen.cancelled++;
                collect();
                break;
              }
            }
            const t = decoder.tableSnapshot();
            expect(t.size).toBeLessThanOrEqual(capacity);
          }
          // deliver everything that is left
          deliverEncoder(encoderBytes.length);
          while (inFlight.length > 0) deliverSection(0);
          collect();
          expect(expected.size).toBe(0);
          expect(decoder.blockedStreams).toBe(0);
          encoder.handleDecoderStream(decoderBytes);
          // both sides hold the same table, and no reference is left outstanding
          const enc = encoder.tableSnapshot();
          expect(decoder.tableSnapshot().entries).toEqual(
            enc.entries.map(({ index, name, value }) => ({ index, name, value })),
          );
          expect(enc.entries.every((e) => e.refs === 0)).toBe(true);
          expect(enc.blockingStreams).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
    // the runs did exercise the interesting paths
    expect(seen.decoded).toBeGreaterThan(1000);
    expect(seen.dynamic).toBeGreaterThan(100);
    expect(seen.blocked).toBeGreaterThan(10);
    expect(seen.cancelled).toBeGreaterThan(10);
  });
});

/** Valid traffic to mutate: encoder-stream bytes and field sections of a small exchange. */
function sampleTraffic(): { encoderStream: Uint8Array; sections: Uint8Array[] } {
  const encoder = new QpackEncoder({ maxTableCapacity: 512, maxBlockedStreams: 10 });
  const lists = [
    [':method', 'GET', ':path', '/a', ':authority', 'example.com', 'x-trace', 'abc', 'cookie', `s=${'q'.repeat(30)}`],
    [':method', 'GET', ':path', '/b', ':authority', 'example.com', 'x-trace', 'abc', 'cookie', `s=${'q'.repeat(30)}`],
    [':method', 'POST', ':path', '/b', ':authority', 'example.com', 'x-other', 'xyz', 'x-trace', 'abd'],
  ];
  const sections = lists.map((l, i) => encoder.encodeFieldSection(4 * i, l));
  return { encoderStream: encoder.pollEncoderStream()!, sections };
}

type Mutation = { flip: number; bit: number } | { truncate: number } | { insertAt: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ flip: fc.nat(10_000), bit: fc.nat(7) }),
  fc.record({ truncate: fc.nat(10_000) }),
  fc.record({ insertAt: fc.nat(10_000), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

function mutate(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let b: Uint8Array = Uint8Array.from(bytes);
  for (const m of ms) {
    if ('flip' in m) {
      if (b.length > 0) b[m.flip % b.length] ^= 1 << m.bit;
    } else if ('truncate' in m) {
      b = b.slice(0, m.truncate % (b.length + 1));
    } else {
      const at = m.insertAt % (b.length + 1);
      b = concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    }
  }
  return b;
}

function expectQpackErrorOrResult(f: () => void, codes: number[]): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QpackError);
    expect(codes).toContain((e as QpackError).code);
  }
}

describe('QPACK under hostile input (fast-check)', () => {
  const traffic = sampleTraffic();
  const { QPACK_DECOMPRESSION_FAILED, QPACK_ENCODER_STREAM_ERROR, QPACK_DECODER_STREAM_ERROR } = QpackErrorCode;

  it('mutated encoder-stream bytes: a QPACK_ENCODER_STREAM_ERROR or a consistent table', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat(100), (ms, split) => {
        const d = new QpackDecoder({ maxTableCapacity: 512, maxBlockedStreams: 10 });
        const bytes = mutate(traffic.encoderStream, ms);
        const cut = split % (bytes.length + 1);
        expectQpackErrorOrResult(() => {
          d.handleEncoderStream(bytes.subarray(0, cut));
          d.handleEncoderStream(bytes.subarray(cut));
        }, [QPACK_ENCODER_STREAM_ERROR]);
        const t = d.tableSnapshot();
        expect(t.size).toBeLessThanOrEqual(t.capacity);
        // a partial instruction is buffered only up to what an entry of the capacity can need
        const pending = (d as unknown as { pending: { length: number } }).pending.length;
        expect(pending).toBeLessThanOrEqual(4 * 512 + 64);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated field sections: a QPACK_DECOMPRESSION_FAILED or a decoded / blocked section', () => {
    fc.assert(
      fc.property(
        fc.nat(2),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (which, ms, withTable) => {
          const d = new QpackDecoder({ maxTableCapacity: 512, maxBlockedStreams: 2, maxFieldSectionSize: 8192 });
          if (withTable) d.handleEncoderStream(traffic.encoderStream);
          expectQpackErrorOrResult(() => {
            d.decodeFieldSection(4, mutate(traffic.sections[which], ms));
            d.handleEncoderStream(traffic.encoderStream.subarray(0, 0));
          }, [QPACK_DECOMPRESSION_FAILED]);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random decoder-stream bytes: a QPACK_DECODER_STREAM_ERROR or updated acknowledgment state', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 5 }), (chunks) => {
        const e = new QpackEncoder({ maxTableCapacity: 512, maxBlockedStreams: 10 });
        for (let i = 0; i < 3; i++) e.encodeFieldSection(i, [':path', '/x', 'x-a', 'b', 'x-c', `d${i}`]);
        expectQpackErrorOrResult(() => {
          for (const c of chunks) e.handleDecoderStream(c);
        }, [QPACK_DECODER_STREAM_ERROR]);
        const t = e.tableSnapshot();
        expect(t.knownReceivedCount).toBeLessThanOrEqual(t.insertCount);
        expect(t.entries.every((x) => x.refs >= 0)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('random field sections and encoder-stream bytes on a fresh decoder: only QPACK errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (enc, section) => {
        const d = new QpackDecoder({ maxTableCapacity: 4096, maxBlockedStreams: 4, maxFieldSectionSize: 4096 });
        expectQpackErrorOrResult(() => d.handleEncoderStream(enc), [QPACK_ENCODER_STREAM_ERROR]);
        expectQpackErrorOrResult(() => d.decodeFieldSection(0, section), [QPACK_DECOMPRESSION_FAILED]);
      }),
      { numRuns: 3000 },
    );
  });
});
