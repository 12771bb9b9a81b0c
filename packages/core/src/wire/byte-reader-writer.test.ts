import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, TruncatedInputError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';

type Op =
  | { k: 'u8'; v: number }
  | { k: 'u16'; v: number }
  | { k: 'u24'; v: number }
  | { k: 'u32'; v: number }
  | { k: 'u64'; v: bigint }
  | { k: 'varint'; v: number }
  | { k: 'bytes'; v: Uint8Array };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: 0, max: 0xff }).map((v) => ({ k: 'u8' as const, v })),
  fc.integer({ min: 0, max: 0xffff }).map((v) => ({ k: 'u16' as const, v })),
  fc.integer({ min: 0, max: 0xff_ffff }).map((v) => ({ k: 'u24' as const, v })),
  fc.integer({ min: 0, max: 0xffff_ffff }).map((v) => ({ k: 'u32' as const, v })),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => ({ k: 'u64' as const, v })),
  fc.maxSafeNat().map((v) => ({ k: 'varint' as const, v })),
  fc.uint8Array({ maxLength: 40 }).map((v) => ({ k: 'bytes' as const, v })),
);

function write(w: ByteWriter, o: Op): void {
  switch (o.k) {
    case 'u8':
      w.u8(o.v);
      break;
    case 'u16':
      w.u16(o.v);
      break;
    case 'u24':
      w.u24(o.v);
      break;
    case 'u32':
      w.u32(o.v);
      break;
    case 'u64':
      w.u64Big(o.v);
      break;
    case 'varint':
      w.varint(o.v);
      break;
    case 'bytes':
      w.u8(o.v.length).bytes(o.v);
      break;
  }
}

function read(r: ByteReader, o: Op): unknown {
  switch (o.k) {
    case 'u8':
      return r.u8();
    case 'u16':
      return r.u16();
    case 'u24':
      return r.u24();
    case 'u32':
      return r.u32();
    case 'u64':
      return r.u64Big();
    case 'varint':
      return r.varint();
    case 'bytes':
      return r.bytes(r.u8());
  }
}

describe('ByteReader / ByteWriter', () => {
  it('round-trips any sequence of fields', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const w = new ByteWriter(new Uint8Array(2000));
        for (const o of ops) write(w, o);
        const r = new ByteReader(w.buf, 0, w.pos);
        for (const o of ops) expect(read(r, o)).toEqual(o.v);
        expect(r.done).toBe(true);
      }),
    );
  });

  it('rejects every truncation of an encoded sequence with TruncatedInputError', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 8 }), (ops) => {
        const w = new ByteWriter(new Uint8Array(1000));
        for (const o of ops) write(w, o);
        const full = w.pos;
        for (let cut = 0; cut < full; cut++) {
          const r = new ByteReader(w.buf, 0, cut);
          expect(() => {
            for (const o of ops) read(r, o);
          }).toThrow(TruncatedInputError);
        }
      }),
    );
  });

  it('throws BufferOverflowError without writing past the end', () => {
    fc.assert(
      fc.property(op, fc.integer({ min: 0, max: 8 }), (o, room) => {
        const buf = new Uint8Array(64).fill(0xee);
        const w = new ByteWriter(buf, 0, room);
        try {
          write(w, o);
        } catch (e) {
          expect(e).toBeInstanceOf(BufferOverflowError);
        }
        expect(w.pos).toBeLessThanOrEqual(room);
        expect(buf.subarray(room).every((b) => b === 0xee)).toBe(true);
      }),
    );
  });

  it('bytes() and rest() are views, not copies', () => {
    const buf = Uint8Array.of(1, 2, 3, 4, 5);
    const r = new ByteReader(buf, 1, 4);
    const v = r.bytes(2);
    buf[1] = 99;
    expect(v[0]).toBe(99);
    expect(v.buffer).toBe(buf.buffer);
    expect(Array.from(r.rest())).toEqual([4]);
    expect(r.done).toBe(true);
    expect(() => r.u8()).toThrow(TruncatedInputError);
  });

  it('reports where a truncation happened', () => {
    const r = new ByteReader(Uint8Array.of(0x80, 1), 0);
    try {
      r.varint();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TruncatedInputError);
      expect((e as TruncatedInputError).needed).toBe(4);
      expect((e as TruncatedInputError).available).toBe(2);
    }
  });

  it('reserve + patchVarint fills a length field afterwards', () => {
    const w = new ByteWriter(new Uint8Array(16));
    const at = w.reserve(2);
    w.bytes(Uint8Array.of(7, 7, 7));
    w.patchVarint(at, w.pos - at - 2, 2);
    const r = new ByteReader(w.written());
    expect(r.varint()).toBe(3);
    expect(Array.from(r.rest())).toEqual([7, 7, 7]);
  });

  it('reset() reuses one reader or writer for another range', () => {
    const r = new ByteReader(new Uint8Array(0));
    r.reset(Uint8Array.of(9, 8, 7), 1);
    expect(r.u8()).toBe(8);
    const w = new ByteWriter(new Uint8Array(0));
    const out = new Uint8Array(4);
    w.reset(out, 2).u16(0xabcd);
    expect(Array.from(out)).toEqual([0, 0, 0xab, 0xcd]);
    w.reset(out).fill(0, 4);
    expect(() => w.u8(1)).toThrow(BufferOverflowError);
  });
});
