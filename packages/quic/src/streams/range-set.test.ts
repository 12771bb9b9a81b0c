import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeSet } from './range-set.js';

const SPAN = 64;

function modelRanges(model: boolean[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < model.length; i++) {
    if (!model[i]) continue;
    let j = i;
    while (j < model.length && model[j]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

describe('RangeSet', () => {
  it('matches a bitmap model under random add / remove / removeBelow', () => {
    const op = fc.tuple(fc.constantFrom('add', 'remove', 'below'), fc.nat(SPAN), fc.nat(SPAN));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const set = new RangeSet();
        const model: boolean[] = new Array(SPAN + 1).fill(false);
        for (const [kind, a, b] of ops) {
          const start = Math.min(a, b);
          const end = Math.max(a, b);
          if (kind === 'add') {
            set.add(start, end);
            for (let i = start; i < end; i++) model[i] = true;
          } else if (kind === 'remove') {
            set.remove(start, end);
            for (let i = start; i < end; i++) model[i] = false;
          } else {
            set.removeBelow(a);
            for (let i = 0; i < a; i++) model[i] = false;
          }
          expect(set.toArray()).toEqual(modelRanges(model));
        }
        expect(set.size).toBe(model.filter(Boolean).length);
        let mismatches = 0;
        for (let i = 0; i < SPAN; i++) if (set.has(i) !== model[i]) mismatches++;
        for (let s = 0; s < SPAN; s += 7) {
          for (let e = s; e < SPAN; e += 5) if (set.covers(s, e) !== model.slice(s, e).every(Boolean)) mismatches++;
        }
        expect(mismatches).toBe(0);
      }),
    );
  });

  it('merges adjacent ranges', () => {
    const set = new RangeSet();
    set.add(0, 10);
    set.add(20, 30);
    set.add(10, 20);
    expect(set.toArray()).toEqual([[0, 30]]);
  });

  it('indexAfter finds the first range ending after an offset', () => {
    const set = new RangeSet();
    set.add(10, 20);
    set.add(30, 40);
    expect(set.indexAfter(0)).toBe(0);
    expect(set.indexAfter(19)).toBe(0);
    expect(set.indexAfter(20)).toBe(1);
    expect(set.indexAfter(40)).toBe(2);
  });

  it('ignores empty ranges', () => {
    const set = new RangeSet();
    set.add(5, 5);
    set.remove(1, 1);
    expect(set.isEmpty).toBe(true);
    expect(set.covers(3, 3)).toBe(true);
  });
});
