import {
  type CongestionController,
  type CryptoProvider,
  FosError,
  type PacketProtector,
  type QlogTrace,
  type QuicPacketProtection,
  type QuicTlsSession,
  type QuicVersion,
  RingQueue,
  RttEstimator,
  type SocketAddress,
  TransportError,
  TransportErrorCode,
} from '@fos/core';
import type { LossDetectionResult } from '../recovery/loss-detection-result.js';
import { LossDetector } from '../recovery/loss-detector.js';
import { Pacer } from '../recovery/pacer.js';
import { PacketNumberSpace } from '../recovery/packet-number-space.js';
import { StreamManager } from '../streams/stream-manager.js';
import { FrameReader } from '../wire/frame-reader.js';
import type { TransportParameters } from '../wire/transport-parameters.js';
import { encodeTransportParameters } from '../wire/transport-parameters-codec.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from '../wire/versions.js';
import { LocalConnectionIds, PeerConnectionIds } from './cid-manager.js';
import { localTransportParameters, type ResolvedTransportConfig, resolveTransportConfig } from './config.js';
import type { ConnectionOptions } from './connection-options.js';
import type { ConnectionCloseInfo, ConnectionEvent, ConnectionState } from './events.js';
import { KeyPhases } from './key-phases.js';
import { PacketReceiver } from './packet-receiver.js';
import { PacketSender } from './packet-sender.js';
import { PacketSpace } from './packet-space.js';
import { PathState } from './path-state.js';
import { Pmtud } from './pmtud.js';
import { Level, type SentPacketRecord } from './sent-record.js';
import { encodeTicketData, TlsFlow } from './tls-flow.js';

/** Counters for tests, qlog and benchmarks. */
export interface ConnectionStats {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  packetsDropped: number;
  bytesSent: number;
  bytesReceived: number;
  datagramsSent: number;
  datagramsReceived: number;
}

/** An application misused the connection API (not a protocol error). */
export class ConnectionUsageError extends FosError {}

/**
 * One QUIC connection (RFC 9000, 9001, 9002) as a sans-I/O state machine: datagrams and time in, datagrams, events
 * and one deadline out. The endpoint routes datagrams to it; a driver moves bytes between it and a socket.
 *
 * ```ts
 * conn.handleDatagram(now, bytes, remote);
 * for (let n = conn.pollTransmit(now, buf); n > 0; n = conn.pollTransmit(now, buf)) socket.send(buf, n, conn.transmitRemote);
 * for (let e = conn.pollEvent(); e; e = conn.pollEvent()) …;
 * timer.set(conn.pollTimeout());
 * ```
 */
export class Connection {
  readonly role: 'client' | 'server';
  /** The version in use (may change once: compatible version negotiation or a Version Negotiation packet). */
  version: number;
  readonly config: ResolvedTransportConfig;
  readonly stats: ConnectionStats = {
    packetsSent: 0,
    packetsReceived: 0,
    packetsLost: 0,
    packetsDropped: 0,
    bytesSent: 0,
    bytesReceived: 0,
    datagramsSent: 0,
    datagramsReceived: 0,
  };

