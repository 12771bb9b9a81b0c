import { constants, generateKeyPairSync, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignatureScheme } from '@fos/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedAlgorithmError } from './errors.js';
import { NodeCryptoProvider } from './node-crypto-provider.js';

const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/primitives.json', import.meta.url), 'utf8'));
const hex = (s: string): Uint8Array => Buffer.from(s, 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const provider = new NodeCryptoProvider();
const S = SignatureScheme;

/** RFC 8410 §7 PKCS#8 / §4 SPKI wrappers for a raw Ed25519 seed / public key. */
const ed25519Pkcs8 = (seed: string) => hex(`302e020100300506032b657004220420${seed}`);
const ed25519Spki = (pub: string) => hex(`302a300506032b6570032100${pub}`);

interface TestKey {
  name: string;
  privateKey: KeyObject;
  spki: Uint8Array;
  schemes: SignatureScheme[];
}

const keys: TestKey[] = [];
const data = new TextEncoder().encode('TLS 1.3, server CertificateVerify\0 transcript hash stands here');

beforeAll(() => {
  const make = (name: string, pair: { privateKey: KeyObject; publicKey: KeyObject }, schemes: SignatureScheme[]) =>
    keys.push({
      name,
      privateKey: pair.privateKey,
      spki: pair.publicKey.export({ format: 'der', type: 'spki' }),
      schemes,
    });
  make('P-256', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), [S.ecdsa_secp256r1_sha256]);
  make('P-384', generateKeyPairSync('ec', { namedCurve: 'secp384r1' }), [S.ecdsa_secp384r1_sha384]);
  make('RSA-2048', generateKeyPairSync('rsa', { modulusLength: 2048 }), [
    S.rsa_pss_rsae_sha256,
    S.rsa_pss_rsae_sha384,
    S.rsa_pss_rsae_sha512,
  ]);
  make('Ed25519', generateKeyPairSync('ed25519'), [S.ed25519]);
});

describe('Ed25519 known answers (RFC 8032 §7.1)', () => {
  for (const v of fx.ed25519) {
    it(`${v.section}: sign is deterministic and verify accepts the published signature`, () => {
      const key = provider.importSigningKey(ed25519Pkcs8(v.secret_key));
      expect(key.schemes).toEqual([S.ed25519]);
      expect(toHex(key.sign(S.ed25519, hex(v.message)))).toBe(v.signature);
      expect(provider.verify(S.ed25519, ed25519Spki(v.public_key), hex(v.message), hex(v.signature))).toBe(true);
      const bad = hex(v.signature);
      bad[10] ^= 1;
      expect(provider.verify(S.ed25519, ed25519Spki(v.public_key), hex(v.message), bad)).toBe(false);
    });
  }
});

