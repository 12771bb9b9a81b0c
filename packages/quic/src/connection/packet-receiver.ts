import {
  decodePacketNumber,
  type PacketProtector,
  type QuicVersion,
  readPacketNumber,
  type SocketAddress,
  sameAddress,
  TransportError,
  TransportErrorCode,
} from '@fos/core';
import type { ReceivedAck } from '../recovery/loss-detection-result.js';
import { PacketNumberSpace } from '../recovery/packet-number-space.js';
import { ackDelayMicros } from '../wire/ack-frame.js';
import { CoalescedPacketIterator } from '../wire/coalesced-packets.js';
import type { AckFrame, Frame } from '../wire/frame.js';
import { FrameType } from '../wire/frame-type.js';
import { HeaderStatus, keyPhaseBit, PacketHeader, parsePacketHeader, reservedBits } from '../wire/packet-header.js';
import { PacketType, packetTypeName } from '../wire/packet-type.js';
import { readSupportedVersions } from '../wire/version-negotiation.js';
import { areCompatibleVersions } from '../wire/versions.js';
import { equalBytes } from './cid-manager.js';
import { type Connection, hex } from './connection.js';
import { ReadKey } from './key-phases.js';
import { onFramesLost } from './sent-frames.js';
import { Level } from './sent-record.js';

const LEVEL_OF_TYPE: Record<number, Level> = {
  [PacketType.INITIAL]: Level.INITIAL,
  [PacketType.HANDSHAKE]: Level.HANDSHAKE,
  [PacketType.ZERO_RTT]: Level.ZERO_RTT,
  [PacketType.ONE_RTT]: Level.APPLICATION,
};

/** Default ack_delay_exponent, also used for ACK frames in Initial and Handshake packets (RFC 9000 §19.3). */
const DEFAULT_ACK_DELAY_EXPONENT = 3;

interface BufferedPacket {
  readonly level: Level;
  readonly bytes: Uint8Array;
  readonly remote: SocketAddress;
}

const decoder = new TextDecoder();

/**
 * The receive half of a {@link Connection}: splits datagrams into packets (RFC 9000 §12.2), removes packet
 * protection (RFC 9001 §5), drops duplicates, and dispatches frames to the state they update.
 */
export class PacketReceiver {
  private readonly header = new PacketHeader();
  private readonly iter = new CoalescedPacketIterator();
  /** Packets whose keys are not available yet (RFC 9001 §5.7), copied. */
  private readonly buffered: BufferedPacket[] = [];
  private readonly ack: { ranges: number[]; rangeCount: number; ackDelayMs: number; ecn: AckFrame['ecn'] } = {
    ranges: [],
    rangeCount: 0,
    ackDelayMs: 0,
    ecn: null,
  };
  /** Set when a packet ended the connection (CONNECTION_CLOSE, stateless reset): stop processing. */
  private stopped = false;

  constructor(private readonly c: Connection) {}

  handleDatagram(nowMs: number, data: Uint8Array, remote: SocketAddress): void {
    const c = this.c;
    this.stopped = false;
    if (sameAddress(remote, c.path.remote)) c.path.onReceived(data.length);
    const h = this.header;
    const options = { acceptClearedFixedBit: c.config.greaseQuicBit };
    this.iter.reset(data, 0, data.length, c.localCid.length, options);
    while (!this.stopped && this.iter.next(h)) {
      if (h.status !== HeaderStatus.OK) {
        c.stats.packetsDropped++;
        break;
      }
      if (h.type === PacketType.VERSION_NEGOTIATION) {
        this.handleVersionNegotiation(nowMs, h);
        return;
      }
      if (h.type === PacketType.RETRY) {
        this.handleRetry(nowMs, h);
        return;
      }
      this.processPacket(nowMs, h, remote, data);
    }
    this.retryBuffered(nowMs);
  }

  private drop(nowMs: number, h: PacketHeader, trigger: string): void {
    this.c.stats.packetsDropped++;
    this.c.qlog?.event(this.c.qlogTime(nowMs), 'transport:packet_dropped', {
      header: { packet_type: packetTypeName(h.type) as never },
      raw: { length: h.packetEnd - h.packetStart },
      trigger,
    });
  }

