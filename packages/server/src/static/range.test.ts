import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentRange, evaluateRange } from './range.js';

describe('evaluateRange (RFC 9110 §14.1.2, §14.2)', () => {
  it('known forms', () => {
    expect(evaluateRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(evaluateRange('bytes=0-9', 100)).toEqual({ kind: 'partial', range: { start: 0, end: 9 } });
    expect(evaluateRange('bytes=90-', 100)).toEqual({ kind: 'partial', range: { start: 90, end: 99 } });
    expect(evaluateRange('bytes=90-1000', 100)).toEqual({ kind: 'partial', range: { start: 90, end: 99 } });
    expect(evaluateRange('bytes=-10', 100)).toEqual({ kind: 'partial', range: { start: 90, end: 99 } });
    expect(evaluateRange('bytes=-1000', 100)).toEqual({ kind: 'partial', range: { start: 0, end: 99 } });
    expect(evaluateRange(' Bytes = 5-5 ', 100)).toEqual({ kind: 'partial', range: { start: 5, end: 5 } });
  });

  it('unsatisfiable: first-pos at or beyond the length, a zero suffix, an empty representation', () => {
    expect(evaluateRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(evaluateRange('bytes=100-200', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(evaluateRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(evaluateRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignored (served in full): other units, malformed specs, last < first, several ranges', () => {
    for (const v of [
      'items=0-1',
      'bytes',
      'bytes=',
      'bytes=a-b',
      'bytes=5-1',
      'bytes=0-1,5-6',
      'bytes=--1',
      'bytes=1',
    ]) {
      expect(evaluateRange(v, 100), v).toEqual({ kind: 'full' });
    }
  });

  it('property: a partial range always lies inside the representation', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.option(fc.nat(20_000)), fc.option(fc.nat(20_000)), (size, a, b) => {
        const spec = `bytes=${a ?? ''}-${b ?? ''}`;
        const r = evaluateRange(spec, size);
        if (r.kind === 'partial') {
          expect(r.range.start).toBeGreaterThanOrEqual(0);
          expect(r.range.end).toBeLessThan(size);
          expect(r.range.start).toBeLessThanOrEqual(r.range.end);
        }
        if (a !== null && a < size && (b === null || b >= a)) expect(r.kind).toBe('partial');
      }),
    );
  });

  it('content-range values (RFC 9110 §14.4)', () => {
    expect(contentRange({ start: 0, end: 9 }, 100)).toBe('bytes 0-9/100');
    expect(contentRange(undefined, 100)).toBe('bytes */100');
  });
});
