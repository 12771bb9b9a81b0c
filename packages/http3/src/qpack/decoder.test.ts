import { HashStringInterner } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink.js';
import { QpackDecoder } from './decoder.js';
import { parseDecoderInstructions } from './decoder-instructions.js';
import { type EncoderInstruction, writeEncoderInstruction } from './encoder-instructions.js';
import { FieldSectionTooLargeError, QpackError, QpackErrorCode } from './errors.js';
import {
  writeFieldSectionPrefix,
  writeIndexedDynamic,
  writeIndexedPostBase,
  writeIndexedStatic,
  writeLiteralWithLiteralName,
  writeLiteralWithNameRef,
  writeLiteralWithPostBaseNameRef,
} from './field-lines.js';

const { QPACK_DECOMPRESSION_FAILED, QPACK_ENCODER_STREAM_ERROR } = QpackErrorCode;
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

function instructions(list: EncoderInstruction[], huffman = false): Uint8Array {
  const out = new ByteSink();
  for (const i of list) writeEncoderInstruction(out, i, huffman);
  return out.take()!;
}

type Line = (b: Uint8Array, p: number) => number;

/** Builds a field section: `lines` are writer calls (buf, pos) → pos. Also returns where each line ends. */
function sectionWithEnds(ric: number, base: number, maxEntries: number, lines: Line[]) {
  const buf = new Uint8Array(1024);
  let pos = writeFieldSectionPrefix(buf, 0, ric, base, maxEntries);
  const ends = [pos];
  for (const l of lines) {
    pos = l(buf, pos);
    ends.push(pos);
  }
  return { bytes: buf.slice(0, pos), ends };
}

function section(ric: number, base: number, maxEntries: number, ...lines: Line[]): Uint8Array {
  return sectionWithEnds(ric, base, maxEntries, lines).bytes;
}

function errorOf(f: () => unknown): QpackError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QpackError);
    return e as QpackError;
  }
  throw new Error('expected a QpackError');
}

const setCap = (capacity: number): EncoderInstruction => ({ type: 'set-dynamic-table-capacity', capacity });
const insertLit = (name: string, value: string): EncoderInstruction => ({
  type: 'insert-with-literal-name',
  name,
  value,
});

