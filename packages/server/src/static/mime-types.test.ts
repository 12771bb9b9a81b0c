import { describe, expect, it } from 'vitest';
import { contentTypeOf, DEFAULT_CONTENT_TYPE } from './mime-types.js';

describe('contentTypeOf', () => {
  it('by extension, case-insensitive; unknown, none and dot-files are octets', () => {
    expect(contentTypeOf('index.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a/b/app.mjs')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('pic.jpeg')).toBe('image/jpeg');
    expect(contentTypeOf('x.wasm')).toBe('application/wasm');
    expect(contentTypeOf('x.unknownext')).toBe(DEFAULT_CONTENT_TYPE);
    expect(contentTypeOf('Makefile')).toBe(DEFAULT_CONTENT_TYPE);
    expect(contentTypeOf('.bashrc')).toBe(DEFAULT_CONTENT_TYPE);
    expect(contentTypeOf('dir.d/file')).toBe(DEFAULT_CONTENT_TYPE);
  });
});
