// H3Connection: the sans-I/O HTTP/3 connection (RFC 9114) for both roles, over an H3Transport (a QUIC connection).
// Input: the transport's stream events (handleX, in connection-receive.ts). Output: bytes written to the transport,
// and events polled with pollEvent(). Application calls: request() (client), respond()/writeBody()/push (server).

import { varintLength, writeVarintAt } from '@fos/core';
import { H3Error, H3ErrorCode, H3UsageError, H3UsageErrorKind } from '../errors.js';
import { H3StreamType } from '../frames/frame-types.js';
import type { H3Headers } from '../message/headers.js';
import {
  responseHasNoContent,
  validatePushRequest,
  validateRequest,
  validateResponse,
  validateTrailers,
} from '../message/validation.js';
import { DEFAULT_PRIORITY, type H3Priority, serializePriority } from '../priority/priority.js';
import { GOAWAY_MAX_PUSH_ID, GOAWAY_MAX_STREAM_ID, isRequestStream } from '../transport.js';
import { H3ClientRequest } from './client-request.js';
import { ConnectionPhase } from './connection-base.js';
import { H3ConnectionReceive } from './connection-receive.js';
import type { H3Event } from './events.js';
import type { H3ConnectionOptions } from './options.js';
import { H3ServerPush } from './server-push.js';
import type { H3StreamOps } from './stream-ops.js';
import { H3StreamState, type PendingWrite, RecvPhase, SendPhase, StreamKind } from './stream-state.js';

const EMPTY = new Uint8Array(0);

/** Options of `H3Connection.request`. */
export interface H3RequestOptions {
  /** The request has no body: close the stream right after the header section (RFC 9114 §4.1). */
  readonly endStream?: boolean;
}

/**
 * An HTTP/3 connection (RFC 9114) over one QUIC connection, client or server, sans-I/O.
 *
 * ```ts
 * const h3 = new H3Connection({ transport });       // transport.role decides the role
 * h3.start();                                        // control + QPACK streams, SETTINGS
 * const req = h3.request([[':method', 'GET'], [':scheme', 'https'], [':authority', 'a.example'], [':path', '/']],
 *   { endStream: true });
 * // feed transport events: h3.handleStreamReadable(id), …; then:
 * for (let e = h3.pollEvent(); e; e = h3.pollEvent()) if (e.type === 'response') console.log(e.status);
 * ```
 */
export class H3Connection extends H3ConnectionReceive implements H3StreamOps {
  constructor(options: H3ConnectionOptions) {
    super(options);
  }

  /**
   * Starts the connection: opens our control stream with SETTINGS, the QPACK encoder and decoder streams (RFC 9114
   * §6.2, RFC 9204 §4.2) and, for a client configured with `maxPushId`, sends MAX_PUSH_ID (§7.2.7).
   */
  start(): void {
    if (this.phase !== ConnectionPhase.NEW) return;
    this.phase = ConnectionPhase.OPEN;
    this.startStreams();
    if (this.role === 'client' && this.options.maxPushId !== undefined) this.setMaxPushId(this.options.maxPushId);
  }

