// Per-stream state of an H3Connection. One class for every stream kind keeps dispatch simple; message streams
// (request and push streams) use most fields, the control/QPACK/unknown unidirectional streams only a few.

import { FrameReader } from '../frames/frame-reader.js';
import type { H3Headers } from '../message/headers.js';
import { DEFAULT_PRIORITY, type H3Priority } from '../priority/priority.js';
import type { H3ClientRequest } from './client-request.js';
import type { H3ServerPush } from './server-push.js';

/** What a stream carries. */
export const StreamKind = {
  /** A request stream (client-initiated bidirectional, RFC 9114 §6.1). */
  REQUEST: 0,
  /** A push stream (server-initiated unidirectional, type 0x01, RFC 9114 §6.2.2). */
  PUSH: 1,
  /** The peer's control stream (RFC 9114 §6.2.1). */
  CONTROL: 2,
  /** The peer's QPACK encoder stream (RFC 9204 §4.2). */
  QPACK_ENCODER: 3,
  /** The peer's QPACK decoder stream (RFC 9204 §4.2). */
  QPACK_DECODER: 4,
  /** A peer unidirectional stream whose type has not arrived yet (RFC 9114 §6.2). */
  UNI_PENDING: 5,
  /** A peer unidirectional stream of an unknown or reserved type, abandoned (§6.2.3). */
  IGNORED: 6,
} as const;
export type StreamKind = (typeof StreamKind)[keyof typeof StreamKind];

/** Receive-side progress of a message (RFC 9114 §4.1: HEADERS, DATA*, optional trailing HEADERS). */
export const RecvPhase = {
  /** Waiting for the (final) header section; interim 1xx responses keep us here. */
  HEADERS: 0,
  /** The header section arrived; DATA frames, then optional trailers. */
  BODY: 1,
  /** The trailer section arrived: no more HEADERS or DATA (§4.1). */
  TRAILERS: 2,
  /** The stream ended cleanly and the message was complete. */
  DONE: 3,
  /** Reading was abandoned (reset by the peer, STOP_SENDING by us, or an error). */
  ABORTED: 4,
} as const;
export type RecvPhase = (typeof RecvPhase)[keyof typeof RecvPhase];

/** Send-side progress of a message. */
export const SendPhase = {
  /** Nothing sent yet (server: no response headers yet). */
  IDLE: 0,
  /** Server: one or more interim (1xx) responses sent, the final one not yet. */
  INTERIM: 1,
  /** The (final) header section was sent; DATA may follow. */
  BODY: 2,
  /** The stream was closed cleanly (FIN). */
  DONE: 3,
  /** The sending part was reset (locally, or by the transport after the peer's STOP_SENDING). */
  RESET: 4,
} as const;
export type SendPhase = (typeof SendPhase)[keyof typeof SendPhase];

/** What a section waiting on the QPACK decoder (RFC 9204 §2.2.1) will be once decoded. */
export const PendingSection = {
  NONE: 0,
  HEADERS: 1,
  PUSH_PROMISE: 2,
} as const;
export type PendingSection = (typeof PendingSection)[keyof typeof PendingSection];

/** A buffered write of a stream that is not open yet (blocked by the peer's MAX_STREAMS). */
export interface PendingWrite {
  /** A header section (interim/final response or trailers), a DATA frame, or just the FIN. */
  readonly kind: 'headers' | 'data' | 'fin';
  readonly data?: Uint8Array;
  readonly headers?: H3Headers;
  /** Close the stream with this write. */
  readonly fin?: boolean;
}

export class H3StreamState {
  /** The QUIC stream ID, or -1 while a stream of ours waits to be opened. */
  id: number;
  kind: StreamKind;
  readonly reader = new FrameReader();

  // ---- receive side ----
  recvPhase: RecvPhase = RecvPhase.HEADERS;
  /** The transport may have more bytes for us (set by handleStreamReadable, cleared when a read returns nothing). */
  readable = false;
  /** The transport returned the end of the stream (and everything before it was processed or is in the reader). */
  finRead = false;
  /** Some bytes were read from the stream (so QPACK sections of it may be in flight). */
  sawData = false;
  /** Paused by the application (`pauseReading`). */
  pausedByApp = false;
  /** A header section waits on the QPACK decoder; nothing after it is processed meanwhile. */
  pendingSection: PendingSection = PendingSection.NONE;
  /** The push ID of a blocked PUSH_PROMISE. */
  pendingPushId = -1;
  /** Client push stream whose PUSH_PROMISE has not arrived yet (RFC 9114 §4.6): not read further meanwhile. */
  awaitingPromise = false;
  /** Received body bytes queued as events and not yet polled by the application. */
  queuedBodyBytes = 0;
  /** Reading stopped because too much body waits in the event queue; resumes as the application polls it. */
  stalled = false;
  /** Queued in the connection's pump list. */
  pumpQueued = false;
  /** Body bytes received so far (RFC 9114 §4.1.2 content-length check). */
  bodyReceived = 0;
  /** The content-length of the message being received, or -1. */
  expectedLength = -1;
  /** The message being received must have no content (response to HEAD, 204, 304; RFC 9110 §6.4.1). */
  recvNoContent = false;
  /** Server: the 'request' event was delivered (the request was "processed", RFC 9114 §4.1.1). */
  surfaced = false;
  /** We sent STOP_SENDING on this stream. */
  stopSent = false;

  // ---- send side ----
  sendPhase: SendPhase = SendPhase.IDLE;
  /** Body bytes sent so far. */
  bodySent = 0;
  /** Content-length we declared, or -1. */
  declaredLength = -1;
  /** The message we send must have no content (response to HEAD, 204, 304). */
  sendNoContent = false;
  /** A write returned false: emit 'writable' when the transport drains. */
  writeBlocked = false;
  /** Writes made before the stream was opened. */
  pendingWrites: PendingWrite[] | undefined;
  /** Headers to send once the stream is opened (client requests / server push responses queued on MAX_STREAMS). */
  pendingHeaders: H3Headers | undefined;

  // ---- message ----
  /** The request method (client: the one we sent; server: the one received; push: the promised one). */
  method = '';
  /** A CONNECT request (RFC 9114 §4.4): after the 2xx, only DATA frames. */
  isConnect = false;
  /** Client: the request handle. */
  request: H3ClientRequest | undefined;
  /** Server: the push handle of a push stream. */
  push: H3ServerPush | undefined;
  /** The push ID (push streams), or -1. */
  pushId = -1;
  priority: H3Priority = DEFAULT_PRIORITY;

  constructor(id: number, kind: StreamKind) {
    this.id = id;
    this.kind = kind;
  }

  /** Receiving is over (cleanly or not). */
  get recvClosed(): boolean {
    return this.recvPhase === RecvPhase.DONE || this.recvPhase === RecvPhase.ABORTED;
  }

  /** Sending is over (cleanly or not). */
  get sendClosed(): boolean {
    return this.sendPhase === SendPhase.DONE || this.sendPhase === SendPhase.RESET;
  }
}
