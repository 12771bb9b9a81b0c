import { RingQueue, TransportError, TransportErrorCode, varintLength } from '@fos/core';
import { ReceiveFlowController } from '../flow-control/receive-flow-controller.js';
import { SendFlowController } from '../flow-control/send-flow-controller.js';
import { RecvStream } from './recv-stream.js';
import { DEFAULT_URGENCY, SendScheduler, URGENCY_LEVELS } from './send-scheduler.js';
import { SendStream, type StreamChunk } from './send-stream.js';
import { Stream } from './stream.js';
import { checkApplicationErrorCode, StreamAbortedError, StreamUsageError, streamStateError } from './stream-errors.js';
import type { StreamControlFrame, StreamEvent } from './stream-events.js';
import { StreamFrameType } from './stream-frame-types.js';
import {
  type EndpointRole,
  isBidirectional,
  isLocallyInitiated,
  localStreamType,
  MAX_STREAM_COUNT,
  streamIdOf,
  streamIndex,
} from './stream-id.js';
import { LocalStreamLimit, RemoteStreamLimit } from './stream-limits.js';
import type { StreamLimits, StreamManagerOptions } from './stream-manager-options.js';

export type { StreamLimits, StreamManagerOptions } from './stream-manager-options.js';

const ZERO_LIMITS: StreamLimits = {
  initialMaxData: 0,
  initialMaxStreamDataBidiLocal: 0,
  initialMaxStreamDataBidiRemote: 0,
  initialMaxStreamDataUni: 0,
  initialMaxStreamsBidi: 0,
  initialMaxStreamsUni: 0,
};
const EMPTY = new Uint8Array(0);
const MIB = 1024 * 1024;

/**
 * All streams of one connection (RFC 9000 §2-§4): opening and accepting streams within the stream limits,
 * stream- and connection-level flow control on both sides, the send scheduler, the control frames that keep it all
 * moving, and events for the API layer. Sans-I/O, no frame types from the wire layer: the connection calls the
 * `handleX` methods from its frame handlers and encodes what `pollStreamFrame` / `pollControlFrame` return.
 *
 * Protocol violations throw {@link TransportError} with the RFC 9000 §20.1 code (close the connection with it).
 * Application misuse throws {@link StreamUsageError}; operations on aborted streams throw {@link StreamAbortedError}.
 */
export class StreamManager {
  readonly role: EndpointRole;
  /** Connection-level receive flow control (what the peer may send us, RFC 9000 §4.1). */
  readonly connRecv: ReceiveFlowController;
  /** Connection-level send flow control (what we may send). */
  readonly connSend: SendFlowController;
  private readonly options: StreamManagerOptions;
  private readonly local: StreamLimits;
  private peer: StreamLimits;
  /** Streams held back after rejected 0-RTT until MAX_STREAMS covers them (see `onEarlyDataRejected`). */
  private awaitingStreamLimit = 0;
  private readonly streams = new Map<number, Stream>();
  private readonly localBidi: LocalStreamLimit;
  private readonly localUni: LocalStreamLimit;
  private readonly remoteBidi: RemoteStreamLimit;
  private readonly remoteUni: RemoteStreamLimit;
  private readonly scheduler = new SendScheduler();
  private readonly events = new RingQueue<StreamEvent>(8);
  private readonly controlQueue = new RingQueue<Stream>(4);
  private readonly creditQueue = new RingQueue<Stream>(4);
  private connCreditDirty = false;
  private maxDataPending = false;
  private dataBlockedPending = false;
  private maxStreamsBidiPending = false;
  private maxStreamsUniPending = false;
  private streamsBlockedBidiPending = false;
  private streamsBlockedUniPending = false;
  private waitingBidi = false;
  private waitingUni = false;
  private readonly defaultUrgency: number;
  private readonly defaultIncremental: boolean;
  /** The one record `pollStreamFrame` fills (no allocation per frame). */
  private readonly chunk: StreamChunk = { streamId: 0, offset: 0, data: EMPTY, fin: false };

