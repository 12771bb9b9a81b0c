// State, lifecycle and the send path shared by the H3Connection layers (receive logic in connection-receive.ts,
// public API in h3-connection.ts). Sans-I/O: bytes go to the H3Transport, events to a queue; nothing here blocks.

import { RingQueue, varintLength, writeVarintAt } from '@fos/core';
import { H3Error, H3ErrorCode, H3UsageError, H3UsageErrorKind } from '../errors.js';
import { encodeFrame } from '../frames/frame-codec.js';
import { greaseCodePoint, H3FrameType, H3StreamType } from '../frames/frame-types.js';
import { DEFAULT_SETTINGS, type H3Settings, settingsEntries, settingsFromEntries } from '../frames/settings.js';
import { fieldSectionSize, flattenHeaders, type H3Headers } from '../message/headers.js';
import { encodedSizeBound, QpackDecoder, QpackEncoder, QpackError } from '../qpack/index.js';
import type { H3Role, H3Transport } from '../transport.js';
import type { H3Event } from './events.js';
import { H3_DEFAULTS, type H3ConnectionOptions, resolveLocalSettings } from './options.js';
import { OwnUniStream } from './own-uni-stream.js';
import { PeerStreamTracker } from './peer-stream-tracker.js';
import { type H3StreamState, RecvPhase, SendPhase, StreamKind } from './stream-state.js';

const EMPTY = new Uint8Array(0);
/** Room reserved before an encoded field section for Type, Length and (PUSH_PROMISE) Push ID varints. */
const HEADER_ROOM = 1 + 8 + 8;
const SLAB_BYTES = 4096;
/** Most finished-but-unacknowledged streams remembered for a graceful close. */
const MAX_UNFLUSHED = 65536;

/** Connection lifecycle. */
export const ConnectionPhase = {
  /** Created; `start()` not called yet. */
  NEW: 0,
  OPEN: 1,
  /** GOAWAY sent (shutdown) or received (client): finishing what was accepted, then closing with H3_NO_ERROR. */
  DRAINING: 2,
  CLOSED: 3,
} as const;
export type ConnectionPhase = (typeof ConnectionPhase)[keyof typeof ConnectionPhase];

export abstract class H3ConnectionBase {
  /** This endpoint's role (from the transport). */
  readonly role: H3Role;
  protected readonly transport: H3Transport;
  protected readonly options: H3ConnectionOptions;
  protected readonly random: () => number;
  protected readonly grease: boolean;
  protected readonly bodyHighWater: number;
  protected readonly maxControlFrameBytes: number;
  /** Our QPACK encoder (what we send) and decoder (what we receive), RFC 9204 §2. */
  protected readonly encoder: QpackEncoder;
  protected readonly decoder: QpackDecoder;
  /** What we advertise in SETTINGS. */
  readonly localSettings: H3Settings;
  /** The peer's settings: defaults (or the remembered ones for 0-RTT) until its SETTINGS arrives. */
  protected peerSettingsValue: H3Settings;
  protected peerSettingsReceived = false;

  protected phase: ConnectionPhase = ConnectionPhase.NEW;
  protected closeCode = 0;
  protected readonly events = new RingQueue<H3Event>(64);
  protected readonly streams = new Map<number, H3StreamState>();
  /** Peer-initiated bidirectional and unidirectional streams seen so far. */
  protected readonly peerBidi = new PeerStreamTracker();
  protected readonly peerUni = new PeerStreamTracker();

  // our unidirectional streams (RFC 9114 §6.2.1, RFC 9204 §4.2)
  protected readonly control: OwnUniStream;
  protected readonly qpackEncoderStream: OwnUniStream;
  protected readonly qpackDecoderStream: OwnUniStream;
  protected greaseStreamSent = false;
  // the peer's
  protected peerControl: H3StreamState | undefined;
  protected peerEncoder: H3StreamState | undefined;
  protected peerDecoder: H3StreamState | undefined;

  /** Streams of ours waiting for the peer's MAX_STREAMS credit, bidirectional and unidirectional. */
  protected readonly pendingBidi = new RingQueue<H3StreamState>();
  protected readonly pendingUni = new RingQueue<H3StreamState>();
  /** Streams with input to process (readable, resumed, or unblocked by QPACK). */
  protected readonly pumpList: H3StreamState[] = [];

  /** Streams we finished sending whose data the peer has not acknowledged yet (for a graceful close). */
  protected readonly unflushed = new Set<number>();
  private unflushedPruneAt = 1024;

  /** Smallest GOAWAY ID we sent, or -1. */
  protected goawaySent = -1;
  /** Smallest GOAWAY ID we received, or -1. */
  protected goawayReceived = -1;

  // DATA frame headers are carved out of a slab: no allocation per frame (RFC 9114 §7.2.1)
  private slab = new Uint8Array(SLAB_BYTES);
  private slabPos = 0;

