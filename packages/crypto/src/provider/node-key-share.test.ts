import { readFileSync } from 'node:fs';
import { NamedGroup, TransportError, TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from './node-crypto-provider.js';

const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/primitives.json', import.meta.url), 'utf8'));
const hex = (s: string): Uint8Array => Buffer.from(s, 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const provider = new NodeCryptoProvider();
/** RFC 9001 §4.8: CRYPTO_ERROR + illegal_parameter (47). */
const ILLEGAL_PARAMETER = TransportErrorCode.CRYPTO_ERROR + 47;

function expectIllegalParameter(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TransportError);
  expect((caught as TransportError).code).toBe(ILLEGAL_PARAMETER);
}

describe('X25519 (RFC 7748)', () => {
  const v = fx.x25519;
  it('§6.1: public keys and the shared secret from the published private keys', () => {
    const alice = provider.importKeyShare(NamedGroup.x25519, hex(v.alice_private));
    const bob = provider.importKeyShare(NamedGroup.x25519, hex(v.bob_private));
    expect(alice.group).toBe(NamedGroup.x25519);
    expect(toHex(alice.publicKey)).toBe(v.alice_public);
    expect(toHex(bob.publicKey)).toBe(v.bob_public);
    expect(toHex(alice.deriveSecret(hex(v.bob_public)))).toBe(v.shared_secret);
    expect(toHex(bob.deriveSecret(hex(v.alice_public)))).toBe(v.shared_secret);
  });

  for (const t of fx.x25519_function) {
    it(`${t.section}: X25519(scalar, u) (the u-coordinate's top bit is masked)`, () => {
      expect(toHex(provider.importKeyShare(NamedGroup.x25519, hex(t.scalar)).deriveSecret(hex(t.u)))).toBe(t.output);
    });
  }

  it('refuses a key share of the wrong length and low-order points (all-zero secret, RFC 8446 §7.4.2)', () => {
    const share = provider.generateKeyShare(NamedGroup.x25519);
    expectIllegalParameter(() => share.deriveSecret(new Uint8Array(31)));
    expectIllegalParameter(() => share.deriveSecret(new Uint8Array(33)));
    expectIllegalParameter(() => share.deriveSecret(new Uint8Array(32))); // u = 0
    const one = new Uint8Array(32);
    one[0] = 1;
    expectIllegalParameter(() => share.deriveSecret(one)); // u = 1, order 4
  });
});

describe('ECDHE key shares', () => {
  const curves = [
    { group: NamedGroup.secp256r1, n: 32 },
    { group: NamedGroup.secp384r1, n: 48 },
  ];
  for (const { group, n } of curves) {
    it(`0x${group.toString(16)}: two generated shares agree on a ${n}-byte secret; the public key is uncompressed`, () => {
      const a = provider.generateKeyShare(group);
      const b = provider.generateKeyShare(group);
      expect(a.group).toBe(group);
      expect(a.publicKey.length).toBe(1 + 2 * n);
      expect(a.publicKey[0]).toBe(4);
      const s = a.deriveSecret(b.publicKey);
      expect(s.length).toBe(n);
      expect(toHex(s)).toBe(toHex(b.deriveSecret(a.publicKey)));
    });

    it(`0x${group.toString(16)}: importing a private scalar reproduces the same public key`, () => {
      const d = new Uint8Array(n);
      d[n - 1] = 7;
      const a = provider.importKeyShare(group, d);
      const b = provider.importKeyShare(group, d);
      expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
      const other = provider.generateKeyShare(group);
      expect(toHex(a.deriveSecret(other.publicKey))).toBe(toHex(other.deriveSecret(a.publicKey)));
    });

    it(`0x${group.toString(16)}: invalid points are refused with illegal_parameter`, () => {
      const share = provider.generateKeyShare(group);
      const good = provider.generateKeyShare(group).publicKey;
      // wrong length, compressed form, the infinity encoding, a point off the curve, x = p, all-ones coordinates
      expectIllegalParameter(() => share.deriveSecret(good.subarray(0, good.length - 1)));
      const compressed = Uint8Array.from(good.subarray(0, 1 + n));
      compressed[0] = 2 + (good[good.length - 1] & 1);
      expectIllegalParameter(() => share.deriveSecret(compressed));
      expectIllegalParameter(() => share.deriveSecret(new Uint8Array(1)));
      const off = Uint8Array.from(good);
      off[off.length - 1] ^= 1;
      expectIllegalParameter(() => share.deriveSecret(off));
      const zero = new Uint8Array(1 + 2 * n);
      zero[0] = 4;
      expectIllegalParameter(() => share.deriveSecret(zero));
      const ones = new Uint8Array(1 + 2 * n).fill(0xff);
      ones[0] = 4;
      expectIllegalParameter(() => share.deriveSecret(ones));
    });
  }

  it('random peer bytes either give a secret or an illegal_parameter TransportError, nothing else', () => {
    const shares = provider.namedGroups.map((g) => provider.generateKeyShare(g));
    fc.assert(
      fc.property(fc.nat(shares.length - 1), fc.uint8Array({ maxLength: 100 }), fc.boolean(), (i, bytes, fixForm) => {
        const share = shares[i];
        const input = Uint8Array.from(bytes);
        if (fixForm && input.length > 0) input[0] = 4;
        try {
          share.deriveSecret(input);
        } catch (e) {
          expect(e).toBeInstanceOf(TransportError);
          expect((e as TransportError).code).toBe(ILLEGAL_PARAMETER);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('an unknown group is an UnsupportedAlgorithmError', () => {
    expect(() => provider.generateKeyShare(NamedGroup.x448)).toThrow(expect.objectContaining({ kind: 'group' }));
  });
});
