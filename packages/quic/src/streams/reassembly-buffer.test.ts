import { TransportError, TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReassemblyBuffer } from './reassembly-buffer.js';

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

/** Inserts through a scratch buffer that is scribbled over after the call, like a pooled packet buffer. */
function insertVia(scratch: Uint8Array, buf: ReassemblyBuffer, offset: number, data: Uint8Array): number {
  scratch.set(data);
  const n = buf.insert(offset, scratch.subarray(0, data.length));
  scratch.fill(0xee);
  return n;
}

/** Byte equality without vitest's per-element deep-equal cost. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function concat(views: Uint8Array[]): Uint8Array {
  const total = views.reduce((n, v) => n + v.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const v of views) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}

/** A frame arbitrary: the payload cut into chunks, then duplicates, overlapping re-cuts and a shuffle. */
const framesArb = fc
  .record({
    length: fc.integer({ min: 0, max: 3000 }),
    cuts: fc.array(fc.nat(3000), { maxLength: 30 }),
    extra: fc.array(fc.tuple(fc.nat(3000), fc.nat(600)), { maxLength: 15 }),
    dupes: fc.array(fc.nat(40), { maxLength: 10 }),
    seed: fc.nat(),
  })
  .map(({ length, cuts, extra, dupes, seed }) => {
    const points = [...new Set([0, length, ...cuts.filter((c) => c < length)])].sort((a, b) => a - b);
    const frames: [number, number][] = [];
    for (let i = 0; i + 1 < points.length; i++) frames.push([points[i], points[i + 1]]);
    // Overlapping frames (retransmissions cut differently).
    for (const [start, len] of extra) {
      if (length === 0) break;
      const s = start % length;
      frames.push([s, Math.min(length, s + len)]);
    }
    for (const d of dupes) if (frames.length > 0) frames.push(frames[d % frames.length]);
    return { length, frames, seed };
  })
  .chain(({ length, frames, seed }) =>
    fc.shuffledSubarray(frames, { minLength: frames.length, maxLength: frames.length }).map((shuffled) => ({
      length,
      frames: shuffled,
      seed,
    })),
  );

