import type { H3Header } from '@fos/http3';
import { describe, expect, it } from 'vitest';
import { appendHeaders, combinedValue, headerValues, isDroppedField } from './headers.js';

describe('outgoing headers (RFC 9114 §4.2)', () => {
  it('lowercases names, expands arrays, keeps order; drops connection-specific fields and pseudo-headers', () => {
    const out: H3Header[] = [];
    appendHeaders(out, { 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'], 'X-N': 5, Connection: 'close' });
    appendHeaders(out, [
      [':status', '500'],
      ['TE', 'gzip'],
      ['te', 'trailers'],
      ['Transfer-Encoding', 'chunked'],
    ]);
    expect(out).toEqual([
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-n', '5'],
      ['te', 'trailers'],
    ]);
  });

  it('dropped fields', () => {
    for (const n of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']) {
      expect(isDroppedField(n, 'x')).toBe(true);
    }
    expect(isDroppedField('te', ' Trailers ')).toBe(false);
    expect(isDroppedField('accept', '*/*')).toBe(false);
  });

  it('combined values (RFC 9110 §5.3; cookies with "; ", RFC 9114 §4.2.1)', () => {
    const h: H3Header[] = [
      ['accept', 'a'],
      ['cookie', 'x=1'],
      ['accept', 'b'],
      ['cookie', 'y=2'],
    ];
    expect(combinedValue(h, 'accept')).toBe('a, b');
    expect(combinedValue(h, 'cookie')).toBe('x=1; y=2');
    expect(combinedValue(h, 'none')).toBeUndefined();
    expect(headerValues(h, 'accept')).toEqual(['a', 'b']);
  });
});
