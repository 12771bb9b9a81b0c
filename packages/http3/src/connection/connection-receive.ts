// The receive side of an H3Connection: transport inputs, stream classification (RFC 9114 §6), the control stream
// (§6.2.1, §7.2), request and push streams (§4.1, §4.6), QPACK streams and blocked sections (RFC 9204 §2.2, §4.2).

import { connectionError, H3Error, H3ErrorCode } from '../errors.js';
import { parsePushPromisePayload } from '../frames/frame-codec.js';
import { FrameReadEvent, PayloadMode } from '../frames/frame-reader.js';
import { H3FrameType, H3StreamType, isHttp2ReservedFrameType } from '../frames/frame-types.js';
import { type H3Headers, pairHeaders } from '../message/headers.js';
import {
  responseHasNoContent,
  validatePushRequest,
  validateRequest,
  validateResponse,
  validateTrailers,
} from '../message/validation.js';
import { DEFAULT_PRIORITY, priorityFromHeaders } from '../priority/priority.js';
import { FieldSectionTooLargeError, QpackError } from '../qpack/index.js';
import { isBidirectionalStream, isLocalStream } from '../transport.js';
import { ConnectionPhase } from './connection-base.js';
import { H3ConnectionControl } from './connection-control.js';
import type { H3ConnectionOptions } from './options.js';
import { H3StreamState, PendingSection, RecvPhase, SendPhase, StreamKind } from './stream-state.js';

export abstract class H3ConnectionReceive extends H3ConnectionControl {
  protected constructor(options: H3ConnectionOptions) {
    super(options);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Transport inputs

  /**
   * The transport has bytes (or the end) for `streamId`; also the first sign of a stream the peer opened. The
   * connection reads them with `transport.read` now, or later if the application is behind.
   */
  handleStreamReadable(streamId: number): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    try {
      const s = this.streamForInput(streamId);
      if (s !== undefined) {
        s.readable = true;
        this.schedule(s);
      }
      this.runPumps();
    } catch (e) {
      this.handleFailure(e);
    }
    this.afterInput();
  }