  // ---- internal state, shared with PacketReceiver / PacketSender (same package) ----
  /** @internal */ state: ConnectionState = 'handshaking';
  /** @internal */ readonly tls: QuicTlsSession;
  /** @internal */ readonly protection: QuicPacketProtection;
  /** @internal */ readonly crypto: CryptoProvider;
  /** @internal */ readonly spaces: readonly [PacketSpace, PacketSpace, PacketSpace];
  /** @internal 1-RTT key phases and key update (RFC 9001 §6). */ readonly keys: KeyPhases;
  /** @internal */ zeroRttWrite: PacketProtector | undefined = undefined;
  /** @internal */ zeroRttRead: PacketProtector | undefined = undefined;
  /** @internal */ readonly rtt: RttEstimator;
  /** @internal */ readonly cc: CongestionController;
  /** @internal */ readonly loss: LossDetector<SentPacketRecord>;
  /** @internal */ readonly pacer: Pacer;
  /** @internal Path MTU discovery (RFC 9000 §14.3). */ readonly pmtud: Pmtud;
  /** @internal */ readonly streams: StreamManager;
  /** @internal */ readonly localCids: LocalConnectionIds;
  /** @internal */ readonly peerCids: PeerConnectionIds;
  /** @internal */ readonly path: PathState;
  /** @internal */ readonly frameReader: FrameReader;
  /** @internal */ readonly qlog: QlogTrace | undefined;
  /** @internal */ peerParams: TransportParameters | undefined = undefined;
  /** @internal */ readonly localParams: Partial<TransportParameters>;
  /** @internal */ readonly localCid: Uint8Array;
  /** @internal The DCID of the client's first Initial (RFC 9000 §7.3). */ originalDcid: Uint8Array;
  /** @internal Client: the SCID of the Retry it followed. */ retrySourceCid: Uint8Array | undefined;
  /** @internal Client: the token to put in Initial packets (from Retry or NEW_TOKEN). */ initialToken: Uint8Array;
  /** @internal Client: the server's first Initial fixed our DCID (RFC 9000 §7.2). */ peerCidChosen = false;
  /** @internal */ handshakeComplete = false;
  /** @internal */ handshakeConfirmed = false;
  /** @internal Server: HANDSHAKE_DONE to send (RFC 9000 §19.20). */ handshakeDonePending = false;
  /** @internal */ readonly newTokensToSend: Uint8Array[] = [];
  /** @internal */ readonly datagramsToSend = new RingQueue<Uint8Array>(8);
  /** @internal PING requested by the application or the keep-alive timer. */ pingPending = false;
  /** @internal */ closeInfo: ConnectionCloseInfo | undefined = undefined;
  /** @internal The CONNECTION_CLOSE to (re)send while closing. */ closeFramePending = false;
  /** @internal */ closingDeadline = Number.POSITIVE_INFINITY;
  /** @internal */ lastActivityMs: number;
  /** @internal */ idleTimeoutMs: number;
  /** @internal Whether an ack-eliciting packet was sent since the last packet was received (RFC 9000 §10.1). */
  ackElicitingSentSinceReceive = false;
  /** @internal */ readonly createdAtMs: number;
  /** @internal */ readonly epochOffsetMs: number;
  /** @internal */ readonly supportedVersions: readonly number[];
  /** @internal The version the connection started with (RFC 9368: the client's original version). */
  readonly originalVersion: number;
  /** @internal Server after compatible version negotiation: Initial keys of the original version, for the client's
   * Initial packets sent before it learned of the switch. */
  originalInitialRead: PacketProtector | undefined = undefined;
  /** @internal Versions the server prefers to switch to (RFC 9368 §2.3). */
  readonly preferredVersions: readonly number[];
  private readonly greaseParam: { id: number; value: Uint8Array } | undefined;
  /** @internal */ readonly mintNewToken: ConnectionOptions['mintNewToken'];

  /** @internal The TLS side: CRYPTO bytes in, keys, parameters and completion out. */ readonly tlsFlow: TlsFlow;
  private readonly receiver: PacketReceiver;
  private readonly sender: PacketSender;
  private readonly events = new RingQueue<ConnectionEvent>(16);
  private closingPacketsReceived = 0;
  /** @internal Whether the 'established' state was entered. */ established = false;