describe('QpackDecoder: encoder stream (RFC 9204 §4.3)', () => {
  it('applies capacity, inserts (static, dynamic and literal names) and duplicates', () => {
    const d = new QpackDecoder({ maxTableCapacity: 300 });
    d.handleEncoderStream(
      instructions([
        setCap(300),
        { type: 'insert-with-name-reference', isStatic: true, nameIndex: 2, value: '10' },
        insertLit('x-a', 'b'),
        { type: 'insert-with-name-reference', isStatic: false, nameIndex: 0, value: 'c' },
        { type: 'duplicate', index: 2 },
      ]),
    );
    const t = d.tableSnapshot();
    expect(t.entries.map((e) => [e.index, e.name, e.value])).toEqual([
      [0, 'age', '10'],
      [1, 'x-a', 'b'],
      [2, 'x-a', 'c'],
      [3, 'age', '10'],
    ]);
    expect(t.size).toBe(37 + 36 + 36 + 37);
    expect(d.insertCount).toBe(4);
  });

  it('parses instructions split at every byte boundary', () => {
    const bytes = instructions(
      [
        setCap(4096),
        insertLit('custom-key', 'custom-value'),
        { type: 'duplicate', index: 0 },
        insertLit('k', 'v'.repeat(200)),
      ],
      true,
    );
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new QpackDecoder({ maxTableCapacity: 4096 });
      d.handleEncoderStream(bytes.subarray(0, cut));
      d.handleEncoderStream(bytes.subarray(cut));
      expect(d.insertCount).toBe(3);
    }
    const d = new QpackDecoder({ maxTableCapacity: 4096 });
    for (let i = 0; i < bytes.length; i++) d.handleEncoderStream(bytes.subarray(i, i + 1));
    expect(d.tableSnapshot().entries.map((e) => e.value)).toEqual(['custom-value', 'custom-value', 'v'.repeat(200)]);
  });

  it('rejects a capacity above our maximum (§4.3.1)', () => {
    const d = new QpackDecoder({ maxTableCapacity: 100 });
    d.handleEncoderStream(instructions([setCap(100)]));
    expect(errorOf(() => d.handleEncoderStream(instructions([setCap(101)]))).code).toBe(QPACK_ENCODER_STREAM_ERROR);
  });

  it('rejects inserts larger than the capacity, including before any capacity is set (§3.2.2)', () => {
    const d = new QpackDecoder({ maxTableCapacity: 100 });
    expect(errorOf(() => d.handleEncoderStream(instructions([insertLit('a', 'b')]))).code).toBe(
      QPACK_ENCODER_STREAM_ERROR,
    );
    const e = new QpackDecoder({ maxTableCapacity: 100 });
    e.handleEncoderStream(instructions([setCap(40)]));
    e.handleEncoderStream(instructions([insertLit('a', 'bcdefgh')])); // 40 bytes: fits exactly
    expect(errorOf(() => e.handleEncoderStream(instructions([insertLit('a', 'bcdefghi')]))).code).toBe(
      QPACK_ENCODER_STREAM_ERROR,
    );
    const f = new QpackDecoder({ maxTableCapacity: 100 });
    f.handleEncoderStream(instructions([setCap(40), insertLit('a', 'b')]));
    // duplicating an entry that no longer fits after a capacity drop
    expect(errorOf(() => f.handleEncoderStream(instructions([setCap(33), { type: 'duplicate', index: 0 }]))).code).toBe(
      QPACK_ENCODER_STREAM_ERROR,
    );
  });

  it('rejects references to entries that are not in the table (§2.2.3, §3.1)', () => {
    const mk = () => {
      const d = new QpackDecoder({ maxTableCapacity: 100 });
      d.handleEncoderStream(instructions([setCap(70), insertLit('a', 'b')]));
      return d;
    };
    expect(errorOf(() => mk().handleEncoderStream(instructions([{ type: 'duplicate', index: 1 }]))).code).toBe(0x201);
    expect(
      errorOf(() =>
        mk().handleEncoderStream(
          instructions([{ type: 'insert-with-name-reference', isStatic: false, nameIndex: 1, value: 'x' }]),
        ),
      ).code,
    ).toBe(0x201);
    expect(errorOf(() => mk().handleEncoderStream(hex('ff2401'))).code).toBe(0x201); // static index 99
    // an evicted entry: capacity 70 holds one 34-byte entry... then two
    const d = mk();
    d.handleEncoderStream(instructions([insertLit('c', 'd'), insertLit('e', 'f')])); // evicts 'a'
    expect(errorOf(() => d.handleEncoderStream(instructions([{ type: 'duplicate', index: 2 }]))).code).toBe(0x201);
  });

  it('names inserted entries through the interner', () => {
    const interner = new HashStringInterner();
    const d = new QpackDecoder({ maxTableCapacity: 200, interner });
    d.handleEncoderStream(instructions([setCap(200), insertLit('x-name', '1'), insertLit('x-name', '2')]));
    expect(interner.stats().hits).toBe(1);
  });
});

