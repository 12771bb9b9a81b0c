// The control stream of an H3Connection (RFC 9114 §6.2.1, §7.2; RFC 9218 §7.2) and the push and priority
// bookkeeping it drives (RFC 9114 §4.6, §5.2, §7.2.3, §7.2.7).

import { connectionError, H3ErrorCode } from '../errors.js';
import { parseFramePayload } from '../frames/frame-codec.js';
import { FrameReadEvent, PayloadMode } from '../frames/frame-reader.js';
import { H3FrameType, isHttp2ReservedFrameType } from '../frames/frame-types.js';
import {
  checkResumedSettings,
  DEFAULT_SETTINGS,
  type H3SettingEntry,
  type H3Settings,
  settingsFromEntries,
} from '../frames/settings.js';
import type { H3Headers } from '../message/headers.js';
import { type H3Priority, parsePriority } from '../priority/priority.js';
import { QpackDecoderStreamError } from '../qpack/index.js';
import { ConnectionPhase, H3ConnectionBase } from './connection-base.js';
import type { H3ConnectionOptions } from './options.js';
import type { H3ServerPush } from './server-push.js';
import type { H3StreamState } from './stream-state.js';

/** Client-side record of a push (RFC 9114 §4.6). */
export interface ClientPushRecord {
  /** The promised request (undefined until a PUSH_PROMISE arrives). */
  headers: H3Headers | undefined;
  method: string;
  /** The push stream, once it arrived. */
  stream: H3StreamState | undefined;
  cancelled: boolean;
}

/** Server-side record of a push. */
export interface ServerPushRecord {
  readonly handle: H3ServerPush;
  cancelled: boolean;
}

export abstract class H3ConnectionControl extends H3ConnectionBase {
  /** Client: the MAX_PUSH_ID we sent (-1: none, push disabled). Server: the one received (-1: none). */
  protected maxPushId = -1;
  /** Server: the next push ID to promise (RFC 9114 §4.6: sequential from 0). */
  protected nextPushId = 0;
  protected readonly clientPushes = new Map<number, ClientPushRecord>();
  /** Client: push IDs whose push stream completed; a later PUSH_PROMISE for them is ignored (§7.2.5). */
  protected readonly consumedPushIds = new Set<number>();
  /** Client: the highest push ID seen in a promise or push stream, or -1. */
  protected highestPushIdSeen = -1;
  protected readonly serverPushes = new Map<number, ServerPushRecord>();
  /** Server: PRIORITY_UPDATEs for request streams not opened yet (RFC 9218 §7), oldest first. */
  protected readonly pendingPriority = new Map<number, H3Priority>();
  private readonly maxPendingPriority: number;
  /** Largest HEADERS / PUSH_PROMISE frame we buffer (a bound derived from our MAX_FIELD_SECTION_SIZE). */
  protected readonly maxHeadersFrameBytes: number;
  /** Client: the transport reported that the server rejected 0-RTT (see `handleEarlyDataRejected`). */
  protected earlyDataRejected = false;

  protected constructor(options: H3ConnectionOptions) {
    super(options);
    this.maxPendingPriority = options.maxPendingPriorityUpdates ?? 256;
    // An encoded section is at most about 4x its decoded size (worst-case Huffman); beyond that it cannot decode
    // within our limit anyway (RFC 9114 §4.2.2).
    const limit = this.localSettings.maxFieldSectionSize;
    this.maxHeadersFrameBytes = Math.min(
      16 * 1024 * 1024,
      Number.isFinite(limit) ? 4 * limit + 1024 : 16 * 1024 * 1024,
    );
  }

