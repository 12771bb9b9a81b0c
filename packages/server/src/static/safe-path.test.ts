import { sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInside, resolveUnderRoot } from './safe-path.js';

const ROOT = `${sep}srv${sep}www`;

describe('resolveUnderRoot', () => {
  it('maps paths under the root, decoding segments', () => {
    expect(resolveUnderRoot(ROOT, '/')).toEqual({ ok: true, path: ROOT });
    expect(resolveUnderRoot(ROOT, '/a/b.txt')).toEqual({ ok: true, path: `${ROOT}${sep}a${sep}b.txt` });
    expect(resolveUnderRoot(ROOT, '/a%20b/./c')).toEqual({ ok: true, path: `${ROOT}${sep}a b${sep}c` });
    expect(resolveUnderRoot(ROOT, '//a//b')).toEqual({ ok: true, path: `${ROOT}${sep}a${sep}b` });
  });

  it('refuses traversal, encoded separators, NUL, bad escapes, dot-files', () => {
    expect(resolveUnderRoot(ROOT, '/../x')).toEqual({ ok: false, reason: 'forbidden' });
    expect(resolveUnderRoot(ROOT, '/a/%2e%2e/%2E%2E/x')).toEqual({ ok: false, reason: 'forbidden' });
    expect(resolveUnderRoot(ROOT, '/a%2f..%2fx')).toEqual({ ok: false, reason: 'bad-request' });
    expect(resolveUnderRoot(ROOT, '/a%5c..%5cx')).toEqual({ ok: false, reason: 'bad-request' });
    expect(resolveUnderRoot(ROOT, '/a%00')).toEqual({ ok: false, reason: 'bad-request' });
    expect(resolveUnderRoot(ROOT, '/%E0%A4%A')).toEqual({ ok: false, reason: 'bad-request' });
    expect(resolveUnderRoot(ROOT, 'relative')).toEqual({ ok: false, reason: 'bad-request' });
    expect(resolveUnderRoot(ROOT, '/.git/config')).toEqual({ ok: false, reason: 'not-found' });
    expect(resolveUnderRoot(ROOT, '/.git/config', true).ok).toBe(true);
  });

  it('property: whatever the path, the result is inside the root or refused', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '%2e%2e', '%2E.', '%2f', '%5c', '%00', 'a', '..%2f', '%', '~', ''),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
        const r = resolveUnderRoot(ROOT, `/${segments.join('/')}`, true);
        if (r.ok) expect(isInside(ROOT, r.path)).toBe(true);
      }),
    );
  });
});
