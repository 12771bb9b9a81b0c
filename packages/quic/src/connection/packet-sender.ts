import {
  AEAD_TAG_LENGTH,
  ByteWriter,
  type PacketProtector,
  packetNumberLength,
  type SocketAddress,
  sameAddress,
  TransportErrorCode,
} from '@fos/core';
import { AckFrameFields } from '../recovery/ack-tracker.js';
import type { LossDetectionResult } from '../recovery/loss-detection-result.js';
import { PacketNumberSpace } from '../recovery/packet-number-space.js';
import { MAX_STREAM_CONTROL_FRAME_BYTES, type StreamControlFrame } from '../streams/stream-events.js';
import { encodeAckFrame, encodedLengthAckFrame } from '../wire/ack-frame.js';
import { encodeConnectionCloseFrame } from '../wire/connection-close-frame.js';
import { encodeNewConnectionIdFrame, encodeRetireConnectionIdFrame } from '../wire/connection-id-frames.js';
import { cryptoFrameOverhead, encodeCryptoFrame } from '../wire/crypto-frame.js';
import { encodeDatagramFrame, encodedLengthDatagramFrame } from '../wire/datagram-frame.js';
import {
  encodeDataBlockedFrame,
  encodeMaxDataFrame,
  encodeMaxStreamDataFrame,
  encodeMaxStreamsFrame,
  encodeStreamDataBlockedFrame,
  encodeStreamsBlockedFrame,
} from '../wire/flow-control-frames.js';
import type { AckFrame, ConnectionCloseFrame, CryptoFrame, StreamFrame } from '../wire/frame.js';
import { FrameType } from '../wire/frame-type.js';
import { encodedLengthNewTokenFrame, encodeNewTokenFrame } from '../wire/new-token-frame.js';
import {
  LONG_HEADER_LENGTH_FIELD_SIZE,
  patchLongHeaderLength,
  writeLongHeader,
  writeShortHeader,
} from '../wire/packet-builder.js';
import { MIN_INITIAL_DATAGRAM_SIZE } from '../wire/packet-header.js';
import { PacketType } from '../wire/packet-type.js';
import { encodePathChallengeFrame, encodePathResponseFrame } from '../wire/path-frames.js';
import { encodeHandshakeDoneFrame, encodePingFrame } from '../wire/simple-frames.js';
import { encodeResetStreamFrame, encodeStopSendingFrame } from '../wire/stream-control-frames.js';
import { encodeStreamFrame, streamFrameOverhead } from '../wire/stream-frame.js';
import type { Connection } from './connection.js';
import { onFramesAcked, onFramesLost } from './sent-frames.js';
import { Level, type SentFrame, type SentPacketRecord } from './sent-record.js';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
/** Smallest useful room for a packet (header + a small frame + tag). */
const MIN_PACKET_BYTES = 64;

/** The levels in the order their packets are coalesced into a datagram (RFC 9000 §12.2). */
const SEND_ORDER = [Level.INITIAL, Level.HANDSHAKE, Level.ZERO_RTT, Level.APPLICATION] as const;
const TYPE_OF_LEVEL = [PacketType.INITIAL, PacketType.HANDSHAKE, PacketType.ONE_RTT, PacketType.ZERO_RTT] as const;
const SPACE_OF_LEVEL = [
  PacketNumberSpace.INITIAL,
  PacketNumberSpace.HANDSHAKE,
  PacketNumberSpace.APPLICATION_DATA,
  PacketNumberSpace.APPLICATION_DATA,
] as const;

/**
 * The send half of a {@link Connection}: decides what goes into the next datagram (ACKs, CRYPTO, control frames,
 * stream data, probes), within the congestion window, the pacer, and the anti-amplification limit; builds and
 * protects the packets, coalesced (RFC 9000 §12.2); and records them for loss detection.
 */
export class PacketSender {
  transmitRemote: SocketAddress;
  /** When the pacer next allows an ack-eliciting packet (set when it held one back). */
  pacingDeadline: number | undefined = undefined;