  /**
   * Client, with `resumedPeerSettings`: the transport reports that the server rejected 0-RTT (RFC 9001 §4.6.2). The
   * remembered settings no longer apply: until the server's SETTINGS arrive its settings are the defaults (RFC 9114
   * §7.2.4.2, as on a 1-RTT connection), they are not checked against the remembered ones, and our QPACK encoder may
   * not use a dynamic table (RFC 9204 §3.2.3) — unless the rejected 0-RTT data already set one up: a transport that
   * sends that data again in 1-RTT (as @fos/quic does) delivers that table to the server anyway, so it is kept, with
   * no new blocking references, and it must fit the server's new maximum (else the connection closes with
   * H3_INTERNAL_ERROR when the SETTINGS arrive). Does nothing without remembered settings or once SETTINGS arrived.
   */
  handleEarlyDataRejected(): void {
    if (this.options.resumedPeerSettings === undefined || this.earlyDataRejected) return;
    this.earlyDataRejected = true;
    if (this.peerSettingsReceived) return;
    this.peerSettingsValue = DEFAULT_SETTINGS;
    const used = this.encoder.tableSnapshot().capacity;
    this.encoder.setPeerSettings({
      maxTableCapacity: used > 0 ? this.options.resumedPeerSettings.qpackMaxTableCapacity : 0,
      maxBlockedStreams: 0,
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The control stream (RFC 9114 §6.2.1, §7.2)

  protected processControl(s: H3StreamState): boolean {
    const r = s.reader;
    for (;;) {
      switch (r.poll()) {
        case FrameReadEvent.NEED_MORE:
          return true;
        case FrameReadEvent.HEADER:
          r.accept(this.controlFrameMode(r.frameType, r.frameLength, s.id));
          break;
        case FrameReadEvent.PAYLOAD:
          this.onControlFrame(r.frameType, r.view);
          if (this.phase === ConnectionPhase.CLOSED) return false;
          break;
        default:
          break;
      }
    }
  }

  /** Checks a control-stream frame header and chooses how to read its payload. */
  private controlFrameMode(type: number, length: number, streamId: number): PayloadMode {
    // §6.2.1: the first frame MUST be SETTINGS (an unknown type does not satisfy this, §9)
    if (!this.peerSettingsReceived && type !== H3FrameType.SETTINGS) {
      throw connectionError(H3ErrorCode.H3_MISSING_SETTINGS, 'control stream did not start with SETTINGS', streamId);
    }
    switch (type) {
      case H3FrameType.SETTINGS:
        // §7.2.4: a second SETTINGS frame is H3_FRAME_UNEXPECTED
        if (this.peerSettingsReceived) {
          throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, 'second SETTINGS frame', streamId);
        }
        if (length > this.maxControlFrameBytes) {
          throw connectionError(H3ErrorCode.H3_EXCESSIVE_LOAD, `SETTINGS frame of ${length} bytes`, streamId);
        }
        return PayloadMode.BUFFER;
      case H3FrameType.CANCEL_PUSH:
      case H3FrameType.GOAWAY:
      case H3FrameType.MAX_PUSH_ID:
        // §7.1: the payload is exactly one varint (at most 8 bytes)
        if (length > 8) throw connectionError(H3ErrorCode.H3_FRAME_ERROR, `frame payload of ${length} bytes`, streamId);
        // §7.2.7: a client MUST treat receipt of MAX_PUSH_ID as H3_FRAME_UNEXPECTED
        if (type === H3FrameType.MAX_PUSH_ID && this.role === 'client') {
          throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, 'MAX_PUSH_ID received by a client', streamId);
        }
        return PayloadMode.BUFFER;
      case H3FrameType.PRIORITY_UPDATE_REQUEST:
      case H3FrameType.PRIORITY_UPDATE_PUSH:
        // RFC 9218 §7.2: servers MUST NOT send PRIORITY_UPDATE
        if (this.role === 'client') {
          throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, 'PRIORITY_UPDATE received by a client', streamId);
        }
        if (length > this.maxControlFrameBytes) {
          throw connectionError(H3ErrorCode.H3_EXCESSIVE_LOAD, `PRIORITY_UPDATE frame of ${length} bytes`, streamId);
        }
        return PayloadMode.BUFFER;
      case H3FrameType.DATA:
      case H3FrameType.HEADERS:
      case H3FrameType.PUSH_PROMISE:
        // §7.2.1, §7.2.2, §7.2.5: not on the control stream
        throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, `frame type ${type} on the control stream`, streamId);
    }
    // §7.2.8: reserved HTTP/2 frame types
    if (isHttp2ReservedFrameType(type)) {
      throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, `reserved HTTP/2 frame type ${type}`, streamId);
    }
    // §7.2.8, §9: unknown and reserved frame types are ignored
    return PayloadMode.SKIP;
  }

  private onControlFrame(type: number, payload: Uint8Array): void {
    const frame = parseFramePayload(type, payload);
    switch (frame.type) {
      case 'settings':
        this.onSettings(frame.entries);
        return;
      case 'goaway':
        this.onGoaway(frame.id);
        return;
      case 'max-push-id':
        // §7.2.7: a MAX_PUSH_ID cannot reduce the maximum: H3_ID_ERROR
        if (frame.pushId < this.maxPushId) {
          throw connectionError(H3ErrorCode.H3_ID_ERROR, `MAX_PUSH_ID ${frame.pushId} below ${this.maxPushId}`);
        }
        this.maxPushId = frame.pushId;
        return;
      case 'cancel-push':
        this.onCancelPush(frame.pushId);
        return;
      case 'priority-update':
        this.onPriorityUpdate(frame.push, frame.elementId, frame.priority);
        return;
      default:
        return;
    }
  }

  /** RFC 9114 §7.2.4: the peer's settings; RFC 9204 §3.2.3: they configure our QPACK encoder. */
  private onSettings(entries: readonly H3SettingEntry[]): void {
    const settings = settingsFromEntries(entries);
    const remembered = this.options.resumedPeerSettings;
    let maxTableCapacity = settings.qpackMaxTableCapacity;
    let unusable: string | undefined;
    if (remembered !== undefined && !this.earlyDataRejected) {
      checkAcceptedEarlyDataSettings(remembered, settings);
    } else if (remembered !== undefined) {
      // 0-RTT was rejected: the remembered values no longer bind the server (RFC 9114 §7.2.4.2 applies them to 0-RTT
      // only). But the transport sends the rejected 0-RTT stream data again in 1-RTT, so the dynamic table it set
      // up reaches the server after all: it must fit the new maximum (RFC 9204 §4.3.1), and the encoder keeps it.
      const used = this.encoder.tableSnapshot().capacity;
      if (used > 0) {
        if (settings.qpackMaxTableCapacity < used) {
          unusable = `0-RTT was rejected and SETTINGS_QPACK_MAX_TABLE_CAPACITY ${settings.qpackMaxTableCapacity} is below the ${used} its resent data uses`;
        }
        maxTableCapacity = remembered.qpackMaxTableCapacity; // the encoder's maximum so far; its table stays at `used`
      }
    }
    this.peerSettingsValue = settings;
    this.peerSettingsReceived = true;
    this.encoder.setPeerSettings({ maxTableCapacity, maxBlockedStreams: settings.qpackBlockedStreams });
    this.emit({ type: 'settings', settings });
    // The server did nothing wrong; we cannot go on (an implementation limit: RFC 9114 §8.1 H3_INTERNAL_ERROR).
    if (unusable !== undefined) this.connectionError(H3ErrorCode.H3_INTERNAL_ERROR, unusable);
  }

  /** RFC 9114 §5.2, §7.2.6. */
  private onGoaway(id: number): void {
    if (this.role === 'client' && id % 4 !== 0) {
      // §7.2.6: a server's GOAWAY carries a client-initiated bidirectional stream ID
      throw connectionError(H3ErrorCode.H3_ID_ERROR, `GOAWAY stream ID ${id} is not a request stream`);
    }
    // §5.2: the identifier MUST NOT increase
    if (this.goawayReceived >= 0 && id > this.goawayReceived) {
      throw connectionError(H3ErrorCode.H3_ID_ERROR, `GOAWAY ID ${id} above the previous ${this.goawayReceived}`);
    }
    this.goawayReceived = id;
    this.emit({ type: 'goaway', id });
    this.onGoawayReceived(id);
  }

  /** Hook: act on a received GOAWAY (fail requests above it, cancel pushes above it). */
  protected abstract onGoawayReceived(id: number): void;

  /** RFC 9114 §7.2.3. */
  private onCancelPush(pushId: number): void {
    // §7.2.3: a push ID above what is allowed is H3_ID_ERROR
    if (this.maxPushId < 0 || pushId > this.maxPushId) {
      throw connectionError(H3ErrorCode.H3_ID_ERROR, `CANCEL_PUSH for push ID ${pushId} beyond the maximum`);
    }
    if (this.role === 'server') {
      // §7.2.3: a server receiving CANCEL_PUSH for a push ID not yet promised: H3_ID_ERROR
      if (pushId >= this.nextPushId) {
        throw connectionError(H3ErrorCode.H3_ID_ERROR, `CANCEL_PUSH for push ID ${pushId} never promised`);
      }
      const record = this.serverPushes.get(pushId);
      if (record !== undefined && !record.cancelled) {
        record.cancelled = true;
        const s = record.handle.state;
        // §7.2.3: abort the push stream if open; do not create it if not
        this.abortSend(s, H3ErrorCode.H3_REQUEST_CANCELLED);
        this.releaseIfDone(s);
      }
    } else {
      let record = this.clientPushes.get(pushId);
      if (record === undefined) {
        record = { headers: undefined, method: '', stream: undefined, cancelled: false };
        if (!this.consumedPushIds.has(pushId)) this.clientPushes.set(pushId, record);
      }
      record.cancelled = true;
    }
    this.emit({ type: 'push-cancelled', pushId });
  }

  /** RFC 9218 §7.2: PRIORITY_UPDATE (received by servers only; checked at the frame header). */
  private onPriorityUpdate(push: boolean, elementId: number, value: string): void {
    const priority = parsePriority(value);
    // RFC 9218 §7: a Priority Field Value that does not parse MAY be H3_GENERAL_PROTOCOL_ERROR
    if (priority === undefined) {
      throw connectionError(H3ErrorCode.H3_GENERAL_PROTOCOL_ERROR, 'PRIORITY_UPDATE value does not parse');
    }
    if (push) {
      // RFC 9218 §7.2: a push ID above the maximum, or not yet promised: H3_ID_ERROR
      if (elementId > this.maxPushId || elementId >= this.nextPushId) {
        throw connectionError(H3ErrorCode.H3_ID_ERROR, `PRIORITY_UPDATE for push ID ${elementId} not promised`);
      }
      const record = this.serverPushes.get(elementId);
      if (record === undefined || record.cancelled) return;
      const s = record.handle.state;
      s.priority = priority;
      if (s.id >= 0 && !s.sendClosed) this.transport.setPriority(s.id, priority.urgency, priority.incremental);
      this.emit({ type: 'priority', streamId: s.id, pushId: elementId, priority });
      return;
    }
    // RFC 9218 §7.2: the request variant MUST reference a request stream
    if (elementId % 4 !== 0) {
      throw connectionError(H3ErrorCode.H3_ID_ERROR, `PRIORITY_UPDATE for stream ${elementId}, not a request stream`);
    }
    const s = this.streams.get(elementId);
    if (s !== undefined) {
      if (s.sendClosed) return;
      s.priority = priority;
      this.transport.setPriority(s.id, priority.urgency, priority.incremental);
      if (s.surfaced) this.emit({ type: 'priority', streamId: s.id, priority });
      return;
    }
    // a closed stream: nothing to do; a stream not opened yet: keep the latest update (RFC 9218 §7), bounded
    if (this.peerBidi.wasSeen(Math.floor(elementId / 4))) return;
    this.pendingPriority.delete(elementId);
    if (this.pendingPriority.size >= this.maxPendingPriority) {
      const oldest = this.pendingPriority.keys().next().value as number;
      this.pendingPriority.delete(oldest);
    }
    this.pendingPriority.set(elementId, priority);
  }

  /** Client: sends CANCEL_PUSH, or aborts the push stream if it already arrived (RFC 9114 §7.2.3). */
  protected cancelClientPush(pushId: number, record: ClientPushRecord): void {
    if (record.cancelled) return;
    record.cancelled = true;
    const s = record.stream;
    if (s !== undefined) {
      // §7.2.3: SHOULD NOT send CANCEL_PUSH once the push stream arrived; abort reading it instead
      if (!s.recvClosed) {
        this.abortRecv(s, H3ErrorCode.H3_REQUEST_CANCELLED, true);
        this.releaseIfDone(s);
      }
      return;
    }
    this.writeControlFrame({ type: 'cancel-push', pushId });
  }
}

/**
 * The server accepted 0-RTT sent under `remembered` settings; its SETTINGS must not take back what that data relied
 * on. RFC 9204 §3.2.3: a remembered non-zero SETTINGS_QPACK_MAX_TABLE_CAPACITY must be sent again unchanged, else
 * QPACK_DECODER_STREAM_ERROR; RFC 9114 §7.2.4.2: any other incompatible or omitted setting is H3_SETTINGS_ERROR.
 */
function checkAcceptedEarlyDataSettings(remembered: H3Settings, settings: H3Settings): void {
  const capacity = remembered.qpackMaxTableCapacity;
  if (capacity !== 0 && settings.qpackMaxTableCapacity !== capacity) {
    throw new QpackDecoderStreamError(
      `SETTINGS_QPACK_MAX_TABLE_CAPACITY ${settings.qpackMaxTableCapacity} differs from the remembered ${capacity}`,
    );
  }
  checkResumedSettings(remembered, settings);
}
