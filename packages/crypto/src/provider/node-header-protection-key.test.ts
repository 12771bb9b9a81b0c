import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HeaderProtectionAlgorithm } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from './node-crypto-provider.js';

const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/primitives.json', import.meta.url), 'utf8'));
const v1 = JSON.parse(readFileSync(new URL('../../test/fixtures/rfc9001.json', import.meta.url), 'utf8'));
const hex = (s: string): Uint8Array => Buffer.from(s, 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const provider = new NodeCryptoProvider();

/** The 4-byte little-endian block counter followed by the 12-byte nonce: the RFC 9001 §5.4.4 sample layout. */
function chachaSample(counter: number, nonce: string): Uint8Array {
  const sample = new Uint8Array(16);
  new DataView(sample.buffer).setUint32(0, counter, true);
  sample.set(hex(nonce), 4);
  return sample;
}

describe('AES-ECB header protection (RFC 9001 §5.4.3)', () => {
  for (const v of fx.aes_block) {
    it(`${v.section}: the mask is the first 5 bytes of AES(key, sample)`, () => {
      const hp = provider.createHeaderProtectionKey(v.algorithm, hex(v.key));
      const mask = new Uint8Array(5);
      hp.mask(hex(v.plaintext), mask);
      expect(toHex(mask)).toBe(v.ciphertext.slice(0, 10));
    });
  }

  it('RFC 9001 A.2: client Initial sample → mask', () => {
    const hp = provider.createHeaderProtectionKey('aes-128-ecb', hex(v1.keys.client_hp));
    const mask = new Uint8Array(5);
    hp.mask(hex(v1.client_initial.sample), mask);
    expect(toHex(mask)).toBe(v1.client_initial.mask);
  });

  it('the long-lived ECB cipher gives the same mask for the same sample on every call', () => {
    const hp = provider.createHeaderProtectionKey('aes-128-ecb', hex(v1.keys.server_hp));
    const a = new Uint8Array(5);
    const b = new Uint8Array(5);
    hp.mask(hex(v1.server_initial.sample), a);
    hp.mask(hex(v1.client_initial.sample), b);
    hp.mask(hex(v1.server_initial.sample), b);
    expect(toHex(a)).toBe(v1.server_initial.mask);
    expect(toHex(b)).toBe(v1.server_initial.mask);
  });

  it('refuses a short sample without disturbing later masks', () => {
    const hp = provider.createHeaderProtectionKey('aes-128-ecb', hex(v1.keys.client_hp));
    const mask = new Uint8Array(5);
    expect(() => hp.mask(hex(v1.client_initial.sample).subarray(0, 15), mask)).toThrow(RangeError);
    hp.mask(hex(v1.client_initial.sample), mask);
    expect(toHex(mask)).toBe(v1.client_initial.mask);
  });
});

describe('ChaCha20 header protection (RFC 9001 §5.4.4)', () => {
  it('RFC 8439 §2.3.2: the mask is the first 5 bytes of the ChaCha20 block for counter ‖ nonce', () => {
    const v = fx.chacha20_block;
    const hp = provider.createHeaderProtectionKey('chacha20', hex(v.key));
    const mask = new Uint8Array(5);
    hp.mask(chachaSample(v.counter, v.nonce), mask);
    expect(toHex(mask)).toBe(v.serialized_block.slice(0, 10));
  });

  it('RFC 8439 §2.4.2: the mask is the key stream that encrypted the first 5 plaintext bytes', () => {
    const v = fx.chacha20_cipher;
    const hp = provider.createHeaderProtectionKey('chacha20', hex(v.key));
    const mask = new Uint8Array(5);
    hp.mask(chachaSample(v.counter, v.nonce), mask);
    const pt = hex(v.plaintext);
    const ct = hex(v.ciphertext);
    expect(Array.from(mask)).toEqual([0, 1, 2, 3, 4].map((i) => pt[i] ^ ct[i]));
  });

  it('RFC 9001 A.5: sample → mask', () => {
    const v = v1.chacha20_poly1305_short_header;
    const hp = provider.createHeaderProtectionKey('chacha20', hex(v.hp));
    const mask = new Uint8Array(5);
    hp.mask(hex(v.sample), mask);
    expect(toHex(mask)).toBe(v.mask);
  });
});

describe('ChaCha20 header protection matches node:crypto (OpenSSL) ChaCha20', () => {
  it("for random keys and samples, the mask is the first 5 key-stream bytes of node's chacha20 with IV = sample", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (key, sample) => {
          const mask = new Uint8Array(5);
          provider.createHeaderProtectionKey('chacha20', key).mask(sample, mask);
          const expected = createCipheriv('chacha20', key, sample).update(new Uint8Array(5));
          expect(toHex(mask)).toBe(toHex(expected));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('header protection key validation', () => {
  it('rejects wrong key lengths, unknown algorithms and small mask buffers', () => {
    expect(() => provider.createHeaderProtectionKey('aes-128-ecb', new Uint8Array(32))).toThrow(RangeError);
    expect(() => provider.createHeaderProtectionKey('aes-256-ecb', new Uint8Array(16))).toThrow(RangeError);
    expect(() => provider.createHeaderProtectionKey('chacha20', new Uint8Array(16))).toThrow(RangeError);
    expect(() =>
      provider.createHeaderProtectionKey('aes-128-ctr' as HeaderProtectionAlgorithm, new Uint8Array(16)),
    ).toThrow(expect.objectContaining({ kind: 'header-protection' }));
    const hp = provider.createHeaderProtectionKey('chacha20', new Uint8Array(32));
    expect(() => hp.mask(new Uint8Array(16), new Uint8Array(4))).toThrow(RangeError);
    expect(() => hp.mask(new Uint8Array(17), new Uint8Array(5))).toThrow(RangeError);
  });
});