  private readonly w = new ByteWriter(EMPTY);
  private readonly ackFields = new AckFrameFields();
  private readonly ackFrame: AckFrame = { type: FrameType.ACK, ackDelay: 0, rangeCount: 0, ranges: [], ecn: null };
  private readonly cryptoFrame: CryptoFrame = { type: FrameType.CRYPTO, offset: 0, data: EMPTY };
  private readonly streamFrame: StreamFrame = {
    type: FrameType.STREAM,
    streamId: 0,
    offset: 0,
    fin: false,
    data: EMPTY,
  };
  private readonly takeOut = { offset: 0 };
  private readonly levels: Level[] = [];
  /** Per-datagram flags. */
  private datagramAckEliciting = false;
  /** Size of the caller's output buffer. */
  private outLimit = 0;
  /** Time of the last pollTransmit, and when the pacer lets the next PMTU probe go. */
  private lastPollMs = 0;
  private probeAt: number | undefined = undefined;

  constructor(private readonly c: Connection) {
    this.transmitRemote = c.path.remote;
  }

  pollTransmit(nowMs: number, out: Uint8Array): number {
    const c = this.c;
    this.outLimit = out.length;
    this.lastPollMs = nowMs;
    this.pacingDeadline = undefined;
    this.transmitRemote = c.path.remote;
    if (c.state === 'closing') return c.closeFramePending ? this.writeClose(nowMs, out) : 0;

    // RFC 9000 §8.2.2: a PATH_RESPONSE goes back on the path its challenge arrived on.
    const resp = c.path.responses[0];
    if (resp !== undefined && !sameAddress(resp.remote, c.path.remote)) return this.writePathResponse(nowMs, out);

    // RFC 9000 §14.3: path MTU discovery probes go out on their own.
    const probe = this.pmtuProbeDue(nowMs);
    if (probe !== undefined) return this.writeMtuProbe(nowMs, out, probe);

    let limit = Math.min(out.length, c.pmtud.current);
    const peerMax = c.peerParams?.maxUdpPayloadSize;
    if (peerMax !== undefined && peerMax < limit) limit = peerMax;
    // RFC 9000 §8.1: at most three times the bytes received until the client's address is validated.
    const allowance = c.path.allowance;
    if (allowance < limit) {
      if (allowance < MIN_PACKET_BYTES) {
        c.loss.setAmplificationBlocked(nowMs, true);
        return 0;
      }
      limit = Math.floor(allowance);
    }

    const probing =
      c.spaces[Level.INITIAL].probesPending +
        c.spaces[Level.HANDSHAKE].probesPending +
        c.spaces[Level.APPLICATION].probesPending >
      0;
    // RFC 9002 §7: ack-eliciting packets only within the congestion window (probes may exceed it, §7.5).
    let ackOnly = !probing && c.loss.bytesInFlight + MIN_PACKET_BYTES > c.cc.windowBytes;
    if (!ackOnly && !probing) {
      const next = c.pacer.nextSendTimeMs(nowMs, limit);
      if (next > nowMs) {
        this.pacingDeadline = next;
        ackOnly = true;
      }
    }

    // Which levels have something to send, so that the last packet can be padded (a reused array: no allocation).
    const levels = this.levels;
    levels.length = 0;
    for (let i = 0; i < SEND_ORDER.length; i++) {
      const level = SEND_ORDER[i];
      if (this.wants(nowMs, level, ackOnly)) levels.push(level);
    }
    if (levels.length === 0) {
      this.noteApplicationLimited(nowMs, ackOnly || probing);
      return 0;
    }
    // RFC 9000 §14.1: a client pads every datagram with an Initial packet, a server every one with an
    // ack-eliciting Initial packet, to at least 1200 bytes.
    const hasInitial = levels[0] === Level.INITIAL;
    const initial = c.spaces[Level.INITIAL];
    // The Initial packet about to be written is ack-eliciting when it carries CRYPTO data or a probe.
    const mustPad = hasInitial && (c.role === 'client' || initial.crypto.hasData || initial.probesPending > 0);

    this.datagramAckEliciting = false;
    let offset = 0;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      const last = i === levels.length - 1;
      const padTo = last && mustPad ? Math.min(MIN_INITIAL_DATAGRAM_SIZE, limit) : 0;
      const end = this.writePacket(nowMs, level, out, offset, limit, padTo, ackOnly);
      if (end > offset) offset = end;
      if (limit - offset < MIN_PACKET_BYTES) break;
    }
    if (!this.datagramAckEliciting) this.noteApplicationLimited(nowMs, ackOnly || probing);
    if (offset === 0) return 0;
    this.onDatagramSent(nowMs, offset);
    return offset;
  }

  /**
   * RFC 9002 §7.8: the window had room (and the pacer did not hold us back) but there was nothing ack-eliciting to
   * send — the sender is application-limited, and the controller must not grow the window on the acks that follow.
   */
  private noteApplicationLimited(nowMs: number, limited: boolean): void {
    const c = this.c;
    if (limited || !c.handshakeComplete) return;
    c.cc.onApplicationLimited(nowMs, c.loss.bytesInFlight);
  }

  /** What a loss-detection call found: free acknowledged data, queue lost data again, arm probes. */
  onLossResult(nowMs: number, r: LossDetectionResult<SentPacketRecord>): void {
    const c = this.c;
    for (const rec of r.acked) onFramesAcked(c, rec.frames);
    for (const rec of r.lateAcked) onFramesAcked(c, rec.frames);
    for (const rec of r.lost) {
      c.stats.packetsLost++;
      onFramesLost(c, rec.frames);
    }
    if (r.largestAckedAckFrame >= 0) c.spaces[r.space].ack.onAckFrameAcked(r.largestAckedAckFrame);
    if (r.probeCount > 0) {
      let level: Level = r.space as Level;
      if (r.antiDeadlock) level = c.spaces[Level.HANDSHAKE].write !== undefined ? Level.HANDSHAKE : Level.INITIAL;
      const space = c.spaceOf(level);
      space.probesPending = Math.min(2, space.probesPending + r.probeCount);
      // RFC 9002 §6.2.4: retransmit unacknowledged handshake data in the probes …
      if (level !== Level.APPLICATION) space.crypto.requeueUnacked();
      // … and probe the other spaces with data in flight too, coalesced into the same datagrams.
      if (!r.antiDeadlock) {
        for (const other of [Level.INITIAL, Level.HANDSHAKE] as const) {
          const s = c.spaces[other];
          if (other === level || !s.canSend || !c.loss.hasAckElicitingInFlight(s.space)) continue;
          s.probesPending = Math.max(s.probesPending, 1);
          s.crypto.requeueUnacked();
        }
      }
    }
    if (r.lost.length > 0 || r.rttSampled) {
      c.qlog?.event(c.qlogTime(nowMs), 'recovery:metrics_updated', {
        smoothed_rtt: c.rtt.smoothedRttMs,
        latest_rtt: c.rtt.latestRttMs,
        min_rtt: c.rtt.minRttMs,
        rtt_variance: c.rtt.rttVarMs,
        congestion_window: c.cc.windowBytes,
        bytes_in_flight: c.loss.bytesInFlight,
        pto_count: c.loss.ptoCount,
      });
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private writeKey(level: Level): PacketProtector | undefined {
    const c = this.c;
    if (level === Level.ZERO_RTT) return c.zeroRttWrite;
    if (level === Level.APPLICATION) return c.keys.write;
    const s = c.spaceOf(level);
    return s.discarded ? undefined : s.write;
  }

  private wants(nowMs: number, level: Level, ackOnly: boolean): boolean {
    const c = this.c;
    if (this.writeKey(level) === undefined) return false;
    if (level === Level.ZERO_RTT) {
      // 0-RTT only until 1-RTT keys exist (RFC 9001 §4.6.1), and only for stream data.
      if (c.keys.write !== undefined || ackOnly) return false;
      return c.streams.wantsToSend || c.pingPending;
    }
    const space = c.spaceOf(level);
    if (space.probesPending > 0) return true;
    if (space.ack.ackPending && space.ack.ackDue(nowMs)) return true;
    if (ackOnly) return false;
    if (space.crypto.hasData) return true;
    if (level !== Level.APPLICATION) return false;
    // 1-RTT application data only once the handshake completed (the server may send 0.5-RTT data, RFC 9001 §4.1.1).
    if (!c.handshakeComplete && c.role === 'client') return false;
    return (
      c.handshakeDonePending ||
      c.pingPending ||
      c.path.challengeToSend !== undefined ||
      c.path.responses.length > 0 ||
      c.newTokensToSend.length > 0 ||
      c.datagramsToSend.length > 0 ||
      c.streams.wantsToSend ||
      c.localCids.hasAnnouncements ||
      c.peerCids.hasRetirements
    );
  }

  /** Builds one packet at `offset`; returns its end (or `offset` when nothing was written). */
  private writePacket(
    nowMs: number,
    level: Level,
    out: Uint8Array,
    offset: number,
    limit: number,
    padTo: number,
    ackOnly: boolean,
  ): number {
    const c = this.c;
    const key = this.writeKey(level)!;
    const space = c.spaceOf(level);
    const pnSpace = SPACE_OF_LEVEL[level];
    const pn = space.nextPacketNumber;
    const largestAcked = c.loss.largestAcked(pnSpace);
    const pnLength = packetNumberLength(pn, largestAcked >= 0 ? largestAcked : undefined);
    const w = this.w.reset(out, offset, limit);
    const dcid = c.peerCids.currentCid;
    const type = TYPE_OF_LEVEL[level];
    const fixedBit = !(c.peerParams?.greaseQuicBit && (pn & 7) === 5);
    let lengthOffset = -1;
    let pnOffset: number;
    if (type === PacketType.ONE_RTT) {
      pnOffset = writeShortHeader(w, dcid, pn, pnLength, c.keys.writePhase, false, fixedBit);
    } else {
      const token = type === PacketType.INITIAL && c.role === 'client' ? c.initialToken : EMPTY;
      // RFC 9287 §3.1: the fixed bit may only be greased once the peer's parameters are known (not in Initials).
      lengthOffset = writeLongHeader(
        w,
        type,
        c.version,
        dcid,
        c.localCid,
        token,
        pn,
        pnLength,
        type === PacketType.INITIAL ? true : fixedBit,
      );
      pnOffset = lengthOffset + LONG_HEADER_LENGTH_FIELD_SIZE;
    }
    const payloadStart = w.pos;
    w.end = limit - AEAD_TAG_LENGTH;
    if (w.end - w.pos < 8) return offset;

    const frames: SentFrame[] = [];
    let ackEliciting = false;
    let ackLargest = -1;

    // ACK (never in 0-RTT): bundled whenever one is owed.
    if (level !== Level.ZERO_RTT && space.ack.ackPending) {
      ackLargest = this.writeAck(nowMs, space.ack, w);
    }
    if (!ackOnly || space.probesPending > 0) {
      // CRYPTO
      if (level !== Level.ZERO_RTT) {
        const crypto = space.crypto;
        while (crypto.hasData && w.remaining > 16) {
          const room = w.remaining - cryptoFrameOverhead(crypto.send.sendOffset, w.remaining);
          if (room <= 0) break;
          const data = crypto.take(room, this.takeOut);
          if (data.length === 0) break;
          const f = this.cryptoFrame;
          f.offset = this.takeOut.offset;
          f.data = data;
          encodeCryptoFrame(w, f);
          frames.push({ kind: 'crypto', level, offset: f.offset, length: data.length });
          ackEliciting = true;
        }
      }
      if (level === Level.APPLICATION && (c.handshakeComplete || c.role === 'server')) {
        ackEliciting = this.writeApplicationControl(nowMs, w, frames) || ackEliciting;
      }
      if (level === Level.APPLICATION || level === Level.ZERO_RTT) {
        ackEliciting = this.writeStreams(nowMs, w, frames, level) || ackEliciting;
      }
      // PING: a probe, the keep-alive, or the application asked for one.
      if (
        !ackEliciting &&
        (space.probesPending > 0 || (level >= Level.APPLICATION && c.pingPending)) &&
        w.remaining >= 1
      ) {
        encodePingFrame(w);
        ackEliciting = true;
      }
      if (ackEliciting && level >= Level.APPLICATION) c.pingPending = false;
    }
    if (w.pos === payloadStart) return offset;

    // RFC 9001 §5.4.2: the header-protection sample needs pnLength + payload ≥ 4 bytes.
    let padding = Math.max(0, 4 - pnLength - (w.pos - payloadStart));
    // Datagram padding (RFC 9000 §14.1) goes into the last packet.
    const padEnd = padTo - AEAD_TAG_LENGTH;
    if (padTo > 0 && w.pos + padding < padEnd) padding = padEnd - w.pos;
    if (padding > w.remaining) padding = w.remaining;
    if (padding > 0) w.fill(0, padding);
    const payloadEnd = w.pos;
    if (lengthOffset >= 0) patchLongHeaderLength(out, lengthOffset, payloadEnd + AEAD_TAG_LENGTH);
    const end = key.protect(out, offset, pnOffset, pnLength, pn, payloadEnd);
    space.nextPacketNumber++;
    const size = end - offset;
    const inFlight = ackEliciting || padding > 0;
    c.loss.onPacketSent(nowMs, pnSpace, pn, size, ackEliciting, inFlight, { level, frames }, ackLargest);
    if (ackLargest >= 0) space.ack.onAckSent();
    if (ackEliciting) {
      this.datagramAckEliciting = true;
      if (space.probesPending > 0) space.probesPending--;
    }
    c.stats.packetsSent++;
    c.qlog?.event(c.qlogTime(nowMs), 'transport:packet_sent', {
      header: {
        packet_type:
          level === Level.INITIAL
            ? 'initial'
            : level === Level.HANDSHAKE
              ? 'handshake'
              : level === Level.ZERO_RTT
                ? '0RTT'
                : '1RTT',
        packet_number: pn,
      },
      raw: { length: size },
    });
    // RFC 9001 §4.9.1: a client discards Initial keys when it first sends a Handshake packet.
    if (level === Level.HANDSHAKE && c.role === 'client') c.discardSpace(nowMs, Level.INITIAL);
    // RFC 9001 §6.6: update keys before the confidentiality limit.
    if (level === Level.APPLICATION && key.protectedPackets >= key.limits.confidentialityLimit * 0.9) {
      c.initiateKeyUpdate(nowMs);
    }
    return end;
  }

  private writeAck(nowMs: number, tracker: (typeof this.c.spaces)[number]['ack'], w: ByteWriter): number {
    const fields = this.ackFields;
    if (!tracker.writeAckFrame(nowMs, fields, 32)) return -1;
    const f = this.ackFrame;
    f.ackDelay = fields.ackDelay;
    f.ranges = fields.ranges;
    f.rangeCount = fields.rangeCount;
    f.ecn = fields.ecn;
    // Drop the oldest ranges until the frame fits (RFC 9000 §13.2.3).
    while (f.rangeCount > 1 && encodedLengthAckFrame(f) > w.remaining) f.rangeCount--;
    if (encodedLengthAckFrame(f) > w.remaining) return -1;
    encodeAckFrame(w, f);
    return fields.ranges[0];
  }

  private writeApplicationControl(nowMs: number, w: ByteWriter, frames: SentFrame[]): boolean {
    const c = this.c;
    // The common case on a busy connection: no control frame is pending.
    if (
      !c.handshakeDonePending &&
      c.path.responses.length === 0 &&
      c.path.challengeToSend === undefined &&
      !c.peerCids.hasRetirements &&
      !c.localCids.hasAnnouncements &&
      c.newTokensToSend.length === 0 &&
      c.datagramsToSend.length === 0
    ) {
      return false;
    }
    let ackEliciting = false;
    if (c.handshakeDonePending && w.remaining >= 1) {
      encodeHandshakeDoneFrame(w);
      c.handshakeDonePending = false;
      frames.push({ kind: 'handshake-done' });
      ackEliciting = true;
    }
    // PATH_RESPONSE on the current path.
    while (c.path.responses.length > 0 && sameAddress(c.path.responses[0].remote, c.path.remote) && w.remaining >= 9) {
      const r = c.path.responses.shift()!;
      encodePathResponseFrame(w, { type: FrameType.PATH_RESPONSE, data: r.data });
      ackEliciting = true;
    }
    const challenge = c.path.challengeToSend;
    if (challenge !== undefined && w.remaining >= 9) {
      encodePathChallengeFrame(w, { type: FrameType.PATH_CHALLENGE, data: challenge });
      c.path.challengeToSend = undefined;
      frames.push({ kind: 'path-challenge', data: challenge });
      ackEliciting = true;
    }
    for (const seq of c.peerCids.takeRetirements()) {
      if (w.remaining < 9) {
        c.peerCids.onRetirementLost(seq);
        continue;
      }
      encodeRetireConnectionIdFrame(w, { type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber: seq });
      frames.push({ kind: 'retire-connection-id', sequence: seq });
      ackEliciting = true;
    }
    for (const e of c.localCids.takeAnnouncements()) {
      if (w.remaining < 1 + 8 + 8 + 1 + e.cid.length + 16) {
        c.localCids.onAnnouncementLost(e.sequence);
        continue;
      }
      encodeNewConnectionIdFrame(w, {
        type: FrameType.NEW_CONNECTION_ID,
        sequenceNumber: e.sequence,
        retirePriorTo: 0,
        connectionId: e.cid,
        statelessResetToken: e.resetToken!,
      });
      frames.push({ kind: 'new-connection-id', sequence: e.sequence });
      ackEliciting = true;
    }
    while (c.newTokensToSend.length > 0) {
      const token = c.newTokensToSend[0];
      const f = { type: FrameType.NEW_TOKEN, token } as const;
      if (encodedLengthNewTokenFrame(f) > w.remaining) break;
      c.newTokensToSend.shift();
      encodeNewTokenFrame(w, f);
      frames.push({ kind: 'new-token', token });
      ackEliciting = true;
    }
    // DATAGRAM frames (RFC 9221): never retransmitted, never recorded.
    while (c.datagramsToSend.length > 0) {
      const data = c.datagramsToSend.peek()!;
      const f = { type: FrameType.DATAGRAM, data } as const;
      if (encodedLengthDatagramFrame(f) > w.remaining) break;
      c.datagramsToSend.shift();
      encodeDatagramFrame(w, f);
      ackEliciting = true;
    }
    void nowMs;
    return ackEliciting;
  }

  private writeStreams(nowMs: number, w: ByteWriter, frames: SentFrame[], level: Level): boolean {
    const c = this.c;
    let ackEliciting = false;
    const srtt = c.rtt.smoothedRttMs;
    while (w.remaining >= MAX_STREAM_CONTROL_FRAME_BYTES) {
      const f = c.streams.pollControlFrame(nowMs, srtt);
      if (f === undefined) break;
      writeStreamControl(w, f);
      frames.push({ kind: 'stream-control', frame: f });
      ackEliciting = true;
    }
    void level;
    while (w.remaining > 8) {
      const chunk = c.streams.pollStreamFrame(w.remaining);
      if (chunk === undefined) break;
      const f = this.streamFrame;
      f.streamId = chunk.streamId;
      f.offset = chunk.offset;
      f.data = chunk.data;
      f.fin = chunk.fin;
      encodeStreamFrame(w, f, true);
      frames.push({
        kind: 'stream',
        streamId: chunk.streamId,
        offset: chunk.offset,
        length: chunk.data.length,
        fin: chunk.fin,
      });
      ackEliciting = true;
      if (w.remaining < streamFrameOverhead(chunk.streamId, chunk.offset, 1) + 1) break;
    }
    return ackEliciting;
  }

  private onDatagramSent(nowMs: number, bytes: number): void {
    const c = this.c;
    c.path.onSent(bytes);
    c.stats.datagramsSent++;
    c.stats.bytesSent += bytes;
    if (this.datagramAckEliciting) {
      c.pacer.onPacketSent(nowMs, bytes);
      // RFC 9000 §10.1: sending the first ack-eliciting packet after receiving restarts the idle timer.
      if (!c.ackElicitingSentSinceReceive) {
        c.lastActivityMs = nowMs;
        c.ackElicitingSentSinceReceive = true;
      }
    }
  }

  /**
   * When a PMTU probe can go out (for the connection's timer, so that discovery also progresses on an idle
   * connection), or undefined when none is due or the congestion window has no room for it.
   */
  probeTime(): number | undefined {
    const size = this.probeSize();
    return size === undefined ? undefined : (this.probeAt ?? this.lastPollMs);
  }

  private probeSize(): number | undefined {
    const c = this.c;
    if (!c.handshakeConfirmed || c.keys.write === undefined || !c.path.validated || c.state !== 'established') {
      return undefined;
    }
    const size = c.pmtud.nextProbe();
    // A probe is ack-eliciting and in flight: it waits for the congestion window like any packet.
    if (size === undefined || size > this.outLimit || c.loss.bytesInFlight + size > c.cc.windowBytes) return undefined;
    return size;
  }

  /** The size of the PMTU probe to send now (RFC 9000 §14.3), if one is due and the pacer allows it. */
  private pmtuProbeDue(nowMs: number): number | undefined {
    this.probeAt = undefined;
    const size = this.probeSize();
    if (size === undefined) return undefined;
    const next = this.c.pacer.nextSendTimeMs(nowMs, size);
    if (next > nowMs) {
      this.probeAt = next;
      return undefined;
    }
    return size;
  }

  /** A PING + PADDING packet of exactly `size` bytes (RFC 9000 §14.4), its own datagram. */
  private writeMtuProbe(nowMs: number, out: Uint8Array, size: number): number {
    const c = this.c;
    const key = c.keys.write!;
    const space = c.spaces[Level.APPLICATION];
    const pn = space.nextPacketNumber;
    const largestAcked = c.loss.largestAcked(PacketNumberSpace.APPLICATION_DATA);
    const pnLength = packetNumberLength(pn, largestAcked >= 0 ? largestAcked : undefined);
    const w = this.w.reset(out, 0, size - AEAD_TAG_LENGTH);
    const pnOffset = writeShortHeader(w, c.peerCids.currentCid, pn, pnLength, c.keys.writePhase, false);
    encodePingFrame(w);
    w.fill(0, w.remaining);
    const end = key.protect(out, 0, pnOffset, pnLength, pn, w.pos);
    space.nextPacketNumber++;
    c.pmtud.onProbeSent(size);
    c.loss.onPacketSent(
      nowMs,
      PacketNumberSpace.APPLICATION_DATA,
      pn,
      end,
      true,
      true,
      { level: Level.APPLICATION, frames: [{ kind: 'mtu-probe', size }] },
      -1,
      true,
    );
    c.stats.packetsSent++;
    this.datagramAckEliciting = true;
    this.onDatagramSent(nowMs, end);
    return end;
  }

  /** A datagram answering a PATH_CHALLENGE from an address other than the current path's (RFC 9000 §8.2.2). */
  private writePathResponse(nowMs: number, out: Uint8Array): number {
    const c = this.c;
    const resp = c.path.responses.shift()!;
    const key = c.keys.write;
    if (key === undefined) return 0;
    const space = c.spaces[Level.APPLICATION];
    const pn = space.nextPacketNumber;
    const largestAcked = c.loss.largestAcked(PacketNumberSpace.APPLICATION_DATA);
    const pnLength = packetNumberLength(pn, largestAcked >= 0 ? largestAcked : undefined);
    const limit = Math.min(out.length, c.pmtud.current);
    const w = this.w.reset(out, 0, limit - AEAD_TAG_LENGTH);
    const pnOffset = writeShortHeader(w, c.peerCids.currentCid, pn, pnLength, c.keys.writePhase, false);
    encodePathResponseFrame(w, { type: FrameType.PATH_RESPONSE, data: resp.data });
    // RFC 9000 §8.2.2: expand the datagram to at least 1200 bytes (the new path is not validated: the peer's
    // probe came with at least that much, so the amplification limit allows it).
    const target = Math.min(MIN_INITIAL_DATAGRAM_SIZE, limit) - AEAD_TAG_LENGTH;
    if (w.pos < target) w.fill(0, target - w.pos);
    const end = key.protect(out, 0, pnOffset, pnLength, pn, w.pos);
    space.nextPacketNumber++;
    c.loss.onPacketSent(nowMs, PacketNumberSpace.APPLICATION_DATA, pn, end, true, true, {
      level: Level.APPLICATION,
      frames: [],
    });
    this.transmitRemote = resp.remote;
    c.stats.packetsSent++;
    c.stats.datagramsSent++;
    c.stats.bytesSent += end;
    return end;
  }

  /**
   * The closing datagram (RFC 9000 §10.2.1, §10.2.3): CONNECTION_CLOSE in every level the peer may be able to read
   * before the handshake is confirmed; an application close is sent as APPLICATION_ERROR outside 1-RTT.
   */
  private writeClose(nowMs: number, out: Uint8Array): number {
    const c = this.c;
    const info = c.closeInfo!;
    c.closeFramePending = false;
    const limit = Math.min(out.length, c.pmtud.current, Math.max(0, Math.floor(c.path.allowance)));
    const reason = encoder.encode(info.reason).subarray(0, 256);
    const levels: Level[] = [];
    if (!c.handshakeConfirmed) {
      if (this.writeKey(Level.INITIAL)) levels.push(Level.INITIAL);
      if (this.writeKey(Level.HANDSHAKE)) levels.push(Level.HANDSHAKE);
    }
    if (c.keys.write !== undefined && (c.handshakeComplete || c.role === 'server')) levels.push(Level.APPLICATION);
    let offset = 0;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      const key = this.writeKey(level)!;
      const space = c.spaceOf(level);
      const pn = space.nextPacketNumber;
      const w = this.w.reset(out, offset, limit);
      let lengthOffset = -1;
      let pnOffset: number;
      if (level === Level.APPLICATION) {
        pnOffset = writeShortHeader(w, c.peerCids.currentCid, pn, 4, c.keys.writePhase, false);
      } else {
        const token = level === Level.INITIAL && c.role === 'client' ? c.initialToken : EMPTY;
        lengthOffset = writeLongHeader(
          w,
          TYPE_OF_LEVEL[level],
          c.version,
          c.peerCids.currentCid,
          c.localCid,
          token,
          pn,
          4,
        );
        pnOffset = lengthOffset + LONG_HEADER_LENGTH_FIELD_SIZE;
      }
      w.end = limit - AEAD_TAG_LENGTH;
      const app = info.isApplication && level === Level.APPLICATION;
      const frame: ConnectionCloseFrame = {
        type: FrameType.CONNECTION_CLOSE,
        isApplication: app,
        errorCode: info.isApplication && !app ? TransportErrorCode.APPLICATION_ERROR : info.errorCode,
        frameType: info.frameType ?? 0,
        reason: info.isApplication && !app ? EMPTY : reason,
      };
      try {
        encodeConnectionCloseFrame(w, frame);
      } catch {
        break; // no room (amplification-limited): send what fits
      }
      const pad =
        i === levels.length - 1 && levels[0] === Level.INITIAL && c.role === 'client'
          ? Math.max(0, Math.min(MIN_INITIAL_DATAGRAM_SIZE, limit) - AEAD_TAG_LENGTH - w.pos)
          : 0;
      if (pad > 0) w.fill(0, Math.min(pad, w.remaining));
      if (lengthOffset >= 0) patchLongHeaderLength(out, lengthOffset, w.pos + AEAD_TAG_LENGTH);
      offset = key.protect(out, offset, pnOffset, 4, pn, w.pos);
      space.nextPacketNumber++;
    }
    if (offset > 0) {
      c.path.onSent(offset);
      c.stats.datagramsSent++;
      c.stats.bytesSent += offset;
    }
    void nowMs;
    return offset;
  }
}

