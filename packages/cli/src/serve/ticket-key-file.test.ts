import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readTicketKeyFile } from './ticket-key-file.js';

const dir = mkdtempSync(join(tmpdir(), 'fos-ticket-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('readTicketKeyFile', () => {
  it('32 raw bytes are the key, whatever they are (also whitespace or hex-looking bytes)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        expect(readTicketKeyFile(file('raw.key', key))).toEqual(key);
      }),
    );
    const hexLooking = 'ab'.repeat(16);
    expect(Buffer.from(readTicketKeyFile(file('raw-hex.key', hexLooking))).toString('latin1')).toBe(hexLooking);
  });

  it('64 hex digits (either case, surrounding whitespace ignored) are decoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (key, upper) => {
        const hex = Buffer.from(key).toString('hex');
        expect(readTicketKeyFile(file('hex.key', `  ${upper ? hex.toUpperCase() : hex}\n`))).toEqual(key);
      }),
    );
  });

  it.each([
    ['31 raw bytes', new Uint8Array(31)],
    ['33 raw bytes', new Uint8Array(33)],
    ['63 hex digits', 'a'.repeat(63)],
    ['65 hex digits', 'a'.repeat(65)],
    ['64 characters that are not all hex', `${'a'.repeat(63)}g`],
    ['an empty file', ''],
  ])('refuses %s', (_, content) => {
    expect(() => readTicketKeyFile(file('bad.key', content))).toThrow(Error);
  });

  it('refuses a missing file', () => {
    expect(() => readTicketKeyFile(join(dir, 'missing.key'))).toThrow(Error);
  });
});
