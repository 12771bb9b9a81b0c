import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink.js';
import {
  type EncoderInstruction,
  EncoderInstructionFields,
  EncoderInstructionKind,
  NEED_MORE,
  parseEncoderInstructions,
  READ_ONE,
  readEncoderInstruction,
  writeEncoderInstruction,
} from './encoder-instructions.js';
import { QpackEncoderStreamError, QpackErrorCode } from './errors.js';
import type { QpackCursor } from './prefixed-int.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const encode = (list: EncoderInstruction[], huffman = true): Uint8Array => {
  const out = new ByteSink();
  for (const i of list) writeEncoderInstruction(out, i, huffman);
  return out.take() ?? new Uint8Array(0);
};
const codeOf = (f: () => unknown): number | undefined => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QpackEncoderStreamError);
    return (e as QpackEncoderStreamError).code;
  }
  return undefined;
};

// RFC 9204 Appendix B.2-B.5 encoder-stream blocks
const KNOWN: [string, EncoderInstruction[]][] = [
  [
    '3fbd01c00f7777772e6578616d706c652e636f6dc10c2f73616d706c652f70617468',
    [
      { type: 'set-dynamic-table-capacity', capacity: 220 },
      { type: 'insert-with-name-reference', isStatic: true, nameIndex: 0, value: 'www.example.com' },
      { type: 'insert-with-name-reference', isStatic: true, nameIndex: 1, value: '/sample/path' },
    ],
  ],
  [
    '4a637573746f6d2d6b65790c637573746f6d2d76616c7565',
    [{ type: 'insert-with-literal-name', name: 'custom-key', value: 'custom-value' }],
  ],
  ['02', [{ type: 'duplicate', index: 2 }]],
  [
    '810d637573746f6d2d76616c756532',
    [{ type: 'insert-with-name-reference', isStatic: false, nameIndex: 1, value: 'custom-value2' }],
  ],
];

const byteString = (maxLength: number): fc.Arbitrary<string> =>
  fc.uint8Array({ maxLength }).map((b) => Buffer.from(b).toString('latin1'));

const instruction: fc.Arbitrary<EncoderInstruction> = fc.oneof(
  fc.record({ type: fc.constant('set-dynamic-table-capacity' as const), capacity: fc.maxSafeNat() }),
  fc.record({
    type: fc.constant('insert-with-name-reference' as const),
    isStatic: fc.constant(true),
    nameIndex: fc.nat(98),
    value: byteString(80),
  }),
  fc.record({
    type: fc.constant('insert-with-name-reference' as const),
    isStatic: fc.constant(false),
    nameIndex: fc.nat(100_000),
    value: byteString(80),
  }),
  fc.record({
    type: fc.constant('insert-with-literal-name' as const),
    name: byteString(40),
    value: byteString(80),
  }),
  fc.record({ type: fc.constant('duplicate' as const), index: fc.nat(100_000) }),
);

describe('encoder instructions (RFC 9204 §4.3)', () => {
  it('parses the RFC 9204 Appendix B blocks', () => {
    for (const [bytes, list] of KNOWN) expect(parseEncoderInstructions(hex(bytes))).toEqual(list);
  });

  it('reports every truncation as incomplete, consuming nothing', () => {
    for (const [bytes] of KNOWN) {
      const all = hex(bytes);
      const f = new EncoderInstructionFields();
      for (let n = 1; n < all.length; n++) {
        const c: QpackCursor = { buf: all.subarray(0, n), pos: 0, end: n };
        let status = READ_ONE;
        while (c.pos < c.end && status === READ_ONE) status = readEncoderInstruction(c, f, 1 << 20, undefined);
        if (c.pos < n) expect(status).toBe(NEED_MORE);
        // as a complete (non-incremental) input it is an error
        if (n < all.length && parseEncoderInstructionsOk(all.subarray(0, n)) === false) {
          expect(codeOf(() => parseEncoderInstructions(all.subarray(0, n)))).toBe(
            QpackErrorCode.QPACK_ENCODER_STREAM_ERROR,
          );
        }
      }
    }
  });

  it('round-trips encode → parse, with and without Huffman (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(instruction, { maxLength: 8 }), fc.boolean(), (list, h) => {
        expect(parseEncoderInstructions(encode(list, h))).toEqual(list);
      }),
    );
  });

  it('rejects a static name index beyond the table as soon as it is read (§3.1)', () => {
    const f = new EncoderInstructionFields();
    const c: QpackCursor = { buf: hex('ff24'), pos: 0, end: 2 }; // static index 63 + 36 = 99, value missing
    expect(codeOf(() => readEncoderInstruction(c, f, 4096, undefined))).toBe(QpackErrorCode.QPACK_ENCODER_STREAM_ERROR);
  });

  it('rejects a relative name index outside the table (§2.2.3)', () => {
    const f = new EncoderInstructionFields();
    const c: QpackCursor = { buf: hex('8201'), pos: 0, end: 2 };
    const table = { insertCount: 2, dropped: 0 };
    expect(codeOf(() => readEncoderInstruction(c, f, 4096, undefined, table))).toBe(0x201);
    c.pos = 0;
    c.buf = hex('810161');
    c.end = 3;
    expect(readEncoderInstruction(c, f, 4096, undefined, table)).toBe(READ_ONE);
    expect(f.kind).toBe(EncoderInstructionKind.INSERT_NAME_REF);
  });

  it('rejects strings that cannot fit the capacity before they arrive (§3.2.2)', () => {
    const f = new EncoderInstructionFields();
    // Insert with literal name, name length 100 (raw), nothing after: the entry would exceed 64 bytes
    const c: QpackCursor = { buf: hex('5f45'), pos: 0, end: 2 };
    expect(codeOf(() => readEncoderInstruction(c, f, 64, undefined))).toBe(0x201);
    // a value length of 2^40 on a name reference
    const d: QpackCursor = { buf: hex('c07f818080808040'), pos: 0, end: 8 };
    expect(codeOf(() => readEncoderInstruction(d, f, 64, undefined))).toBe(0x201);
  });

  it('rejects integers beyond our limit and invalid Huffman strings', () => {
    expect(codeOf(() => parseEncoderInstructions(hex('3f80ffffffffffffff7f')))).toBe(0x201);
    expect(codeOf(() => parseEncoderInstructions(hex('c084ffffffff')))).toBe(0x201); // EOS in the value
  });

  it('never throws anything but QpackEncoderStreamError on arbitrary bytes (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          parseEncoderInstructions(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(QpackEncoderStreamError);
        }
      }),
    );
  });
});

function parseEncoderInstructionsOk(bytes: Uint8Array): boolean {
  try {
    parseEncoderInstructions(bytes);
    return true;
  } catch {
    return false;
  }
}