  /** The peer opened `streamId` (optional: `handleStreamReadable` does the same on the first data). */
  handleStreamOpened(streamId: number): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    try {
      this.streamForInput(streamId);
    } catch (e) {
      this.handleFailure(e);
    }
    this.afterInput();
  }

  /** The peer reset its sending part of `streamId` (RESET_STREAM with `code`, RFC 9000 §19.4). */
  handleStreamReset(streamId: number, code: number): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    try {
      const s = this.streams.get(streamId);
      if (s === undefined) {
        // RFC 9114 §6.2: a unidirectional stream reset before its header is tolerated
        if (!isLocalStream(streamId, this.role) && !isBidirectionalStream(streamId)) this.streamForInput(streamId);
        const t = this.streams.get(streamId);
        if (t === undefined) return;
        this.onPeerReset(t, code);
      } else {
        this.onPeerReset(s, code);
      }
    } catch (e) {
      this.handleFailure(e);
    }
    this.afterInput();
  }

  /** The peer asked us to stop sending on `streamId` (STOP_SENDING, RFC 9000 §19.5); the transport reset it. */
  handleStopSending(streamId: number, code: number): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    try {
      // RFC 9114 §6.2.1, RFC 9204 §4.2: the receiver MUST NOT ask to close a critical stream
      if (
        streamId === this.control.id ||
        streamId === this.qpackEncoderStream.id ||
        streamId === this.qpackDecoderStream.id
      ) {
        throw connectionError(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, 'STOP_SENDING on a critical stream', streamId);
      }
      const s = this.streams.get(streamId);
      if (s !== undefined && this.hasSendSide(s) && !s.sendClosed) {
        s.sendPhase = SendPhase.RESET;
        s.pendingWrites = undefined;
        const pushId = s.pushId >= 0 ? s.pushId : undefined;
        if (s.kind === StreamKind.REQUEST && this.role === 'server') {
          // RFC 9114 §4.1.1: the client cancelled the request; the exchange is over in both directions
          this.abortRecv(s, H3ErrorCode.H3_REQUEST_CANCELLED, true);
          if (s.surfaced) {
            this.emit({ type: 'stream-error', streamId, code, local: false, retryable: false });
          }
        } else {
          if (s.kind === StreamKind.PUSH) {
            const record = this.serverPushes.get(s.pushId);
            if (record !== undefined) record.cancelled = true;
          }
          this.emit({ type: 'stop-sending', streamId, request: s.request, pushId, code });
        }
        this.releaseIfDone(s);
      }
    } catch (e) {
      this.handleFailure(e);
    }
    this.afterInput();
  }

  /** The transport's send buffer for `streamId` drained after a write returned false. */
  handleStreamWritable(streamId: number): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    const s = this.streams.get(streamId);
    if (s === undefined || !s.writeBlocked) {
      this.checkDrained();
      return;
    }
    s.writeBlocked = false;
    if (!s.sendClosed) {
      this.emit({
        type: 'writable',
        streamId,
        request: s.request,
        pushId: s.pushId >= 0 ? s.pushId : undefined,
      });
    }
  }

  /**
   * Everything written on `streamId` so far has been acknowledged (the transport's `bufferedBytes` dropped to 0). A
   * graceful shutdown waits for this on the last responses and on the control stream (GOAWAY) before closing.
   */
  handleStreamFlushed(streamId: number): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    this.unflushed.delete(streamId);
    this.checkDrained();
  }

  /** The peer raised its MAX_STREAMS limit after an `openStream` failed (RFC 9000 §4.6). */
  handleStreamsAvailable(bidirectional: boolean): void {
    if (this.phase === ConnectionPhase.CLOSED || this.phase === ConnectionPhase.NEW) return;
    try {
      if (bidirectional) this.openPendingStreams(true);
      else this.openOwnUniStreams();
    } catch (e) {
      this.handleFailure(e);
    }
    this.afterInput();
  }

  /** The QUIC connection closed (by the peer, idle timeout, or a transport error): RFC 9114 §5.3, §5.4. */
  handleConnectionClosed(code: number, reason = ''): void {
    this.closeNow(code, reason, false);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Stream classification (RFC 9114 §6)

  /** The state of `streamId`, creating it for a new peer stream; undefined for a stream already finished. */
  protected streamForInput(streamId: number): H3StreamState | undefined {
    const known = this.streams.get(streamId);
    if (known !== undefined) return known;
    if (isLocalStream(streamId, this.role)) return undefined;
    const index = Math.floor(streamId / 4);
    if (isBidirectionalStream(streamId)) {
      // RFC 9114 §6.1: clients MUST treat a server-initiated bidirectional stream as H3_STREAM_CREATION_ERROR
      if (this.role === 'client') {
        throw connectionError(H3ErrorCode.H3_STREAM_CREATION_ERROR, 'server-initiated bidirectional stream', streamId);
      }
      if (this.peerBidi.wasSeen(index)) return undefined;
      this.peerBidi.markSeen(index);
      // RFC 9114 §5.2: requests at or above the GOAWAY we sent are rejected without processing
      if (this.goawaySent >= 0 && streamId >= this.goawaySent) {
        this.transport.stopSending(streamId, H3ErrorCode.H3_REQUEST_REJECTED);
        this.transport.resetStream(streamId, H3ErrorCode.H3_REQUEST_REJECTED);
        return undefined;
      }
      const s = new H3StreamState(streamId, StreamKind.REQUEST);
      this.streams.set(streamId, s);
      return s;
    }
    if (this.peerUni.wasSeen(index)) return undefined;
    this.peerUni.markSeen(index);
    const s = new H3StreamState(streamId, StreamKind.UNI_PENDING);
    s.sendPhase = SendPhase.DONE;
    this.streams.set(streamId, s);
    return s;
  }

  /** RFC 9114 §6.2: the stream type of a peer unidirectional stream arrived. */
  private classifyUni(s: H3StreamState, type: number): void {
    switch (type) {
      case H3StreamType.CONTROL:
        // §6.2.1: only one control stream per peer
        if (this.peerControl !== undefined) {
          throw connectionError(H3ErrorCode.H3_STREAM_CREATION_ERROR, 'second control stream', s.id);
        }
        this.peerControl = s;
        s.kind = StreamKind.CONTROL;
        return;
      case H3StreamType.PUSH:
        // §6.2.2: only servers push
        if (this.role === 'server') {
          throw connectionError(H3ErrorCode.H3_STREAM_CREATION_ERROR, 'client-initiated push stream', s.id);
        }
        s.kind = StreamKind.PUSH;
        s.pushId = -1;
        return;
      case H3StreamType.QPACK_ENCODER:
        // RFC 9204 §4.2: at most one encoder stream
        if (this.peerEncoder !== undefined) {
          throw connectionError(H3ErrorCode.H3_STREAM_CREATION_ERROR, 'second QPACK encoder stream', s.id);
        }
        this.peerEncoder = s;
        s.kind = StreamKind.QPACK_ENCODER;
        return;
      case H3StreamType.QPACK_DECODER:
        if (this.peerDecoder !== undefined) {
          throw connectionError(H3ErrorCode.H3_STREAM_CREATION_ERROR, 'second QPACK decoder stream', s.id);
        }
        this.peerDecoder = s;
        s.kind = StreamKind.QPACK_DECODER;
        return;
      default:
        // §6.2, §6.2.3: unknown and reserved types: abort reading with H3_STREAM_CREATION_ERROR, never a
        // connection error
        s.kind = StreamKind.IGNORED;
        s.recvPhase = RecvPhase.ABORTED;
        s.reader.discard();
        this.transport.stopSending(s.id, H3ErrorCode.H3_STREAM_CREATION_ERROR);
        this.releaseIfDone(s);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pumping input

  /** Queues `s` for processing in `runPumps`. */
  protected schedule(s: H3StreamState): void {
    if (s.pumpQueued || s.recvClosed) return;
    s.pumpQueued = true;
    this.pumpList.push(s);
  }

  /** Processes every scheduled stream (more may be scheduled meanwhile, e.g. unblocked by QPACK). */
  protected runPumps(): void {
    const list = this.pumpList;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      s.pumpQueued = false;
      if (this.phase === ConnectionPhase.CLOSED) break;
      this.pump(s);
    }
    list.length = 0;
  }

  /** Whether `s` may make progress now. */
  private canProcess(s: H3StreamState): boolean {
    if (s.recvClosed || s.pendingSection !== PendingSection.NONE || s.awaitingPromise || s.pausedByApp) return false;
    if (s.queuedBodyBytes >= this.bodyHighWater) {
      // backpressure: resumed by pollEvent once the application consumed half of it
      s.stalled = true;
      return false;
    }
    return true;
  }

  /** Reads and processes `s` until it runs out of input or must wait. Stream errors stay on `s`. */
  private pump(s: H3StreamState): void {
    try {
      for (;;) {
        if (!this.canProcess(s)) return;
        if (!this.process(s)) return;
        // the reader wants more input
        if (!s.readable || s.finRead) return;
        const chunk = this.transport.read(s.id);
        if (chunk === undefined || (chunk !== null && chunk.length === 0)) {
          s.readable = false;
          return;
        }
        if (chunk === null) {
          s.finRead = true;
          s.readable = false;
          this.onFin(s);
          return;
        }
        s.sawData = true;
        if (s.kind === StreamKind.QPACK_ENCODER || s.kind === StreamKind.QPACK_DECODER) this.qpackInput(s, chunk);
        else s.reader.push(chunk);
      }
    } catch (e) {
      if (e instanceof H3Error && !e.connectionError) {
        this.failStream(s, e.code, e.reason, false, this.role === 'server' && !s.surfaced);
        return;
      }
      if (e instanceof QpackError && e.streamError) {
        this.onQpackStreamError(s, e);
        return;
      }
      throw e;
    }
  }

  /** Processes what the reader holds; returns true when it needs more input, false when `s` must wait. */
  private process(s: H3StreamState): boolean {
    switch (s.kind) {
      case StreamKind.UNI_PENDING: {
        const type = s.reader.readVarint();
        if (type < 0) return true;
        this.classifyUni(s, type);
        return this.process(s);
      }
      case StreamKind.QPACK_ENCODER:
      case StreamKind.QPACK_DECODER:
        if (s.reader.pendingBytes > 0) this.qpackInput(s, s.reader.takeRest());
        return true;
      case StreamKind.CONTROL:
        return this.processControl(s);
      case StreamKind.PUSH:
        if (s.pushId < 0) {
          const pushId = s.reader.readVarint();
          if (pushId < 0) return true;
          this.onPushStreamHeader(s, pushId);
          if (!this.canProcess(s)) return false;
        }
        return this.processMessage(s);
      case StreamKind.REQUEST:
        return this.processMessage(s);
      default:
        return false;
    }
  }

  /** RFC 9114 §6.2: the end of a stream (FIN). */
  private onFin(s: H3StreamState): void {
    switch (s.kind) {
      case StreamKind.CONTROL:
      case StreamKind.QPACK_ENCODER:
      case StreamKind.QPACK_DECODER:
        // §6.2.1, RFC 9204 §4.2: closing a critical stream is H3_CLOSED_CRITICAL_STREAM
        throw connectionError(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, 'critical stream closed', s.id);
      case StreamKind.UNI_PENDING:
      case StreamKind.IGNORED:
        // §6.2: a stream closed before its header is tolerated
        s.recvPhase = RecvPhase.DONE;
        this.releaseIfDone(s);
        return;
      case StreamKind.PUSH:
        if (s.pushId < 0) {
          s.recvPhase = RecvPhase.DONE;
          this.releaseIfDone(s);
          return;
        }
        this.onMessageFin(s);
        return;
      default:
        this.onMessageFin(s);
    }
  }

  private onMessageFin(s: H3StreamState): void {
    // §7.1: a stream that ends cleanly inside a frame: H3_FRAME_ERROR
    if (!s.reader.atFrameBoundary)
      throw connectionError(H3ErrorCode.H3_FRAME_ERROR, 'stream ended inside a frame', s.id);
    if (s.recvPhase === RecvPhase.HEADERS) {
      if (s.kind === StreamKind.REQUEST && this.role === 'server') {
        // §4.1: a request stream that ends without a complete request: H3_REQUEST_INCOMPLETE
        s.recvPhase = RecvPhase.DONE;
        this.abortSend(s, H3ErrorCode.H3_REQUEST_INCOMPLETE);
        this.releaseIfDone(s);
        return;
      }
      // §4.1.2: no final response is an invalid sequence of messages: malformed
      throw new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, 'stream ended without a final response', {
        streamId: s.id,
        connectionError: false,
      });
    }
    // §4.1.2: content-length must equal the DATA received
    if (s.expectedLength >= 0 && !s.recvNoContent && s.bodyReceived !== s.expectedLength) {
      throw new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, 'content-length mismatch', {
        streamId: s.id,
        connectionError: false,
      });
    }
    s.recvPhase = RecvPhase.DONE;
    this.emit({ type: 'end', streamId: s.id, request: s.request, pushId: pushIdOf(s) });
    this.releaseIfDone(s);
  }

  /** RFC 9000 §19.4 RESET_STREAM received for `s`. */
  private onPeerReset(s: H3StreamState, code: number): void {
    switch (s.kind) {
      case StreamKind.CONTROL:
      case StreamKind.QPACK_ENCODER:
      case StreamKind.QPACK_DECODER:
        throw connectionError(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, 'critical stream reset', s.id);
      case StreamKind.UNI_PENDING:
      case StreamKind.IGNORED:
        s.recvPhase = RecvPhase.ABORTED;
        this.releaseIfDone(s);
        return;
    }
    if (s.recvClosed) return;
    if (s.kind === StreamKind.PUSH && s.pushId < 0) {
      s.recvPhase = RecvPhase.ABORTED;
      this.releaseIfDone(s);
      return;
    }
    // RFC 9204 §4.4.2: a stream reset before all its sections were processed: Stream Cancellation
    this.abortRecv(s, code, false);
    if (this.role === 'server' && s.kind === StreamKind.REQUEST && !s.surfaced) {
      // never passed up: reject it silently (§4.1.1)
      this.abortSend(s, H3ErrorCode.H3_REQUEST_REJECTED);
    } else {
      this.emit({
        type: 'stream-error',
        streamId: s.id,
        request: s.request,
        pushId: pushIdOf(s),
        code,
        local: false,
        retryable: code === H3ErrorCode.H3_REQUEST_REJECTED,
      });
      // §4.1.1: the exchange is cancelled: terminate the direction still open
      if (this.hasSendSide(s)) this.abortSend(s, H3ErrorCode.H3_REQUEST_CANCELLED);
    }
    this.releaseIfDone(s);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // QPACK streams (RFC 9204 §4.2)

  private qpackInput(s: H3StreamState, bytes: Uint8Array): void {
    if (s.kind === StreamKind.QPACK_DECODER) {
      this.encoder.handleDecoderStream(bytes);
      return;
    }
    const unblocked = this.decoder.handleEncoderStream(bytes);
    if (unblocked.length > 0) this.drainUnblocked();
  }

  /** Applies the field sections the encoder stream unblocked (RFC 9204 §2.2.1) and resumes their streams. */
  private drainUnblocked(): void {
    for (;;) {
      let section: ReturnType<typeof this.decoder.pollUnblocked>;
      let target: H3StreamState | undefined;
      try {
        section = this.decoder.pollUnblocked();
        if (section === undefined) return;
        target = this.streams.get(section.streamId);
        if (target === undefined || target.pendingSection === PendingSection.NONE) continue;
        const kind = target.pendingSection;
        target.pendingSection = PendingSection.NONE;
        this.applySection(target, kind, pairHeaders(section.fields), target.pendingPushId);
        this.schedule(target);
      } catch (e) {
        if (e instanceof QpackError && e.streamError && e.streamId !== undefined) {
          const s = this.streams.get(e.streamId);
          if (s !== undefined) this.onQpackStreamError(s, e);
          continue;
        }
        if (e instanceof H3Error && !e.connectionError && target !== undefined) {
          this.failStream(target, e.code, e.reason, false, this.role === 'server' && !target.surfaced);
          continue;
        }
        throw e;
      }
    }
  }

  protected onQpackStreamError(s: H3StreamState, e: QpackError): void {
    if (e instanceof FieldSectionTooLargeError) {
      this.onFieldSectionTooLarge(s);
      return;
    }
    this.failStream(s, e.code, e.reason, false, this.role === 'server' && !s.surfaced);
  }

  /**
   * A header section beyond our SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §4.2.2). A server answers a request's
   * header section with 431 and stops reading (H3_NO_ERROR, §4.1); otherwise the stream fails with
   * QPACK_DECOMPRESSION_FAILED (RFC 9204 §7.4). Either way the decoder sends a Stream Cancellation (RFC 9204 §4.4.2).
   */
  private onFieldSectionTooLarge(s: H3StreamState): void {
    if (
      this.role === 'server' &&
      s.kind === StreamKind.REQUEST &&
      s.recvPhase === RecvPhase.HEADERS &&
      s.sendPhase === SendPhase.IDLE
    ) {
      this.abortRecv(s, H3ErrorCode.H3_NO_ERROR, true);
      s.sendPhase = SendPhase.DONE;
      this.writeFieldSection(s, [[':status', '431']], true);
      this.releaseIfDone(s);
      return;
    }
    this.failStream(
      s,
      H3ErrorCode.QPACK_DECOMPRESSION_FAILED,
      'field section too large',
      false,
      this.role === 'server' && !s.surfaced,
    );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Request and push streams (RFC 9114 §4.1, §4.6)

  private processMessage(s: H3StreamState): boolean {
    const r = s.reader;
    for (;;) {
      if (!this.canProcess(s)) return false;
      switch (r.poll()) {
        case FrameReadEvent.NEED_MORE:
          return true;
        case FrameReadEvent.HEADER: {
          const mode = this.messageFrameMode(s, r.frameType, r.frameLength);
          if (mode < 0) return false;
          r.accept(mode as PayloadMode);
          break;
        }
        case FrameReadEvent.DATA:
          this.onBody(s, r.view);
          break;
        case FrameReadEvent.PAYLOAD:
          this.onMessagePayload(s, r.frameType, r.view);
          break;
        default:
          break;
      }
    }
  }

  /** Checks a frame header on a request or push stream; returns the payload mode, or -1 when `s` was failed. */
  private messageFrameMode(s: H3StreamState, type: number, length: number): number {
    switch (type) {
      case H3FrameType.DATA:
        // §4.1: DATA before HEADERS, or after the trailers, is H3_FRAME_UNEXPECTED
        if (s.recvPhase !== RecvPhase.BODY) {
          throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, 'DATA frame outside the message body', s.id);
        }
        if (length > 0 && s.recvNoContent) {
          throw new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, 'content in a message that has none', {
            streamId: s.id,
            connectionError: false,
          });
        }
        // §4.1.2: more DATA than the content-length: malformed (detected as soon as the frame header says so)
        if (s.expectedLength >= 0 && s.bodyReceived + length > s.expectedLength) {
          throw new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, 'more content than content-length', {
            streamId: s.id,
            connectionError: false,
          });
        }
        return PayloadMode.STREAM;
      case H3FrameType.HEADERS:
        // §4.1: HEADERS after the trailers; §4.4: after a CONNECT's 2xx only DATA
        if (s.recvPhase === RecvPhase.TRAILERS || (s.recvPhase === RecvPhase.BODY && s.isConnect)) {
          throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, 'HEADERS frame after the message', s.id);
        }
        if (length > this.maxHeadersFrameBytes) {
          this.onFieldSectionTooLarge(s);
          return -1;
        }
        return PayloadMode.BUFFER;
      case H3FrameType.PUSH_PROMISE:
        // §7.2.5: a server MUST treat PUSH_PROMISE as H3_FRAME_UNEXPECTED; §4.1: not on push streams
        if (this.role === 'server' || s.kind === StreamKind.PUSH) {
          throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, 'PUSH_PROMISE not allowed here', s.id);
        }
        if (length > this.maxHeadersFrameBytes) {
          throw connectionError(H3ErrorCode.H3_EXCESSIVE_LOAD, `PUSH_PROMISE frame of ${length} bytes`, s.id);
        }
        return PayloadMode.BUFFER;
      case H3FrameType.CANCEL_PUSH:
      case H3FrameType.SETTINGS:
      case H3FrameType.GOAWAY:
      case H3FrameType.MAX_PUSH_ID:
      case H3FrameType.PRIORITY_UPDATE_REQUEST:
      case H3FrameType.PRIORITY_UPDATE_PUSH:
        // §7.2.3, §7.2.4, §7.2.6, §7.2.7, RFC 9218 §7.2: control-stream frames elsewhere are H3_FRAME_UNEXPECTED
        throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, `frame type ${type} on a message stream`, s.id);
    }
    if (isHttp2ReservedFrameType(type)) {
      throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, `reserved HTTP/2 frame type ${type}`, s.id);
    }
    // §4.1, §9: unknown and reserved frames may appear anywhere and are ignored
    return PayloadMode.SKIP;
  }

  private onMessagePayload(s: H3StreamState, type: number, payload: Uint8Array): void {
    if (type === H3FrameType.HEADERS) {
      this.decodeSection(s, PendingSection.HEADERS, payload, -1);
      return;
    }
    // PUSH_PROMISE (client, request stream)
    const { pushId, fieldSection } = parsePushPromisePayload(payload);
    // §7.2.5: a push ID above our MAX_PUSH_ID is H3_ID_ERROR (also when we never sent one, §4.6)
    if (this.maxPushId < 0 || pushId > this.maxPushId) {
      throw connectionError(H3ErrorCode.H3_ID_ERROR, `PUSH_PROMISE push ID ${pushId} above MAX_PUSH_ID`, s.id);
    }
    this.decodeSection(s, PendingSection.PUSH_PROMISE, fieldSection, pushId);
  }

  /** Decodes a field section; a section blocked on the dynamic table (RFC 9204 §2.2.1) makes `s` wait. */
  private decodeSection(s: H3StreamState, kind: PendingSection, bytes: Uint8Array, pushId: number): void {
    const result = this.decoder.decodeFieldSection(s.id, bytes);
    if (result.status === 'blocked') {
      s.pendingSection = kind;
      s.pendingPushId = pushId;
      return;
    }
    this.applySection(s, kind, pairHeaders(result.fields), pushId);
  }

  private applySection(s: H3StreamState, kind: PendingSection, headers: H3Headers, pushId: number): void {
    if (kind === PendingSection.PUSH_PROMISE) this.onPushPromise(s, pushId, headers);
    else this.onHeaderSection(s, headers);
  }

  /** A decoded HEADERS frame: the request, an interim or final response, or the trailers (§4.1). */
  private onHeaderSection(s: H3StreamState, headers: H3Headers): void {
    const pushId = pushIdOf(s);
    if (s.recvPhase === RecvPhase.BODY) {
      validateTrailers(headers);
      s.recvPhase = RecvPhase.TRAILERS;
      this.emit({ type: 'trailers', streamId: s.id, request: s.request, pushId, headers });
      return;
    }
    if (this.role === 'server') {
      const info = validateRequest(headers, { enableConnectProtocol: this.localSettings.enableConnectProtocol });
      s.method = info.method;
      s.isConnect = info.method === 'CONNECT';
      s.expectedLength = s.isConnect ? -1 : info.contentLength;
      // RFC 9218 §7: a PRIORITY_UPDATE received before the stream overrides the header field
      let priority = this.pendingPriority.get(s.id);
      if (priority !== undefined) this.pendingPriority.delete(s.id);
      else priority = priorityFromHeaders(headers);
      s.priority = priority;
      if (priority !== DEFAULT_PRIORITY) this.transport.setPriority(s.id, priority.urgency, priority.incremental);
      s.recvPhase = RecvPhase.BODY;
      s.surfaced = true;
      this.emit({ type: 'request', streamId: s.id, headers, info, priority });
      return;
    }
    const info = validateResponse(headers);
    if (info.status < 200) {
      // §4.1: any number of interim responses precede the final one; they have no content
      this.emit({ type: 'informational', streamId: s.id, request: s.request, pushId, status: info.status, headers });
      return;
    }
    s.recvPhase = RecvPhase.BODY;
    s.recvNoContent = responseHasNoContent(s.method, info.status);
    // RFC 9110 §8.6: no content-length semantics for a 2xx to CONNECT (a tunnel)
    s.expectedLength = s.isConnect && info.status < 300 ? -1 : info.contentLength;
    if (!(s.isConnect && info.status < 300)) s.isConnect = false;
    this.emit({ type: 'response', streamId: s.id, request: s.request, pushId, status: info.status, headers });
  }

  /** Client: a decoded PUSH_PROMISE (RFC 9114 §4.6, §7.2.5). */
  private onPushPromise(s: H3StreamState, pushId: number, headers: H3Headers): void {
    if (pushId > this.highestPushIdSeen) this.highestPushIdSeen = pushId;
    const record = this.clientPushes.get(pushId);
    if (record?.headers !== undefined) {
      // §7.2.5: the same push ID promised again must carry identical fields, else H3_GENERAL_PROTOCOL_ERROR
      if (!sameHeaders(record.headers, headers)) {
        throw connectionError(H3ErrorCode.H3_GENERAL_PROTOCOL_ERROR, `push ID ${pushId} promised with other fields`);
      }
      if (!record.cancelled) {
        this.emit({ type: 'push-promise', streamId: s.id, request: s.request, pushId, headers, duplicate: true });
      }
      return;
    }
    // §7.2.5: a promise for a push already consumed and discarded is ignored
    if (this.consumedPushIds.has(pushId)) return;
    let method = '';
    let acceptable = true;
    try {
      const info = validatePushRequest(headers);
      method = info.method;
      // §4.6: the server MUST include :authority
      if (info.authority === undefined) acceptable = false;
    } catch {
      acceptable = false;
    }
    const rec = record ?? { headers: undefined, method: '', stream: undefined, cancelled: false };
    rec.headers = headers;
    rec.method = method;
    this.clientPushes.set(pushId, rec);
    if (!acceptable && !rec.cancelled) {
      // §4.6: a promise for a request that is not safe, not cacheable or carries content: CANCEL_PUSH
      this.cancelClientPush(pushId, rec);
      return;
    }
    if (rec.cancelled) return;
    const stream = rec.stream;
    if (stream?.awaitingPromise) {
      stream.method = method;
      stream.awaitingPromise = false;
      this.schedule(stream);
    }
    this.emit({ type: 'push-promise', streamId: s.id, request: s.request, pushId, headers, duplicate: false });
  }

  /** Client: a push stream's header arrived (RFC 9114 §4.6, §6.2.2). */
  private onPushStreamHeader(s: H3StreamState, pushId: number): void {
    // §4.6: a push stream with no MAX_PUSH_ID sent, or beyond it, is H3_ID_ERROR
    if (this.maxPushId < 0 || pushId > this.maxPushId) {
      throw connectionError(H3ErrorCode.H3_ID_ERROR, `push stream for push ID ${pushId} above MAX_PUSH_ID`, s.id);
    }
    let record = this.clientPushes.get(pushId);
    // §6.2.2: a push ID used by another push stream is H3_ID_ERROR
    if (record?.stream !== undefined || this.consumedPushIds.has(pushId)) {
      throw connectionError(H3ErrorCode.H3_ID_ERROR, `second push stream for push ID ${pushId}`, s.id);
    }
    if (pushId > this.highestPushIdSeen) this.highestPushIdSeen = pushId;
    if (record === undefined) {
      record = { headers: undefined, method: '', stream: undefined, cancelled: false };
      this.clientPushes.set(pushId, record);
    }
    record.stream = s;
    s.pushId = pushId;
    if (record.cancelled || (this.goawaySent >= 0 && pushId >= this.goawaySent)) {
      // §7.2.3, §5.2: a push we cancelled or refused: abort reading with H3_REQUEST_CANCELLED
      this.abortRecv(s, H3ErrorCode.H3_REQUEST_CANCELLED, true);
      this.releaseIfDone(s);
      return;
    }
    if (record.headers === undefined) s.awaitingPromise = true;
    else s.method = record.method;
  }

  /** Queues a body piece as a 'data' event (received bytes wait there until the application polls them). */
  private onBody(s: H3StreamState, view: Uint8Array): void {
    s.bodyReceived += view.length;
    s.queuedBodyBytes += view.length;
    this.emit({ type: 'data', streamId: s.id, request: s.request, pushId: pushIdOf(s), data: view });
  }

  /** After every input: acknowledgments on the decoder stream (RFC 9204 §4.4), then the drain check. */
  protected afterInput(): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    this.flushDecoderStream();
    this.checkDrained();
  }

  /** Hook: close gracefully once a drain is complete (RFC 9114 §5.2). */
  protected abstract checkDrained(): void;
}

function pushIdOf(s: H3StreamState): number | undefined {
  return s.pushId >= 0 ? s.pushId : undefined;
}

function sameHeaders(a: H3Headers, b: H3Headers): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return false;
  return true;
}