describe('ReassemblyBuffer', () => {
  it('delivers in-order data as views', () => {
    const buf = new ReassemblyBuffer();
    const payload = bytes(100);
    expect(buf.insert(0, payload)).toBe(100);
    expect(buf.readableBytes).toBe(100);
    const v = buf.read(40)!;
    expect(v).toEqual(payload.subarray(0, 40));
    expect(buf.read()).toEqual(payload.subarray(40));
    expect(buf.read()).toBeUndefined();
  });

  it('holds out-of-order data until the gap is filled', () => {
    const buf = new ReassemblyBuffer();
    const payload = bytes(300);
    buf.insert(100, payload.subarray(100, 200));
    buf.insert(200, payload.subarray(200, 300));
    expect(buf.readableBytes).toBe(0);
    expect(buf.bufferedBytes).toBe(200);
    expect(buf.rangeCount).toBe(1);
    expect(buf.read()).toBeUndefined();
    buf.insert(0, payload.subarray(0, 100));
    expect(buf.readableBytes).toBe(300);
    const views: Uint8Array[] = [];
    for (let v = buf.read(); v; v = buf.read()) views.push(v);
    expect(concat(views)).toEqual(payload);
  });

  it('stores only the bytes not already held (overlaps and duplicates cost nothing)', () => {
    const buf = new ReassemblyBuffer();
    const payload = bytes(1000);
    expect(buf.insert(100, payload.subarray(100, 300))).toBe(200);
    expect(buf.insert(100, payload.subarray(100, 300))).toBe(0);
    expect(buf.insert(0, payload.subarray(0, 400))).toBe(200); // 0-100 and 300-400
    expect(buf.insert(50, payload.subarray(50, 150))).toBe(0);
    expect(buf.storedBytes).toBe(400);
    buf.read(250);
    expect(buf.insert(0, payload.subarray(0, 500))).toBe(100); // below the read offset is ignored
    expect(buf.storedBytes).toBe(500);
  });

  it('copies what it keeps: the caller may reuse its buffer right after the call', () => {
    const buf = new ReassemblyBuffer();
    const scratch = new Uint8Array(2000);
    const payload = bytes(1500);
    insertVia(scratch, buf, 500, payload.subarray(500));
    insertVia(scratch, buf, 0, payload.subarray(0, 500));
    const views: Uint8Array[] = [];
    for (let v = buf.read(); v; v = buf.read()) views.push(v);
    expect(concat(views)).toEqual(payload);
  });

  it('returned views stay valid while later data arrives and is read', () => {
    const buf = new ReassemblyBuffer({ pageSize: 256 });
    const payload = bytes(5000);
    const views: Uint8Array[] = [];
    for (let off = 0; off < payload.length; off += 333) {
      buf.insert(off, payload.subarray(off, Math.min(payload.length, off + 333)));
      for (let v = buf.read(100); v; v = buf.read(100)) views.push(v);
    }
    expect(concat(views)).toEqual(payload);
  });

  it('never returns a view across a page boundary and frees pages as they are read', () => {
    const buf = new ReassemblyBuffer({ pageSize: 256 });
    buf.insert(0, bytes(1024));
    expect(buf.allocatedBytes).toBeLessThanOrEqual(1024 + 256);
    const lengths: number[] = [];
    for (let v = buf.read(); v; v = buf.read()) lengths.push(v.length);
    expect(lengths.every((n) => n <= 256)).toBe(true);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(1024);
  });

  it('a small message costs a small allocation, and nothing once read', () => {
    const buf = new ReassemblyBuffer({ pageSize: 16384 });
    buf.insert(0, bytes(100));
    expect(buf.allocatedBytes).toBeLessThanOrEqual(128);
    buf.read();
    expect(buf.allocatedBytes).toBe(0);
  });

  it('small pages grow as more data arrives', () => {
    const buf = new ReassemblyBuffer({ pageSize: 4096 });
    const payload = bytes(3000);
    for (let off = 0; off < 3000; off += 100) buf.insert(off, payload.subarray(off, off + 100));
    expect(buf.allocatedBytes).toBeLessThanOrEqual(4096);
    const views: Uint8Array[] = [];
    for (let v = buf.read(); v; v = buf.read()) views.push(v);
    expect(concat(views)).toEqual(payload);
  });

  it('bounds the number of disjoint ranges with INTERNAL_ERROR (RFC 9000 §21.7)', () => {
    const buf = new ReassemblyBuffer({ maxRanges: 8 });
    for (let i = 0; i < 8; i++) buf.insert(i * 10 + 1, bytes(1));
    try {
      buf.insert(200, bytes(1));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TransportError);
      expect((e as TransportError).code).toBe(TransportErrorCode.INTERNAL_ERROR);
    }
  });

  it('clear() drops everything', () => {
    const buf = new ReassemblyBuffer();
    buf.insert(0, bytes(50));
    buf.read(10);
    buf.insert(100, bytes(50));
    buf.clear();
    expect(buf.allocatedBytes).toBe(0);
    expect(buf.readableBytes).toBe(0);
    expect(buf.bufferedBytes).toBe(0);
  });

  it('abandon() frees storage but keeps tracking which offsets arrived', () => {
    const buf = new ReassemblyBuffer();
    buf.insert(0, bytes(50));
    buf.abandon();
    expect(buf.allocatedBytes).toBe(0);
    buf.insert(50, bytes(50));
    expect(buf.contiguousEnd).toBe(100);
    expect(buf.allocatedBytes).toBe(0);
    expect(buf.read()).toBeUndefined();
  });

  it('property: any permutation of duplicated / overlapping chunks reads back as the payload exactly', () => {
    fc.assert(
      fc.property(framesArb, fc.nat(), ({ length, frames, seed }, readSeed) => {
        const pageSize = 256;
        // Pages come back full of garbage (like Buffer.allocUnsafeSlow): only received bytes may ever show.
        const allocatePage = (n: number): Uint8Array => new Uint8Array(n).fill(0xcc);
        const buf = new ReassemblyBuffer({ pageSize, maxRanges: 10_000, allocatePage });
        const payload = bytes(length, seed);
        const scratch = new Uint8Array(3000);
        const views: Uint8Array[] = [];
        let storedSum = 0;
        let r = readSeed;
        for (const [s, e] of frames) {
          storedSum += insertVia(scratch, buf, s, payload.subarray(s, e));
          // Memory never exceeds the window (here: the payload) plus page rounding at both ends.
          if (buf.allocatedBytes > length - buf.readOffset + 2 * pageSize) {
            expect.fail(`allocated ${buf.allocatedBytes} bytes for a window of ${length - buf.readOffset}`);
          }
          // Interleave reads of random sizes.
          r = (r * 1103515245 + 12345) & 0x7fffffff;
          if (r % 3 === 0) {
            for (let v = buf.read((r % 500) + 1); v; v = buf.read((r % 500) + 1)) views.push(v);
          }
        }
        for (let v = buf.read(); v; v = buf.read()) views.push(v);
        expect(same(concat(views), payload)).toBe(true);
        // No byte stored twice: the bytes copied in are exactly the payload's.
        expect(storedSum).toBe(length);
        expect(buf.storedBytes).toBe(length);
        expect(buf.bufferedBytes).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