  protected constructor(options: H3ConnectionOptions) {
    this.options = options;
    this.transport = options.transport;
    this.role = options.transport.role;
    this.random = options.random ?? Math.random;
    this.grease = options.grease ?? true;
    this.bodyHighWater = options.bodyHighWaterMarkBytes ?? H3_DEFAULTS.bodyHighWaterMarkBytes;
    this.maxControlFrameBytes = options.maxControlFrameBytes ?? H3_DEFAULTS.maxControlFrameBytes;
    const local = resolveLocalSettings(options);
    this.localSettings = settingsFromEntries(settingsEntries(local));
    this.decoder = new QpackDecoder({
      maxTableCapacity: local.qpackMaxTableCapacity,
      maxBlockedStreams: local.qpackBlockedStreams,
      maxFieldSectionSize: local.maxFieldSectionSize,
      interner: options.interner,
    });
    this.peerSettingsValue = options.resumedPeerSettings ?? DEFAULT_SETTINGS;
    this.encoder = new QpackEncoder({
      maxTableCapacity: this.peerSettingsValue.qpackMaxTableCapacity,
      maxBlockedStreams: this.peerSettingsValue.qpackBlockedStreams,
      capacityLimit: options.qpackEncoderCapacityLimit ?? H3_DEFAULTS.qpackEncoderCapacityLimit,
      huffman: options.qpackHuffman,
      isSensitive: options.qpackIsSensitive,
      interner: options.interner,
    });
    this.control = new OwnUniStream(this.transport, H3StreamType.CONTROL);
    this.qpackEncoderStream = new OwnUniStream(this.transport, H3StreamType.QPACK_ENCODER);
    this.qpackDecoderStream = new OwnUniStream(this.transport, H3StreamType.QPACK_DECODER);
  }

  /** The peer's settings as known now (RFC 9114 §7.2.4.2: the defaults until its SETTINGS frame arrives). */
  get peerSettings(): H3Settings {
    return this.peerSettingsValue;
  }

