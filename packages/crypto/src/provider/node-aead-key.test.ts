import { readFileSync } from 'node:fs';
import type { AeadAlgorithm } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from './node-crypto-provider.js';

const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/primitives.json', import.meta.url), 'utf8'));
const hex = (s: string): Uint8Array => Buffer.from(s, 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const provider = new NodeCryptoProvider();

interface AeadVector {
  section: string;
  algorithm: AeadAlgorithm;
  key: string;
  nonce: string;
  aad: string;
  plaintext: string;
  ciphertext: string;
  tag: string;
}

const vectors: AeadVector[] = [...fx.aes_gcm, { ...fx.chacha20_poly1305, algorithm: 'chacha20-poly1305' as const }];

describe('NodeAeadKey known answers', () => {
  for (const v of vectors) {
    it(`${v.section}: seal produces ciphertext ‖ tag`, () => {
      const key = provider.createAeadKey(v.algorithm, hex(v.key));
      const pt = hex(v.plaintext);
      const out = new Uint8Array(pt.length + 16 + 7);
      const n = key.seal(hex(v.nonce), hex(v.aad), pt, out, 7);
      expect(n).toBe(pt.length + 16);
      expect(toHex(out.subarray(7, 7 + n))).toBe(v.ciphertext + v.tag);
    });

    it(`${v.section}: open recovers the plaintext`, () => {
      const key = provider.createAeadKey(v.algorithm, hex(v.key));
      const out = new Uint8Array(200);
      const n = key.open(hex(v.nonce), hex(v.aad), hex(v.ciphertext + v.tag), out, 3);
      expect(n).toBe(v.plaintext.length / 2);
      expect(toHex(out.subarray(3, 3 + n))).toBe(v.plaintext);
    });

    it(`${v.section}: seal and open work in place`, () => {
      const key = provider.createAeadKey(v.algorithm, hex(v.key));
      const pt = hex(v.plaintext);
      const buf = new Uint8Array(5 + pt.length + 16);
      buf.set(pt, 5);
      expect(key.seal(hex(v.nonce), hex(v.aad), buf.subarray(5, 5 + pt.length), buf, 5)).toBe(pt.length + 16);
      expect(toHex(buf.subarray(5))).toBe(v.ciphertext + v.tag);
      expect(key.open(hex(v.nonce), hex(v.aad), buf.subarray(5), buf, 5)).toBe(pt.length);
      expect(toHex(buf.subarray(5, 5 + pt.length))).toBe(v.plaintext);
    });

    it(`${v.section}: a modified tag, ciphertext, aad or nonce fails with -1 and leaves the output untouched`, () => {
      const key = provider.createAeadKey(v.algorithm, hex(v.key));
      const sealed = hex(v.ciphertext + v.tag);
      const cases: Array<[Uint8Array, Uint8Array, Uint8Array]> = [];
      for (const i of [0, sealed.length - 1, sealed.length - 16]) {
        const bad = Uint8Array.from(sealed);
        bad[i] ^= 0x01;
        cases.push([hex(v.nonce), hex(v.aad), bad]);
      }
      const badAad = hex(v.aad);
      badAad[0] ^= 0x80;
      cases.push([hex(v.nonce), badAad, sealed]);
      const badNonce = hex(v.nonce);
      badNonce[11] ^= 0x01;
      cases.push([badNonce, hex(v.aad), sealed]);
      for (const [nonce, aad, ct] of cases) {
        const out = new Uint8Array(sealed.length).fill(0xee);
        expect(key.open(nonce, aad, ct, out, 0)).toBe(-1);
        expect(out.every((b) => b === 0xee)).toBe(true);
      }
    });
  }

  it('open of fewer bytes than a tag, or with a wrong-sized nonce, returns -1', () => {
    const key = provider.createAeadKey('aes-128-gcm', new Uint8Array(16));
    const out = new Uint8Array(32);
    expect(key.open(new Uint8Array(12), new Uint8Array(0), new Uint8Array(15), out, 0)).toBe(-1);
    expect(key.open(new Uint8Array(8), new Uint8Array(0), new Uint8Array(32), out, 0)).toBe(-1);
  });

  it('rejects keys of the wrong length, unknown algorithms, short nonces and short outputs', () => {
    expect(() => provider.createAeadKey('aes-128-gcm', new Uint8Array(32))).toThrow(RangeError);
    expect(() => provider.createAeadKey('aes-256-gcm', new Uint8Array(16))).toThrow(RangeError);
    expect(() => provider.createAeadKey('chacha20-poly1305', new Uint8Array(16))).toThrow(RangeError);
    expect(() => provider.createAeadKey('aes-128-ccm' as AeadAlgorithm, new Uint8Array(16))).toThrow(
      expect.objectContaining({ kind: 'aead' }),
    );
    const key = provider.createAeadKey('aes-128-gcm', new Uint8Array(16));
    expect(() => key.seal(new Uint8Array(8), new Uint8Array(0), new Uint8Array(4), new Uint8Array(64), 0)).toThrow(
      RangeError,
    );
    expect(() => key.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(4), new Uint8Array(19), 0)).toThrow(
      RangeError,
    );
  });
});

describe('NodeAeadKey properties', () => {
  const algorithms: AeadAlgorithm[] = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'];
  it('seal → open round-trips for every algorithm, key, nonce, aad and plaintext (in place)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...algorithms),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(8),
        (algorithm, keyBytes, nonce, aad, plaintext, offset) => {
          const key = provider.createAeadKey(algorithm, keyBytes.subarray(0, algorithm === 'aes-128-gcm' ? 16 : 32));
          const buf = new Uint8Array(offset + plaintext.length + 16);
          buf.set(plaintext, offset);
          const sealed = key.seal(nonce, aad, buf.subarray(offset, offset + plaintext.length), buf, offset);
          expect(sealed).toBe(plaintext.length + 16);
          const opened = key.open(nonce, aad, buf.subarray(offset), buf, offset);
          expect(opened).toBe(plaintext.length);
          expect(toHex(buf.subarray(offset, offset + opened))).toBe(toHex(plaintext));
        },
      ),
      { numRuns: 150 },
    );
  });
});
