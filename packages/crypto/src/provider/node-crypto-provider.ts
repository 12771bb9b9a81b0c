import { createHash, createHmac, randomBytes, randomFillSync } from 'node:crypto';
import {
  type AeadAlgorithm,
  type AeadKey,
  type CryptoProvider,
  type Hash,
  type HashAlgorithm,
  type HeaderProtectionAlgorithm,
  type HeaderProtectionKey,
  type KeyShare,
  NamedGroup,
  type SignatureScheme,
  type SigningKey,
} from '@fos/core';
import { UnsupportedAlgorithmError } from './errors.js';
import { NodeAeadKey } from './node-aead-key.js';
import { hashLength, hkdfExpand, hkdfExtract, NodeHash } from './node-hash.js';
import { ChaCha20HeaderProtectionKey, NodeAesHeaderProtectionKey } from './node-header-protection-key.js';
import { createKeyShare } from './node-key-share.js';
import { NodeSigningKey, verifySignature } from './node-signature.js';

const AEADS: readonly AeadAlgorithm[] = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'];
const GROUPS: readonly NamedGroup[] = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
/** Random bytes are drawn from OpenSSL this many at a time (one native call instead of one per connection ID). */
const RANDOM_POOL_BYTES = 4096;
/** Requests above this size bypass the pool. */
const RANDOM_POOLED_MAX = 256;

/**
 * The default {@link CryptoProvider}: node:crypto (OpenSSL).
 *
 * - AEAD keys are imported once as KeyObjects; each seal/open creates one cipher (node cannot re-key a cipher).
 * - AES header protection keeps one long-lived ECB cipher per key (RFC 9001 §5.4.3); the ChaCha20 mask (RFC 9001
 *   §5.4.4) is one ChaCha20 block computed in JavaScript, several times cheaper than a node cipher per packet.
 * - HKDF is built on `createHmac` (RFC 5869).
 * - Small random values (connection IDs, reset-token keys, nonces, TLS randoms) are copied out of a private pool of
 *   CSPRNG output refilled 4 KiB at a time; every byte is handed out once, and the pool is never exposed.
 * - Peer key shares are validated; an invalid one throws `TransportError` CRYPTO_ERROR + illegal_parameter.
 */
export class NodeCryptoProvider implements CryptoProvider {
  readonly name = 'node';
  readonly aeadAlgorithms = AEADS;
  readonly namedGroups = GROUPS;

  createAeadKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    if (!AEADS.includes(algorithm)) throw new UnsupportedAlgorithmError('aead', algorithm);
    return new NodeAeadKey(algorithm, key);
  }

  createHeaderProtectionKey(algorithm: HeaderProtectionAlgorithm, key: Uint8Array): HeaderProtectionKey {
    switch (algorithm) {
      case 'aes-128-ecb':
      case 'aes-256-ecb':
        return new NodeAesHeaderProtectionKey(algorithm, key);
      case 'chacha20':
        return new ChaCha20HeaderProtectionKey(key);
      default:
        throw new UnsupportedAlgorithmError('header-protection', String(algorithm));
    }
  }

  hashLength(algorithm: HashAlgorithm): number {
    return hashLength(algorithm);
  }

  createHash(algorithm: HashAlgorithm): Hash {
    return new NodeHash(algorithm);
  }

  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    return createHash(algorithm).update(data).digest();
  }

  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    return createHmac(algorithm, key).update(data).digest();
  }

  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
    return hkdfExtract(algorithm, salt, ikm);
  }

  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return hkdfExpand(algorithm, prk, info, length);
  }

  generateKeyShare(group: NamedGroup): KeyShare {
    return createKeyShare(group);
  }

  /**
   * Not part of {@link CryptoProvider}: a key share from a known private key (the raw X25519 scalar, or the
   * big-endian EC private scalar), for reproducing published traces (RFC 8448, RFC 7748 §6.1). Never use a
   * fixed key in production.
   */
  importKeyShare(group: NamedGroup, privateKey: Uint8Array): KeyShare {
    return createKeyShare(group, privateKey);
  }

  importSigningKey(key: Uint8Array | string): SigningKey {
    return new NodeSigningKey(key);
  }

  verify(scheme: SignatureScheme, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    return verifySignature(scheme, spki, data, signature);
  }

  private readonly randomPool = new Uint8Array(RANDOM_POOL_BYTES);
  private randomOffset = RANDOM_POOL_BYTES;

  randomBytes(length: number): Uint8Array {
    if (length > RANDOM_POOLED_MAX) return randomBytes(length);
    if (this.randomOffset + length > RANDOM_POOL_BYTES) {
      randomFillSync(this.randomPool);
      this.randomOffset = 0;
    }
    const start = this.randomOffset;
    this.randomOffset = start + length;
    const out = this.randomPool.slice(start, this.randomOffset);
    // What was handed out is cleared in the pool, so it cannot be read from there later.
    this.randomPool.fill(0, start, this.randomOffset);
    return out;
  }
}
