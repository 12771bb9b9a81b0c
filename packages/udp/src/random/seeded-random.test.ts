import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../test/fixtures/xoshiro128ss.json' with { type: 'json' };
import { SeededRandom } from './seeded-random.js';

describe('SeededRandom (xoshiro128**)', () => {
  it.each(vectors.vectors)('matches the reference implementation from state $state', (v) => {
    const r = SeededRandom.fromState(v.state as [number, number, number, number]);
    for (let i = 0; i < v.skip; i++) r.nextUint32();
    expect(v.outputs.map(() => r.nextUint32())).toEqual(v.outputs);
  });

  it('rejects the all-zero state', () => {
    expect(() => SeededRandom.fromState([0, 0, 0, 0])).toThrow(RangeError);
  });

  it('replays exactly from a seed, and differs between seeds and labels', () => {
    const draw = (r: SeededRandom) => Array.from({ length: 16 }, () => r.nextUint32());
    expect(draw(new SeededRandom(42))).toEqual(draw(new SeededRandom(42)));
    expect(draw(new SeededRandom('run-1'))).toEqual(draw(new SeededRandom('run-1')));
    expect(draw(new SeededRandom(42))).not.toEqual(draw(new SeededRandom(43)));
    expect(draw(SeededRandom.derive(42, 'a', 'b'))).not.toEqual(draw(SeededRandom.derive(42, 'b', 'a')));
    // The separator keeps label boundaries apart.
    expect(draw(SeededRandom.derive(1, 'ab', 'c'))).not.toEqual(draw(SeededRandom.derive(1, 'a', 'bc')));
    // Numbers and their decimal strings are different seeds.
    expect(draw(new SeededRandom(7))).not.toEqual(draw(new SeededRandom('7')));
    expect(draw(new SeededRandom(2 ** 40))).not.toEqual(draw(new SeededRandom(0)));
  });

  it('continues the same sequence from a state snapshot', () => {
    const a = new SeededRandom(9);
    a.next();
    const b = SeededRandom.fromState(a.state());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(Array.from({ length: 8 }, () => a.nextUint32()));
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
    expect(() => new SeededRandom(Number.NaN)).toThrow(RangeError);
  });

  it('next() stays in [0, 1) and nextInt(n) in [0, n)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 32 }), (seed, n) => {
        const r = new SeededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const x = r.next();
          expect(x >= 0 && x < 1).toBe(true);
          const k = r.nextInt(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
    expect(() => new SeededRandom(1).nextInt(0)).toThrow(RangeError);
    expect(() => new SeededRandom(1).nextInt(2 ** 32 + 1)).toThrow(RangeError);
  });

  it('is uniform: chi-square over 64 bins and nextInt(6) stay below the 99.9 % critical values', () => {
    const r = new SeededRandom(1234);
    const n = 64_000;
    const bins = new Array<number>(64).fill(0);
    for (let i = 0; i < n; i++) bins[Math.floor(r.next() * 64)]++;
    const expected = n / 64;
    const chi = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    expect(chi).toBeLessThan(103.4); // χ²(63 d.o.f.) at p = 0.001
    const die = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) die[r.nextInt(6)]++;
    const chiDie = die.reduce((s, o) => s + (o - 10_000) ** 2 / 10_000, 0);
    expect(chiDie).toBeLessThan(20.52); // χ²(5 d.o.f.) at p = 0.001
  });

  it('chance(p) consumes no draw at p = 0 or 1 and is always/never true there', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    expect(a.chance(0)).toBe(false);
    expect(a.chance(1)).toBe(true);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });
});
