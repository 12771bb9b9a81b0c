import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketRangeSet } from './packet-range-set.js';

function rangesOf(set: PacketRangeSet): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < set.rangeCount; i++) out.push([set.largestAt(i), set.smallestAt(i)]);
  return out;
}

/** Descending [largest, smallest] ranges of a set of numbers. */
function modelRanges(numbers: Iterable<number>): [number, number][] {
  const sorted = [...new Set(numbers)].sort((a, b) => b - a);
  const out: [number, number][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === n + 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}

describe('PacketRangeSet (RFC 9000 §13.2.3)', () => {
  it('merges adjacent numbers and reports duplicates', () => {
    const set = new PacketRangeSet(8);
    for (const pn of [0, 1, 2, 5, 7, 6, 9]) expect(set.add(pn)).toBe(true);
    expect(rangesOf(set)).toEqual([
      [9, 9],
      [7, 5],
      [2, 0],
    ]);
    expect(set.add(8)).toBe(true); // joins [9,9] and [7,5]
    expect(rangesOf(set)).toEqual([
      [9, 5],
      [2, 0],
    ]);
    expect(set.add(6)).toBe(false);
    expect(set.covers(4)).toBe(false);
    expect(set.covers(2)).toBe(true);
    expect(set.largest).toBe(9);
    expect(set.smallestOfRangeWith(7)).toBe(5);
    expect(set.smallestOfRangeWith(4)).toBe(-1);
  });

  it('drops the oldest range beyond the bound and treats numbers below the floor as duplicates', () => {
    const set = new PacketRangeSet(3);
    for (const pn of [0, 2, 4, 6]) set.add(pn);
    expect(rangesOf(set)).toEqual([
      [6, 6],
      [4, 4],
      [2, 2],
    ]);
    expect(set.floor).toBe(1);
    expect(set.covers(0)).toBe(true);
    expect(set.add(0)).toBe(false);
    expect(set.add(1)).toBe(true); // above the floor: accepted
    expect(rangesOf(set)).toEqual([
      [6, 6],
      [4, 4],
      [2, 1],
    ]);
  });

  it('removeUpTo stops tracking numbers at or below a value (RFC 9000 §13.2.4)', () => {
    const set = new PacketRangeSet(8);
    for (const pn of [0, 1, 2, 3, 6, 7, 10]) set.add(pn);
    set.removeUpTo(6);
    expect(rangesOf(set)).toEqual([
      [10, 10],
      [7, 7],
    ]);
    expect(set.floor).toBe(7);
    expect(set.covers(4)).toBe(true);
    expect(set.add(5)).toBe(false);
    set.removeUpTo(3); // below the floor: no change
    expect(set.floor).toBe(7);
    set.removeUpTo(20);
    expect(set.rangeCount).toBe(0);
    expect(set.largest).toBe(-1);
  });

  it('property: within the bound, the ranges describe exactly the numbers added, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 120 }), (numbers) => {
        const set = new PacketRangeSet(1000);
        const seen = new Set<number>();
        for (const n of numbers) {
          expect(set.add(n)).toBe(!seen.has(n));
          seen.add(n);
        }
        expect(rangesOf(set)).toEqual(modelRanges(seen));
        for (let n = 0; n <= 201; n++) expect(set.covers(n)).toBe(seen.has(n));
      }),
    );
  });

  it('property: beyond the bound, it keeps the highest ranges exactly and covers everything below the floor', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (numbers, max) => {
          const set = new PacketRangeSet(max);
          const accepted = new Set<number>();
          for (const n of numbers) if (set.add(n)) accepted.add(n);
          expect(set.rangeCount).toBeLessThanOrEqual(max);
          const above = [...accepted].filter((n) => n >= set.floor);
          expect(rangesOf(set)).toEqual(modelRanges(above));
          for (const n of numbers) expect(set.covers(n)).toBe(true); // nothing added is ever accepted twice
        },
      ),
    );
  });
});
