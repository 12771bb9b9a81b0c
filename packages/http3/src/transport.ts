// The sans-I/O contract between H3Connection and a QUIC connection. It is deliberately small: HTTP/3 needs to open
// streams, move bytes and abort streams; everything else (flow control, stream limits, MAX_STREAMS credit,
// retransmission, the stream scheduler) is QUIC's job (RFC 9114 §1.2, §6).
//
// Direction of calls:
//   H3Connection -> H3Transport:  openStream, write, read, resetStream, stopSending, setPriority, close
//   adapter -> H3Connection:       handleStreamReadable, handleStreamReset, handleStopSending, handleStreamWritable,
//                                  handleStreamFlushed, handleStreamsAvailable, handleConnectionClosed (see H3Connection)
// All calls are synchronous; no promises or closures per frame.

/** Which endpoint this is (RFC 9114 §2.2). */
export type H3Role = 'client' | 'server';

/**
 * What HTTP/3 needs from one QUIC connection. The QUIC layer's stream manager implements most of it directly; an
 * adapter maps its events onto the H3Connection `handleX` methods.
 */
export interface H3Transport {
  /** This endpoint's role; it decides which stream IDs are ours (RFC 9000 §2.1). */
  readonly role: H3Role;

  /**
   * Opens a stream of ours (bidirectional or unidirectional) and returns its ID, or `undefined` when the peer's
   * MAX_STREAMS limit is reached (RFC 9000 §4.6). After `undefined`, the adapter calls
   * `H3Connection.handleStreamsAvailable(bidirectional)` once the peer raises the limit.
   */
  openStream(bidirectional: boolean): number | undefined;

  /**
   * Queues `data` on the stream (kept by reference: the caller never modifies it afterwards); `fin` ends the
   * sending part. Returns false when the stream's send buffer is above its high-water mark; the adapter then calls
   * `H3Connection.handleStreamWritable(streamId)` when it has drained. A write to a stream whose sending part was
   * reset (e.g. after the peer's STOP_SENDING) is silently discarded: the reset is reported separately.
   */
  write(streamId: number, data: Uint8Array, fin: boolean): boolean;

  /**
   * Reads in-order bytes of a stream (already reassembled by QUIC). Returns a view the caller may keep (the transport
   * never reuses its memory), `null` once the end of the stream (FIN) has been reached and everything before it was
   * read, or `undefined` when nothing is available now, including after a reset (reported through
   * `H3Connection.handleStreamReset`). Reading grants flow-control credit (RFC 9000 §4.1), so HTTP/3 reads only as
   * fast as the application consumes.
   */
  read(streamId: number): Uint8Array | null | undefined;

  /** Bytes written to the stream and not yet acknowledged/sent (what the application sees as buffered). */
  bufferedBytes(streamId: number): number;

  /** Abandons sending: QUIC RESET_STREAM with an HTTP/3 error code (RFC 9000 §19.4, RFC 9114 §8). */
  resetStream(streamId: number, errorCode: number): void;

  /** Abandons reading: QUIC STOP_SENDING with an HTTP/3 error code (RFC 9000 §19.5, RFC 9114 §8). */
  stopSending(streamId: number, errorCode: number): void;

  /** RFC 9218 §4: the stream's urgency (0-7, lower first) and incremental flag, for QUIC's send scheduler. */
  setPriority(streamId: number, urgency: number, incremental: boolean): void;

  /** Closes the connection immediately: QUIC CONNECTION_CLOSE (type 0x1d) with an application error code (RFC 9114 §5.3). */
  close(errorCode: number, reason: string): void;
}

// ---- RFC 9000 §2.1 stream-ID rules ----

/** Bit 0x02 clear: bidirectional (RFC 9000 §2.1). */
export function isBidirectionalStream(streamId: number): boolean {
  return streamId % 4 < 2;
}

/** Bit 0x01 clear: client-initiated (RFC 9000 §2.1). */
export function isClientInitiatedStream(streamId: number): boolean {
  return streamId % 2 === 0;
}

/** Whether `role` opened `streamId`. */
export function isLocalStream(streamId: number, role: H3Role): boolean {
  return isClientInitiatedStream(streamId) === (role === 'client');
}

/** RFC 9114 §6.1: request streams are the client-initiated bidirectional streams (IDs 0, 4, 8, …). */
export function isRequestStream(streamId: number): boolean {
  return streamId % 4 === 0;
}

/**
 * The GOAWAY identifiers an endpoint sends to stop new requests/pushes before it knows which it will still accept
 * (RFC 9114 §5.2 suggests the maximum, 2^62 - 4 for servers and 2^62 - 1 for clients). Those exceed the integers a
 * `number` holds exactly, so we send the largest exact ones instead: 2^53 - 4 (a client-initiated bidirectional
 * stream ID) and 2^53 - 1. Any GOAWAY stops new requests (§5.2); no stream or push ID ever gets near these values.
 */
export const GOAWAY_MAX_STREAM_ID = Number.MAX_SAFE_INTEGER - 3;
/** See {@link GOAWAY_MAX_STREAM_ID}: the client's "keep fulfilling promised pushes" push ID. */
export const GOAWAY_MAX_PUSH_ID = Number.MAX_SAFE_INTEGER;
