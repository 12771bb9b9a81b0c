import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIORITY, parsePriority, priorityFromHeaders, serializePriority } from './priority.js';
import { parseSfDictionary } from './structured-fields.js';

describe('Priority field (RFC 9218 §4, §5)', () => {
  it('parses the RFC examples', () => {
    expect(parsePriority('u=0')).toEqual({ urgency: 0, incremental: false }); // §4.1
    expect(parsePriority('u=5, i')).toEqual({ urgency: 5, incremental: true }); // §4.2
  });

  it('defaults absent parameters (§4.1, §4.2) and returns the shared default object', () => {
    expect(parsePriority('')).toBe(DEFAULT_PRIORITY);
    expect(parsePriority('i=?0')).toBe(DEFAULT_PRIORITY);
    expect(parsePriority('i')).toEqual({ urgency: 3, incremental: true });
    expect(parsePriority('i=?1, u=7')).toEqual({ urgency: 7, incremental: true });
  });

  it('ignores unknown parameters, out-of-range values and values of the wrong type (§4)', () => {
    expect(parsePriority('u=8')).toBe(DEFAULT_PRIORITY);
    expect(parsePriority('u=-1')).toBe(DEFAULT_PRIORITY);
    expect(parsePriority('u=1.5')).toBe(DEFAULT_PRIORITY);
    expect(parsePriority('u="1"')).toBe(DEFAULT_PRIORITY);
    expect(parsePriority('u=(1 2)')).toBe(DEFAULT_PRIORITY);
    expect(parsePriority('i=1')).toBe(DEFAULT_PRIORITY);
    expect(parsePriority('u=2, visible, x=:YWJj:, t=tok/en, s="a\\"b"')).toEqual({ urgency: 2, incremental: false });
    expect(parsePriority('u=2;a=1;b')).toEqual({ urgency: 2, incremental: false });
  });

  it('takes the last value of a duplicated key (RFC 8941 §4.2.2)', () => {
    expect(parsePriority('u=1, u=6')).toEqual({ urgency: 6, incremental: false });
  });

  it('rejects what is not a Dictionary (RFC 8941 §4.2)', () => {
    for (const bad of ['u=1,', ',u=1', 'U=1', 'u=1 i', 'u=', 'u=1;', '1', 'u=?2', 'u="unterminated', 'u=(1', 'é']) {
      expect(parsePriority(bad), bad).toBeUndefined();
    }
    expect(parsePriority(' u=1 ,\ti ')).toEqual({ urgency: 1, incremental: true });
  });

  it('combines several priority field lines (RFC 9110 §5.3) and ignores an unparsable field', () => {
    expect(
      priorityFromHeaders([
        [':method', 'GET'],
        ['priority', 'u=1'],
        ['accept', '*/*'],
        ['priority', 'i'],
      ]),
    ).toEqual({ urgency: 1, incremental: true });
    expect(priorityFromHeaders([['priority', 'u=1,,']])).toBe(DEFAULT_PRIORITY);
    expect(priorityFromHeaders([])).toBe(DEFAULT_PRIORITY);
  });

  it('serialize → parse round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.boolean(), (urgency, incremental) => {
        expect(parsePriority(serializePriority({ urgency, incremental }))).toEqual({ urgency, incremental });
      }),
    );
    expect(serializePriority(DEFAULT_PRIORITY)).toBe('');
    expect(serializePriority({ urgency: 5, incremental: true })).toBe('u=5, i');
    expect(() => serializePriority({ urgency: 8, incremental: false })).toThrow(RangeError);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const d = parseSfDictionary(s);
        expect(d === undefined || d instanceof Map).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses the RFC 8941 bare item types', () => {
    const d = parseSfDictionary('a=1, b=-2.5, c="x y", d=tok*:/, e=:AQID:, f=?0, g=(1 "s";p=1), h;q=?1');
    expect(d).toBeDefined();
    expect(d?.get('a')).toMatchObject({ kind: 'item', item: { type: 'integer', value: 1 } });
    expect(d?.get('b')).toMatchObject({ item: { type: 'decimal', value: -2.5 } });
    expect(d?.get('c')).toMatchObject({ item: { type: 'string', value: 'x y' } });
    expect(d?.get('d')).toMatchObject({ item: { type: 'token', value: 'tok*:/' } });
    expect(d?.get('e')).toMatchObject({ item: { type: 'bytes', value: 'AQID' } });
    expect(d?.get('f')).toMatchObject({ item: { type: 'boolean', value: false } });
    expect(d?.get('g')).toMatchObject({ kind: 'inner-list' });
    expect(d?.get('h')).toMatchObject({ item: { type: 'boolean', value: true } });
    expect(parseSfDictionary('a=1234567890123456')).toBeUndefined(); // §4.2.4: at most 15 digits
    expect(parseSfDictionary('a=1.2345')).toBeUndefined(); // at most 3 fraction digits
  });
});
