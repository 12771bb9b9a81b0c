import type { CryptoProvider, Hash, HashAlgorithm } from '@fos/core';
import { HandshakeType } from './constants.js';

/**
 * The running transcript hash (RFC 8446 §4.4.1). Messages added before the hash algorithm is known (the client's
 * ClientHello) are kept and hashed once `setAlgorithm` is called.
 */
export class Transcript {
  private hash: Hash | undefined;
  private pending: Uint8Array[] = [];
  /** `current()` since the last `add` (several secrets are derived at the same point of the transcript). */
  private cached: Uint8Array | undefined;

  constructor(private readonly provider: CryptoProvider) {}

  get algorithm(): HashAlgorithm | undefined {
    return this.hash?.algorithm;
  }

  /** Fixes the hash (the negotiated cipher suite's) and hashes what was added so far. */
  setAlgorithm(algorithm: HashAlgorithm): void {
    if (this.hash !== undefined) {
      if (this.hash.algorithm !== algorithm) throw new Error('transcript hash algorithm already fixed');
      return;
    }
    this.hash = this.provider.createHash(algorithm);
    for (const m of this.pending) this.hash.update(m);
    this.pending = [];
  }

  /** Appends one handshake message (header included). */
  add(message: Uint8Array): void {
    this.cached = undefined;
    if (this.hash === undefined) this.pending.push(message);
    else this.hash.update(message);
  }

  /** Transcript-Hash of everything added so far. */
  current(): Uint8Array {
    if (this.hash === undefined) throw new Error('transcript hash algorithm not set');
    this.cached ??= this.hash.peek();
    return this.cached;
  }

  /** Transcript-Hash(messages so far ‖ extra) without adding `extra` (a truncated ClientHello for binders). */
  currentWith(extra: Uint8Array): Uint8Array {
    if (this.hash === undefined) throw new Error('transcript hash algorithm not set');
    return this.hash.copy().update(extra).peek();
  }

  /**
   * RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced by the synthetic message
   * `message_hash ‖ 00 00 Hash.length ‖ Hash(ClientHello1)`. Call it when exactly ClientHello1 has been added.
   */
  replaceWithMessageHash(): void {
    const h = this.current();
    const algorithm = this.hash!.algorithm;
    this.cached = undefined;
    this.hash = this.provider.createHash(algorithm);
    this.hash.update(Uint8Array.of(HandshakeType.message_hash, 0, 0, h.length));
    this.hash.update(h);
  }
}
