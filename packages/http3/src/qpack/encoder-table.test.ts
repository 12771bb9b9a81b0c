import { describe, expect, it } from 'vitest';
import { EncoderTable } from './encoder-table.js';

describe('EncoderTable', () => {
  it('finds the newest copy, or the newest below a limit (an acknowledged one)', () => {
    const t = new EncoderTable();
    t.setCapacity(10_000);
    t.insert('a', '1'); // 0
    t.insert('b', '2'); // 1
    t.insert('a', '1'); // 2
    t.insert('a', '3'); // 3
    expect(t.findExact('a', '1')).toBe(2);
    expect(t.findExactBelow('a', '1', 2)).toBe(0);
    expect(t.findExactBelow('a', '1', 0)).toBe(-1);
    expect(t.findName('a')).toBe(3);
    expect(t.findNameBelow('a', 3)).toBe(2);
    expect(t.findNameBelow('a', 1)).toBe(0);
    expect(t.findExact('c', '1')).toBe(-1);
  });

  it('only evicts acknowledged, unreferenced entries (RFC 9204 §2.1.1)', () => {
    const t = new EncoderTable();
    t.setCapacity(100);
    t.insert('a', '1'); // 34
    t.insert('b', '2'); // 68
    expect(t.canInsert(34)).toBe(false); // entry 0 is not acknowledged
    t.knownReceivedCount = 2;
    expect(t.canInsert(34)).toBe(true);
    expect(t.addRef(0, 7)).toBe(true);
    expect(t.addRef(0, 7)).toBe(false); // once per section
    expect(t.refCount(0)).toBe(1);
    expect(t.canInsert(34)).toBe(false);
    expect(t.canShrinkTo(60)).toBe(false);
    t.releaseRef(0);
    expect(t.canShrinkTo(60)).toBe(true);
    expect(t.canInsert(101)).toBe(false); // larger than the capacity
  });

  it('keeps per-entry state and lookups across ring growth and wrap-around', () => {
    const t = new EncoderTable();
    t.setCapacity(34 * 40);
    for (let i = 0; i < 200; i++) {
      t.knownReceivedCount = t.insertCount;
      const abs = t.insert(`n${i % 7}`, String(i % 10));
      t.setCredit(abs, i % 4);
    }
    expect(t.length).toBeLessThanOrEqual(40);
    for (let abs = t.dropped; abs < t.insertCount; abs++) {
      expect(t.credit(abs)).toBe(abs % 4);
      expect(t.findExact(t.name(abs), t.value(abs))).toBeGreaterThanOrEqual(abs);
    }
    expect(t.findExact('n1', '0')).toBe(190); // i = 190 is the newest n1 / 0
    expect(t.findExact('n0', '0')).toBe(-1); // i = 140 was evicted long ago
    expect(t.size).toBeLessThanOrEqual(t.capacity);
  });
});
