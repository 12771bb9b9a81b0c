// RFC 9001 §5.3 / RFC 8446 §5.2: AEAD seal/open with node:crypto (OpenSSL). A cipher object cannot be re-keyed
// with a new nonce, so one is created per packet; the key itself is imported once as a KeyObject.
import { type CipherGCMTypes, createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import type { AeadAlgorithm, AeadKey } from '@fos/core';

/** RFC 5116 §5.1/§5.2, RFC 8439 §2.8: the three TLS 1.3 AEADs QUIC uses have a 16-byte tag. */
const TAG_LENGTH = 16;
/** RFC 8446 §5.3: the per-record nonce is iv_length = max(8, N_MIN) = 12 bytes for these AEADs. */
const NONCE_LENGTH = 12;

const KEY_LENGTHS: Readonly<Record<AeadAlgorithm, number>> = {
  'aes-128-gcm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
};

/** Key length in bytes of an AEAD (RFC 5116 §5.1, §5.2; RFC 8439 §2.8). */
export function aeadKeyLength(algorithm: AeadAlgorithm): number {
  const n = KEY_LENGTHS[algorithm];
  if (n === undefined) throw new RangeError(`unsupported AEAD algorithm ${String(algorithm)}`);
  return n;
}

const CIPHER_OPTIONS = { authTagLength: TAG_LENGTH } as const;

/**
 * An {@link AeadKey} backed by node:crypto. The key is held as a `KeyObject` (imported once), so a packet costs
 * one `createCipheriv` and no key parsing. `open` writes plaintext only after the tag verified, so a failed
 * open leaves `out` untouched (the caller can retry the same bytes with another key).
 */
export class NodeAeadKey implements AeadKey {
  readonly algorithm: AeadAlgorithm;
  readonly tagLength = TAG_LENGTH;
  private readonly key: KeyObject;
  /** The algorithm typed for node's AEAD overloads (GCM and ChaCha20-Poly1305 share the same cipher surface). */
  private readonly cipherName: CipherGCMTypes;

  constructor(algorithm: AeadAlgorithm, key: Uint8Array) {
    const expected = aeadKeyLength(algorithm);
    if (key.length !== expected) {
      throw new RangeError(`${algorithm} needs a ${expected}-byte key, got ${key.length}`);
    }
    this.algorithm = algorithm;
    this.cipherName = algorithm as CipherGCMTypes;
    this.key = createSecretKey(key);
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, outOffset: number): number {
    if (nonce.length !== NONCE_LENGTH) throw new RangeError(`AEAD nonce must be ${NONCE_LENGTH} bytes`);
    const total = plaintext.length + TAG_LENGTH;
    if (outOffset < 0 || outOffset + total > out.length) {
      throw new RangeError(`AEAD output needs ${total} bytes at offset ${outOffset}, buffer has ${out.length}`);
    }
    const cipher = createCipheriv(this.cipherName, this.key, nonce, CIPHER_OPTIONS);
    cipher.setAAD(aad);
    // update() returns a fresh buffer before anything is written to `out`, so in-place use is safe.
    const ciphertext = cipher.update(plaintext);
    out.set(ciphertext, outOffset);
    let written = ciphertext.length;
    const rest = cipher.final(); // empty for GCM and ChaCha20-Poly1305 (stream modes), kept for safety
    if (rest.length > 0) {
      out.set(rest, outOffset + written);
      written += rest.length;
    }
    out.set(cipher.getAuthTag(), outOffset + written);
    return written + TAG_LENGTH;
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, out: Uint8Array, outOffset: number): number {
    const n = ciphertextAndTag.length - TAG_LENGTH;
    if (n < 0 || nonce.length !== NONCE_LENGTH) return -1;
    if (outOffset < 0 || outOffset + n > out.length) {
      throw new RangeError(`AEAD output needs ${n} bytes at offset ${outOffset}, buffer has ${out.length}`);
    }
    const decipher = createDecipheriv(this.cipherName, this.key, nonce, CIPHER_OPTIONS);
    decipher.setAuthTag(ciphertextAndTag.subarray(n));
    decipher.setAAD(aad);
    const plaintext = decipher.update(ciphertextAndTag.subarray(0, n));
    // Authentication failure is routine (corruption, attacks, trial decryption): node reports it by throwing from
    // final(). Capturing a stack trace would roughly double the cost of the failure path, so it is switched off
    // for this one synchronous call.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      decipher.final();
    } catch {
      return -1;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    out.set(plaintext, outOffset);
    return n;
  }
}