  constructor(options: ConnectionOptions) {
    this.role = options.role;
    this.version = options.version;
    this.config = resolveTransportConfig(options.transport);
    this.protection = options.protection;
    this.crypto = options.crypto;
    this.qlog = options.qlog;
    this.createdAtMs = options.nowMs;
    this.epochOffsetMs = options.epochMs - options.nowMs;
    this.lastActivityMs = options.nowMs;
    this.supportedVersions = options.supportedVersions ?? [QUIC_VERSION_1, QUIC_VERSION_2];
    this.originalVersion = options.version;
    this.preferredVersions = options.preferredVersions ?? [];
    this.mintNewToken = options.mintNewToken;
    const cfg = this.config;
    this.idleTimeoutMs = cfg.maxIdleTimeoutMs;
    this.localCid = options.localCid;
    this.originalDcid =
      options.role === 'client' ? options.remoteCid : (options.originalDestinationCid ?? options.remoteCid);
    this.retrySourceCid = options.retrySourceCid;
    this.initialToken = options.token ?? new Uint8Array(0);

    this.spaces = [
      new PacketSpace(PacketNumberSpace.INITIAL, 0, cfg.ackDelayExponent, cfg.maxCryptoBufferBytes),
      new PacketSpace(PacketNumberSpace.HANDSHAKE, 0, cfg.ackDelayExponent, cfg.maxCryptoBufferBytes),
      new PacketSpace(
        PacketNumberSpace.APPLICATION_DATA,
        cfg.maxAckDelayMs,
        cfg.ackDelayExponent,
        cfg.maxCryptoBufferBytes,
      ),
    ];
    this.keys = new KeyPhases();
    this.rtt = new RttEstimator(cfg.initialRttMs);
    this.pmtud = new Pmtud(cfg.maxDatagramSizeBytes, cfg.pmtud);
    this.cc = options.congestion.create({ maxDatagramSizeBytes: this.pmtud.current, nowMs: options.nowMs });
    this.loss = new LossDetector<SentPacketRecord>({
      isServer: this.role === 'server',
      rtt: this.rtt,
      controller: this.cc,
    });
    this.pacer = new Pacer({ controller: this.cc, rtt: this.rtt, maxDatagramSizeBytes: this.pmtud.current });
    this.path = new PathState(options.remote, this.role === 'client' || options.addressValidated === true);

    this.localParams = {
      ...localTransportParameters(cfg),
      initialSourceConnectionId: options.localCid,
      ...(this.role === 'server'
        ? {
            originalDestinationConnectionId: this.originalDcid,
            retrySourceConnectionId: options.retrySourceCid,
            statelessResetToken: options.localResetToken,
          }
        : {}),
      versionInformation: { chosenVersion: this.version, availableVersions: [...this.supportedVersions] },
    };
    this.streams = new StreamManager({
      role: this.role,
      local: {
        initialMaxData: cfg.initialMaxData,
        initialMaxStreamDataBidiLocal: cfg.initialMaxStreamData,
        initialMaxStreamDataBidiRemote: cfg.initialMaxStreamData,
        initialMaxStreamDataUni: cfg.initialMaxStreamData,
        initialMaxStreamsBidi: cfg.initialMaxStreamsBidi,
        initialMaxStreamsUni: cfg.initialMaxStreamsUni,
      },
      maxStreamWindowBytes: cfg.maxStreamWindowBytes,
      maxConnectionWindowBytes: cfg.maxConnectionWindowBytes,
    });
    this.localCids = new LocalConnectionIds({
      initial: options.localCid,
      initialResetToken: options.localResetToken,
      generate: options.generateCid,
    });
    this.peerCids = new PeerConnectionIds({ initial: options.remoteCid, activeLimit: cfg.activeConnectionIdLimit });
    this.frameReader = new FrameReader({ maxDatagramFrameSize: cfg.maxDatagramFrameSize });

    this.tlsFlow = new TlsFlow(this);

    // RFC 9001 §5.2: Initial keys from the client's first Destination Connection ID — after a Retry, from the
    // Retry's Source Connection ID, which the client uses as its Destination Connection ID from then on.
    this.installInitialKeys(this.initialKeyCid);

    // RFC 9000 §18.1: a reserved transport parameter exercises the peer's handling of unknown ones.
    this.greaseParam = cfg.greaseTransportParameter
      ? { id: 31 * (1 + (this.crypto.randomBytes(1)[0] % 100)) + 27, value: this.crypto.randomBytes(4) }
      : undefined;
    const transportParameters = this.encodeLocalParams();
    if (this.role === 'client') {
      const t = options.clientTls;
      if (!t) throw new ConnectionUsageError('a client connection needs clientTls options');
      const resume = t.resumeSession;
      this.tls = options.tls.createClient({
        alpnProtocols: t.alpnProtocols,
        transportParameters,
        epochMs: options.epochMs,
        serverName: t.serverName,
        verifyHost: t.verifyHost,
        resumeSession: resume,
        enableEarlyData: t.enableEarlyData,
      });
      // RFC 9000 §7.4.1: 0-RTT uses the server's remembered transport parameters.
      if (resume?.applicationData && t.enableEarlyData) this.tlsFlow.rememberedParams(resume.applicationData);
    } else {
      const t = options.serverTls;
      if (!t) throw new ConnectionUsageError('a server connection needs serverTls options');
      this.tls = options.tls.createServer({
        alpnProtocols: t.alpnProtocols,
        transportParameters,
        epochMs: options.epochMs,
        enableEarlyData: t.enableEarlyData,
        // RFC 9000 §7.4.1: remember our transport parameters in the ticket, so 0-RTT can be checked against them.
        // RFC 9114 §7.2.4.2: with the application's context (its settings), so 0-RTT can be checked against both.
        ticketApplicationData: encodeTicketData(t.earlyDataContext, transportParameters),
        acceptEarlyData: (req) => this.tlsFlow.acceptEarlyData(req.applicationData, t),
        selectTransportParameters: (client, info) => this.tlsFlow.selectLocalParams(client, info.earlyDataOffered),
      });
    }
    this.receiver = new PacketReceiver(this);
    this.sender = new PacketSender(this);
    this.qlog?.event(0, 'transport:connection_started', {
      ip_version: options.remote.family === 'IPv6' ? 'ipv6' : 'ipv4',
      dst_ip: options.remote.address,
      dst_port: options.remote.port,
      src_cid: hex(options.localCid),
      dst_cid: hex(options.remoteCid),
    });
    this.tlsFlow.drainTls(options.nowMs);
  }

