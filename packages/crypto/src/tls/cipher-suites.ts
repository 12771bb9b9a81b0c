import { type AeadAlgorithm, CipherSuite, type HashAlgorithm } from '@fos/core';

/** What the engine needs to know about a TLS 1.3 cipher suite (RFC 8446 §B.4, RFC 9001 §5.3). */
export interface CipherSuiteInfo {
  readonly suite: CipherSuite;
  readonly name: string;
  /** The HKDF / transcript hash. */
  readonly hash: HashAlgorithm;
  readonly hashLength: number;
  readonly aead: AeadAlgorithm;
  /** AEAD key length in bytes. */
  readonly keyLength: number;
}

const SUITES: readonly CipherSuiteInfo[] = [
  {
    suite: CipherSuite.TLS_AES_128_GCM_SHA256,
    name: 'TLS_AES_128_GCM_SHA256',
    hash: 'sha256',
    hashLength: 32,
    aead: 'aes-128-gcm',
    keyLength: 16,
  },
  {
    suite: CipherSuite.TLS_AES_256_GCM_SHA384,
    name: 'TLS_AES_256_GCM_SHA384',
    hash: 'sha384',
    hashLength: 48,
    aead: 'aes-256-gcm',
    keyLength: 32,
  },
  {
    suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    name: 'TLS_CHACHA20_POLY1305_SHA256',
    hash: 'sha256',
    hashLength: 32,
    aead: 'chacha20-poly1305',
    keyLength: 32,
  },
];

/** The engine's default preference order. */
export const DEFAULT_CIPHER_SUITES: readonly CipherSuite[] = SUITES.map((s) => s.suite);

/** Info for a suite the engine implements, or undefined. */
export function cipherSuiteInfo(suite: number): CipherSuiteInfo | undefined {
  for (const s of SUITES) if (s.suite === suite) return s;
  return undefined;
}
