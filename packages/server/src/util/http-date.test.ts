import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DateHeaderCache, httpDate, parseHttpDate } from './http-date.js';

const T = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('HTTP-date (RFC 9110 §5.6.7)', () => {
  it('formats IMF-fixdate', () => {
    expect(httpDate(T)).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });

  it('parses the three forms recipients must accept', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(T);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(T);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(T);
  });

  it('rejects what is not a date', () => {
    for (const v of ['', '12345', 'yesterday', 'Sun, 99 Foo 1994 08:49:37 GMT'])
      expect(parseHttpDate(v), v).toBeUndefined();
  });

  it('property: format → parse round-trips at second precision', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(parseHttpDate(httpDate(ms))).toBe(Math.floor(ms / 1000) * 1000);
      }),
    );
  });

  it('the date cache recomputes once per second', () => {
    const c = new DateHeaderCache();
    expect(c.get(T)).toBe(httpDate(T));
    expect(c.get(T + 999)).toBe(httpDate(T));
    expect(c.get(T + 1000)).toBe(httpDate(T + 1000));
  });
});