  private processPacket(nowMs: number, h: PacketHeader, remote: SocketAddress, datagram: Uint8Array): void {
    const c = this.c;
    const level = LEVEL_OF_TYPE[h.type];
    const buf = h.buf;
    let initialKey: PacketProtector | undefined;
    if (h.isLong && h.version !== c.version) {
      if (c.role === 'server' && h.version === c.originalVersion && level === Level.INITIAL && c.originalInitialRead) {
        // RFC 9368 §2.3: the client's Initials sent before it saw our switch still use its original version.
        initialKey = c.originalInitialRead;
      } else if (
        c.role === 'client' &&
        !c.peerCidChosen &&
        level === Level.INITIAL &&
        c.supportedVersions.includes(h.version) &&
        areCompatibleVersions(c.version, h.version)
      ) {
        // RFC 9368 §2.3: the server chose a compatible version; follow it (its version_information confirms it).
        c.switchVersion(h.version);
      } else {
        this.drop(nowMs, h, 'unexpected_version');
        return;
      }
    }
    // RFC 9000 §17.2.3: only clients send 0-RTT.
    if (level === Level.ZERO_RTT && c.role === 'client') {
      this.drop(nowMs, h, 'unexpected_packet');
      return;
    }
    // RFC 9000 §17.2.2: a server's Initial carries no token.
    if (level === Level.INITIAL && c.role === 'client' && h.tokenLength > 0) {
      this.drop(nowMs, h, 'unexpected_token');
      return;
    }
    // RFC 9000 §7.2: once fixed, the peer's SCID on long headers does not change.
    if (h.isLong && (c.role === 'server' || c.peerCidChosen) && level !== Level.ZERO_RTT) {
      if (!equalBytes(h.scid, c.peerCids.initialCid)) {
        this.drop(nowMs, h, 'unknown_connection_id');
        return;
      }
    }

    const space = c.spaceOf(level);
    if (space.discarded && level !== Level.APPLICATION) {
      this.drop(nowMs, h, 'key_unavailable');
      return;
    }
    let key: PacketProtector | undefined;
    if (level === Level.ZERO_RTT) {
      key = c.zeroRttRead;
      if (key === undefined) {
        if (c.handshakeComplete) {
          this.drop(nowMs, h, 'key_unavailable');
          return;
        }
        this.buffer(nowMs, h, level, remote);
        return;
      }
    } else if (level === Level.APPLICATION) {
      if (c.keys.readCurrent === undefined) {
        this.buffer(nowMs, h, level, remote);
        return;
      }
      key = c.keys.readCurrent;
    } else {
      key = initialKey ?? space.read;
      if (key === undefined) {
        this.buffer(nowMs, h, level, remote);
        return;
      }
    }

    // RFC 9001 §5.4: header protection first (the HP key does not change across key updates).
    const pnLength = key.unprotectHeader(buf, h.packetStart, h.pnOffset, h.packetEnd);
    if (pnLength < 0) {
      // RFC 9000 §10.3: a stateless reset can be shorter than a header-protection sample.
      if (!h.isLong && c.checkStatelessReset(nowMs, datagram)) {
        this.stopped = true;
        return;
      }
      this.drop(nowMs, h, 'header_decrypt_error');
      return;
    }
    const firstByte = buf[h.packetStart];
    const pn = decodePacketNumber(
      space.ack.largestReceived,
      readPacketNumber(buf, h.pnOffset, pnLength as 1 | 2 | 3 | 4),
      (pnLength * 8) as 8 | 16 | 24 | 32,
    );
    let which: ReadKey = ReadKey.CURRENT;
    if (level === Level.APPLICATION) {
      const sel = c.keys.select(keyPhaseBit(firstByte), pn);
      if (sel.key === undefined) {
        this.drop(nowMs, h, 'key_unavailable');
        return;
      }
      key = sel.key;
      which = sel.which;
    }
    const payloadOffset = h.pnOffset + pnLength;
    const end = key.decrypt(buf, h.packetStart, payloadOffset, h.packetEnd, pn);
    if (end < 0) {
      // RFC 9000 §10.3.1: an undecryptable short-header packet may be a stateless reset.
      if (!h.isLong && c.checkStatelessReset(nowMs, datagram)) {
        this.stopped = true;
        return;
      }
      // RFC 9001 §6.6: too many forgeries end the connection.
      if (level === Level.APPLICATION && c.keys.failedDecryptions > key.limits.integrityLimit) {
        throw new TransportError(TransportErrorCode.AEAD_LIMIT_EXCEEDED, 'AEAD integrity limit reached');
      }
      this.drop(nowMs, h, 'payload_decrypt_error');
      return;
    }
    // RFC 9000 §17.2 / §17.3.1: reserved bits must be 0 once protection is removed.
    if (reservedBits(firstByte, h.isLong) !== 0) {
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'reserved header bits set');
    }
    // RFC 9000 §12.3: duplicates are discarded.
    if (space.ack.isDuplicate(pn)) {
      this.drop(nowMs, h, 'duplicate');
      return;
    }

