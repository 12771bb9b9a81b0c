import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { httpDate } from '../util/http-date.js';
import { evaluatePreconditions, fileEtag, parseEntityTags, strongMatch, weakMatch } from './conditional.js';

const MTIME = Date.UTC(2025, 2, 1, 12, 0, 0, 500);
const V = { etag: fileEtag(12, MTIME), lastModifiedMs: MTIME };
const NOW = MTIME + 86_400_000;
const at = (ms: number) => httpDate(ms);

describe('entity tags (RFC 9110 §8.8.3)', () => {
  it('parses lists, weak tags and *', () => {
    expect(parseEntityTags('"a", W/"b" ,"c"')).toEqual(['"a"', 'W/"b"', '"c"']);
    expect(parseEntityTags(' * ')).toBe('*');
    expect(parseEntityTags('')).toEqual([]);
  });

  it('strong and weak comparison (§8.8.3.2 table)', () => {
    expect(strongMatch('W/"1"', 'W/"1"')).toBe(false);
    expect(weakMatch('W/"1"', 'W/"1"')).toBe(true);
    expect(strongMatch('W/"1"', 'W/"2"') || weakMatch('W/"1"', 'W/"2"')).toBe(false);
    expect(strongMatch('W/"1"', '"1"')).toBe(false);
    expect(weakMatch('W/"1"', '"1"')).toBe(true);
    expect(strongMatch('"1"', '"1"') && weakMatch('"1"', '"1"')).toBe(true);
  });

  it('property: a list of tags round-trips through its field value', () => {
    const tag = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[!#-~]{0,12}$/))
      .map(([weak, s]) => `${weak ? 'W/' : ''}"${s}"`);
    fc.assert(
      fc.property(fc.array(tag, { minLength: 1, maxLength: 6 }), (tags) => {
        expect(parseEntityTags(tags.join(', '))).toEqual(tags);
      }),
    );
  });

  it('fileEtag is strong and changes with size and time', () => {
    expect(fileEtag(12, MTIME)).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(fileEtag(13, MTIME)).not.toBe(fileEtag(12, MTIME));
    expect(fileEtag(12, MTIME + 1)).not.toBe(fileEtag(12, MTIME));
  });
});

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  const ev = (p: Parameters<typeof evaluatePreconditions>[0], getOrHead = true) =>
    evaluatePreconditions(p, V, getOrHead, NOW);

  it('no preconditions: proceed with ranges', () => {
    expect(ev({})).toEqual({ kind: 'proceed', useRange: true });
  });

  it('If-Match: strong comparison, * matches, else 412', () => {
    expect(ev({ ifMatch: V.etag })).toEqual({ kind: 'proceed', useRange: true });
    expect(ev({ ifMatch: '*' }).kind).toBe('proceed');
    expect(ev({ ifMatch: `W/${V.etag}` }).kind).toBe('failed');
    expect(ev({ ifMatch: '"x"' }).kind).toBe('failed');
  });

  it('If-Unmodified-Since only without If-Match; invalid dates ignored', () => {
    expect(ev({ ifUnmodifiedSince: at(MTIME - 5000) }).kind).toBe('failed');
    expect(ev({ ifUnmodifiedSince: at(MTIME) }).kind).toBe('proceed'); // second precision
    expect(ev({ ifMatch: V.etag, ifUnmodifiedSince: at(MTIME - 5000) }).kind).toBe('proceed');
    expect(ev({ ifUnmodifiedSince: 'yesterday' }).kind).toBe('proceed');
  });

  it('If-None-Match: weak comparison; 304 for GET/HEAD, 412 otherwise', () => {
    expect(ev({ ifNoneMatch: `W/${V.etag}` }).kind).toBe('not-modified');
    expect(ev({ ifNoneMatch: '*' }).kind).toBe('not-modified');
    expect(ev({ ifNoneMatch: V.etag }, false).kind).toBe('failed');
    expect(ev({ ifNoneMatch: '"x"' }).kind).toBe('proceed');
  });

  it('If-Modified-Since: only GET/HEAD, only without If-None-Match, future dates ignored', () => {
    expect(ev({ ifModifiedSince: at(MTIME) }).kind).toBe('not-modified');
    expect(ev({ ifModifiedSince: at(MTIME - 1000) }).kind).toBe('proceed');
    expect(ev({ ifModifiedSince: at(MTIME) }, false).kind).toBe('proceed');
    expect(ev({ ifNoneMatch: '"x"', ifModifiedSince: at(MTIME) }).kind).toBe('proceed');
    expect(ev({ ifModifiedSince: at(NOW + 3_600_000) }).kind).toBe('proceed');
  });

  it('If-Range: a strong tag or the exact date keeps the range; anything else drops it', () => {
    expect(ev({ ifRange: V.etag })).toEqual({ kind: 'proceed', useRange: true });
    expect(ev({ ifRange: `W/${V.etag}` })).toEqual({ kind: 'proceed', useRange: false });
    expect(ev({ ifRange: at(MTIME) })).toEqual({ kind: 'proceed', useRange: true });
    expect(ev({ ifRange: at(MTIME - 1000) })).toEqual({ kind: 'proceed', useRange: false });
  });
});