describe('QpackDecoder: field sections (RFC 9204 §4.5)', () => {
  const withTable = (): QpackDecoder => {
    const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 2 });
    d.handleEncoderStream(instructions([setCap(220), insertLit('a', '1'), insertLit('b', '2'), insertLit('c', '3')]));
    return d; // entries 0..2, MaxEntries 6
  };

  it('decodes all seven representations, relative and post-base', () => {
    const d = withTable();
    const bytes = section(
      3,
      1,
      6,
      (b, p) => writeIndexedStatic(b, p, 25),
      (b, p) => writeIndexedDynamic(b, p, 0), // abs 0
      (b, p) => writeIndexedPostBase(b, p, 1), // abs 2
      (b, p) => writeLiteralWithNameRef(b, p, false, true, 1, '/x', true),
      (b, p) => writeLiteralWithNameRef(b, p, true, false, 0, 'v', false), // name of abs 0, never-indexed
      (b, p) => writeLiteralWithPostBaseNameRef(b, p, false, 0, 'w', true), // name of abs 1
      (b, p) => writeLiteralWithLiteralName(b, p, true, 'x-k', 'x-v', true),
    );
    const r = d.decodeFieldSection(4, bytes);
    expect(r).toEqual({
      status: 'done',
      streamId: 4,
      fields: [':status', '200', 'a', '1', 'c', '3', ':path', '/x', 'a', 'v', 'b', 'w', 'x-k', 'x-v'],
      neverIndexed: [4, 6],
      requiredInsertCount: 3,
    });
    expect(parseDecoderInstructions(d.pollDecoderStream()!)).toEqual([{ type: 'section-acknowledgment', streamId: 4 }]);
  });

  it('does not acknowledge a section with Required Insert Count 0 (§4.4.1)', () => {
    const d = withTable();
    d.pollDecoderStream();
    expect(
      d.decodeFieldSection(
        0,
        section(0, 0, 6, (b, p) => writeIndexedStatic(b, p, 17)),
      ).status,
    ).toBe('done');
    expect(d.pollDecoderStream()).toBeUndefined();
  });

  it('rejects invalid references (§2.2.3, §3.1, §4.5.1)', () => {
    const cases: [string, Uint8Array][] = [
      ['static index 99', section(0, 0, 6, (b, p) => writeIndexedStatic(b, p, 99))],
      ['dynamic reference with RIC 0', section(0, 0, 6, (b, p) => writeIndexedDynamic(b, p, 0))],
      ['reference at RIC', section(2, 2, 6, (b, p) => writeIndexedPostBase(b, p, 0))],
      ['relative below the table', section(1, 1, 6, (b, p) => writeIndexedDynamic(b, p, 1))],
      ['name index 99', section(0, 0, 6, (b, p) => writeLiteralWithNameRef(b, p, false, true, 99, 'x', false))],
      ['encoded RIC > 2 MaxEntries', hex('0d00')],
      ['negative Base', hex('0283')], // RIC 1, S=1, Delta 3
      ['truncated prefix', hex('02')],
      ['empty', new Uint8Array(0)],
      ['bad Huffman value', hex('0000518cffffffff')],
    ];
    for (const [label, bytes] of cases) {
      const e = errorOf(() => withTable().decodeFieldSection(0, bytes));
      expect(e.code, label).toBe(QPACK_DECOMPRESSION_FAILED);
      expect(e.streamError, label).toBe(false);
    }
  });

  it('rejects a reference to an evicted entry (§2.2.3)', () => {
    const d = new QpackDecoder({ maxTableCapacity: 100 });
    d.handleEncoderStream(instructions([setCap(70), insertLit('a', '1'), insertLit('b', '2'), insertLit('c', '3')]));
    // entry 0 is gone; RIC 3, Base 3, relative 2 → abs 0
    expect(
      errorOf(() =>
        d.decodeFieldSection(
          0,
          section(3, 3, 3, (b, p) => writeIndexedDynamic(b, p, 2)),
        ),
      ).code,
    ).toBe(QPACK_DECOMPRESSION_FAILED);
  });

  it('throws for every truncation of a valid section (except at a line boundary)', () => {
    const d = withTable();
    const { bytes, ends } = sectionWithEnds(3, 3, 6, [
      (b, p) => writeIndexedDynamic(b, p, 0),
      (b, p) => writeLiteralWithLiteralName(b, p, false, 'x-long-name', 'a longer value', true),
      (b, p) => writeLiteralWithNameRef(b, p, false, true, 1, '/index.html', false),
    ]);
    expect(d.decodeFieldSection(0, bytes).status).toBe('done');
    let failures = 0;
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      if (ends.includes(n)) {
        expect(d.decodeFieldSection(0, cut).status).toBe('done'); // a shorter, valid section
        continue;
      }
      const e = errorOf(() => d.decodeFieldSection(0, cut));
      expect(e.code).toBe(QPACK_DECOMPRESSION_FAILED);
      failures++;
    }
    expect(failures).toBe(bytes.length - ends.length + 1);
  });

  it('limits the decoded size to maxFieldSectionSize (RFC 9114 §4.2.2) as a stream error', () => {
    const bytes = section(
      0,
      0,
      0,
      (b, p) => writeLiteralWithNameRef(b, p, false, true, 1, '/'.repeat(60), false), // 5 + 60 + 32 = 97
      (b, p) => writeIndexedStatic(b, p, 17), // 7 + 3 + 32 = 42
    );
    expect(new QpackDecoder({ maxFieldSectionSize: 139 }).decodeFieldSection(0, bytes).status).toBe('done');
    const e = errorOf(() => new QpackDecoder({ maxFieldSectionSize: 138 }).decodeFieldSection(8, bytes));
    expect(e).toBeInstanceOf(FieldSectionTooLargeError);
    expect(e.code).toBe(QPACK_DECOMPRESSION_FAILED);
    expect(e.streamError).toBe(true);
    expect(e.streamId).toBe(8);
    // a huge literal is refused before it is decoded
    const huge = section(0, 0, 0, (b, p) => writeLiteralWithNameRef(b, p, false, true, 1, 'x'.repeat(900), true));
    expect(errorOf(() => new QpackDecoder({ maxFieldSectionSize: 100 }).decodeFieldSection(0, huge))).toBeInstanceOf(
      FieldSectionTooLargeError,
    );
  });

  it('interns literal names', () => {
    const interner = new HashStringInterner();
    const d = new QpackDecoder({ interner });
    const bytes = section(0, 0, 0, (b, p) => writeLiteralWithLiteralName(b, p, false, 'x-trace', '1', false));
    const a = d.decodeFieldSection(0, bytes);
    const b = d.decodeFieldSection(4, bytes);
    expect(interner.stats().hits).toBe(1);
    if (a.status === 'done' && b.status === 'done') expect(a.fields[0]).toBe(b.fields[0]);
  });
});

