import type { CryptoProvider } from '@fos/core';
import { STATELESS_RESET_TOKEN_LENGTH } from '../wire/connection-id-frames.js';
import { MAX_CID_LENGTH } from '../wire/versions.js';

/** Default length of the connection IDs an endpoint issues (RFC 9000 §7.2 asks ≥ 8 bytes of entropy for the first). */
export const DEFAULT_CID_LENGTH = 8;
/** Shortest CID length we accept for our own IDs: short headers carry no length, so it is fixed per endpoint. */
export const MIN_LOCAL_CID_LENGTH = 4;

export interface ConnectionIdGeneratorOptions {
  readonly crypto: CryptoProvider;
  /** Length of every CID this endpoint issues (4-20; default 8). */
  readonly cidLength?: number;
  /**
   * The static key stateless reset tokens are derived from (RFC 9000 §10.3.2), at least 16 bytes. Keep it across
   * restarts (and share it across a server fleet) so a restarted endpoint can reset its old connections. Default:
   * 32 random bytes.
   */
  readonly statelessResetKey?: Uint8Array;
}

/**
 * Makes the connection IDs an endpoint issues and their stateless reset tokens. RFC 9000 §10.3.2: the token is a
 * function of a static key and the CID — here the first 16 bytes of HMAC-SHA256(key, cid) — so an endpoint that
 * lost all state can still produce the token of any CID it once issued, and nobody without the key can.
 */
export class ConnectionIdGenerator {
  readonly cidLength: number;
  private readonly crypto: CryptoProvider;
  private readonly key: Uint8Array;

  constructor(options: ConnectionIdGeneratorOptions) {
    const length = options.cidLength ?? DEFAULT_CID_LENGTH;
    if (!Number.isInteger(length) || length < MIN_LOCAL_CID_LENGTH || length > MAX_CID_LENGTH) {
      throw new RangeError(`cidLength ${length} outside ${MIN_LOCAL_CID_LENGTH}-${MAX_CID_LENGTH} (RFC 9000 §17.2)`);
    }
    const key = options.statelessResetKey ?? options.crypto.randomBytes(32);
    if (key.length < 16) throw new RangeError('statelessResetKey needs at least 16 bytes');
    this.cidLength = length;
    this.crypto = options.crypto;
    this.key = key.slice();
  }

  /** A fresh random CID of the endpoint's length. */
  newCid(): Uint8Array {
    return this.crypto.randomBytes(this.cidLength);
  }

  /** RFC 9000 §10.3.2: the stateless reset token of `cid` (16 bytes). */
  resetToken(cid: Uint8Array): Uint8Array {
    // A copy, so the token does not keep the whole digest (or a pooled Buffer slab) alive.
    return new Uint8Array(this.crypto.hmac('sha256', this.key, cid).subarray(0, STATELESS_RESET_TOKEN_LENGTH));
  }
}