  // ======================= I/O surface =======================

  /** A datagram from `remote`. `data` is borrowed (decrypted in place); nothing is kept after the call. */
  handleDatagram(nowMs: number, data: Uint8Array, remote: SocketAddress): void {
    if (this.state === 'closed' || this.state === 'draining') return;
    this.stats.datagramsReceived++;
    this.stats.bytesReceived += data.length;
    if (this.state === 'closing') {
      // RFC 9000 §10.2.1: answer packets with CONNECTION_CLOSE, at an exponentially decreasing rate.
      this.path.onReceived(data.length);
      this.closingPacketsReceived++;
      if ((this.closingPacketsReceived & (this.closingPacketsReceived - 1)) === 0) this.closeFramePending = true;
      return;
    }
    try {
      this.receiver.handleDatagram(nowMs, data, remote);
    } catch (e) {
      this.closeWithError(nowMs, e);
    }
    this.flushStreamEvents();
  }

  /**
   * Writes the next datagram to send into `out` and returns its length (0: nothing to send now). Send it to
   * {@link transmitRemote}.
   */
  pollTransmit(nowMs: number, out: Uint8Array): number {
    if (this.state === 'closed' || this.state === 'draining') return 0;
    try {
      return this.sender.pollTransmit(nowMs, out);
    } catch (e) {
      this.closeWithError(nowMs, e);
      return 0;
    }
  }

  /** Where the last datagram from {@link pollTransmit} goes. */
  get transmitRemote(): SocketAddress {
    return this.sender.transmitRemote;
  }

  /** The earliest time {@link handleTimeout} must run, or undefined when nothing is scheduled. */
  pollTimeout(): number | undefined {
    if (this.state === 'closed') return undefined;
    if (this.state === 'closing' || this.state === 'draining') return this.closingDeadline;
    let t = this.idleDeadline();
    const lossT = this.loss.pollTimeout();
    if (lossT !== undefined && lossT < t) t = lossT;
    for (const s of this.spaces) {
      if (!s.canSend) continue;
      const a = s.ack.pollAckDeadline();
      if (a !== undefined && a < t) t = a;
    }
    const pacing = this.sender.pacingDeadline;
    if (pacing !== undefined && pacing < t) t = pacing;
    const keepAlive = this.keepAliveDeadline();
    if (keepAlive < t) t = keepAlive;
    const pathT = this.path.timeout();
    if (pathT !== undefined && pathT < t) t = pathT;
    const keyT = this.keys.discardDeadline;
    if (keyT !== undefined && keyT < t) t = keyT;
    // A PMTU probe that the window allows is due when the pacer allows it (even on an otherwise idle connection).
    const probe = this.sender.probeTime();
    if (probe !== undefined && probe < t) t = probe;
    return t === Number.POSITIVE_INFINITY ? undefined : t;
  }