    if (level === Level.APPLICATION) {
      if (which === ReadKey.NEXT) {
        if (!c.handshakeConfirmed && c.role === 'server') {
          // RFC 9001 §6.1: no key update before the handshake is confirmed.
          throw new TransportError(TransportErrorCode.KEY_UPDATE_ERROR, 'key update before handshake confirmation');
        }
        const appSpace = c.spaces[Level.APPLICATION];
        const peerInitiated = c.keys.onNextDecrypted(
          nowMs,
          pn,
          c.loss.ptoPeriodMs(PacketNumberSpace.APPLICATION_DATA),
          appSpace.nextPacketNumber,
        );
        appSpace.write = c.keys.write;
        if (peerInitiated) c.emit({ type: 'key-update', generation: c.keys.writeGeneration, initiator: 'remote' });
      } else if (which === ReadKey.CURRENT) {
        c.keys.onCurrentDecrypted(pn);
      }
    }
    // RFC 9000 §7.2: the client adopts the SCID of the server's first Initial as its DCID.
    if (c.role === 'client' && h.isLong && !c.peerCidChosen) {
      c.peerCids.replaceInitial(h.scid.slice());
      c.peerCidChosen = true;
    }

    c.stats.packetsReceived++;
    const reader = c.frameReader;
    reader.reset(buf, payloadOffset, end, h.type, c.role === 'client' ? 'server' : 'client');
    for (let f = reader.next(); f !== null; f = reader.next()) {
      this.handleFrame(nowMs, level, f, h, remote);
      if (this.stopped) return;
    }
    space.ack.onPacketReceived(nowMs, pn, reader.ackEliciting);
    c.onActivity(nowMs);
    c.qlog?.event(c.qlogTime(nowMs), 'transport:packet_received', {
      header: { packet_type: packetTypeName(h.type) as never, packet_number: pn },
      raw: { length: h.packetEnd - h.packetStart },
    });

