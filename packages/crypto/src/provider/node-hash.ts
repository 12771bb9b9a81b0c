// Incremental hashes for the TLS transcript (RFC 8446 §4.4.1) and the HMAC-based HKDF of RFC 5869 §2.
import { createHash, createHmac, type Hash as NodeHashState } from 'node:crypto';
import type { Hash, HashAlgorithm } from '@fos/core';

const COUNTER_ONE = Uint8Array.of(1);
const HASH_LENGTHS: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** Output length in bytes of a hash (FIPS 180-4). */
export function hashLength(algorithm: HashAlgorithm): number {
  const n = HASH_LENGTHS[algorithm];
  if (n === undefined) throw new RangeError(`unsupported hash algorithm ${String(algorithm)}`);
  return n;
}

/** A node:crypto hash that can be read (`peek`) and forked (`copy`) without being finished. */
export class NodeHash implements Hash {
  readonly algorithm: HashAlgorithm;
  private readonly state: NodeHashState;

  constructor(algorithm: HashAlgorithm, state?: NodeHashState) {
    hashLength(algorithm);
    this.algorithm = algorithm;
    this.state = state ?? createHash(algorithm);
  }

  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }

  peek(): Uint8Array {
    return this.state.copy().digest();
  }

  copy(): Hash {
    return new NodeHash(this.algorithm, this.state.copy());
  }
}

/**
 * RFC 5869 §2.2 HKDF-Extract: `PRK = HMAC-Hash(salt, IKM)`; an empty salt means HashLen zero bytes.
 */
export function hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  const key = salt.length === 0 ? new Uint8Array(hashLength(algorithm)) : salt;
  return createHmac(algorithm, key).update(ikm).digest();
}

/**
 * RFC 5869 §2.3 HKDF-Expand: `T(i) = HMAC-Hash(PRK, T(i-1) | info | i)`, output the first L bytes of T(1) | T(2)….
 * Built on `createHmac` (no Extract step, unlike `hkdfSync`, which is several times slower per TOOLCHAIN.md).
 */
export function hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLen = hashLength(algorithm);
  // RFC 5869 §2.3: L <= 255 * HashLen.
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLen) {
    throw new RangeError(`HKDF-Expand length must be 0..${255 * hashLen}, got ${length}`);
  }
  if (length <= hashLen) {
    // One block (every TLS 1.3 and QUIC secret, key and IV): T(1) = HMAC-Hash(PRK, info | 0x01).
    const t = createHmac(algorithm, prk).update(info).update(COUNTER_ONE).digest();
    return new Uint8Array(t.buffer, t.byteOffset, length);
  }
  const out = new Uint8Array(length);
  const counter = new Uint8Array(1);
  let previous: Uint8Array | undefined;
  for (let offset = 0, i = 1; offset < length; i++) {
    const hmac = createHmac(algorithm, prk);
    if (previous !== undefined) hmac.update(previous);
    hmac.update(info);
    counter[0] = i;
    previous = hmac.update(counter).digest();
    const take = Math.min(hashLen, length - offset);
    out.set(take === hashLen ? previous : previous.subarray(0, take), offset);
    offset += take;
  }
  return out;
}