describe('QpackDecoder: blocked streams (RFC 9204 §2.2.1)', () => {
  it('holds a section until its inserts arrive, then decodes and acknowledges it', () => {
    const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 1 });
    d.handleEncoderStream(instructions([setCap(220)]));
    const bytes = section(1, 0, 6, (b, p) => writeIndexedPostBase(b, p, 0));
    const buffer = bytes.slice();
    expect(d.decodeFieldSection(4, buffer)).toEqual({ status: 'blocked', streamId: 4, requiredInsertCount: 1 });
    buffer.fill(0); // the decoder kept its own copy
    expect(d.blockedStreams).toBe(1);
    expect(d.pollUnblocked()).toBeUndefined();
    expect(d.handleEncoderStream(instructions([insertLit('a', '1')]))).toEqual([4]);
    expect(d.blockedStreams).toBe(0);
    expect(d.pollUnblocked()).toMatchObject({ status: 'done', streamId: 4, fields: ['a', '1'] });
    expect(d.pollUnblocked()).toBeUndefined();
    expect(parseDecoderInstructions(d.pollDecoderStream()!)).toEqual([{ type: 'section-acknowledgment', streamId: 4 }]);
  });

  it('keeps the Required Insert Count it reconstructed on arrival, however many inserts follow (§4.5.1.1)', () => {
    const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 1 });
    // RIC 1 (encoded as 2 with MaxEntries 6), static lines only
    expect(
      d.decodeFieldSection(
        4,
        section(1, 1, 6, (b, p) => writeIndexedStatic(b, p, 17)),
      ).status,
    ).toBe('blocked');
    const many = Array.from({ length: 20 }, (_, i) => insertLit('k', String(i % 10)));
    expect(d.handleEncoderStream(instructions([setCap(220), ...many]))).toEqual([4]);
    // re-reading the prefix now (20 inserts) would give Required Insert Count 25
    expect(d.pollUnblocked()).toMatchObject({ status: 'done', fields: [':method', 'GET'], requiredInsertCount: 1 });
  });

  it('fails when more streams would block than allowed (§2.1.2)', () => {
    const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 2 });
    const blocked = section(1, 0, 6, (b, p) => writeIndexedPostBase(b, p, 0));
    d.decodeFieldSection(0, blocked);
    d.decodeFieldSection(4, blocked);
    d.decodeFieldSection(4, blocked); // the same stream again: still two streams
    const e = errorOf(() => d.decodeFieldSection(8, blocked));
    expect(e.code).toBe(QPACK_DECOMPRESSION_FAILED);
    expect(e.streamError).toBe(false);
    const none = new QpackDecoder({ maxTableCapacity: 220 });
    expect(errorOf(() => none.decodeFieldSection(0, blocked)).code).toBe(QPACK_DECOMPRESSION_FAILED);
  });

  it('keeps a stream in order: a later section waits behind a blocked one', () => {
    const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 4 });
    d.handleEncoderStream(instructions([setCap(220)]));
    const needs2 = section(2, 0, 6, (b, p) => writeIndexedPostBase(b, p, 1));
    const staticOnly = section(0, 0, 6, (b, p) => writeIndexedStatic(b, p, 17));
    expect(d.decodeFieldSection(4, needs2).status).toBe('blocked');
    expect(d.decodeFieldSection(4, staticOnly).status).toBe('blocked');
    expect(d.handleEncoderStream(instructions([insertLit('a', '1')]))).toEqual([]);
    expect(d.handleEncoderStream(instructions([insertLit('b', '2')]))).toEqual([4]);
    expect(d.pollUnblocked()?.fields).toEqual(['b', '2']);
    expect(d.pollUnblocked()?.fields).toEqual([':method', 'GET']);
  });

  it('drops the blocked sections of a cancelled stream and sends Stream Cancellation (§4.4.2)', () => {
    const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 1 });
    d.decodeFieldSection(
      8,
      section(1, 0, 6, (b, p) => writeIndexedPostBase(b, p, 0)),
    );
    d.cancelStream(8);
    expect(d.blockedStreams).toBe(0);
    expect(parseDecoderInstructions(d.pollDecoderStream()!)).toEqual([{ type: 'stream-cancellation', streamId: 8 }]);
    d.handleEncoderStream(instructions([setCap(220), insertLit('a', '1')]));
    expect(d.pollUnblocked()).toBeUndefined();
    // with no dynamic table the instruction is omitted (§2.2.2.2)
    const z = new QpackDecoder();
    z.cancelStream(8);
    expect(z.pollDecoderStream()).toBeUndefined();
  });

  it('sends one Insert Count Increment for inserts not covered by acknowledgments (§4.4.3)', () => {
    const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 1 });
    d.handleEncoderStream(instructions([setCap(220), insertLit('a', '1'), insertLit('b', '2'), insertLit('c', '3')]));
    d.decodeFieldSection(
      4,
      section(2, 2, 6, (b, p) => writeIndexedDynamic(b, p, 0)),
    );
    expect(parseDecoderInstructions(d.pollDecoderStream()!)).toEqual([
      { type: 'section-acknowledgment', streamId: 4 },
      { type: 'insert-count-increment', increment: 1 },
    ]);
    expect(d.pollDecoderStream()).toBeUndefined();
  });
});

describe('QpackDecoder: arbitrary input (fast-check)', () => {
  it('answers random field sections with a result or a QpackError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 3, maxFieldSectionSize: 4096 });
        d.handleEncoderStream(instructions([setCap(220), insertLit('a', '1'), insertLit('b', '2')]));
        try {
          const r = d.decodeFieldSection(0, bytes);
          expect(['done', 'blocked']).toContain(r.status);
        } catch (e) {
          expect(e).toBeInstanceOf(QpackError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('answers random encoder-stream bytes with success or QPACK_ENCODER_STREAM_ERROR, within the capacity', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (chunks) => {
        const d = new QpackDecoder({ maxTableCapacity: 300, maxBlockedStreams: 3 });
        try {
          for (const c of chunks) d.handleEncoderStream(c);
        } catch (e) {
          expect(e).toBeInstanceOf(QpackError);
          expect((e as QpackError).code).toBe(QPACK_ENCODER_STREAM_ERROR);
        }
        const t = d.tableSnapshot();
        expect(t.size).toBeLessThanOrEqual(t.capacity);
        expect(t.capacity).toBeLessThanOrEqual(300);
      }),
      { numRuns: 3000 },
    );
  });
});
