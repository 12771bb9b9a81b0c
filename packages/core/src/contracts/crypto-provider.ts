import { token } from '../di/token.js';

/** RFC 8446 §B.4 cipher suites usable with QUIC (RFC 9001 §5.3). */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
} as const;
export type CipherSuite = (typeof CipherSuite)[keyof typeof CipherSuite];

/** RFC 8446 §4.2.7 named groups for (EC)DHE. */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
} as const;
export type NamedGroup = (typeof NamedGroup)[keyof typeof NamedGroup];

/** RFC 8446 §4.2.3 signature schemes. */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

export type AeadAlgorithm = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
/** RFC 9001 §5.4.3 (AES-ECB) and §5.4.4 (ChaCha20). */
export type HeaderProtectionAlgorithm = 'aes-128-ecb' | 'aes-256-ecb' | 'chacha20';
export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/**
 * An AEAD bound to one key (RFC 9001 §5.3). Created once per key and reused for every packet.
 * `out` may be the same memory as the input (in-place), as long as the output starts where the input starts.
 */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm;
  readonly tagLength: number;
  /** Writes ciphertext ‖ tag at `out[outOffset]`; returns the number of bytes written (plaintext.length + tag). */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, outOffset: number): number;
  /** Writes the plaintext at `out[outOffset]` and returns its length, or -1 when authentication fails. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, out: Uint8Array, outOffset: number): number;
}

/** A header-protection key (RFC 9001 §5.4): turns a 16-byte sample into a 5-byte mask. */
export interface HeaderProtectionKey {
  readonly algorithm: HeaderProtectionAlgorithm;
  /** Writes the 5-byte mask for `sample` (16 bytes) into `out[0..5)`. */
  mask(sample: Uint8Array, out: Uint8Array): void;
}

/** An incremental hash (the TLS transcript hash). */
export interface Hash {
  readonly algorithm: HashAlgorithm;
  update(data: Uint8Array): this;
  /** The digest so far, without finishing this hash (it can keep being updated). */
  peek(): Uint8Array;
  /** An independent copy of the current state. */
  copy(): Hash;
}

/** An ephemeral (EC)DHE key pair for one TLS key_share. */
export interface KeyShare {
  readonly group: NamedGroup;
  /** The key_share bytes: X25519 raw 32 bytes, or an uncompressed EC point (RFC 8446 §4.2.8.2). */
  readonly publicKey: Uint8Array;
  /** The shared secret with the peer's key_share bytes; throws FosError when the peer's key is invalid. */
  deriveSecret(peerPublicKey: Uint8Array): Uint8Array;
}

/** A private key that signs (a certificate's key). */
export interface SigningKey {
  /** Schemes this key can sign with, in preference order. */
  readonly schemes: readonly SignatureScheme[];
  sign(scheme: SignatureScheme, data: Uint8Array): Uint8Array;
}

/**
 * The cryptographic primitives the stack needs, behind one token so a user can plug in their own
 * (hardware, FIPS module, pure JS). The default is `NodeCryptoProvider` from `@fos/crypto` (OpenSSL).
 */
export interface CryptoProvider {
  readonly name: string;
  readonly aeadAlgorithms: readonly AeadAlgorithm[];
  readonly namedGroups: readonly NamedGroup[];
  createAeadKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey;
  createHeaderProtectionKey(algorithm: HeaderProtectionAlgorithm, key: Uint8Array): HeaderProtectionKey;
  hashLength(algorithm: HashAlgorithm): number;
  createHash(algorithm: HashAlgorithm): Hash;
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array;
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-Extract. */
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-Expand (no Extract). */
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  generateKeyShare(group: NamedGroup): KeyShare;
  /** Imports a PKCS#8 (DER or PEM) private key. */
  importSigningKey(key: Uint8Array | string): SigningKey;
  /** Verifies `signature` over `data` with the key in a DER SubjectPublicKeyInfo. */
  verify(scheme: SignatureScheme, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
  randomBytes(length: number): Uint8Array;
}
export const CryptoProvider = token<CryptoProvider>('fos.CryptoProvider');
