import { type Connection, type ConnectionEvent, StreamAbortedError, StreamUsageError } from '@fos/quic';
import type { H3Connection } from '../connection/h3-connection.js';
import type { H3Role, H3Transport } from '../transport.js';

/**
 * {@link H3Transport} over a sans-I/O QUIC {@link Connection} of @fos/quic (RFC 9114 §1.2: HTTP/3 maps onto QUIC
 * streams). Stream errors the H3 layer learns from events (a reset, a STOP_SENDING) are not thrown again here: a
 * write to a reset stream is discarded and a read of one returns nothing, as the contract says.
 */
export class QuicH3Transport implements H3Transport {
  constructor(
    private readonly conn: Connection,
    /** Time for calls that need it (closing). */
    private readonly now: () => number,
  ) {}

  get role(): H3Role {
    return this.conn.role;
  }

  openStream(bidirectional: boolean): number | undefined {
    return this.conn.openStream(bidirectional);
  }

  write(streamId: number, data: Uint8Array, fin: boolean): boolean {
    try {
      return this.conn.writeStream(streamId, data, fin);
    } catch (e) {
      if (e instanceof StreamAbortedError || e instanceof StreamUsageError) return true;
      throw e;
    }
  }

  read(streamId: number): Uint8Array | null | undefined {
    try {
      return this.conn.readStream(streamId);
    } catch (e) {
      if (e instanceof StreamAbortedError || e instanceof StreamUsageError) return undefined;
      throw e;
    }
  }

  bufferedBytes(streamId: number): number {
    return this.conn.streamBufferedBytes(streamId);
  }

  resetStream(streamId: number, errorCode: number): void {
    try {
      this.conn.resetStream(streamId, errorCode);
    } catch (e) {
      if (!(e instanceof StreamAbortedError || e instanceof StreamUsageError)) throw e;
    }
  }

  stopSending(streamId: number, errorCode: number): void {
    try {
      this.conn.stopSending(streamId, errorCode);
    } catch (e) {
      if (!(e instanceof StreamAbortedError || e instanceof StreamUsageError)) throw e;
    }
  }

  setPriority(streamId: number, urgency: number, incremental: boolean): void {
    try {
      this.conn.setStreamPriority(streamId, urgency, incremental);
    } catch (e) {
      if (!(e instanceof StreamUsageError)) throw e;
    }
  }

  close(errorCode: number, reason: string): void {
    this.conn.close(this.now(), errorCode, reason);
  }
}

/**
 * Hands one QUIC connection event to the HTTP/3 connection (the adapter half of the {@link H3Transport} contract).
 * Returns true when the event concerned HTTP/3.
 */
export function deliverQuicEvent(h3: H3Connection, e: ConnectionEvent): boolean {
  switch (e.type) {
    case 'stream-opened':
      h3.handleStreamOpened(e.streamId);
      return true;
    case 'stream-readable':
      h3.handleStreamReadable(e.streamId);
      return true;
    case 'stream-writable':
      h3.handleStreamWritable(e.streamId);
      return true;
    case 'stream-flushed':
      h3.handleStreamFlushed(e.streamId);
      return true;
    case 'stream-reset':
      h3.handleStreamReset(e.streamId, e.errorCode);
      return true;
    case 'stream-stop-sending':
      h3.handleStopSending(e.streamId, e.errorCode);
      return true;
    case 'streams-available':
      h3.handleStreamsAvailable(e.bidirectional);
      return true;
    case 'closed':
      h3.handleConnectionClosed(e.info.errorCode, e.info.reason);
      return true;
    default:
      return false;
  }
}
