import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashStringInterner, latin1 } from './hash-string-interner.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('HashStringInterner', () => {
  it('returns the same string object for equal byte strings', () => {
    const interner = new HashStringInterner();
    const a = interner.internBytes(bytes('xcontent-typex'), 1, 12);
    const b = interner.internBytes(bytes('content-type'), 0, 12);
    expect(a).toBe('content-type');
    expect(b).toBe(a);
    expect(interner.intern('content-type')).toBe(a);
    expect(interner.stats()).toMatchObject({ hits: 2, misses: 1, entries: 1 });
  });

  it('decodes bytes as Latin-1 exactly, including 0x80-0xff', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const interner = new HashStringInterner({ capacity: 64 });
        const s = interner.internBytes(b, 0, b.length);
        expect(s.length).toBe(b.length);
        for (let i = 0; i < b.length; i++) expect(s.charCodeAt(i)).toBe(b[i]);
        expect(latin1(b, 0, b.length)).toBe(s);
      }),
    );
  });

  it('stays bounded under a flood of distinct names and keeps preloaded names', () => {
    const interner = new HashStringInterner({ capacity: 64, preload: [':authority', 'content-type'] });
    for (let i = 0; i < 10_000; i++) interner.intern(`x-attack-${i}`);
    expect(interner.stats().entries).toBeLessThanOrEqual(64);
    const before = interner.stats().hits;
    interner.internBytes(bytes(':authority'), 0, 10);
    interner.internBytes(bytes('content-type'), 0, 12);
    expect(interner.stats().hits).toBe(before + 2);
  });

  it('does not store strings longer than maxLength', () => {
    const interner = new HashStringInterner({ maxLength: 4 });
    expect(interner.internBytes(bytes('abcdef'), 0, 6)).toBe('abcdef');
    expect(interner.stats().entries).toBe(0);
  });
});
