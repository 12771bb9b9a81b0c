import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink.js';
import {
  type DecoderInstruction,
  parseDecoderInstructions,
  readDecoderInstruction,
  writeDecoderInstruction,
} from './decoder-instructions.js';
import { QpackDecoderStreamError } from './errors.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const encode = (list: DecoderInstruction[]): Uint8Array => {
  const out = new ByteSink();
  for (const i of list) writeDecoderInstruction(out, i);
  return out.take() ?? new Uint8Array(0);
};

const instruction: fc.Arbitrary<DecoderInstruction> = fc.oneof(
  fc.record({ type: fc.constant('section-acknowledgment' as const), streamId: fc.maxSafeNat() }),
  fc.record({ type: fc.constant('stream-cancellation' as const), streamId: fc.maxSafeNat() }),
  fc.record({ type: fc.constant('insert-count-increment' as const), increment: fc.maxSafeNat() }),
);

describe('decoder instructions (RFC 9204 §4.4)', () => {
  it('parses the RFC 9204 Appendix B blocks', () => {
    expect(parseDecoderInstructions(hex('84'))).toEqual([{ type: 'section-acknowledgment', streamId: 4 }]);
    expect(parseDecoderInstructions(hex('01'))).toEqual([{ type: 'insert-count-increment', increment: 1 }]);
    expect(parseDecoderInstructions(hex('48'))).toEqual([{ type: 'stream-cancellation', streamId: 8 }]);
    expect(encode([{ type: 'section-acknowledgment', streamId: 4 }])).toEqual(hex('84'));
  });

  it('reports every truncation as incomplete', () => {
    const bytes = encode([{ type: 'section-acknowledgment', streamId: 1_000_000 }]);
    expect(bytes.length).toBe(4);
    for (let n = 1; n < bytes.length; n++) {
      const c = { buf: bytes.subarray(0, n), pos: 0, end: n };
      expect(readDecoderInstruction(c, { value: 0 })).toBe(0);
      expect(c.pos).toBe(0);
      expect(() => parseDecoderInstructions(bytes.subarray(0, n))).toThrow(QpackDecoderStreamError);
    }
  });

  it('round-trips encode → parse (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(instruction, { maxLength: 10 }), (list) => {
        expect(parseDecoderInstructions(encode(list))).toEqual(list);
      }),
    );
  });

  it('rejects integers beyond our limit with QPACK_DECODER_STREAM_ERROR', () => {
    try {
      parseDecoderInstructions(hex('ff80ffffffffffffff7f'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(QpackDecoderStreamError);
      expect((e as QpackDecoderStreamError).code).toBe(0x202);
    }
  });
});