  /** Whether the connection is closed. */
  get isClosed(): boolean {
    return this.phase === ConnectionPhase.CLOSED;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Startup (RFC 9114 §3.2, §6.2.1; RFC 9204 §4.2)

  /**
   * Opens our control stream with SETTINGS as its first frame, then the QPACK encoder and decoder streams, then
   * (grease) a reserved stream type. RFC 9114 §7.2.4.2: SETTINGS are sent as soon as the transport can send.
   */
  protected startStreams(): void {
    const greaseId = this.grease ? greaseCodePoint(this.random()) : undefined;
    const entries = settingsEntries(this.localSettings, greaseId, Math.floor(this.random() * 256));
    this.control.write(encodeFrame({ type: 'settings', entries }));
    if (this.grease) {
      // RFC 9114 §7.2.8: a reserved frame type on the control stream, with a small payload
      const payload = new Uint8Array(1 + Math.floor(this.random() * 8));
      this.control.write(encodeFrame({ type: 'unknown', frameType: greaseCodePoint(this.random()), payload }));
    }
    this.openOwnUniStreams();
  }

  /** Opens our critical streams in order (RFC 9114 §6.2: control first, then the QPACK streams), then grease. */
  protected openOwnUniStreams(): void {
    if (!this.control.open() || !this.qpackEncoderStream.open() || !this.qpackDecoderStream.open()) return;
    // pending push streams next, then (once) a reserved stream type (RFC 9114 §6.2.3)
    this.openPendingStreams(false);
    if (this.grease && !this.greaseStreamSent && this.pendingUni.length === 0) {
      this.greaseStreamSent = true;
      const id = this.transport.openStream(false);
      if (id !== undefined) {
        const type = greaseCodePoint(this.random());
        const bytes = new Uint8Array(varintLength(type) + 1 + Math.floor(this.random() * 16));
        writeVarintAt(bytes, 0, type, varintLength(type));
        this.transport.write(id, bytes, true);
      }
    }
  }

  /** Opens queued streams of ours while the transport has credit (RFC 9000 §4.6). */
  protected abstract openPendingStreams(bidirectional: boolean): void;

  // ---------------------------------------------------------------------------------------------------------------
  // Events

  protected emit(event: H3Event): void {
    if (this.phase === ConnectionPhase.CLOSED && event.type !== 'closed' && event.type !== 'connection-error') {
      if (event.type !== 'stream-error') return;
    }
    this.events.push(event);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Send path

  /** Flushes our QPACK encoder's instructions to the encoder stream (before any field section using them). */
  protected flushEncoderStream(): void {
    const bytes = this.encoder.pollEncoderStream();
    if (bytes !== undefined) this.qpackEncoderStream.write(bytes);
  }

  /** Flushes our QPACK decoder's acknowledgments and increments to the decoder stream (RFC 9204 §4.4). */
  protected flushDecoderStream(): void {
    const bytes = this.decoder.pollDecoderStream();
    if (bytes !== undefined) this.qpackDecoderStream.write(bytes);
  }

  /** Checks an outgoing header section against the peer's SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §4.2.2). */
  protected checkPeerFieldSectionSize(headers: H3Headers, streamId: number): void {
    const limit = this.peerSettingsValue.maxFieldSectionSize;
    if (limit !== Number.POSITIVE_INFINITY && fieldSectionSize(headers) > limit) {
      throw new H3UsageError(
        H3UsageErrorKind.FIELD_SECTION_TOO_LARGE,
        `header section exceeds the peer's SETTINGS_MAX_FIELD_SECTION_SIZE of ${limit}`,
        streamId,
      );
    }
  }

  /**
   * Encodes `headers` with QPACK and writes a HEADERS frame (or, with `pushId` ≥ 0, a PUSH_PROMISE frame) on an open
   * stream: one allocation, the frame header written in front of the encoded section, no copy. The encoder's
   * instructions go out on the encoder stream first (RFC 9204 §2.1.2).
   */
  protected writeFieldSection(s: H3StreamState, headers: H3Headers, fin: boolean, pushId = -1): boolean {
    const flat = flattenHeaders(headers);
    const buf = new Uint8Array(HEADER_ROOM + encodedSizeBound(flat));
    const n = this.encoder.encodeFieldSectionInto(s.id, flat, buf, HEADER_ROOM);
    this.flushEncoderStream();
    let payload = n;
    let start = HEADER_ROOM;
    if (pushId >= 0) {
      const pl = varintLength(pushId);
      start -= pl;
      writeVarintAt(buf, start, pushId, pl);
      payload += pl;
    }
    const ll = varintLength(payload);
    start -= ll;
    writeVarintAt(buf, start, payload, ll);
    start -= 1;
    buf[start] = pushId >= 0 ? H3FrameType.PUSH_PROMISE : H3FrameType.HEADERS;
    return this.transport.write(s.id, buf.subarray(start, HEADER_ROOM + n), fin);
  }

  /** Writes a DATA frame: its header from the slab, then `data` by reference (RFC 9114 §7.2.1). */
  protected writeDataFrame(s: H3StreamState, data: Uint8Array, fin: boolean): boolean {
    if (data.length === 0) return fin ? this.transport.write(s.id, EMPTY, true) : true;
    const hl = 1 + varintLength(data.length);
    if (this.slabPos + hl > this.slab.length) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.slabPos = 0;
    }
    const at = this.slabPos;
    this.slab[at] = H3FrameType.DATA;
    writeVarintAt(this.slab, at + 1, data.length, (hl - 1) as 1 | 2 | 4 | 8);
    this.slabPos = at + hl;
    this.transport.write(s.id, this.slab.subarray(at, at + hl), false);
    return this.transport.write(s.id, data, fin);
  }

  /** Writes a frame on our control stream (RFC 9114 §6.2.1). */
  protected writeControlFrame(frame: Parameters<typeof encodeFrame>[0]): void {
    this.control.write(encodeFrame(frame));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Stream lifecycle

  /** Whether `s` carries an HTTP message we receive (and so may have QPACK sections in flight). */
  protected hasRecvSide(s: H3StreamState): boolean {
    if (s.kind === StreamKind.REQUEST) return true;
    return s.kind === StreamKind.PUSH && this.role === 'client';
  }

  /** Whether `s` carries an HTTP message we send. */
  protected hasSendSide(s: H3StreamState): boolean {
    if (s.kind === StreamKind.REQUEST) return true;
    return s.kind === StreamKind.PUSH && this.role === 'server';
  }

  /**
   * Abandons reading `s` (RFC 9000 §3.5 STOP_SENDING with `code`) and, if a field section of it may be unprocessed,
   * sends a QPACK Stream Cancellation (RFC 9204 §4.4.2).
   */
  protected abortRecv(s: H3StreamState, code: number, sendStop: boolean): void {
    if (s.recvClosed) return;
    s.recvPhase = RecvPhase.ABORTED;
    s.reader.discard();
    s.pendingSection = 0;
    if (s.sawData && this.hasRecvSide(s)) this.decoder.cancelStream(s.id);
    if (sendStop && !s.finRead && s.id >= 0) {
      s.stopSent = true;
      this.transport.stopSending(s.id, code);
    }
  }

  /** Abandons sending on `s` (RFC 9000 §3.1 RESET_STREAM with `code`). */
  protected abortSend(s: H3StreamState, code: number): void {
    if (s.sendClosed) return;
    s.sendPhase = SendPhase.RESET;
    s.pendingWrites = undefined;
    if (s.id >= 0) this.transport.resetStream(s.id, code);
  }

  /**
   * A stream error (RFC 9114 §8): abort both directions of `s` with `code` and report it (unless `silent`).
   * `retryable`: the request was not processed by the server (§4.1.1, §5.2).
   */
  protected failStream(s: H3StreamState, code: number, reason: string, retryable = false, silent = false): void {
    const wasOpen = !s.recvClosed || !s.sendClosed;
    if (this.hasRecvSide(s)) this.abortRecv(s, code, true);
    else s.recvPhase = RecvPhase.ABORTED;
    if (this.hasSendSide(s)) this.abortSend(s, code);
    else s.sendPhase = SendPhase.RESET;
    if (wasOpen && !silent) {
      this.emit({
        type: 'stream-error',
        streamId: s.id,
        request: s.request,
        pushId: s.pushId >= 0 ? s.pushId : undefined,
        code,
        local: true,
        retryable,
        reason,
      });
    }
    this.releaseIfDone(s);
  }

  /** Forgets a stream once both directions are over; may complete a graceful shutdown. */
  protected releaseIfDone(s: H3StreamState): void {
    if (!s.recvClosed || !s.sendClosed) return;
    if (s.id >= 0 && this.streams.get(s.id) === s) {
      this.streams.delete(s.id);
      if (s.sendPhase === SendPhase.DONE && this.hasSendSide(s)) this.trackUnflushed(s.id);
    }
    this.onStreamReleased(s);
  }

  /**
   * Remembers a finished stream whose data is not acknowledged yet. Bounded: past a threshold the set is pruned
   * through the transport (the threshold then doubles, so pruning stays amortized O(1)), and an adapter that never
   * reports flushes cannot make it grow beyond MAX_UNFLUSHED (the oldest are forgotten).
   */
  private trackUnflushed(streamId: number): void {
    if (this.transport.bufferedBytes(streamId) === 0) return;
    this.unflushed.add(streamId);
    if (this.unflushed.size <= this.unflushedPruneAt) return;
    this.pruneUnflushed();
    while (this.unflushed.size > MAX_UNFLUSHED) this.unflushed.delete(this.unflushed.values().next().value as number);
    this.unflushedPruneAt = Math.max(1024, 2 * this.unflushed.size);
  }

  /** Drops the streams the transport reports as fully acknowledged; returns how many are left. */
  protected pruneUnflushed(): number {
    for (const id of this.unflushed) if (this.transport.bufferedBytes(id) === 0) this.unflushed.delete(id);
    return this.unflushed.size;
  }

  /** Hook: a message stream was released (push bookkeeping, drain check). */
  protected abstract onStreamReleased(s: H3StreamState): void;

  // ---------------------------------------------------------------------------------------------------------------
  // Connection close (RFC 9114 §5.3, §5.4, §8)

  /** Closes the connection after a connection error detected here (RFC 9114 §8): CONNECTION_CLOSE with `code`. */
  protected connectionError(code: number, reason: string, error?: unknown): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    this.emit({ type: 'connection-error', code, reason, error });
    this.closeNow(code, reason, true);
  }

  /** Maps anything thrown while processing peer input to a connection or stream error. */
  protected handleFailure(e: unknown, s?: H3StreamState): void {
    if (e instanceof H3Error) {
      if (!e.connectionError && s !== undefined) {
        this.failStream(s, e.code, e.reason);
        return;
      }
      this.connectionError(e.code, e.reason, e);
      return;
    }
    if (e instanceof QpackError) {
      const target = e.streamId !== undefined ? (this.streams.get(e.streamId) ?? s) : s;
      if (e.streamError && target !== undefined) {
        this.onQpackStreamError(target, e);
        return;
      }
      this.connectionError(e.code, e.reason, e);
      return;
    }
    this.connectionError(H3ErrorCode.H3_INTERNAL_ERROR, e instanceof Error ? e.message : String(e), e);
  }

  /** A QPACK failure confined to one stream (RFC 9204 §7.4, RFC 9114 §4.2.2). */
  protected abstract onQpackStreamError(s: H3StreamState, e: QpackError): void;

  /** Marks the connection closed, closes the transport when `local`, and reports it. */
  protected closeNow(code: number, reason: string, local: boolean): void {
    if (this.phase === ConnectionPhase.CLOSED) return;
    this.phase = ConnectionPhase.CLOSED;
    this.closeCode = code;
    if (local) this.transport.close(code, reason);
    this.failOutstanding(code);
    this.streams.clear();
    this.pumpList.length = 0;
    this.emit({ type: 'closed', code, reason, local });
  }

  /** Hook: report requests that the close leaves unanswered (client), before the 'closed' event. */
  protected abstract failOutstanding(code: number): void;
}
