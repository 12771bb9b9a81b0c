import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink, PendingInput } from './byte-sink.js';

describe('ByteSink', () => {
  it('hands the written bytes over and starts afresh', () => {
    const s = new ByteSink(4);
    expect(s.take()).toBeUndefined();
    s.ensure(10);
    s.buf.set([1, 2, 3], 0);
    s.len = 3;
    const a = s.take()!;
    expect([...a]).toEqual([1, 2, 3]);
    s.ensure(1);
    s.buf[0] = 9;
    s.len = 1;
    expect([...s.take()!]).toEqual([9]);
    expect([...a]).toEqual([1, 2, 3]); // the first array is the caller's now
  });

  it('keeps written bytes when it grows', () => {
    const s = new ByteSink(2);
    for (let i = 0; i < 100; i++) {
      s.ensure(1);
      s.buf[s.len++] = i;
    }
    expect([...s.take()!]).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('PendingInput', () => {
  it('behaves as a byte queue under random appends and consumes (fast-check)', () => {
    const op = fc.oneof(
      fc.record({ append: fc.uint8Array({ maxLength: 70 }) }),
      fc.record({ consume: fc.nat(100) }),
      fc.record({ keep: fc.uint8Array({ maxLength: 30 }), from: fc.nat(30) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const p = new PendingInput();
        let model: number[] = [];
        for (const o of ops) {
          if ('append' in o) {
            p.append(o.append);
            model.push(...o.append);
          } else if ('consume' in o) {
            const n = Math.min(o.consume, model.length);
            p.consume(p.start + n);
            model = model.slice(n);
          } else {
            const from = Math.min(o.from, o.keep.length);
            p.keep(o.keep, from, o.keep.length);
            model = [...o.keep.subarray(from)];
          }
          expect(p.length).toBe(model.length);
          expect([...p.buf.subarray(p.start, p.end)]).toEqual(model);
        }
      }),
    );
  });
});
