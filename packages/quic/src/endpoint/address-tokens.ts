import { type AeadKey, ByteReader, ByteWriter, type CryptoProvider, type SocketAddress } from '@fos/core';

// RFC 9000 §8.1: address validation tokens. The server encrypts everything it needs into the token (no state):
// Retry tokens (§8.1.2) carry the original DCID and the Retry SCID and are bound to the client's IP and port;
// NEW_TOKEN tokens (§8.1.3) are bound to the client's IP only (its port changes between connections).

export const TokenKind = { retry: 1, newToken: 2 } as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export type TokenValidation =
  | {
      readonly status: 'valid';
      readonly kind: 'retry';
      readonly originalDcid: Uint8Array;
      readonly retrySourceCid: Uint8Array;
    }
  | { readonly status: 'valid'; readonly kind: 'new-token' }
  /** Ours, authentic, but expired or for another address: a Retry token like this gets INVALID_TOKEN (§8.1.2). */
  | { readonly status: 'invalid'; readonly kind: 'retry' | 'new-token'; readonly reason: string }
  /** Not a token we can read (another server's, garbage): proceed as if there were none (§8.1.3). */
  | { readonly status: 'unknown' };

export interface AddressTokenOptions {
  readonly crypto: CryptoProvider;
  /** 16-byte AES-128-GCM key; random when omitted (tokens then do not survive a restart). */
  readonly key?: Uint8Array;
  /** Retry token lifetime (default 10 s). */
  readonly retryLifetimeMs?: number;
  /** NEW_TOKEN token lifetime (default 24 h). */
  readonly newTokenLifetimeMs?: number;
}

const FORMAT = 1;
const NONCE = 12;
const TAG = 16;

export class AddressTokens {
  private readonly aead: AeadKey;
  private readonly crypto: CryptoProvider;
  private readonly retryLifetimeMs: number;
  private readonly newTokenLifetimeMs: number;
  private readonly scratch = new Uint8Array(512);

  constructor(options: AddressTokenOptions) {
    this.crypto = options.crypto;
    this.aead = options.crypto.createAeadKey('aes-128-gcm', options.key ?? options.crypto.randomBytes(16));
    this.retryLifetimeMs = options.retryLifetimeMs ?? 10_000;
    this.newTokenLifetimeMs = options.newTokenLifetimeMs ?? 24 * 3600_000;
  }

  /** A Retry token (RFC 9000 §8.1.2). `nowEpochMs` is wall-clock time (tokens may outlive the process clock). */
  mintRetry(
    nowEpochMs: number,
    client: SocketAddress,
    originalDcid: Uint8Array,
    retrySourceCid: Uint8Array,
  ): Uint8Array {
    const w = new ByteWriter(this.scratch);
    w.u8(TokenKind.retry);
    writeTime(w, nowEpochMs);
    writeAddress(w, client, true);
    w.u8(originalDcid.length).bytes(originalDcid);
    w.u8(retrySourceCid.length).bytes(retrySourceCid);
    return this.seal(w.written());
  }

  /** A NEW_TOKEN token (RFC 9000 §8.1.3). */
  mintNewToken(nowEpochMs: number, client: SocketAddress): Uint8Array {
    const w = new ByteWriter(this.scratch);
    w.u8(TokenKind.newToken);
    writeTime(w, nowEpochMs);
    writeAddress(w, client, false);
    return this.seal(w.written());
  }

  validate(token: Uint8Array, nowEpochMs: number, client: SocketAddress): TokenValidation {
    if (token.length < 1 + NONCE + TAG + 1 || token[0] !== FORMAT || token.length > this.scratch.length) {
      return { status: 'unknown' };
    }
    const nonce = token.subarray(1, 1 + NONCE);
    const sealed = token.subarray(1 + NONCE);
    const n = this.aead.open(nonce, token.subarray(0, 1), sealed, this.scratch, 0);
    if (n < 0) return { status: 'unknown' };
    try {
      const r = new ByteReader(this.scratch, 0, n);
      const kind = r.u8();
      const issued = readTime(r);
      if (kind === TokenKind.retry) {
        const bound = readAddress(r, true);
        const originalDcid = r.bytes(r.u8()).slice();
        const retrySourceCid = r.bytes(r.u8()).slice();
        if (nowEpochMs - issued > this.retryLifetimeMs || issued - nowEpochMs > 1000) {
          return { status: 'invalid', kind: 'retry', reason: 'expired Retry token' };
        }
        if (bound.address !== client.address || bound.port !== client.port) {
          return { status: 'invalid', kind: 'retry', reason: 'Retry token for another address' };
        }
        return { status: 'valid', kind: 'retry', originalDcid, retrySourceCid };
      }
      if (kind === TokenKind.newToken) {
        const bound = readAddress(r, false);
        if (nowEpochMs - issued > this.newTokenLifetimeMs || issued - nowEpochMs > 1000) {
          return { status: 'invalid', kind: 'new-token', reason: 'expired token' };
        }
        if (bound.address !== client.address) {
          return { status: 'invalid', kind: 'new-token', reason: 'token for another address' };
        }
        return { status: 'valid', kind: 'new-token' };
      }
    } catch {
      // An authentic token that does not parse can only come from a different format version of ours.
    }
    return { status: 'unknown' };
  }

  private seal(plaintext: Uint8Array): Uint8Array {
    const out = new Uint8Array(1 + NONCE + plaintext.length + TAG);
    out[0] = FORMAT;
    out.set(this.crypto.randomBytes(NONCE), 1);
    this.aead.seal(out.subarray(1, 1 + NONCE), out.subarray(0, 1), plaintext, out, 1 + NONCE);
    return out;
  }
}

function writeTime(w: ByteWriter, epochMs: number): void {
  w.varint(Math.max(0, Math.floor(epochMs)));
}

function readTime(r: ByteReader): number {
  return r.varint();
}

function writeAddress(w: ByteWriter, a: SocketAddress, withPort: boolean): void {
  const text = new TextEncoder().encode(a.address);
  w.u8(text.length).bytes(text);
  if (withPort) w.u16(a.port);
}

function readAddress(r: ByteReader, withPort: boolean): { address: string; port: number } {
  const address = new TextDecoder().decode(r.bytes(r.u8()));
  return { address, port: withPort ? r.u16() : 0 };
}