describe('signing keys and verification', () => {
  it('imports PKCS#8 DER and PEM and lists the TLS 1.3 schemes of each key type', () => {
    for (const k of keys) {
      const der = provider.importSigningKey(k.privateKey.export({ format: 'der', type: 'pkcs8' }));
      const pem = provider.importSigningKey(k.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
      expect(der.schemes, k.name).toEqual(k.schemes);
      expect(pem.schemes, k.name).toEqual(k.schemes);
    }
  });

  it('every scheme of every key signs, and verify accepts it and refuses other data', () => {
    for (const k of keys) {
      const key = provider.importSigningKey(k.privateKey.export({ format: 'der', type: 'pkcs8' }));
      for (const scheme of k.schemes) {
        const sig = key.sign(scheme, data);
        expect(provider.verify(scheme, k.spki, data, sig), `${k.name} 0x${scheme.toString(16)}`).toBe(true);
        const other = Uint8Array.from(data);
        other[0] ^= 1;
        expect(provider.verify(scheme, k.spki, other, sig)).toBe(false);
      }
    }
  });

  it('ECDSA signatures are DER ECDSA-Sig-Value (RFC 8446 §4.2.3)', () => {
    for (const k of keys.filter((x) => x.name.startsWith('P-'))) {
      const sig = provider
        .importSigningKey(k.privateKey.export({ format: 'der', type: 'pkcs8' }))
        .sign(k.schemes[0], data);
      expect(sig[0]).toBe(0x30); // SEQUENCE
      expect(sig[1] + 2).toBe(sig.length);
      expect(sig[2]).toBe(0x02); // INTEGER r
      expect(
        nodeVerify(
          k.schemes[0] === S.ecdsa_secp256r1_sha256 ? 'sha256' : 'sha384',
          data,
          { key: k.privateKey, dsaEncoding: 'der' },
          sig,
        ),
      ).toBe(true);
    }
  });

  it('RSA-PSS uses a salt as long as the hash (RFC 8446 §4.2.3)', () => {
    const k = keys.find((x) => x.name === 'RSA-2048')!;
    const key = provider.importSigningKey(k.privateKey.export({ format: 'der', type: 'pkcs8' }));
    for (const [scheme, digest, len] of [
      [S.rsa_pss_rsae_sha256, 'sha256', 32],
      [S.rsa_pss_rsae_sha384, 'sha384', 48],
      [S.rsa_pss_rsae_sha512, 'sha512', 64],
    ] as const) {
      const sig = key.sign(scheme, data);
      const opts = (saltLength: number) => ({
        key: k.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength,
      });
      expect(nodeVerify(digest, data, opts(len), sig)).toBe(true);
      expect(nodeVerify(digest, data, opts(len + 1), sig)).toBe(false);
      // a peer signature with a different salt length is refused
      const otherSalt = nodeSign(digest, data, opts(20));
      expect(provider.verify(scheme, k.spki, data, otherSalt)).toBe(false);
    }
  });

  it('verifies rsa_pkcs1_* (certificate signatures) but never signs with them', () => {
    const k = keys.find((x) => x.name === 'RSA-2048')!;
    for (const [scheme, digest] of [
      [S.rsa_pkcs1_sha256, 'sha256'],
      [S.rsa_pkcs1_sha384, 'sha384'],
      [S.rsa_pkcs1_sha512, 'sha512'],
    ] as const) {
      const sig = nodeSign(digest, data, { key: k.privateKey, padding: constants.RSA_PKCS1_PADDING });
      expect(provider.verify(scheme, k.spki, data, sig)).toBe(true);
      const pss = provider.importSigningKey(k.privateKey.export({ format: 'der', type: 'pkcs8' }));
      expect(() => pss.sign(scheme, data)).toThrow(UnsupportedAlgorithmError);
    }
  });

  it('verify is false — never a throw — for mismatched key types, curves, malformed keys or signatures', () => {
    const p256 = keys.find((x) => x.name === 'P-256')!;
    const p384 = keys.find((x) => x.name === 'P-384')!;
    const rsa = keys.find((x) => x.name === 'RSA-2048')!;
    const ed = keys.find((x) => x.name === 'Ed25519')!;
    const sig256 = provider
      .importSigningKey(p256.privateKey.export({ format: 'der', type: 'pkcs8' }))
      .sign(S.ecdsa_secp256r1_sha256, data);
    expect(provider.verify(S.ecdsa_secp256r1_sha256, p384.spki, data, sig256)).toBe(false); // curve binding
    expect(provider.verify(S.ecdsa_secp384r1_sha384, p256.spki, data, sig256)).toBe(false);
    expect(provider.verify(S.rsa_pss_rsae_sha256, ed.spki, data, sig256)).toBe(false);
    expect(provider.verify(S.ed25519, rsa.spki, data, sig256)).toBe(false);
    expect(provider.verify(S.ecdsa_secp256r1_sha256, p256.spki.subarray(0, 20), data, sig256)).toBe(false);
    expect(provider.verify(S.ecdsa_secp256r1_sha256, p256.spki, data, sig256.subarray(0, 10))).toBe(false);
    expect(provider.verify(S.ecdsa_secp256r1_sha256, p256.spki, data, new Uint8Array(0))).toBe(false);
    expect(provider.verify(S.rsa_pss_pss_sha256, rsa.spki, data, new Uint8Array(256))).toBe(false); // unsupported
    expect(provider.verify(0x1234 as SignatureScheme, rsa.spki, data, new Uint8Array(256))).toBe(false);
  });

  it('signing with a scheme the key does not support, or importing an unsupported key, is an UnsupportedAlgorithmError', () => {
    const p256 = keys.find((x) => x.name === 'P-256')!;
    const key = provider.importSigningKey(p256.privateKey.export({ format: 'der', type: 'pkcs8' }));
    expect(() => key.sign(S.ecdsa_secp384r1_sha384, data)).toThrow(UnsupportedAlgorithmError);
    expect(() => key.sign(S.ed25519, data)).toThrow(UnsupportedAlgorithmError);
    const p521 = generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).privateKey;
    expect(() => provider.importSigningKey(p521.export({ format: 'der', type: 'pkcs8' }))).toThrow(
      expect.objectContaining({ kind: 'key' }),
    );
    const x25519 = generateKeyPairSync('x25519').privateKey;
    expect(() => provider.importSigningKey(x25519.export({ format: 'der', type: 'pkcs8' }))).toThrow(
      UnsupportedAlgorithmError,
    );
  });
});
