import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from './node-crypto-provider.js';

const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/primitives.json', import.meta.url), 'utf8'));
const hex = (s: string): Uint8Array => Buffer.from(s, 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const provider = new NodeCryptoProvider();

describe('HKDF (RFC 5869)', () => {
  for (const v of fx.hkdf_sha256) {
    it(`${v.section}: Extract gives the PRK and Expand the OKM`, () => {
      const prk = provider.hkdfExtract('sha256', hex(v.salt), hex(v.ikm));
      expect(toHex(prk)).toBe(v.prk);
      expect(toHex(provider.hkdfExpand('sha256', prk, hex(v.info), v.length))).toBe(v.okm);
    });
  }

  it('an empty salt is HashLen zero bytes (RFC 5869 §2.2)', () => {
    const ikm = hex('0b0b0b');
    for (const alg of ['sha256', 'sha384'] as const) {
      const zeros = new Uint8Array(provider.hashLength(alg));
      expect(toHex(provider.hkdfExtract(alg, new Uint8Array(0), ikm))).toBe(toHex(provider.hmac(alg, zeros, ikm)));
    }
  });

  it('Expand outputs are prefixes of one another and T(1) is HMAC(PRK, info ‖ 0x01)', () => {
    const prk = hex(fx.hkdf_sha256[0].prk);
    const info = hex('aabb');
    const long = provider.hkdfExpand('sha384', prk, info, 100);
    expect(toHex(provider.hkdfExpand('sha384', prk, info, 48))).toBe(toHex(long.subarray(0, 48)));
    expect(toHex(provider.hkdfExpand('sha384', prk, info, 49))).toBe(toHex(long.subarray(0, 49)));
    expect(toHex(long.subarray(0, 48))).toBe(toHex(provider.hmac('sha384', prk, hex('aabb01'))));
    expect(provider.hkdfExpand('sha256', prk, info, 0).length).toBe(0);
  });

  it('refuses lengths above 255 · HashLen', () => {
    const prk = new Uint8Array(32);
    expect(provider.hkdfExpand('sha256', prk, new Uint8Array(0), 255 * 32).length).toBe(255 * 32);
    expect(() => provider.hkdfExpand('sha256', prk, new Uint8Array(0), 255 * 32 + 1)).toThrow(RangeError);
    expect(() => provider.hkdfExpand('sha256', prk, new Uint8Array(0), -1)).toThrow(RangeError);
  });
});

describe('hashes', () => {
  it('digest and hashLength for SHA-256/384 ("abc", FIPS 180-2)', () => {
    const abc = hex(fx.sha_abc.message);
    expect(toHex(provider.digest('sha256', abc))).toBe(fx.sha_abc.sha256);
    expect(toHex(provider.digest('sha384', abc))).toBe(fx.sha_abc.sha384);
    expect(provider.hashLength('sha256')).toBe(32);
    expect(provider.hashLength('sha384')).toBe(48);
    expect(provider.hashLength('sha512')).toBe(64);
  });

  it('an incremental hash can be peeked and copied without being finished', () => {
    for (const alg of ['sha256', 'sha384'] as const) {
      const h = provider.createHash(alg);
      expect(toHex(h.peek())).toBe(toHex(provider.digest(alg, new Uint8Array(0))));
      h.update(hex('61'));
      const fork = h.copy();
      h.update(hex('6263'));
      expect(toHex(h.peek())).toBe(alg === 'sha256' ? fx.sha_abc.sha256 : fx.sha_abc.sha384);
      expect(toHex(h.peek())).toBe(toHex(h.peek())); // peeking twice is allowed
      expect(toHex(fork.peek())).toBe(toHex(provider.digest(alg, hex('61'))));
      fork.update(hex('62')).update(hex('63'));
      expect(toHex(fork.peek())).toBe(toHex(h.peek()));
      expect(fork.algorithm).toBe(alg);
    }
  });

  it('hmac matches a two-step HKDF-Extract', () => {
    expect(toHex(provider.hmac('sha256', hex(fx.hkdf_sha256[0].salt), hex(fx.hkdf_sha256[0].ikm)))).toBe(
      fx.hkdf_sha256[0].prk,
    );
  });

  it('randomBytes returns the requested length', () => {
    expect(provider.randomBytes(0).length).toBe(0);
    const a = provider.randomBytes(32);
    expect(a.length).toBe(32);
    expect(toHex(a)).not.toBe(toHex(provider.randomBytes(32)));
  });
});