  constructor(options: StreamManagerOptions) {
    this.options = options;
    this.role = options.role;
    this.local = options.local;
    this.peer = options.peer ?? ZERO_LIMITS;
    const local = this.local;
    this.connRecv = new ReceiveFlowController({
      initialWindowBytes: local.initialMaxData,
      maxWindowBytes: Math.max(options.maxConnectionWindowBytes ?? 15 * MIB, local.initialMaxData),
      updateFraction: options.updateFraction,
    });
    this.connSend = new SendFlowController(this.peer.initialMaxData);
    this.localBidi = new LocalStreamLimit(this.checkedStreamCount(this.peer.initialMaxStreamsBidi));
    this.localUni = new LocalStreamLimit(this.checkedStreamCount(this.peer.initialMaxStreamsUni));
    this.remoteBidi = new RemoteStreamLimit(local.initialMaxStreamsBidi);
    this.remoteUni = new RemoteStreamLimit(local.initialMaxStreamsUni);
    this.defaultUrgency = options.defaultUrgency ?? DEFAULT_URGENCY;
    if (!Number.isInteger(this.defaultUrgency) || this.defaultUrgency < 0 || this.defaultUrgency >= URGENCY_LEVELS) {
      throw new RangeError(`defaultUrgency ${this.defaultUrgency} outside 0-7 (RFC 9218 §4.1)`);
    }
    this.defaultIncremental = options.defaultIncremental ?? true;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Application side

  /**
   * Opens a stream (RFC 9000 §2.1 IDs: bit 0 initiator, bit 1 direction) within the peer's MAX_STREAMS limit
   * (§4.6). Returns its ID, or undefined when the limit is reached: a STREAMS_BLOCKED frame is queued (once per
   * limit) and a 'streams-available' event follows when the peer raises the limit.
   */
  openStream(bidirectional: boolean): number | undefined {
    const space = bidirectional ? this.localBidi : this.localUni;
    if (!space.canOpen) {
      if (bidirectional) this.waitingBidi = true;
      else this.waitingUni = true;
      // RFC 9000 §4.6, §19.14: SHOULD send STREAMS_BLOCKED.
      if (space.shouldReportBlocked()) {
        if (bidirectional) this.streamsBlockedBidiPending = true;
        else this.streamsBlockedUniPending = true;
      }
      return undefined;
    }
    const id = streamIdOf(localStreamType(this.role, bidirectional), space.opened++);
    this.streams.set(id, this.createStream(id, true));
    return id;
  }

  /**
   * Queues data on a stream (kept by reference: do not modify `data` afterwards); `fin` ends the stream.
   * Returns false when the stream's buffer is above its high-water mark: wait for a 'writable' event.
   */
  write(streamId: number, data: Uint8Array, fin = false): boolean {
    const s = this.streams.get(streamId);
    if (s === undefined) throw new StreamUsageError(streamId, 'unknown or closed stream');
    const send = s.send;
    if (send === undefined) throw new StreamUsageError(streamId, 'receive-only stream');
    if (send.isReset) {
      const kind = send.resetByStopSending ? 'stopped-by-peer' : 'reset-locally';
      throw new StreamAbortedError(streamId, kind, send.resetErrorCode);
    }
    if (!send.writable) throw new StreamUsageError(streamId, 'write after end');
    const below = send.write(data, fin);
    this.refreshSend(s);
    return below;
  }

  /** Ends the sending part cleanly (FIN, RFC 9000 §2.4). */
  end(streamId: number): void {
    this.write(streamId, EMPTY, true);
  }

  /**
   * Reads up to `maxBytes` of in-order data as a view into the receive buffer (no copy; valid after later calls).
   * Returns `null` at the end of the stream (all data read, or reading abandoned, or the stream is closed),
   * `undefined` when nothing is available yet. Throws {@link StreamAbortedError} when the peer reset the stream.
   * Credit is granted for what is read (RFC 9000 §4.1); the MAX_* frames come out of `pollControlFrame`.
   */
  read(streamId: number, maxBytes = Number.POSITIVE_INFINITY): Uint8Array | null | undefined {
    const s = this.streams.get(streamId);
    if (s === undefined) return null;
    const recv = s.recv;
    if (recv === undefined) throw new StreamUsageError(streamId, 'send-only stream');
    if (recv.isReset) {
      // RFC 9000 §3.2: the application learns of the reset: Reset Read.
      recv.resetRead();
      this.maybeClose(s);
      throw new StreamAbortedError(streamId, 'reset-by-peer', recv.resetErrorCode);
    }
    const view = recv.read(maxBytes, this.connRecv);
    if (view) this.markCreditDirty(s);
    if (!recv.readable) s.readableSignaled = false;
    this.maybeClose(s);
    return view;
  }

  /** Bytes written on the stream and not yet acknowledged (0 for unknown or released streams). */
  sendBufferedBytes(streamId: number): number {
    return this.streams.get(streamId)?.send?.buffer.heldBytes ?? 0;
  }

  /**
   * Flow-control credit for new bytes on `streamId` (RFC 9000 §4.1): the smaller of the stream's and the connection's
   * remaining credit. Bytes written and not yet sent use it first. 0 for a stream that cannot send.
   */
  sendCredit(streamId: number): number {
    const s = this.streams.get(streamId);
    const send = s?.send;
    if (send === undefined || !send.writable || s!.awaitingStreamLimit) return 0;
    return Math.min(send.fc.available, this.connSend.available);
  }

  /** Bytes readable now on `streamId` (0 when unknown). */
  readableBytes(streamId: number): number {
    const recv = this.streams.get(streamId)?.recv;
    return recv === undefined || recv.stopped || recv.isReset ? 0 : recv.buffer.readableBytes;
  }

  /**
   * Abandons sending (RFC 9000 §3.1 → Reset Sent): queues RESET_STREAM with `errorCode` and the bytes sent so far
   * as final size. No-op if already reset or all data was acknowledged.
   */
  resetStream(streamId: number, errorCode: number): void {
    checkApplicationErrorCode(streamId, errorCode);
    const s = this.streams.get(streamId);
    if (s === undefined) return;
    if (s.send === undefined) throw new StreamUsageError(streamId, 'receive-only stream');
    if (s.send.reset(errorCode, false)) this.afterReset(s);
  }

  /**
   * Abandons reading (RFC 9000 §3.5): unread data is discarded (its credit released) and STOP_SENDING is queued
   * when the stream is still in Recv or Size Known.
   */
  stopSending(streamId: number, errorCode: number): void {
    checkApplicationErrorCode(streamId, errorCode);
    const s = this.streams.get(streamId);
    if (s === undefined) return;
    const recv = s.recv;
    if (recv === undefined) throw new StreamUsageError(streamId, 'send-only stream');
    if (recv.stopSending(errorCode, this.connRecv)) {
      s.stopSendingPending = true;
      this.queueControl(s);
    }
    this.connCreditDirty = true;
    s.readableSignaled = false;
    this.maybeClose(s);
  }

  /** Sets the RFC 9218 priority of a stream: urgency 0 (first) to 7, incremental = share round-robin. */
  setPriority(streamId: number, urgency: number, incremental: boolean): void {
    if (!Number.isInteger(urgency) || urgency < 0 || urgency >= URGENCY_LEVELS) {
      throw new StreamUsageError(streamId, `urgency ${urgency} outside 0-7 (RFC 9218 §4.1)`);
    }
    const s = this.streams.get(streamId);
    if (s !== undefined) this.scheduler.setPriority(s, urgency, incremental);
  }

  /** The stream, while it is open (released once closed). */
  getStream(streamId: number): Stream | undefined {
    return this.streams.get(streamId);
  }

  /** Number of stream objects held (open streams). */
  get openStreamCount(): number {
    return this.streams.size;
  }

  /** Next event for the connection / API layer, if any. */
  pollEvent(): StreamEvent | undefined {
    const event = this.events.shift();
    if (event !== undefined && event.type === 'reset') {
      // Delivering the reset is the "App Read Reset" transition (RFC 9000 §3.2).
      const s = this.streams.get(event.streamId);
      if (s?.recv !== undefined) {
        s.recv.resetRead();
        this.maybeClose(s);
      }
    }
    return event;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Frames received (call from the connection's frame handlers)

  /** STREAM (RFC 9000 §19.8). `data` is a view that may be reused after the call. */
  handleStreamFrame(streamId: number, offset: number, data: Uint8Array, fin: boolean): void {
    const s = this.streamFor(streamId, StreamFrameType.STREAM, true);
    if (s === undefined) return;
    const recv = s.recv!;
    recv.handleData(offset, data, fin, this.connRecv);
    if (recv.stopped) this.connCreditDirty = true;
    this.signalReadable(s);
    this.maybeClose(s);
  }

  /** RESET_STREAM (RFC 9000 §19.4). */
  handleResetStream(streamId: number, errorCode: number, finalSize: number): void {
    const s = this.streamFor(streamId, StreamFrameType.RESET_STREAM, true);
    if (s === undefined) return;
    if (s.recv!.handleReset(errorCode, finalSize, this.connRecv)) {
      this.connCreditDirty = true;
      s.readableSignaled = false;
      this.events.push({ type: 'reset', streamId, errorCode, finalSize });
    }
  }

  /** STOP_SENDING (RFC 9000 §19.5): replies with RESET_STREAM (§3.5), by default copying the error code. */
  handleStopSending(streamId: number, errorCode: number): void {
    const s = this.streamFor(streamId, StreamFrameType.STOP_SENDING, false);
    if (s === undefined) return;
    const code = this.options.resetCodeForStopSending?.(errorCode, streamId) ?? errorCode;
    if (s.send!.reset(code, true)) {
      this.afterReset(s);
      this.events.push({ type: 'stop-sending', streamId, errorCode });
    }
  }

  /** MAX_DATA (RFC 9000 §19.9): smaller values are ignored (§4.1). */
  handleMaxData(maximumData: number): void {
    this.connSend.updateLimit(maximumData);
  }

  /** MAX_STREAM_DATA (RFC 9000 §19.10). */
  handleMaxStreamData(streamId: number, maximumStreamData: number): void {
    const s = this.streamFor(streamId, StreamFrameType.MAX_STREAM_DATA, false);
    if (s !== undefined && s.send!.fc.updateLimit(maximumStreamData)) this.refreshSend(s);
  }

  /** MAX_STREAMS (RFC 9000 §19.11): above 2^60 is a FRAME_ENCODING_ERROR; smaller values are ignored. */
  handleMaxStreams(bidirectional: boolean, maximumStreams: number): void {
    if (maximumStreams > MAX_STREAM_COUNT) {
      throw new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, `MAX_STREAMS ${maximumStreams} > 2^60`, {
        frameType: bidirectional ? StreamFrameType.MAX_STREAMS_BIDI : StreamFrameType.MAX_STREAMS_UNI,
      });
    }
    const space = bidirectional ? this.localBidi : this.localUni;
    if (space.updateLimit(maximumStreams)) {
      if (this.awaitingStreamLimit > 0) this.releaseCoveredStreams();
      this.streamsAvailable(bidirectional);
    }
  }

  /** DATA_BLOCKED (RFC 9000 §19.12): resend MAX_DATA if the peer is behind, else see whether credit is due. */
  handleDataBlocked(maximumData: number): void {
    if (this.connRecv.advertised > maximumData) this.maxDataPending = true;
    else this.connCreditDirty = true;
  }

  /** STREAM_DATA_BLOCKED (RFC 9000 §19.13): a send-only stream is a STREAM_STATE_ERROR. */
  handleStreamDataBlocked(streamId: number, maximumStreamData: number): void {
    const s = this.streamFor(streamId, StreamFrameType.STREAM_DATA_BLOCKED, true);
    if (s === undefined) return;
    const recv = s.recv!;
    if (!recv.wantsCredit) return;
    if (recv.fc.advertised > maximumStreamData) {
      // Our MAX_STREAM_DATA has not reached the peer (lost or in flight): send the current value again.
      s.maxStreamDataPending = true;
      this.queueControl(s);
    } else {
      this.markCreditDirty(s);
    }
  }

  /** STREAMS_BLOCKED (RFC 9000 §19.14): above 2^60 is an error; resend MAX_STREAMS if the peer is behind. */
  handleStreamsBlocked(bidirectional: boolean, maximumStreams: number): void {
    if (maximumStreams > MAX_STREAM_COUNT) {
      throw new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, `STREAMS_BLOCKED ${maximumStreams} > 2^60`, {
        frameType: bidirectional ? StreamFrameType.STREAMS_BLOCKED_BIDI : StreamFrameType.STREAMS_BLOCKED_UNI,
      });
    }
    const remote = bidirectional ? this.remoteBidi : this.remoteUni;
    if (remote.target > maximumStreams) {
      if (bidirectional) this.maxStreamsBidiPending = true;
      else this.maxStreamsUniPending = true;
    }
  }

  /**
   * The peer's transport parameters (RFC 9000 §18.2, §7.4): raises the connection limit, the stream-count limits and
   * the limits of streams opened before they were known (0-RTT). Limits never shrink.
   */
  setPeerLimits(peer: StreamLimits): void {
    this.peer = peer;
    this.connSend.updateLimit(peer.initialMaxData);
    if (this.localBidi.updateLimit(this.checkedStreamCount(peer.initialMaxStreamsBidi))) this.streamsAvailable(true);
    if (this.localUni.updateLimit(this.checkedStreamCount(peer.initialMaxStreamsUni))) this.streamsAvailable(false);
    for (const s of this.streams.values()) {
      if (s.send?.fc.updateLimit(this.sendLimitFor(s.id, s.local))) this.refreshSend(s);
    }
  }

  /**
   * Client, 0-RTT rejected (RFC 9001 §4.6.2): the server saw none of our streams. Their data goes out again from
   * offset 0 under the server's new limits `peer`, which replace the remembered ones even where smaller (RFC 9000
   * §7.4.1): connection and stream credit start over, and a stream whose index the new stream-count limit does not
   * cover sends nothing until MAX_STREAMS covers it. `peer` is all zeros when the new parameters are not known yet
   * (a HelloRetryRequest): {@link setPeerLimits} raises them when they arrive.
   */
  onEarlyDataRejected(peer: StreamLimits = ZERO_LIMITS): void {
    this.peer = peer;
    this.connSend.reset(peer.initialMaxData);
    this.localBidi.resetLimit(this.checkedStreamCount(peer.initialMaxStreamsBidi));
    this.localUni.resetLimit(this.checkedStreamCount(peer.initialMaxStreamsUni));
    for (const s of this.streams.values()) {
      if (!s.local || s.send === undefined) continue;
      s.send.rewind(this.sendLimitFor(s.id, true));
      // 0-RTT is rejected once per connection, so no stream is held back yet.
      if (!this.withinLocalLimit(s.id)) {
        s.awaitingStreamLimit = true;
        this.awaitingStreamLimit++;
      }
      this.refreshSend(s);
    }
  }

  /** Whether the peer's current stream-count limit covers our stream `id` (RFC 9000 §4.6). */
  private withinLocalLimit(id: number): boolean {
    return streamIndex(id) < (isBidirectional(id) ? this.localBidi : this.localUni).limit;
  }

  /** After MAX_STREAMS: streams held back by {@link onEarlyDataRejected} that the limit now covers may send. */
  private releaseCoveredStreams(): void {
    for (const s of this.streams.values()) {
      if (!s.awaitingStreamLimit || !this.withinLocalLimit(s.id)) continue;
      s.awaitingStreamLimit = false;
      this.awaitingStreamLimit--;
      this.refreshSend(s);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Frames to send, and their fate

  /** Whether `pollControlFrame` or `pollStreamFrame` may return something (the connection has a reason to send). */
  get wantsToSend(): boolean {
    return (
      this.maxDataPending ||
      this.dataBlockedPending ||
      this.maxStreamsBidiPending ||
      this.maxStreamsUniPending ||
      this.streamsBlockedBidiPending ||
      this.streamsBlockedUniPending ||
      this.controlQueue.length > 0 ||
      this.creditDue() ||
      this.scheduler.hasUrgent ||
      (this.scheduler.hasNew && this.connSend.available > 0)
    );
  }

  /**
   * Next control frame to send, or undefined. First turns consumed data into credit updates (RFC 9000 §4.2, with
   * auto-tuning from `nowMs` and `srttMs`; pass 0 for `srttMs` before the first RTT sample).
   */
  pollControlFrame(nowMs: number, srttMs: number): StreamControlFrame | undefined {
    this.updateCredit(nowMs, srttMs);
    if (this.maxDataPending) {
      this.maxDataPending = false;
      return { type: 'max-data', maximumData: this.connRecv.markAdvertised() };
    }
    if (this.dataBlockedPending) {
      this.dataBlockedPending = false;
      if (this.connSend.blocked) return { type: 'data-blocked', maximumData: this.connSend.limit };
    }
    if (this.maxStreamsBidiPending) {
      this.maxStreamsBidiPending = false;
      return { type: 'max-streams', bidirectional: true, maximumStreams: this.remoteBidi.markAdvertised() };
    }
    if (this.maxStreamsUniPending) {
      this.maxStreamsUniPending = false;
      return { type: 'max-streams', bidirectional: false, maximumStreams: this.remoteUni.markAdvertised() };
    }
    if (this.streamsBlockedBidiPending) {
      this.streamsBlockedBidiPending = false;
      if (!this.localBidi.canOpen) {
        return { type: 'streams-blocked', bidirectional: true, maximumStreams: this.localBidi.limit };
      }
    }
    if (this.streamsBlockedUniPending) {
      this.streamsBlockedUniPending = false;
      if (!this.localUni.canOpen) {
        return { type: 'streams-blocked', bidirectional: false, maximumStreams: this.localUni.limit };
      }
    }
    const queue = this.controlQueue;
    for (let s = queue.peek(); s !== undefined; s = queue.peek()) {
      const frame = s.takeControlFrame();
      if (frame !== undefined) return frame;
      queue.shift();
      s.inControlQueue = false;
    }
    return undefined;
  }

  /**
   * Next STREAM frame that fits in `maxFrameBytes` (type, ID, offset and length fields included), or undefined.
   * Retransmissions first, then new data by priority (see {@link SendScheduler}), within stream and connection
   * credit. The returned record is reused by the next call: encode it, and keep only its numbers (stream ID, offset,
   * `data.length`, fin) with the sent packet for `handleStreamFrameAcked` / `handleStreamFrameLost`.
   */
  pollStreamFrame(maxFrameBytes: number): StreamChunk | undefined {
    const out = this.chunk;
    const scheduler = this.scheduler;
    for (let s = scheduler.peekUrgent() as Stream | undefined; s !== undefined; ) {
      const send = s.send!;
      const room = maxFrameBytes - this.frameOverhead(s.id, send.urgentOffset, maxFrameBytes);
      if (room < 0) return undefined;
      if (send.emitUrgent(room, out)) {
        out.streamId = s.id;
        this.refreshSend(s);
        return out;
      }
      if (send.hasUrgent) return undefined; // lost data, but no room for a byte of it
      this.refreshSend(s);
      s = scheduler.peekUrgent() as Stream | undefined;
    }
    const credit = this.connSend.available;
    if (credit > 0) {
      for (let s = scheduler.peekNew() as Stream | undefined; s !== undefined; ) {
        const send = s.send!;
        const room = maxFrameBytes - this.frameOverhead(s.id, send.buffer.sendOffset, maxFrameBytes);
        if (room <= 0) return undefined;
        const n = send.emitNew(room, credit, out);
        if (n > 0) {
          this.connSend.consume(n);
          out.streamId = s.id;
          scheduler.servedNew(s);
          this.refreshSend(s);
          this.signalWritable(s);
          return out;
        }
        this.refreshSend(s);
        s = scheduler.peekNew() as Stream | undefined;
      }
    } else if (scheduler.hasNew && this.connSend.shouldReportBlocked()) {
      this.dataBlockedPending = true; // RFC 9000 §4.1: SHOULD send DATA_BLOCKED
    }
    return undefined;
  }

  /** A STREAM frame we sent was acknowledged (RFC 9000 §3.1: may reach Data Recvd). */
  handleStreamFrameAcked(streamId: number, offset: number, length: number, fin: boolean): void {
    const s = this.streams.get(streamId);
    const send = s?.send;
    if (send === undefined) return;
    if (send.onAcked(offset, length, fin)) {
      this.events.push({ type: 'flushed', streamId });
      this.maybeClose(s!);
      return;
    }
    if (send.buffer.ackedOffset === send.buffer.writeOffset) this.events.push({ type: 'flushed', streamId });
    this.signalWritable(s!);
    // An acknowledgement only ever removes work (lost ranges, a lost FIN): re-check only queued retransmissions.
    if (s!.urgentNode.heapIndex >= 0) this.refreshSend(s!);
  }

  /** A STREAM frame we sent was declared lost: its data is queued again (RFC 9000 §13.3). */
  handleStreamFrameLost(streamId: number, offset: number, length: number, fin: boolean): void {
    const s = this.streams.get(streamId);
    if (s?.send === undefined) return;
    s.send.onLost(offset, length, fin);
    this.refreshSend(s);
  }

  /** A control frame from `pollControlFrame` was acknowledged. */
  handleControlFrameAcked(frame: StreamControlFrame): void {
    if (frame.type !== 'reset-stream') return;
    const s = this.streams.get(frame.streamId);
    // RFC 9000 §3.1: Reset Sent → Reset Recvd.
    if (s?.send?.onResetAcked()) this.maybeClose(s);
  }

  /** A control frame from `pollControlFrame` was declared lost: RFC 9000 §13.3 says which to send again. */
  handleControlFrameLost(frame: StreamControlFrame): void {
    switch (frame.type) {
      case 'max-data':
        // Only the most recent value matters.
        if (frame.maximumData === this.connRecv.advertised) this.maxDataPending = true;
        return;
      case 'data-blocked':
        if (this.connSend.blockedFrameLost(frame.maximumData)) this.dataBlockedPending = true;
        return;
      case 'max-streams': {
        const remote = frame.bidirectional ? this.remoteBidi : this.remoteUni;
        if (frame.maximumStreams !== remote.advertised) return;
        if (frame.bidirectional) this.maxStreamsBidiPending = true;
        else this.maxStreamsUniPending = true;
        return;
      }
      case 'streams-blocked': {
        const space = frame.bidirectional ? this.localBidi : this.localUni;
        if (space.canOpen || space.limit !== frame.maximumStreams) return;
        if (frame.bidirectional) this.streamsBlockedBidiPending = true;
        else this.streamsBlockedUniPending = true;
        return;
      }
      default:
        break;
    }
    const s = this.streams.get(frame.streamId);
    if (s === undefined) return;
    s.onControlFrameLost(frame);
    this.queueControl(s);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Internals

  /**
   * The stream a received frame refers to, creating peer-initiated streams implicitly (RFC 9000 §3.2: with all
   * lower-numbered streams of the type). Undefined = a stream that was closed and forgotten: ignore the frame.
   * `needsRecv` = the frame is about the peer's sending part (STREAM, RESET_STREAM, STREAM_DATA_BLOCKED); otherwise
   * about our sending part (MAX_STREAM_DATA, STOP_SENDING).
   */
  private streamFor(streamId: number, frameType: number, needsRecv: boolean): Stream | undefined {
    const local = isLocallyInitiated(streamId, this.role);
    const bidi = isBidirectional(streamId);
    if (!bidi && local === needsRecv) {
      // §19.4, §19.8, §19.13: frame for our send-only stream; §19.5, §19.10: frame for a receive-only stream.
      throw streamStateError(`frame for a ${local ? 'send-only' : 'receive-only'} stream ${streamId}`, frameType);
    }
    const s = this.streams.get(streamId);
    if (s !== undefined) return s;
    const index = streamIndex(streamId);
    if (local) {
      // §19.5, §19.8, §19.10: a locally initiated stream that has not been created yet.
      if (index >= (bidi ? this.localBidi : this.localUni).opened) {
        throw streamStateError(`frame for stream ${streamId} we have not opened`, frameType);
      }
      return undefined;
    }
    const remote = bidi ? this.remoteBidi : this.remoteUni;
    if (index < remote.opened) return undefined;
    // RFC 9000 §4.6: beyond the limit we advertised.
    if (index >= remote.advertised) {
      throw new TransportError(
        TransportErrorCode.STREAM_LIMIT_ERROR,
        `stream ${streamId} exceeds the advertised limit of ${remote.advertised} streams`,
        { frameType },
      );
    }
    let created: Stream | undefined;
    const type = streamId % 4;
    while (remote.opened <= index) {
      const id = streamIdOf(type as 0 | 1 | 2 | 3, remote.opened++);
      created = this.createStream(id, false);
      this.streams.set(id, created);
      this.events.push({ type: 'stream-opened', streamId: id, bidirectional: bidi });
    }
    return created;
  }

  private createStream(id: number, local: boolean): Stream {
    const bidi = isBidirectional(id);
    const o = this.options;
    let recv: RecvStream | undefined;
    let send: SendStream | undefined;
    if (bidi || !local) {
      const initialWindowBytes = !bidi
        ? this.local.initialMaxStreamDataUni
        : local
          ? this.local.initialMaxStreamDataBidiLocal
          : this.local.initialMaxStreamDataBidiRemote;
      recv = new RecvStream({
        initialWindowBytes,
        maxWindowBytes: Math.max(o.maxStreamWindowBytes ?? 6 * MIB, initialWindowBytes),
        updateFraction: o.updateFraction,
        pageSize: o.pageSize,
        maxRanges: o.maxRanges,
        allocatePage: o.allocatePage,
      });
    }
    if (bidi || local) {
      send = new SendStream({
        initialLimitBytes: this.sendLimitFor(id, local),
        highWaterMarkBytes: o.highWaterMarkBytes,
        coalesceBelowBytes: o.coalesceBelowBytes,
      });
    }
    return new Stream(id, local, recv, send, this.defaultUrgency, this.defaultIncremental);
  }

  /** RFC 9000 §18.2: which of the peer's initial_max_stream_data_* limits our sending part of `id` starts with. */
  private sendLimitFor(id: number, local: boolean): number {
    if (!isBidirectional(id)) return this.peer.initialMaxStreamDataUni;
    return local ? this.peer.initialMaxStreamDataBidiRemote : this.peer.initialMaxStreamDataBidiLocal;
  }

  /** RFC 9000 §4.6: a max_streams transport parameter above 2^60 is a TRANSPORT_PARAMETER_ERROR. */
  private checkedStreamCount(count: number): number {
    if (count > MAX_STREAM_COUNT) {
      throw new TransportError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, `max_streams ${count} > 2^60`);
    }
    return count;
  }

  /** Worst-case STREAM frame header: type, stream ID, offset, length (RFC 9000 §19.8). */
  private frameOverhead(streamId: number, offset: number, maxFrameBytes: number): number {
    return 1 + varintLength(streamId) + varintLength(offset) + varintLength(Math.max(maxFrameBytes, 0));
  }

  /** Re-evaluates a stream's place in the scheduler and its blocked signals after any change on its send side. */
  /** Queues a 'writable' event when a stream's unsent data drained below half its high-water mark. */
  private signalWritable(s: Stream): void {
    if (!s.send!.drained()) return;
    s.writableEvent ??= { type: 'writable', streamId: s.id };
    this.events.push(s.writableEvent);
  }

  private refreshSend(s: Stream): void {
    const send = s.send;
    if (send === undefined) return;
    if (send.isReset || send.terminal || s.awaitingStreamLimit) {
      this.scheduler.remove(s);
      return;
    }
    this.scheduler.setUrgent(s, send.hasUrgent);
    this.scheduler.setNew(s, send.hasSendableNew);
    if (send.hasUnsent) {
      // RFC 9000 §4.1, §19.13: blocked by the stream limit.
      if (send.fc.available === 0 && send.fc.shouldReportBlocked()) {
        s.streamDataBlockedPending = true;
        this.queueControl(s);
      }
      // §19.12: blocked by the connection limit.
      if (this.connSend.available === 0 && this.connSend.shouldReportBlocked()) this.dataBlockedPending = true;
    }
  }

  private afterReset(s: Stream): void {
    this.scheduler.remove(s);
    s.resetPending = true;
    this.queueControl(s);
  }

  /** Turns consumption into MAX_STREAM_DATA / MAX_DATA updates (RFC 9000 §4.2). */
  /**
   * Whether consumed data crossed an update threshold, so that `pollControlFrame` will produce MAX_DATA or
   * MAX_STREAM_DATA (reading alone must not make the connection send a packet).
   */
  private creditDue(): boolean {
    if (this.connCreditDirty && this.connRecv.updateDue) return true;
    const q = this.creditQueue;
    for (let i = 0; i < q.length; i++) {
      const recv = q.at(i)!.recv;
      if (recv?.wantsCredit && recv.fc.updateDue) return true;
    }
    return false;
  }

  private updateCredit(nowMs: number, srttMs: number): void {
    const queue = this.creditQueue;
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      s.inCreditQueue = false;
      const recv = s.recv;
      if (recv === undefined || s.released || !recv.wantsCredit) continue;
      const window = recv.fc.windowBytes;
      if (recv.fc.maybeUpdate(nowMs, srttMs)) {
        s.maxStreamDataPending = true;
        this.queueControl(s);
      }
      // Keep the connection window ahead of any auto-tuned stream window (quic-go uses 1.5×).
      if (recv.fc.windowBytes > window) this.connRecv.ensureWindow(recv.fc.windowBytes * 1.5);
    }
    if (this.connCreditDirty) {
      this.connCreditDirty = false;
      if (this.connRecv.maybeUpdate(nowMs, srttMs)) this.maxDataPending = true;
    }
  }

  private markCreditDirty(s: Stream): void {
    this.connCreditDirty = true;
    if (!s.inCreditQueue && s.recv!.wantsCredit) {
      s.inCreditQueue = true;
      this.creditQueue.push(s);
    }
  }

  private queueControl(s: Stream): void {
    if (s.inControlQueue) return;
    s.inControlQueue = true;
    this.controlQueue.push(s);
  }

  private signalReadable(s: Stream): void {
    if (!s.readableSignaled && s.recv!.readable) {
      s.readableSignaled = true;
      // One event object per stream, reused: no allocation per packet on a bulk stream.
      if (s.readableEvent === undefined) s.readableEvent = { type: 'readable', streamId: s.id };
      this.events.push(s.readableEvent);
    }
  }

  private streamsAvailable(bidirectional: boolean): void {
    if (bidirectional ? !this.waitingBidi : !this.waitingUni) return;
    if (bidirectional) this.waitingBidi = false;
    else this.waitingUni = false;
    this.events.push({ type: 'streams-available', bidirectional });
  }

  /** Releases a stream whose parts are all terminal (RFC 9000 §3.4); peer streams free a MAX_STREAMS credit. */
  private maybeClose(s: Stream): void {
    if (s.released || !s.closed) return;
    s.released = true;
    this.streams.delete(s.id);
    this.scheduler.remove(s);
    if (!s.local) {
      const bidi = isBidirectional(s.id);
      if ((bidi ? this.remoteBidi : this.remoteUni).onClosed()) {
        if (bidi) this.maxStreamsBidiPending = true;
        else this.maxStreamsUniPending = true;
      }
    }
    this.events.push({ type: 'closed', streamId: s.id });
  }
}