  handleTimeout(nowMs: number): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing' || this.state === 'draining') {
      if (nowMs >= this.closingDeadline) this.finishClose();
      return;
    }
    try {
      if (nowMs >= this.idleDeadline()) {
        const handshake = !this.handshakeComplete && nowMs >= this.createdAtMs + this.config.handshakeTimeoutMs;
        this.closeInfo = {
          initiator: handshake ? 'handshake-timeout' : 'idle-timeout',
          isApplication: false,
          errorCode: TransportErrorCode.NO_ERROR,
          frameType: undefined,
          reason: handshake ? 'handshake timed out' : 'idle timeout',
        };
        // RFC 9000 §10.1: the connection is silently closed and its state discarded.
        this.finishClose();
        return;
      }
      for (let guard = 0; guard < 8; guard++) {
        const t = this.loss.pollTimeout();
        if (t === undefined || t > nowMs) break;
        this.sender.onLossResult(nowMs, this.loss.handleTimeout(nowMs));
      }
      if (nowMs >= this.keepAliveDeadline()) this.pingPending = true;
      this.path.handleTimeout(nowMs, this);
      this.keys.handleTimeout(nowMs);
    } catch (e) {
      this.closeWithError(nowMs, e);
    }
    this.flushStreamEvents();
  }

  pollEvent(): ConnectionEvent | undefined {
    return this.events.shift();
  }

  // ======================= application API =======================

  get connectionState(): ConnectionState {
    return this.state;
  }

  get isHandshakeComplete(): boolean {
    return this.handshakeComplete;
  }

  get alpnProtocol(): string | undefined {
    return this.tls.alpnProtocol;
  }

  get remoteAddress(): SocketAddress {
    return this.path.remote;
  }

  get peerTransportParameters(): TransportParameters | undefined {
    return this.peerParams;
  }

  get smoothedRttMs(): number {
    return this.rtt.smoothedRttMs;
  }

  get congestionWindowBytes(): number {
    return this.cc.windowBytes;
  }

  get bytesInFlight(): number {
    return this.loss.bytesInFlight;
  }

  /** The reason the connection closed (or is closing), once known. */
  get closeReason(): ConnectionCloseInfo | undefined {
    return this.closeInfo;
  }

  /** The CIDs the endpoint must route to this connection. */
  activeLocalCids(): Uint8Array[] {
    return [...this.localCids.entries()].map((e) => e.cid);
  }

  /** The TLS session (certificates, exporter, resumption state). */
  get tlsSession(): QuicTlsSession {
    return this.tls;
  }

  /**
   * Opens a stream; undefined when the peer's MAX_STREAMS does not allow it yet (a `streams-available` event says
   * when to retry). Before the handshake completes a client may open streams for 0-RTT.
   */
  openStream(bidirectional: boolean): number | undefined {
    this.assertOpen();
    return this.streams.openStream(bidirectional);
  }

  /** Queues `data` (kept by reference: do not modify it). Returns false when the stream's buffer is above its mark. */
  writeStream(streamId: number, data: Uint8Array, fin = false): boolean {
    this.assertOpen();
    return this.streams.write(streamId, data, fin);
  }

  endStream(streamId: number): void {
    this.assertOpen();
    this.streams.end(streamId);
  }

  /** Reads up to `maxBytes`: a view, `null` at the end of the stream, undefined when nothing is readable yet. */
  readStream(streamId: number, maxBytes?: number): Uint8Array | null | undefined {
    const r = this.streams.read(streamId, maxBytes);
    this.flushStreamEvents();
    return r;
  }

  /** Bytes written on a stream and not yet acknowledged. */
  streamBufferedBytes(streamId: number): number {
    return this.streams.sendBufferedBytes(streamId);
  }

  resetStream(streamId: number, errorCode: number): void {
    this.streams.resetStream(streamId, errorCode);
    this.flushStreamEvents();
  }

  stopSending(streamId: number, errorCode: number): void {
    this.streams.stopSending(streamId, errorCode);
    this.flushStreamEvents();
  }

  /** RFC 9218 priority of a stream (HTTP/3 sets it per request). */
  setStreamPriority(streamId: number, urgency: number, incremental: boolean): void {
    this.streams.setPriority(streamId, urgency, incremental);
  }

  /**
   * Queues a DATAGRAM frame (RFC 9221). Returns false when the peer does not accept datagrams, the datagram does not
   * fit its max_datagram_frame_size, or the queue is full. Datagrams are never retransmitted.
   */
  sendDatagram(data: Uint8Array): boolean {
    this.assertOpen();
    if (data.length > this.maxDatagramPayload) return false;
    if (this.datagramsToSend.length >= this.config.maxQueuedDatagrams) return false;
    this.datagramsToSend.push(data.slice());
    return true;
  }

  /** The largest DATAGRAM payload the peer accepts (0: datagrams not supported). */
  get maxDatagramPayload(): number {
    const max = this.peerParams?.maxDatagramFrameSize ?? 0;
    // Room in one 1-RTT packet of the current datagram size: short header (≤ 1 + 20 + 4), frame type and length
    // (≤ 1 + 2), AEAD tag (16).
    return max === 0 ? 0 : Math.min(max - 9, this.pmtud.current - 44);
  }

  /** Sends a PING (elicits an ACK; keeps the connection alive). */
  ping(): void {
    this.pingPending = true;
  }

  /** RFC 9001 §6: start a key update (allowed once the handshake is confirmed and the last update was acked). */
  initiateKeyUpdate(nowMs: number): boolean {
    if (!this.handshakeConfirmed || this.state !== 'established') return false;
    const updated = this.keys.initiate(nowMs, this.spaces[Level.APPLICATION].nextPacketNumber);
    if (updated) this.emit({ type: 'key-update', generation: this.keys.writeGeneration, initiator: 'local' });
    return updated;
  }

  /**
   * Client: the local address changed (a new socket or port). Moves to a fresh peer CID when one is available
   * (RFC 9000 §9.5) and validates the new path (§9.2). Returns false when migration is not allowed.
   */
  migrate(nowMs: number): boolean {
    if (this.role !== 'client' || !this.handshakeConfirmed || this.state !== 'established') return false;
    if (this.peerParams?.disableActiveMigration) return false;
    this.peerCids.rotate();
    this.path.startValidation(nowMs, this, this.path.remote, true);
    return true;
  }

  /**
   * Closes the connection (RFC 9000 §10.2): sends CONNECTION_CLOSE with an application error code (or a transport
   * code with `{ transport: true }`) and waits out the closing period.
   */
  close(nowMs: number, errorCode = 0, reason = '', options: { transport?: boolean } = {}): void {
    if (this.state === 'closing' || this.state === 'draining' || this.state === 'closed') return;
    this.startClosing(nowMs, {
      initiator: 'local',
      isApplication: !options.transport,
      errorCode,
      frameType: undefined,
      reason,
    });
  }

  // ======================= internals =======================

  /** @internal */
  emit(event: ConnectionEvent): void {
    this.events.push(event);
  }

  /** @internal Unix epoch ms at `nowMs`. */
  epochMs(nowMs: number): number {
    return this.epochOffsetMs + nowMs;
  }

  /** @internal Time relative to the qlog trace start. */
  qlogTime(nowMs: number): number {
    return nowMs - this.createdAtMs;
  }

  /** @internal Our transport parameters, encoded (RFC 9000 §18). */
  encodeLocalParams(): Uint8Array {
    return encodeTransportParameters(this.localParams, { role: this.role, grease: this.greaseParam });
  }

  /** @internal RFC 9368 §2.3 / RFC 9369 §4: move to a compatible version; Initial keys are derived anew. */
  switchVersion(version: number): void {
    if (this.role === 'server') this.originalInitialRead = this.spaces[Level.INITIAL].read;
    this.version = version;
    this.installInitialKeys(this.initialKeyCid);
    this.qlog?.event(0, 'transport:version_information', { chosen_version: version.toString(16) });
  }

  /** @internal The DCID Initial keys derive from (RFC 9001 §5.2): the Retry's SCID after a Retry. */
  get initialKeyCid(): Uint8Array {
    return this.retrySourceCid ?? this.originalDcid;
  }

  /** @internal RFC 9001 §5.2 Initial keys for `dcid` (also after a Retry or a version change). */
  installInitialKeys(dcid: Uint8Array): void {
    const space = this.spaces[Level.INITIAL];
    const pair = this.protection.initial(this.version as QuicVersion, dcid, this.role);
    space.read = pair.read;
    space.write = pair.write;
  }

  /** @internal RFC 9001 §4.9: drops a space's keys and recovery state. */
  discardSpace(nowMs: number, level: Level): void {
    const space = this.spaceOf(level);
    if (space.discarded) return;
    space.discard();
    const result = this.loss.discardSpace(nowMs, space.space);
    for (const _ of result.discarded) {
      // Nothing to resend: the information lived in the discarded level.
    }
    this.qlog?.event(this.qlogTime(nowMs), 'transport:key_updated', {
      key_type: level === Level.INITIAL ? 'initial_discarded' : 'handshake_discarded',
    });
  }

  /** @internal */
  idleDeadline(): number {
    if (!this.handshakeComplete) {
      const hs = this.createdAtMs + this.config.handshakeTimeoutMs;
      const idle = this.idleTimeoutMs > 0 ? this.lastActivityMs + this.effectiveIdleMs() : Number.POSITIVE_INFINITY;
      return Math.min(hs, idle);
    }
    if (this.idleTimeoutMs <= 0) return Number.POSITIVE_INFINITY;
    return this.lastActivityMs + this.effectiveIdleMs();
  }

  /**
   * RFC 9000 §10.1: the idle period is at least three PTOs — the PTO from the RTT estimate, without the probe
   * backoff (a backed-off PTO would push the deadline out faster than time passes while probing a silent peer).
   */
  private effectiveIdleMs(): number {
    return Math.max(this.idleTimeoutMs, 3 * this.basePtoMs());
  }

  /** RFC 9002 §6.2.1 PTO period of the application space without backoff. */
  private basePtoMs(): number {
    return this.rtt.ptoMs(this.loss.peerMaxAckDelayMs);
  }

  /**
   * Client, RFC 9000 §10.3.1: a datagram the endpoint could not route or decrypt may be a stateless reset from the
   * peer. Returns true (and enters the draining period) when its last 16 bytes are one of the peer's reset tokens.
   */
  checkStatelessReset(nowMs: number, datagram: Uint8Array): boolean {
    if (this.state === 'closed' || this.state === 'draining' || !this.peerCids.isStatelessReset(datagram)) return false;
    this.startDraining(nowMs, {
      initiator: 'stateless-reset',
      isApplication: false,
      errorCode: TransportErrorCode.NO_ERROR,
      frameType: undefined,
      reason: 'stateless reset',
    });
    return true;
  }

  private keepAliveDeadline(): number {
    const k = this.config.keepAliveIntervalMs;
    if (k === undefined || !this.handshakeComplete || this.pingPending) return Number.POSITIVE_INFINITY;
    return this.lastActivityMs + k;
  }

  /** @internal Something arrived from the peer and was processed (RFC 9000 §10.1). */
  onActivity(nowMs: number): void {
    this.lastActivityMs = nowMs;
    this.ackElicitingSentSinceReceive = false;
  }

  /** @internal Closes after a protocol or internal error. */
  closeWithError(nowMs: number, e: unknown): void {
    if (this.state === 'closing' || this.state === 'draining' || this.state === 'closed') return;
    const err =
      e instanceof TransportError
        ? e
        : new TransportError(TransportErrorCode.INTERNAL_ERROR, e instanceof Error ? e.message : String(e), {
            cause: e,
          });
    this.startClosing(nowMs, {
      initiator: 'local',
      isApplication: false,
      errorCode: err.code,
      frameType: err.frameType,
      reason: err.reason,
    });
  }

  /** @internal RFC 9000 §10.2.1: send CONNECTION_CLOSE and enter the closing period. */
  startClosing(nowMs: number, info: ConnectionCloseInfo): void {
    this.closeInfo = info;
    this.closeFramePending = true;
    this.setState('closing');
    // RFC 9000 §10.2: the closing period lasts three PTOs.
    this.closingDeadline = nowMs + 3 * this.basePtoMs();
    this.qlog?.event(this.qlogTime(nowMs), 'transport:connection_closed', {
      owner: 'local',
      ...(info.isApplication ? { application_code: info.errorCode } : { connection_code: info.errorCode }),
      reason: info.reason,
    });
  }

  /** @internal RFC 9000 §10.2.2: the peer closed; stay silent for three PTOs. */
  startDraining(nowMs: number, info: ConnectionCloseInfo): void {
    if (this.state === 'draining' || this.state === 'closed') return;
    this.closeInfo ??= info;
    this.closeFramePending = false;
    this.setState('draining');
    this.closingDeadline = nowMs + 3 * this.basePtoMs();
    this.qlog?.event(this.qlogTime(nowMs), 'transport:connection_closed', {
      owner: 'remote',
      ...(info.isApplication ? { application_code: info.errorCode } : { connection_code: info.errorCode }),
      reason: info.reason,
      trigger: info.initiator === 'stateless-reset' ? 'stateless_reset' : undefined,
    });
  }

  private finishClose(): void {
    this.setState('closed');
    this.emit({
      type: 'closed',
      info: this.closeInfo ?? {
        initiator: 'local',
        isApplication: false,
        errorCode: 0,
        frameType: undefined,
        reason: '',
      },
    });
    this.qlog?.close();
  }

  /** @internal */
  setState(state: ConnectionState): void {
    if (this.state === state) return;
    const old = this.state;
    this.state = state;
    this.emit({ type: 'state', state });
    this.qlog?.event(0, 'transport:connection_state_updated', { old, new: state });
  }

  /** @internal Moves stream-layer events into the connection's queue. */
  flushStreamEvents(): void {
    for (let e = this.streams.pollEvent(); e !== undefined; e = this.streams.pollEvent()) {
      switch (e.type) {
        case 'stream-opened':
          this.emit(e);
          break;
        case 'readable':
          this.emit({ type: 'stream-readable', streamId: e.streamId });
          break;
        case 'writable':
          this.emit({ type: 'stream-writable', streamId: e.streamId });
          break;
        case 'reset':
          this.emit({ type: 'stream-reset', streamId: e.streamId, errorCode: e.errorCode, finalSize: e.finalSize });
          break;
        case 'stop-sending':
          this.emit({ type: 'stream-stop-sending', streamId: e.streamId, errorCode: e.errorCode });
          break;
        case 'flushed':
          this.emit({ type: 'stream-flushed', streamId: e.streamId });
          break;
        case 'closed':
          this.emit({ type: 'stream-closed', streamId: e.streamId });
          break;
        case 'streams-available':
          this.emit(e);
          break;
      }
    }
  }

  /** @internal The packet space of a level (0-RTT shares the application space). */
  spaceOf(level: Level): PacketSpace {
    return this.spaces[level === Level.ZERO_RTT ? Level.APPLICATION : (level as 0 | 1 | 2)];
  }

  /** @internal A loss-detection result (ACK processing or timeout) to act on. */
  onLossResult(nowMs: number, r: LossDetectionResult<SentPacketRecord>): void {
    this.sender.onLossResult(nowMs, r);
  }

  /** @internal A new datagram size for the path (PMTU discovery, or back to the minimum on a new path). */
  setDatagramSize(bytes: number): void {
    this.cc.onMaxDatagramSizeChanged(bytes);
    this.pacer.setMaxDatagramSize(bytes);
    this.qlog?.event(0, 'transport:mtu_updated', { new: bytes, done: false });
  }

  private assertOpen(): void {
    if (this.state === 'closing' || this.state === 'draining' || this.state === 'closed') {
      throw new ConnectionUsageError(`connection is ${this.state}`);
    }
  }

  /** @internal RFC 9001 §4.1.2 handshake confirmation: discard Handshake keys (§4.9.2). */
  confirmHandshake(nowMs: number): void {
    if (this.handshakeConfirmed) return;
    this.handshakeConfirmed = true;
    this.loss.setHandshakeConfirmed(nowMs);
    this.discardSpace(nowMs, Level.HANDSHAKE);
    this.zeroRttRead = undefined;
    this.emit({ type: 'handshake-confirmed' });
  }

  /** @internal NEW_CONNECTION_ID up to the peer's limit (RFC 9000 §5.1.1). */
  issueConnectionIds(): void {
    for (const e of this.localCids.topUp()) this.emit({ type: 'cid-issued', cid: e.cid, resetToken: e.resetToken });
  }
}

/** @internal */
export function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