  /** The next event, or undefined. Reading resumes here for streams whose queued body the application consumed. */
  pollEvent(): H3Event | undefined {
    let event = this.events.shift();
    if (event === undefined && this.pumpList.length > 0 && this.phase !== ConnectionPhase.CLOSED) {
      try {
        this.runPumps();
      } catch (e) {
        this.handleFailure(e);
      }
      this.afterInput();
      event = this.events.shift();
    }
    if (event !== undefined && event.type === 'data') {
      const s = this.streams.get(event.streamId);
      if (s !== undefined) {
        s.queuedBodyBytes -= event.data.length;
        // resume reading once the queue drained below half the high-water mark
        if (s.stalled && s.queuedBodyBytes < this.bodyHighWater / 2) {
          s.stalled = false;
          this.schedule(s);
        }
      }
    }
    return event;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Client API

  /**
   * Client: sends a request (RFC 9114 §4.1) on a new request stream. `headers` must be a valid request header
   * section (§4.2, §4.3.1); with `endStream` the stream is closed after it. When the peer's MAX_STREAMS limit is
   * reached the request waits (see `H3ClientRequest`). Throws H3UsageError: INVALID_HEADERS, FIELD_SECTION_TOO_LARGE,
   * GOING_AWAY (GOAWAY received or shutting down: retry on another connection), CLOSED, WRONG_ROLE.
   */
  request(headers: H3Headers, options: H3RequestOptions = {}): H3ClientRequest {
    this.assertUsable();
    if (this.role !== 'client') throw new H3UsageError(H3UsageErrorKind.WRONG_ROLE, 'only clients send requests');
    // RFC 9114 §5.2: no new requests after the peer's GOAWAY (or our own shutdown)
    if (this.goawayReceived >= 0 || this.phase === ConnectionPhase.DRAINING) {
      throw new H3UsageError(H3UsageErrorKind.GOING_AWAY, 'the connection is shutting down');
    }
    const info = this.checkHeaders(
      () => validateRequest(headers, { enableConnectProtocol: this.peerSettingsValue.enableConnectProtocol }),
      -1,
    );
    this.checkPeerFieldSectionSize(headers, -1);
    const endStream = options.endStream ?? false;
    const s = new H3StreamState(-1, StreamKind.REQUEST);
    s.method = info.method;
    s.isConnect = info.method === 'CONNECT';
    s.declaredLength = info.contentLength;
    s.sendPhase = endStream ? SendPhase.DONE : SendPhase.BODY;
    const request = new H3ClientRequest(this, s, headers);
    s.request = request;
    if (this.pendingBidi.length === 0) {
      const id = this.transport.openStream(true);
      if (id !== undefined) {
        s.id = id;
        this.streams.set(id, s);
        if (!this.writeFieldSection(s, headers, endStream)) s.writeBlocked = true;
        return request;
      }
    }
    s.pendingHeaders = headers;
    if (endStream) s.pendingWrites = [{ kind: 'fin' }];
    this.pendingBidi.push(s);
    return request;
  }

  /**
   * Client: raises the maximum push ID the server may use (RFC 9114 §7.2.7). The first call enables push (§4.6).
   * Throws INVALID_ARGUMENT below the current maximum (a MAX_PUSH_ID cannot reduce it).
   */
  setMaxPushId(pushId: number): void {
    this.assertUsable();
    if (this.role !== 'client') throw new H3UsageError(H3UsageErrorKind.WRONG_ROLE, 'only clients send MAX_PUSH_ID');
    if (!Number.isSafeInteger(pushId) || pushId < this.maxPushId) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_ARGUMENT, `MAX_PUSH_ID ${pushId} below ${this.maxPushId}`);
    }
    if (pushId === this.maxPushId) return;
    this.maxPushId = pushId;
    this.writeControlFrame({ type: 'max-push-id', pushId });
  }

  /**
   * Diagnostics: the QPACK dynamic tables of both directions (RFC 9204 §2.1.4 insert counts) and the capacity our
   * encoder set for its table (§3.2.3; 0 until it inserts).
   */
  qpackState(): {
    encoderInsertCount: number;
    encoderKnownReceivedCount: number;
    encoderCapacity: number;
    decoderInsertCount: number;
  } {
    const e = this.encoder.tableSnapshot();
    return {
      encoderInsertCount: e.insertCount,
      encoderKnownReceivedCount: e.knownReceivedCount,
      encoderCapacity: e.capacity,
      decoderInsertCount: this.decoder.insertCount,
    };
  }

  /** Diagnostics: the IDs of our control and QPACK streams (-1 while not open). */
  get ownStreamIds(): { control: number; qpackEncoder: number; qpackDecoder: number } {
    return {
      control: this.control.id,
      qpackEncoder: this.qpackEncoderStream.id,
      qpackDecoder: this.qpackDecoderStream.id,
    };
  }

  /** Client: the current MAX_PUSH_ID (-1: push disabled). Server: the one the client allowed (-1: none). */
  get maxPushIdValue(): number {
    return this.maxPushId;
  }

  /**
   * Client: declines a promised push (RFC 9114 §7.2.3): CANCEL_PUSH, or STOP_SENDING (H3_REQUEST_CANCELLED) on its
   * push stream when that already arrived.
   */
  cancelPush(pushId: number): void {
    this.assertUsable();
    if (this.role !== 'client')
      throw new H3UsageError(H3UsageErrorKind.WRONG_ROLE, 'servers cancel with the push handle');
    if (pushId < 0 || pushId > this.maxPushId) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_ARGUMENT, `push ID ${pushId} beyond MAX_PUSH_ID`);
    }
    let record = this.clientPushes.get(pushId);
    if (record === undefined) {
      if (this.consumedPushIds.has(pushId)) return;
      record = { headers: undefined, method: '', stream: undefined, cancelled: false };
      this.clientPushes.set(pushId, record);
    }
    this.cancelClientPush(pushId, record);
    this.afterInput();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Server API (by stream ID; the same operations exist on the client's request handles)

  /**
   * Server: sends a response header section on request stream `streamId` (RFC 9114 §4.1): any number of interim
   * (1xx) responses, then one final response; `endStream` closes the stream (final responses only).
   */
  respond(streamId: number, headers: H3Headers, options: { endStream?: boolean } = {}): void {
    this.respondOn(this.streamOf(streamId), headers, options.endStream ?? false);
  }

  /** Sends body bytes (a DATA frame, kept by reference) on a request or push stream; see `H3ClientRequest.writeBody`. */
  writeBody(streamId: number, data: Uint8Array, endStream = false): boolean {
    return this.writeBodyOn(this.streamOf(streamId), data, endStream);
  }

  /** Sends the trailer section and closes the stream (RFC 9114 §4.1). */
  writeTrailers(streamId: number, trailers: H3Headers): void {
    this.writeTrailersOn(this.streamOf(streamId), trailers);
  }

  /** Closes the stream for sending (FIN). No-op when already closed. */
  end(streamId: number): void {
    const s = this.streams.get(streamId);
    if (s !== undefined) this.endOn(s);
  }

  /**
   * Aborts the exchange on `streamId` in both directions (RFC 9114 §4.1.1): H3_REQUEST_CANCELLED by default; a server
   * that did not process the request may use H3_REQUEST_REJECTED. No event follows. No-op for finished streams.
   */
  resetStream(streamId: number, code: number = H3ErrorCode.H3_REQUEST_CANCELLED): void {
    const s = this.streams.get(streamId);
    if (s !== undefined) this.cancelOn(s, code);
  }

  /**
   * Stops receiving on `streamId` for good: STOP_SENDING with `code` (RFC 9114 §4.1: a server that does not need the
   * rest of a request may abort reading with H3_NO_ERROR, the default, and still send a complete response).
   */
  abortReading(streamId: number, code: number = H3ErrorCode.H3_NO_ERROR): void {
    const s = this.streams.get(streamId);
    if (s === undefined || s.recvClosed || !this.hasRecvSide(s)) return;
    this.abortRecv(s, code, true);
    this.releaseIfDone(s);
    this.afterInput();
  }

  /** Stops reading `streamId` from the transport until `resumeReading` (flow control then holds the peer back). */
  pauseReading(streamId: number): void {
    const s = this.streams.get(streamId);
    if (s !== undefined) this.pauseReadingOn(s);
  }

  /** Resumes reading after `pauseReading`; queued input is processed now. */
  resumeReading(streamId: number): void {
    const s = this.streams.get(streamId);
    if (s !== undefined) this.resumeReadingOn(s);
  }

  /**
   * Server: sets the priority the transport's scheduler uses for a response (RFC 9218 §10; e.g. after merging the
   * client's signal with its own knowledge, §8). Client: sends a PRIORITY_UPDATE (RFC 9218 §7.2).
   */
  setPriority(streamId: number, priority: H3Priority): void {
    this.setPriorityOn(this.streamOf(streamId), priority);
  }

  /** The priority last signalled for `streamId` (RFC 9218). */
  priorityOf(streamId: number): H3Priority | undefined {
    return this.streams.get(streamId)?.priority;
  }

  /** Bytes written on `streamId` and not yet sent or acknowledged. */
  bufferedBytes(streamId: number): number {
    const s = this.streams.get(streamId);
    return s === undefined ? 0 : this.bufferedBytesOn(s);
  }

  /**
   * Server: promises a push on request stream `requestStreamId` (RFC 9114 §4.6): a PUSH_PROMISE with the next push
   * ID. `requestHeaders` must be a safe, cacheable request without content, with :authority. Deliver the response
   * through the returned handle. Throws PUSH_NOT_ALLOWED when the client's MAX_PUSH_ID does not allow it (or it sent
   * GOAWAY), INVALID_HEADERS, UNKNOWN_STREAM / INVALID_STATE for a finished request stream.
   */
  promisePush(requestStreamId: number, requestHeaders: H3Headers): H3ServerPush {
    this.assertUsable();
    if (this.role !== 'server') throw new H3UsageError(H3UsageErrorKind.WRONG_ROLE, 'only servers push');
    const request = this.streamOf(requestStreamId);
    if (request.kind !== StreamKind.REQUEST || request.sendClosed) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'the request stream is closed', requestStreamId);
    }
    // RFC 9114 §4.6: push IDs up to the client's MAX_PUSH_ID; §5.2: no new promises after its GOAWAY
    if (this.maxPushId < 0 || this.nextPushId > this.maxPushId || this.goawayReceived >= 0) {
      throw new H3UsageError(H3UsageErrorKind.PUSH_NOT_ALLOWED, 'the client does not allow another push');
    }
    const info = this.checkHeaders(() => validatePushRequest(requestHeaders), requestStreamId);
    if (info.authority === undefined) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_HEADERS, 'a pushed request needs :authority', requestStreamId);
    }
    this.checkPeerFieldSectionSize(requestHeaders, requestStreamId);
    const pushId = this.nextPushId++;
    this.writeFieldSection(request, requestHeaders, false, pushId);
    const s = new H3StreamState(-1, StreamKind.PUSH);
    s.pushId = pushId;
    s.method = info.method;
    s.recvPhase = RecvPhase.DONE;
    const push = new H3ServerPush(this, s, pushId, requestHeaders);
    s.push = push;
    this.serverPushes.set(pushId, { handle: push, cancelled: false });
    return push;
  }

  /**
   * Server: promises an already promised push again on another request stream (RFC 9114 §4.6: same push ID, same
   * fields).
   */
  promiseExistingPush(requestStreamId: number, push: H3ServerPush): void {
    this.assertUsable();
    const request = this.streamOf(requestStreamId);
    const record = this.serverPushes.get(push.pushId);
    if (record === undefined || record.cancelled || request.kind !== StreamKind.REQUEST || request.sendClosed) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'cannot promise this push here', requestStreamId);
    }
    this.writeFieldSection(request, push.requestHeaders, false, push.pushId);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Shutdown (RFC 9114 §5.2, §5.3)

  /**
   * Sends GOAWAY (RFC 9114 §5.2). Server: `id` is the first request stream ID it will not process (default: the one
   * after the last request received); requests at or above it are rejected (H3_REQUEST_REJECTED, retryable).
   * Client: `id` is the first push ID it will refuse (default: after the last push seen). IDs may only decrease.
   */
  goaway(id?: number): void {
    this.assertUsable();
    let value: number;
    if (this.role === 'server') {
      value = id ?? (this.peerBidi.highestSeen + 1) * 4;
      if (!isRequestStream(value)) {
        throw new H3UsageError(H3UsageErrorKind.INVALID_ARGUMENT, `${value} is not a request stream ID`);
      }
    } else {
      value = id ?? this.highestPushIdSeen + 1;
    }
    if (!Number.isSafeInteger(value) || value < 0 || (this.goawaySent >= 0 && value > this.goawaySent)) {
      throw new H3UsageError(
        H3UsageErrorKind.INVALID_ARGUMENT,
        `GOAWAY ${value} above the previous ${this.goawaySent}`,
      );
    }
    this.goawaySent = value;
    this.writeControlFrame({ type: 'goaway', id: value });
    // §5.2: explicitly cancel what will not be processed
    for (const s of [...this.streams.values()]) {
      if (this.role === 'server' && s.kind === StreamKind.REQUEST && s.id >= value) {
        this.failStream(s, H3ErrorCode.H3_REQUEST_REJECTED, 'above GOAWAY', true, !s.surfaced);
      } else if (this.role === 'client' && s.kind === StreamKind.PUSH && s.pushId >= value) {
        this.abortRecv(s, H3ErrorCode.H3_REQUEST_CANCELLED, true);
        this.releaseIfDone(s);
      }
    }
    this.afterInput();
  }

  /**
   * Graceful shutdown (RFC 9114 §5.2): sends GOAWAY (unless already sent), lets accepted requests and pushes finish,
   * then closes the connection with H3_NO_ERROR. A server may first call `goaway(GOAWAY_MAX_STREAM_ID)` and, after a
   * round trip, `shutdown()`, so that no request in flight is lost.
   */
  shutdown(): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    if (this.goawaySent < 0) this.goaway();
    this.phase = ConnectionPhase.DRAINING;
    this.checkDrained();
  }

  /** Closes the connection now (RFC 9114 §5.3) with `code` (H3_NO_ERROR by default). */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    this.closeNow(code, reason, true);
  }

  /** The largest IDs to use in a first GOAWAY before the final one (RFC 9114 §5.2). */
  static readonly GOAWAY_MAX_STREAM_ID = GOAWAY_MAX_STREAM_ID;
  static readonly GOAWAY_MAX_PUSH_ID = GOAWAY_MAX_PUSH_ID;

  // ---------------------------------------------------------------------------------------------------------------
  // H3StreamOps (used by the handles and the methods above)

  /** @internal */
  respondOn(s: H3StreamState, headers: H3Headers, endStream: boolean): void {
    this.assertUsable();
    if (this.role !== 'server') throw new H3UsageError(H3UsageErrorKind.WRONG_ROLE, 'only servers respond');
    this.assertSendable(s);
    if (s.sendPhase !== SendPhase.IDLE && s.sendPhase !== SendPhase.INTERIM) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'the final response was already sent', s.id);
    }
    const info = this.checkHeaders(() => validateResponse(headers), s.id);
    const interim = info.status < 200;
    // §4.1: interim responses carry no content and cannot end the stream
    if (interim && endStream) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'an interim response cannot end the stream', s.id);
    }
    this.checkPeerFieldSectionSize(headers, s.id);
    if (!interim && endStream && info.contentLength > 0 && !responseHasNoContent(s.method, info.status)) {
      throw new H3UsageError(H3UsageErrorKind.CONTENT_LENGTH_MISMATCH, `content-length is ${info.contentLength}`, s.id);
    }
    if (interim) {
      s.sendPhase = SendPhase.INTERIM;
    } else {
      s.sendPhase = endStream ? SendPhase.DONE : SendPhase.BODY;
      s.sendNoContent = responseHasNoContent(s.method, info.status);
      s.declaredLength = s.isConnect && info.status < 300 ? -1 : info.contentLength;
    }
    if (s.kind === StreamKind.PUSH && s.id < 0 && s.pendingWrites === undefined) this.openPushStream(s);
    this.sendOrQueue(s, { kind: 'headers', headers, fin: endStream });
    if (endStream) this.releaseIfDone(s);
    this.afterInput();
  }

  /** @internal */
  writeBodyOn(s: H3StreamState, data: Uint8Array, endStream: boolean): boolean {
    this.assertUsable();
    this.assertSendable(s);
    if (s.sendPhase !== SendPhase.BODY) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'no body allowed before the final response', s.id);
    }
    if (data.length > 0 && s.sendNoContent) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'this response has no content (HEAD, 204, 304)', s.id);
    }
    const total = s.bodySent + data.length;
    if (s.declaredLength >= 0 && !s.sendNoContent) {
      if (total > s.declaredLength || (endStream && total < s.declaredLength)) {
        throw new H3UsageError(H3UsageErrorKind.CONTENT_LENGTH_MISMATCH, `content-length is ${s.declaredLength}`, s.id);
      }
    }
    s.bodySent = total;
    if (endStream) s.sendPhase = SendPhase.DONE;
    const ok = this.sendOrQueue(s, { kind: 'data', data, fin: endStream });
    if (endStream) {
      this.releaseIfDone(s);
      this.afterInput();
    }
    return ok;
  }

  /** @internal */
  writeTrailersOn(s: H3StreamState, trailers: H3Headers): void {
    this.assertUsable();
    this.assertSendable(s);
    if (s.sendPhase !== SendPhase.BODY) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'trailers only follow a final header section', s.id);
    }
    this.checkHeaders(() => validateTrailers(trailers), s.id);
    this.checkPeerFieldSectionSize(trailers, s.id);
    if (s.declaredLength >= 0 && !s.sendNoContent && s.bodySent !== s.declaredLength) {
      throw new H3UsageError(H3UsageErrorKind.CONTENT_LENGTH_MISMATCH, `content-length is ${s.declaredLength}`, s.id);
    }
    s.sendPhase = SendPhase.DONE;
    this.sendOrQueue(s, { kind: 'headers', headers: trailers, fin: true });
    this.releaseIfDone(s);
    this.afterInput();
  }

  /** @internal */
  endOn(s: H3StreamState): void {
    if (this.phase === ConnectionPhase.CLOSED || s.sendClosed || !this.hasSendSide(s)) return;
    if (s.sendPhase !== SendPhase.BODY) {
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'the final response was not sent', s.id);
    }
    if (s.declaredLength >= 0 && !s.sendNoContent && s.bodySent !== s.declaredLength) {
      throw new H3UsageError(H3UsageErrorKind.CONTENT_LENGTH_MISMATCH, `content-length is ${s.declaredLength}`, s.id);
    }
    s.sendPhase = SendPhase.DONE;
    this.sendOrQueue(s, { kind: 'fin' });
    this.releaseIfDone(s);
    this.afterInput();
  }

  /** @internal */
  cancelOn(s: H3StreamState, code: number): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    if (s.kind === StreamKind.PUSH && this.role === 'server') {
      this.cancelServerPush(s, code);
      this.afterInput();
      return;
    }
    if (s.id < 0) {
      this.removePending(s);
      s.recvPhase = RecvPhase.ABORTED;
      s.sendPhase = SendPhase.RESET;
      this.afterInput();
      return;
    }
    if (s.recvClosed && s.sendClosed) return;
    this.failStream(s, code, 'cancelled', false, true);
    this.afterInput();
  }

  /** @internal */
  setPriorityOn(s: H3StreamState, priority: H3Priority): void {
    this.assertUsable();
    const value = serializePriority(priority);
    s.priority = priority;
    if (this.role === 'client') {
      if (s.kind !== StreamKind.REQUEST) {
        throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'push priorities are not supported here', s.id);
      }
      // RFC 9218 §7.2: PRIORITY_UPDATE (request variant) on the control stream; sent once the stream has an ID
      if (s.id >= 0) this.writeControlFrame({ type: 'priority-update', push: false, elementId: s.id, priority: value });
      return;
    }
    if (s.id >= 0 && !s.sendClosed) this.transport.setPriority(s.id, priority.urgency, priority.incremental);
  }

  /** @internal */
  pauseReadingOn(s: H3StreamState): void {
    s.pausedByApp = true;
  }

  /** @internal */
  resumeReadingOn(s: H3StreamState): void {
    if (!s.pausedByApp) return;
    s.pausedByApp = false;
    if (this.phase === ConnectionPhase.CLOSED || s.id < 0) return;
    this.schedule(s);
    try {
      this.runPumps();
    } catch (e) {
      this.handleFailure(e);
    }
    this.afterInput();
  }

  /** @internal */
  bufferedBytesOn(s: H3StreamState): number {
    if (s.id >= 0) return this.transport.bufferedBytes(s.id);
    let n = 0;
    for (const w of s.pendingWrites ?? []) n += w.data?.length ?? 0;
    return n;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Internals

  private assertUsable(): void {
    if (this.phase === ConnectionPhase.CLOSED) throw new H3UsageError(H3UsageErrorKind.CLOSED, 'connection closed');
    if (this.phase === ConnectionPhase.NEW)
      throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'call start() first');
  }

  private assertSendable(s: H3StreamState): void {
    if (s.sendPhase === SendPhase.RESET) {
      throw new H3UsageError(H3UsageErrorKind.STREAM_CLOSED, 'the stream was reset', s.id);
    }
    if (s.sendPhase === SendPhase.DONE) throw new H3UsageError(H3UsageErrorKind.INVALID_STATE, 'after the end', s.id);
  }

  private streamOf(streamId: number): H3StreamState {
    const s = this.streams.get(streamId);
    if (s === undefined || (s.kind !== StreamKind.REQUEST && s.kind !== StreamKind.PUSH)) {
      throw new H3UsageError(H3UsageErrorKind.UNKNOWN_STREAM, `no open message stream ${streamId}`, streamId);
    }
    return s;
  }

  /** Runs a validator, turning its H3_MESSAGE_ERROR into H3UsageError(INVALID_HEADERS). */
  private checkHeaders<T>(validate: () => T, streamId: number): T {
    try {
      return validate();
    } catch (e) {
      if (e instanceof H3Error) throw new H3UsageError(H3UsageErrorKind.INVALID_HEADERS, e.reason, streamId);
      throw e;
    }
  }

  /** Writes now if the stream is open, else queues until it is. Returns the transport's backpressure signal. */
  private sendOrQueue(s: H3StreamState, w: PendingWrite): boolean {
    if (s.id < 0) {
      if (s.pendingWrites === undefined) s.pendingWrites = [w];
      else s.pendingWrites.push(w);
      s.writeBlocked = true;
      return false;
    }
    const ok = this.writeNow(s, w);
    if (!ok) s.writeBlocked = true;
    return ok;
  }

  private writeNow(s: H3StreamState, w: PendingWrite): boolean {
    switch (w.kind) {
      case 'headers':
        return this.writeFieldSection(s, w.headers ?? [], w.fin ?? false);
      case 'data':
        return this.writeDataFrame(s, w.data ?? EMPTY, w.fin ?? false);
      default:
        return this.transport.write(s.id, EMPTY, true);
    }
  }

  /** Server: opens the push stream of `s` (type 0x01 + push ID, RFC 9114 §6.2.2), or queues it. */
  private openPushStream(s: H3StreamState): void {
    s.pendingWrites = [];
    this.pendingUni.push(s);
    this.openOwnUniStreams();
  }

  protected openPendingStreams(bidirectional: boolean): void {
    const queue = bidirectional ? this.pendingBidi : this.pendingUni;
    for (let s = queue.peek(); s !== undefined; s = queue.peek()) {
      const id = this.transport.openStream(bidirectional);
      if (id === undefined) return;
      queue.shift();
      s.id = id;
      this.streams.set(id, s);
      const prioritized = s.priority.urgency !== DEFAULT_PRIORITY.urgency || s.priority.incremental;
      if (bidirectional) {
        const headers = s.pendingHeaders ?? [];
        s.pendingHeaders = undefined;
        const finOnly = s.pendingWrites?.length === 1 && s.pendingWrites[0].kind === 'fin';
        if (finOnly) s.pendingWrites = undefined;
        this.writeFieldSection(s, headers, finOnly);
        // RFC 9218 §7.2: a priority set while the request waited goes out now that it has a stream ID
        if (prioritized) {
          const value = serializePriority(s.priority);
          this.writeControlFrame({ type: 'priority-update', push: false, elementId: id, priority: value });
        }
      } else {
        // RFC 9114 §6.2.2: stream type 0x01, then the push ID
        const header = new Uint8Array(1 + varintLength(s.pushId));
        header[0] = H3StreamType.PUSH;
        writeVarintAt(header, 1, s.pushId, varintLength(s.pushId));
        this.transport.write(id, header, false);
        if (prioritized) this.transport.setPriority(id, s.priority.urgency, s.priority.incremental);
      }
      const writes = s.pendingWrites;
      s.pendingWrites = undefined;
      let ok = true;
      if (writes !== undefined) for (const w of writes) ok = this.writeNow(s, w);
      const wasBlocked = s.writeBlocked;
      s.writeBlocked = !ok;
      if (ok && wasBlocked && !s.sendClosed) {
        this.emit({ type: 'writable', streamId: id, request: s.request, pushId: s.pushId >= 0 ? s.pushId : undefined });
      }
      this.releaseIfDone(s);
    }
  }

  private removePending(s: H3StreamState): void {
    const queue = s.kind === StreamKind.REQUEST ? this.pendingBidi : this.pendingUni;
    const kept: H3StreamState[] = [];
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) if (t !== s) kept.push(t);
    for (const t of kept) queue.push(t);
    s.pendingWrites = undefined;
  }

  /** Server: abandons a push (RFC 9114 §7.2.3): CANCEL_PUSH, and a reset of its stream if open. */
  private cancelServerPush(s: H3StreamState, code: number): void {
    const record = this.serverPushes.get(s.pushId);
    if (record === undefined || record.cancelled) return;
    record.cancelled = true;
    this.writeControlFrame({ type: 'cancel-push', pushId: s.pushId });
    if (s.id < 0) {
      this.removePending(s);
      s.sendPhase = SendPhase.RESET;
      this.serverPushes.delete(s.pushId);
      return;
    }
    this.abortSend(s, code);
    this.releaseIfDone(s);
  }

  protected onStreamReleased(s: H3StreamState): void {
    if (s.kind === StreamKind.PUSH && s.pushId >= 0) {
      if (this.role === 'client') {
        this.clientPushes.delete(s.pushId);
        this.consumedPushIds.add(s.pushId);
      } else {
        this.serverPushes.delete(s.pushId);
      }
    }
  }

  protected onGoawayReceived(id: number): void {
    if (this.role === 'client') {
      // §5.2: requests at or above the ID will not be processed: cancel them (they may be retried elsewhere)
      for (const s of [...this.streams.values()]) {
        if (s.kind === StreamKind.REQUEST && s.id >= id) {
          this.failStream(s, H3ErrorCode.H3_REQUEST_CANCELLED, 'not processed (GOAWAY)', true);
        }
      }
      for (let s = this.pendingBidi.shift(); s !== undefined; s = this.pendingBidi.shift()) {
        s.recvPhase = RecvPhase.ABORTED;
        s.sendPhase = SendPhase.RESET;
        s.pendingWrites = undefined;
        this.emit({
          type: 'stream-error',
          streamId: -1,
          request: s.request,
          code: H3ErrorCode.H3_REQUEST_REJECTED,
          local: true,
          retryable: true,
          reason: 'not sent (GOAWAY)',
        });
      }
      if (this.phase === ConnectionPhase.OPEN) this.phase = ConnectionPhase.DRAINING;
      return;
    }
    // §5.2: pushes at or above the client's ID will not be accepted
    for (const [pushId, record] of [...this.serverPushes]) {
      if (pushId >= id && !record.cancelled) {
        record.cancelled = true;
        const s = record.handle.state;
        if (s.id < 0) {
          this.removePending(s);
          s.sendPhase = SendPhase.RESET;
          this.serverPushes.delete(pushId);
        } else {
          this.abortSend(s, H3ErrorCode.H3_REQUEST_CANCELLED);
          this.releaseIfDone(s);
        }
      }
    }
  }

  protected checkDrained(): void {
    if (this.phase !== ConnectionPhase.DRAINING) return;
    if (this.pendingBidi.length > 0 || this.pendingUni.length > 0) return;
    for (const s of this.streams.values()) if (s.kind === StreamKind.REQUEST || s.kind === StreamKind.PUSH) return;
    // wait until the last responses and our GOAWAY were acknowledged: closing discards unsent stream data
    if (this.pruneUnflushed() > 0) return;
    if (this.control.id >= 0 && this.transport.bufferedBytes(this.control.id) > 0) return;
    // §5.2: a completed graceful shutdown closes with H3_NO_ERROR
    this.closeNow(H3ErrorCode.H3_NO_ERROR, 'graceful shutdown', true);
  }

  protected failOutstanding(code: number): void {
    if (this.role !== 'client') return;
    // §5.4: without GOAWAY, a request that was sent might have been processed; one never sent can be retried
    for (const s of this.streams.values()) {
      if (s.kind !== StreamKind.REQUEST || (s.recvClosed && s.sendClosed)) continue;
      const retryable = this.goawayReceived >= 0 && s.id >= this.goawayReceived;
      this.emit({ type: 'stream-error', streamId: s.id, request: s.request, code, local: false, retryable });
    }
    for (let s = this.pendingBidi.shift(); s !== undefined; s = this.pendingBidi.shift()) {
      this.emit({ type: 'stream-error', streamId: -1, request: s.request, code, local: false, retryable: true });
    }
  }
}
