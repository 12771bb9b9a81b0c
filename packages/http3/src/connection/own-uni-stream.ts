import { varintLength, writeVarintAt } from '@fos/core';
import type { H3Transport } from '../transport.js';

/**
 * One of our unidirectional streams with a fixed purpose (control, QPACK encoder, QPACK decoder; RFC 9114 §6.2,
 * RFC 9204 §4.2). Its stream-type byte goes first; bytes written before the transport could open it (the peer's
 * MAX_STREAMS limit) are queued and flushed when it opens.
 */
export class OwnUniStream {
  /** The QUIC stream ID, or -1 until opened. */
  id = -1;
  private queued: Uint8Array[] | undefined = [];

  constructor(
    private readonly transport: H3Transport,
    /** RFC 9114 §6.2 stream type. */
    readonly streamType: number,
  ) {}

  /** Tries to open the stream; returns false when the transport is out of unidirectional stream credit. */
  open(): boolean {
    if (this.id >= 0) return true;
    const id = this.transport.openStream(false);
    if (id === undefined) return false;
    this.id = id;
    const header = new Uint8Array(varintLength(this.streamType));
    writeVarintAt(header, 0, this.streamType, header.length as 1 | 2 | 4 | 8);
    this.transport.write(id, header, false);
    const queued = this.queued;
    this.queued = undefined;
    if (queued !== undefined) for (const bytes of queued) this.transport.write(id, bytes, false);
    return true;
  }

  /** Writes `bytes` (kept by reference), or queues them until the stream is open. Never ends the stream. */
  write(bytes: Uint8Array): void {
    if (this.id >= 0) this.transport.write(this.id, bytes, false);
    else this.queued?.push(bytes);
  }
}