    if (level === Level.HANDSHAKE && c.role === 'server') {
      // RFC 9000 §8.1: a Handshake packet proves the client's address; RFC 9001 §4.9.1: Initial keys go.
      c.path.markValidated();
      c.loss.setAmplificationBlocked(nowMs, false);
      c.discardSpace(nowMs, Level.INITIAL);
    }
    // RFC 9000 §9.3: a non-probing packet with the largest packet number from a new address moves the path.
    if (
      level === Level.APPLICATION &&
      c.role === 'server' &&
      !sameAddress(remote, c.path.remote) &&
      !reader.probingOnly &&
      pn === space.ack.largestReceived &&
      c.handshakeConfirmed
    ) {
      if (c.localParams.disableActiveMigration) return;
      c.path.migrate(nowMs, c, remote);
      c.path.onReceived(h.packetEnd - h.packetStart);
    }
  }

  private handleFrame(nowMs: number, level: Level, f: Frame, h: PacketHeader, remote: SocketAddress): void {
    const c = this.c;
    switch (f.type) {
      case FrameType.PADDING:
      case FrameType.PING:
        break;
      case FrameType.ACK:
        this.handleAck(nowMs, level, f);
        break;
      case FrameType.CRYPTO: {
        const space = c.spaceOf(level);
        space.crypto.receive(f.offset, f.data);
        c.tlsFlow.feedCrypto(nowMs, level);
        break;
      }
      case FrameType.STREAM:
        c.streams.handleStreamFrame(f.streamId, f.offset, f.data, f.fin);
        break;
      case FrameType.RESET_STREAM:
        c.streams.handleResetStream(f.streamId, f.applicationErrorCode, f.finalSize);
        break;
      case FrameType.STOP_SENDING:
        c.streams.handleStopSending(f.streamId, f.applicationErrorCode);
        break;
      case FrameType.MAX_DATA:
        c.streams.handleMaxData(f.maximumData);
        break;
      case FrameType.MAX_STREAM_DATA:
        c.streams.handleMaxStreamData(f.streamId, f.maximumStreamData);
        break;
      case FrameType.MAX_STREAMS:
        c.streams.handleMaxStreams(f.bidirectional, f.maximumStreams);
        break;
      case FrameType.DATA_BLOCKED:
        c.streams.handleDataBlocked(f.maximumData);
        break;
      case FrameType.STREAM_DATA_BLOCKED:
        c.streams.handleStreamDataBlocked(f.streamId, f.maximumStreamData);
        break;
      case FrameType.STREAMS_BLOCKED:
        c.streams.handleStreamsBlocked(f.bidirectional, f.maximumStreams);
        break;
      case FrameType.NEW_TOKEN:
        c.emit({ type: 'new-token', token: f.token.slice() });
        break;
      case FrameType.NEW_CONNECTION_ID:
        c.peerCids.onNewConnectionId(
          f.sequenceNumber,
          f.retirePriorTo,
          f.connectionId.slice(),
          f.statelessResetToken.slice(),
        );
        break;
      case FrameType.RETIRE_CONNECTION_ID: {
        const retired = c.localCids.onRetire(f.sequenceNumber, h.dcid);
        if (retired !== undefined) {
          c.emit({ type: 'cid-retired', cid: retired.cid });
          if (c.handshakeComplete) c.issueConnectionIds();
        }
        break;
      }
      case FrameType.PATH_CHALLENGE:
        c.path.onChallenge(f.data, remote);
        break;
      case FrameType.PATH_RESPONSE:
        c.path.onResponse(f.data, c);
        break;
      case FrameType.CONNECTION_CLOSE:
        this.stopped = true;
        c.startDraining(nowMs, {
          initiator: 'remote',
          isApplication: f.isApplication,
          errorCode: f.errorCode,
          frameType: f.isApplication ? undefined : f.frameType,
          reason: decoder.decode(f.reason),
        });
        break;
      case FrameType.HANDSHAKE_DONE:
        // RFC 9001 §4.1.2: the client's handshake is confirmed.
        c.confirmHandshake(nowMs);
        break;
      case FrameType.DATAGRAM:
        c.emit({ type: 'datagram', data: f.data.slice() });
        break;
    }
  }

  private handleAck(nowMs: number, level: Level, f: AckFrame): void {
    const c = this.c;
    const space =
      level === Level.INITIAL
        ? PacketNumberSpace.INITIAL
        : level === Level.HANDSHAKE
          ? PacketNumberSpace.HANDSHAKE
          : PacketNumberSpace.APPLICATION_DATA;
    const exponent =
      level === Level.APPLICATION
        ? (c.peerParams?.ackDelayExponent ?? DEFAULT_ACK_DELAY_EXPONENT)
        : DEFAULT_ACK_DELAY_EXPONENT;
    const ack = this.ack;
    ack.ranges = f.ranges;
    ack.rangeCount = f.rangeCount;
    ack.ackDelayMs = ackDelayMicros(f.ackDelay, exponent) / 1000;
    ack.ecn = f.ecn;
    const result = c.loss.onAckReceived(nowMs, space, ack as ReceivedAck);
    if (level === Level.APPLICATION) c.keys.onAcked(f.ranges[0]);
    c.onLossResult(nowMs, result);
  }

  /** RFC 9000 §17.2.5.2: a client follows one Retry. */
  private handleRetry(nowMs: number, h: PacketHeader): void {
    const c = this.c;
    if (c.role !== 'client' || c.peerCidChosen || c.retrySourceCid !== undefined) {
      this.drop(nowMs, h, 'unexpected_packet');
      return;
    }
    const packet = h.buf.subarray(h.packetStart, h.packetEnd);
    if (!c.protection.verifyRetryIntegrity(c.version as QuicVersion, c.originalDcid, packet)) {
      this.drop(nowMs, h, 'retry_integrity');
      return;
    }
    const scid = h.scid.slice();
    // RFC 9000 §17.2.5.2: a Retry whose SCID equals the DCID we sent is discarded.
    if (equalBytes(scid, c.peerCids.currentCid)) {
      this.drop(nowMs, h, 'retry_scid');
      return;
    }
    c.retrySourceCid = scid;
    c.initialToken = h.token.slice();
    c.peerCids.replaceInitial(scid);
    c.installInitialKeys(scid);
    // RFC 9002 §6.3: Initial packets sent before are gone; send their CRYPTO data again (packet numbers continue,
    // RFC 9000 §17.2.5.3).
    c.loss.discardSpace(nowMs, PacketNumberSpace.INITIAL);
    const initial = c.spaces[Level.INITIAL].crypto;
    initial.requeueUnacked();
    // 0-RTT packets sent before the Retry are lost too (RFC 9001 §4.6 / §4.7): send their data again.
    const r = c.loss.discardSpace(nowMs, PacketNumberSpace.APPLICATION_DATA);
    for (const rec of r.discarded) onFramesLost(c, rec.frames);
    c.qlog?.event(c.qlogTime(nowMs), 'transport:packet_received', {
      header: { packet_type: 'retry', scid: hex(scid) },
    });
  }

  /** RFC 9000 §6.2: the server does not speak our version. */
  private handleVersionNegotiation(nowMs: number, h: PacketHeader): void {
    const c = this.c;
    if (c.role !== 'client' || c.peerCidChosen) {
      this.drop(nowMs, h, 'unexpected_packet');
      return;
    }
    const versions: number[] = [];
    readSupportedVersions(h, versions);
    // A VN packet listing our version is spurious (RFC 9000 §6.2).
    if (versions.includes(c.version)) {
      this.drop(nowMs, h, 'unexpected_version');
      return;
    }
    const common = c.supportedVersions.find((v) => versions.includes(v));
    this.stopped = true;
    c.closeInfo = {
      initiator: 'remote',
      isApplication: false,
      errorCode: TransportErrorCode.VERSION_NEGOTIATION_ERROR,
      frameType: undefined,
      reason:
        common === undefined
          ? `no common QUIC version (server offers ${versions.map((v) => `0x${v.toString(16)}`).join(', ')})`
          : `server requires version 0x${common.toString(16)}`,
    };
    c.startDraining(nowMs, c.closeInfo);
    // Nothing was agreed: no need to wait out a draining period.
    c.closingDeadline = nowMs;
  }

  private buffer(nowMs: number, h: PacketHeader, level: Level, remote: SocketAddress): void {
    if (this.buffered.length >= this.c.config.maxBufferedPackets) {
      this.drop(nowMs, h, 'key_unavailable');
      return;
    }
    this.buffered.push({ level, bytes: h.buf.slice(h.packetStart, h.packetEnd), remote });
  }

  /** Processes buffered packets whose keys arrived (RFC 9001 §5.7). */
  private retryBuffered(nowMs: number): void {
    const c = this.c;
    for (let progress = true; progress && this.buffered.length > 0 && !this.stopped; ) {
      progress = false;
      for (let i = 0; i < this.buffered.length; i++) {
        const b = this.buffered[i];
        if (!this.keysReady(b.level)) continue;
        this.buffered.splice(i, 1);
        i--;
        progress = true;
        const h = this.header;
        if (parsePacketHeader(b.bytes, 0, b.bytes.length, c.localCid.length, h) !== HeaderStatus.OK) continue;
        this.processPacket(nowMs, h, b.remote, b.bytes);
        if (this.stopped) return;
      }
    }
    // Packets for levels whose keys were discarded will never be readable.
    for (let i = this.buffered.length - 1; i >= 0; i--) {
      const lvl = this.buffered[i].level;
      if ((lvl === Level.INITIAL || lvl === Level.HANDSHAKE) && c.spaceOf(lvl).discarded) this.buffered.splice(i, 1);
    }
  }

  private keysReady(level: Level): boolean {
    const c = this.c;
    switch (level) {
      case Level.INITIAL:
      case Level.HANDSHAKE:
        return c.spaceOf(level).read !== undefined;
      case Level.ZERO_RTT:
        return c.zeroRttRead !== undefined;
      default:
        return c.keys.readCurrent !== undefined;
    }
  }
}
