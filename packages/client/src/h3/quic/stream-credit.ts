import { RingQueue } from '@fos/core';
import type { H3Role, H3Transport } from '@fos/http3';

/** Streams probed beyond the known limit at most at once (each probe opens a real stream ID, kept for a request). */
const PROBE_AHEAD = 8;

/**
 * The HTTP/3 connection's transport, counting our bidirectional streams against the server's MAX_STREAMS limit
 * (RFC 9000 §4.6) so that the client's pool can bound its concurrency to it.
 *
 * The QUIC connection's public API tells the limit only at the start (`initial_max_streams_bidi`, RFC 9000 §18.2)
 * and says when a blocked opener may retry (`streams-available`); MAX_STREAMS frames that raise the limit while
 * nobody waits are not reported. So once the known credit is used up, {@link available} probes: it opens the next
 * stream ID (succeeds if the peer raised the limit meanwhile) and keeps it for the next request — H3's
 * `openStream(true)` takes kept IDs first, in order, so no ID is skipped (RFC 9000 §2.1). A failed probe leaves
 * QUIC waiting (it sends STREAMS_BLOCKED, §19.14) and its `streams-available` event ends the wait.
 */
export class StreamCreditTransport implements H3Transport {
  private readonly kept = new RingQueue<number>(4);
  /** Bidirectional streams QUIC opened for us (probes included). */
  private opened = 0;
  /** The highest limit known to hold: the initial one, or more after successful probes. */
  private knownLimit = 0;
  /** A probe failed and QUIC's `streams-available` has not come yet. */
  private blocked = false;

  constructor(private readonly inner: H3Transport) {}

  get role(): H3Role {
    return this.inner.role;
  }

  /** The server's limit as the transport parameters tell it (RFC 9000 §18.2 initial_max_streams_bidi). */
  setInitialLimit(limit: number): void {
    if (limit > this.knownLimit) this.knownLimit = limit;
  }

  /** QUIC's `streams-available` for bidirectional streams: the limit grew. */
  onStreamsAvailable(): void {
    this.blocked = false;
  }

  /**
   * Requests that can be opened now without waiting: the known remaining credit plus kept stream IDs; probes when
   * that is nothing.
   */
  available(): number {
    const remaining = Math.max(0, this.knownLimit - this.opened);
    if (remaining > 0) return remaining + this.kept.length;
    while (this.kept.length < PROBE_AHEAD && !this.blocked) {
      const id = this.inner.openStream(true);
      if (id === undefined) {
        this.blocked = true;
        break;
      }
      this.opened++;
      this.knownLimit = Math.max(this.knownLimit, this.opened);
      this.kept.push(id);
    }
    return this.kept.length;
  }

  openStream(bidirectional: boolean): number | undefined {
    if (!bidirectional) return this.inner.openStream(false);
    const kept = this.kept.shift();
    if (kept !== undefined) return kept;
    const id = this.inner.openStream(true);
    if (id === undefined) {
      this.blocked = true;
      return undefined;
    }
    this.opened++;
    this.knownLimit = Math.max(this.knownLimit, this.opened);
    return id;
  }

  write(streamId: number, data: Uint8Array, fin: boolean): boolean {
    return this.inner.write(streamId, data, fin);
  }

  read(streamId: number): Uint8Array | null | undefined {
    return this.inner.read(streamId);
  }

  bufferedBytes(streamId: number): number {
    return this.inner.bufferedBytes(streamId);
  }

  resetStream(streamId: number, errorCode: number): void {
    this.inner.resetStream(streamId, errorCode);
  }

  stopSending(streamId: number, errorCode: number): void {
    this.inner.stopSending(streamId, errorCode);
  }

  setPriority(streamId: number, urgency: number, incremental: boolean): void {
    this.inner.setPriority(streamId, urgency, incremental);
  }

  close(errorCode: number, reason: string): void {
    this.inner.close(errorCode, reason);
  }
}
