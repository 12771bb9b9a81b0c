// RFC 8446 §4.2.3 signature schemes: signing with a certificate's private key, verifying with a DER SPKI.
import { constants, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { SignatureScheme, type SigningKey } from '@fos/core';
import { UnsupportedAlgorithmError } from './errors.js';

type Digest = 'sha256' | 'sha384' | 'sha512';

interface SchemeInfo {
  /** node:crypto key type the scheme needs. */
  readonly keyType: 'ec' | 'rsa' | 'ed25519';
  /** OpenSSL curve name the scheme binds (RFC 8446 §4.2.3: ECDSA schemes name the curve). */
  readonly curve?: 'prime256v1' | 'secp384r1';
  /** Digest, or null for EdDSA (the message is signed directly, RFC 8032). */
  readonly digest: Digest | null;
  readonly padding?: 'pss' | 'pkcs1';
}

const SCHEMES = new Map<SignatureScheme, SchemeInfo>([
  [SignatureScheme.ecdsa_secp256r1_sha256, { keyType: 'ec', curve: 'prime256v1', digest: 'sha256' }],
  [SignatureScheme.ecdsa_secp384r1_sha384, { keyType: 'ec', curve: 'secp384r1', digest: 'sha384' }],
  [SignatureScheme.rsa_pss_rsae_sha256, { keyType: 'rsa', digest: 'sha256', padding: 'pss' }],
  [SignatureScheme.rsa_pss_rsae_sha384, { keyType: 'rsa', digest: 'sha384', padding: 'pss' }],
  [SignatureScheme.rsa_pss_rsae_sha512, { keyType: 'rsa', digest: 'sha512', padding: 'pss' }],
  [SignatureScheme.ed25519, { keyType: 'ed25519', digest: null }],
  // RFC 8446 §4.2.3: "refer solely to signatures which appear in certificates" — verification only.
  [SignatureScheme.rsa_pkcs1_sha256, { keyType: 'rsa', digest: 'sha256', padding: 'pkcs1' }],
  [SignatureScheme.rsa_pkcs1_sha384, { keyType: 'rsa', digest: 'sha384', padding: 'pkcs1' }],
  [SignatureScheme.rsa_pkcs1_sha512, { keyType: 'rsa', digest: 'sha512', padding: 'pkcs1' }],
]);

/** Schemes a signing key may use in TLS 1.3 handshakes (never rsa_pkcs1_*, RFC 8446 §4.2.3). */
const RSA_SIGNING_SCHEMES: readonly SignatureScheme[] = [
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
];

/** Signature schemes `verifySignature` accepts. */
export const VERIFY_SCHEMES: readonly SignatureScheme[] = [...SCHEMES.keys()];

function keyMatches(info: SchemeInfo, key: KeyObject): boolean {
  if (key.asymmetricKeyType !== info.keyType) return false;
  if (info.curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== info.curve) return false;
  return true;
}

/** node:crypto sign/verify options for a scheme (DER-encoded ECDSA; PSS salt length = hash length). */
function keyInput(info: SchemeInfo, key: KeyObject) {
  if (info.keyType === 'ec') return { key, dsaEncoding: 'der' as const }; // RFC 8446 §4.2.3: DER ECDSA-Sig-Value
  if (info.padding === 'pss') {
    // RFC 8446 §4.2.3: RSASSA-PSS with MGF1 on the same hash, salt length equal to the digest length.
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  }
  if (info.padding === 'pkcs1') return { key, padding: constants.RSA_PKCS1_PADDING };
  return key;
}

/** A private key imported from PKCS#8 (DER bytes or PEM text; PEM SEC1/PKCS#1 also work). */
export class NodeSigningKey implements SigningKey {
  readonly schemes: readonly SignatureScheme[];
  private readonly key: KeyObject;

  constructor(key: Uint8Array | string) {
    this.key =
      typeof key === 'string'
        ? createPrivateKey(key)
        : createPrivateKey({
            key: Buffer.from(key.buffer, key.byteOffset, key.byteLength),
            format: 'der',
            type: 'pkcs8',
          });
    this.schemes = signingSchemesFor(this.key);
  }

  sign(scheme: SignatureScheme, data: Uint8Array): Uint8Array {
    const info = SCHEMES.get(scheme);
    if (info === undefined || !this.schemes.includes(scheme)) {
      throw new UnsupportedAlgorithmError('signature-scheme', scheme, `key supports ${this.schemes.join(', ')}`);
    }
    return sign(info.digest, data, keyInput(info, this.key));
  }
}

function signingSchemesFor(key: KeyObject): readonly SignatureScheme[] {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return [SignatureScheme.ecdsa_secp256r1_sha256];
      if (curve === 'secp384r1') return [SignatureScheme.ecdsa_secp384r1_sha384];
      throw new UnsupportedAlgorithmError('key', `ec ${curve}`);
    }
    case 'rsa':
      return RSA_SIGNING_SCHEMES;
    case 'ed25519':
      return [SignatureScheme.ed25519];
    default:
      throw new UnsupportedAlgorithmError('key', String(key.asymmetricKeyType));
  }
}

/**
 * Verifies `signature` over `data` with the public key in a DER SubjectPublicKeyInfo. Returns false — never
 * throws — for a bad signature, a malformed key or signature, an unknown scheme, or a key that does not fit the
 * scheme (e.g. a P-384 key with ecdsa_secp256r1_sha256).
 */
export function verifySignature(
  scheme: SignatureScheme,
  spki: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const info = SCHEMES.get(scheme);
  if (info === undefined) return false;
  try {
    const key = publicKeyFor(spki);
    if (!keyMatches(info, key)) return false;
    return verify(info.digest, data, keyInput(info, key), signature);
  } catch {
    return false;
  }
}

/**
 * Imported public keys by SubjectPublicKeyInfo: a client sees the same server key on every handshake, and importing
 * it costs several times the signature check. A small LRU (Map insertion order) bounds the memory.
 */
const publicKeys = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_SIZE = 64;

function publicKeyFor(spki: Uint8Array): KeyObject {
  const der = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength);
  const id = der.toString('base64');
  const cached = publicKeys.get(id);
  if (cached !== undefined) {
    publicKeys.delete(id);
    publicKeys.set(id, cached);
    return cached;
  }
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  publicKeys.set(id, key);
  if (publicKeys.size > PUBLIC_KEY_CACHE_SIZE) publicKeys.delete(publicKeys.keys().next().value as string);
  return key;
}