function writeStreamControl(w: ByteWriter, f: StreamControlFrame): void {
  switch (f.type) {
    case 'max-data':
      encodeMaxDataFrame(w, { type: FrameType.MAX_DATA, maximumData: f.maximumData });
      break;
    case 'max-stream-data':
      encodeMaxStreamDataFrame(w, {
        type: FrameType.MAX_STREAM_DATA,
        streamId: f.streamId,
        maximumStreamData: f.maximumStreamData,
      });
      break;
    case 'max-streams':
      encodeMaxStreamsFrame(w, {
        type: FrameType.MAX_STREAMS,
        bidirectional: f.bidirectional,
        maximumStreams: f.maximumStreams,
      });
      break;
    case 'data-blocked':
      encodeDataBlockedFrame(w, { type: FrameType.DATA_BLOCKED, maximumData: f.maximumData });
      break;
    case 'stream-data-blocked':
      encodeStreamDataBlockedFrame(w, {
        type: FrameType.STREAM_DATA_BLOCKED,
        streamId: f.streamId,
        maximumStreamData: f.maximumStreamData,
      });
      break;
    case 'streams-blocked':
      encodeStreamsBlockedFrame(w, {
        type: FrameType.STREAMS_BLOCKED,
        bidirectional: f.bidirectional,
        maximumStreams: f.maximumStreams,
      });
      break;
    case 'reset-stream':
      encodeResetStreamFrame(w, {
        type: FrameType.RESET_STREAM,
        streamId: f.streamId,
        applicationErrorCode: f.applicationErrorCode,
        finalSize: f.finalSize,
      });
      break;
    case 'stop-sending':
      encodeStopSendingFrame(w, {
        type: FrameType.STOP_SENDING,
        streamId: f.streamId,
        applicationErrorCode: f.applicationErrorCode,
      });
      break;
  }
}
