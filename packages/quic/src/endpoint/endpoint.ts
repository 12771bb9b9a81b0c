import {
  type CongestionControllerFactory,
  type CryptoProvider,
  MinHeap,
  type QlogSink,
  type QuicPacketProtection,
  type QuicTls,
  RingQueue,
  type SocketAddress,
  TransportErrorCode,
} from '@fos/core';
import type { TransportConfig } from '../connection/config.js';
import { Connection, hex } from '../connection/connection.js';
import { HeaderStatus, MIN_INITIAL_DATAGRAM_SIZE, PacketHeader, parsePacketHeader } from '../wire/packet-header.js';
import { PacketType } from '../wire/packet-type.js';
import { MIN_STATELESS_RESET_LENGTH, statelessResetLength } from '../wire/stateless-reset.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from '../wire/versions.js';
import { AddressTokens } from './address-tokens.js';
import { CidTable } from './cid-table.js';
import { ConnectionIdGenerator } from './connection-id-generator.js';
import { EndpointConnection, type EndpointEvent } from './endpoint-connection.js';
import type {
  EndpointConnectOptions,
  EndpointOptions,
  EndpointServerOptions,
  EndpointStats,
} from './endpoint-options.js';
import {
  writeInitialClose,
  writeRetryReply,
  writeStatelessResetReply,
  writeVersionNegotiationReply,
} from './stateless-packets.js';
import { TokenBucket } from './token-bucket.js';

/** RFC 9000 §7.2: a client's first Destination Connection ID has at least 8 unpredictable bytes. */
const MIN_CLIENT_DCID_LENGTH = 8;
/** Connections sharing one remote address that an unroutable short-header datagram is shown to (reset check). */
const MAX_RESET_CANDIDATES = 4;
/** Smallest step between two timeouts of one connection at the same deadline. */
const MIN_TIMER_STEP_MS = 1;

interface StatelessPacket {
  readonly data: Uint8Array;
  readonly remote: SocketAddress;
}

/**
 * One UDP socket's worth of QUIC (RFC 9000 §5.2), sans-I/O: many connections in both roles behind one address.
 * Datagrams and time go in; datagrams, events and one deadline come out — the driver moves them to a socket and a
 * timer.
 *
 * - Routing by Destination Connection ID: every CID a connection issued, plus, on a server, the DCID of the client's
 *   first Initial (until the connection closes). Our CIDs all have one length (short headers carry none).
 * - Server (when `server` options are given): accepts an Initial with an unknown DCID in a datagram of ≥ 1200 bytes
 *   (§14.1); answers unknown versions with Version Negotiation (§6.1); optional Retry address validation (§8.1.2)
 *   and NEW_TOKEN tokens (§8.1.3); limits on handshakes and connections (CONNECTION_REFUSED, §5.2.2).
 * - Stateless Resets (§10.3) for short-header packets of unknown connections (rate-limited), and detection of the
 *   peer's resets for datagrams that match no CID.
 * - Output: `pollTransmit` round-robins one datagram per connection with something to send; `pollTimeout` is the
 *   earliest connection deadline, from a heap (no scan of all connections).
 *
 * ```ts
 * endpoint.handleDatagram(now, bytes, remote);
 * for (let n = endpoint.pollTransmit(now, buf); n > 0; n = endpoint.pollTransmit(now, buf)) send(buf, n, endpoint.transmitRemote);
 * for (let e = endpoint.pollEvent(); e; e = endpoint.pollEvent()) …;
 * timer.set(endpoint.pollTimeout());
 * ```
 */
export class Endpoint {
  /** Where the datagram of the last non-zero {@link pollTransmit} goes. */
  transmitRemote: SocketAddress | undefined = undefined;
  /** The connection the last datagram of {@link pollTransmit} belongs to (undefined for stateless packets). */
  transmitConnection: EndpointConnection | undefined = undefined;
  readonly stats: EndpointStats = {
    datagramsReceived: 0,
    datagramsDropped: 0,
    connectionsCreated: 0,
    versionNegotiationsSent: 0,
    retriesSent: 0,
    statelessResetsSent: 0,
    connectionsRefused: 0,
    invalidTokens: 0,
    statelessDropped: 0,
  };
  /** The versions this endpoint speaks, by preference. */
  readonly supportedVersions: readonly number[];
  readonly cids: ConnectionIdGenerator;

  private readonly tls: QuicTls;
  private readonly protection: QuicPacketProtection;
  private readonly crypto: CryptoProvider;
  private readonly congestion: CongestionControllerFactory;
  private readonly qlog: QlogSink | undefined;
  private readonly epochOffsetMs: number;
  private readonly transport: TransportConfig | undefined;
  private readonly server: EndpointServerOptions | undefined;
  private readonly serverTransport: TransportConfig | undefined;
  private readonly tokens: AddressTokens | undefined;
  private readonly resetLimiter: TokenBucket | undefined;
  private readonly maxHandshakes: number;
  private readonly maxConnections: number;
  private readonly maxStateless: number;

  private readonly table: CidTable<EndpointConnection>;
  private readonly all = new Set<EndpointConnection>();
  /** Remote address → connections there (only consulted for datagrams no CID matches). */
  private readonly byAddress = new Map<string, EndpointConnection[]>();
  private readonly heap = new MinHeap<EndpointConnection>();
  private readonly ready = new RingQueue<EndpointConnection>(64);
  private readonly dirty: EndpointConnection[] = [];
  private readonly events = new RingQueue<EndpointEvent>(64);
  private readonly stateless = new RingQueue<StatelessPacket>(8);
  private readonly header = new PacketHeader();
  private readonly parseOptions = { acceptClearedFixedBit: true };
  private readonly scratch = new Uint8Array(2048);
  private readonly generateCid: () => { cid: Uint8Array; resetToken: Uint8Array };
  private readonly mintNewToken: ((remote: SocketAddress) => Uint8Array | undefined) | undefined;
  private heapSeq = 0;
  private handshakes = 0;
  private lastNowMs = 0;

  constructor(options: EndpointOptions) {
    this.tls = options.tls;
    this.protection = options.protection;
    this.crypto = options.crypto;
    this.congestion = options.congestion;
    this.qlog = options.qlog;
    this.epochOffsetMs = options.epochOffsetMs;
    this.transport = options.transport;
    this.supportedVersions = options.supportedVersions ?? [QUIC_VERSION_1, QUIC_VERSION_2];
    if (this.supportedVersions.length === 0) throw new RangeError('supportedVersions is empty');
    for (const v of this.supportedVersions) {
      if (!this.protection.supportsVersion(v)) throw new RangeError(`version 0x${v.toString(16)} is not supported`);
    }
    this.cids = new ConnectionIdGenerator({
      crypto: options.crypto,
      cidLength: options.cidLength,
      statelessResetKey: options.statelessResetKey,
    });
    const seed = options.crypto.randomBytes(4);
    this.table = new CidTable((seed[0] << 24) | (seed[1] << 16) | (seed[2] << 8) | seed[3]);
    const resets = options.statelessResets ?? { ratePerSecond: 100, burst: 20 };
    this.resetLimiter = resets === false ? undefined : new TokenBucket(resets.ratePerSecond, resets.burst);
    this.maxStateless = options.maxQueuedStatelessPackets ?? 64;
    const server = options.server;
    this.server = server;
    this.maxHandshakes = server?.maxHandshakes ?? 256;
    this.maxConnections = server?.maxConnections ?? 10_000;
    this.serverTransport = server?.transport ? { ...options.transport, ...server.transport } : options.transport;
    this.tokens = server
      ? new AddressTokens({
          crypto: options.crypto,
          key: server.tokenKey,
          retryLifetimeMs: server.retryTokenLifetimeMs,
          newTokenLifetimeMs: server.newTokenLifetimeMs,
        })
      : undefined;
    // Made once: the connections call them when they issue CIDs / at handshake completion.
    this.generateCid = () => {
      const cid = this.newUniqueCid();
      return { cid, resetToken: this.cids.resetToken(cid) };
    };
    const tokens = this.tokens;
    this.mintNewToken =
      tokens && server?.issueNewTokens !== false
        ? (remote) => tokens.mintNewToken(this.lastNowMs + this.epochOffsetMs, remote)
        : undefined;
  }

  /** Connections held (handshaking, established, closing or draining). */
  get connectionCount(): number {
    return this.all.size;
  }

  /** Server handshakes in progress. */
  get handshakeCount(): number {
    return this.handshakes;
  }

  /** Every connection held. */
  connections(): IterableIterator<EndpointConnection> {
    return this.all.values();
  }

  /** The connection a CID routes to (tests and diagnostics). */
  lookup(cid: Uint8Array): EndpointConnection | undefined {
    return this.table.get(cid);
  }

  // ============================================================ input

  /**
   * A datagram from `remote`. `data` is borrowed: connections decrypt it in place, nothing keeps it after the call.
   */
  handleDatagram(nowMs: number, data: Uint8Array, remote: SocketAddress): void {
    this.lastNowMs = nowMs;
    this.stats.datagramsReceived++;
    const h = this.header;
    const status = parsePacketHeader(data, 0, data.length, this.cids.cidLength, h, this.parseOptions);
    if (status === HeaderStatus.UNSUPPORTED_VERSION) {
      // RFC 9000 §5.2.2, §6.1: a server answers an unknown version with Version Negotiation, only for a datagram
      // large enough to have started a connection (so it cannot be used for amplification).
      if (this.server !== undefined && data.length >= MIN_INITIAL_DATAGRAM_SIZE) {
        this.sendVersionNegotiation(h, remote);
      } else {
        this.stats.datagramsDropped++;
      }
      return;
    }
    if (status !== HeaderStatus.OK) {
      this.stats.datagramsDropped++;
      return;
    }
    // RFC 9000 §5.2: match the packet to a connection by its Destination Connection ID.
    const owner = this.table.getAt(data, h.dcidOffset, h.dcidLength);
    if (owner !== undefined) {
      owner.connection.handleDatagram(nowMs, data, remote);
      this.touch(owner);
      return;
    }
    if (h.isLong) {
      if (h.type === PacketType.INITIAL && this.server !== undefined) {
        this.accept(nowMs, data, remote, h);
        return;
      }
      // RFC 9000 §5.2.2: 0-RTT for an unknown connection MAY be buffered (we do not); anything else is dropped.
      this.stats.datagramsDropped++;
      return;
    }
    this.handleUnknownShortHeader(nowMs, data, remote, h);
  }

  /** An unroutable short-header datagram: the peer's Stateless Reset, or a packet for a connection we lost. */
  private handleUnknownShortHeader(nowMs: number, data: Uint8Array, remote: SocketAddress, h: PacketHeader): void {
    // RFC 9000 §10.3.1: a Stateless Reset carries no CID of ours; the connections talking to this address check
    // its trailing token (they know the peer's tokens).
    const candidates = this.byAddress.get(addressKey(remote));
    if (candidates !== undefined && data.length >= MIN_STATELESS_RESET_LENGTH) {
      const n = Math.min(candidates.length, MAX_RESET_CANDIDATES);
      for (let i = 0; i < n; i++) {
        const c = candidates[i];
        if (c.connection.checkStatelessReset(nowMs, data)) {
          this.touch(c);
          return;
        }
      }
    }
    // RFC 9000 §10.3: an endpoint that cannot process a packet MAY answer with a Stateless Reset, whose token
    // (derived from the packet's DCID and our static key) lets the peer recognise it. Not for datagrams too short
    // to answer with a smaller reset (§10.3.3: no loops), nor beyond the rate limit, nor for packets that do not
    // even look like QUIC (fixed bit clear).
    if (
      this.resetLimiter === undefined ||
      h.dcidLength !== this.cids.cidLength ||
      !h.fixedBit ||
      statelessResetLength(data.length) === 0 ||
      !this.resetLimiter.take(nowMs)
    ) {
      this.stats.datagramsDropped++;
      return;
    }
    const token = this.cids.resetToken(h.dcid);
    const n = writeStatelessResetReply(this.scratch, data.length, token, this.crypto.randomBytes(32));
    if (this.queueStateless(n, remote)) this.stats.statelessResetsSent++;
  }

  // ============================================================ server accept

  /** RFC 9000 §5.2.2, §7, §8.1, §14.1, §17.2.2: a client Initial for no connection we know. */
  private accept(nowMs: number, data: Uint8Array, remote: SocketAddress, h: PacketHeader): void {
    const server = this.server!;
    // RFC 9000 §14.1: a server MUST discard an Initial packet carried in a UDP datagram smaller than 1200 bytes.
    // RFC 9000 §7.2: the client's first DCID has at least 8 bytes.
    if (data.length < MIN_INITIAL_DATAGRAM_SIZE || h.dcidLength < MIN_CLIENT_DCID_LENGTH || !h.fixedBit) {
      this.stats.datagramsDropped++;
      return;
    }
    if (!this.supportedVersions.includes(h.version)) {
      // A version the wire layer knows but this endpoint was configured without (RFC 9000 §6.1).
      this.sendVersionNegotiation(h, remote);
      return;
    }
    // RFC 9000 §5.2.2: a server refusing a new connection SHOULD send CONNECTION_REFUSED in an Initial.
    if (this.all.size >= this.maxConnections || this.handshakes >= this.maxHandshakes) {
      this.stats.connectionsRefused++;
      this.sendInitialClose(h, remote, TransportErrorCode.CONNECTION_REFUSED, 'server busy');
      return;
    }
    const tokens = this.tokens!;
    const epochMs = nowMs + this.epochOffsetMs;
    let odcid = h.dcid;
    let retrySourceCid: Uint8Array | undefined;
    let validated = false;
    if (h.tokenLength > 0) {
      const v = tokens.validate(h.token, epochMs, remote);
      if (v.status === 'valid' && v.kind === 'retry') {
        // The client must use the Retry's SCID as its DCID (RFC 9000 §7.2, §17.2.5.2).
        if (!bytesEqual(v.retrySourceCid, h.dcid)) {
          this.rejectToken(h, remote);
          return;
        }
        odcid = v.originalDcid;
        retrySourceCid = v.retrySourceCid;
        validated = true;
      } else if (v.status === 'valid') {
        validated = true; // RFC 9000 §8.1.3: a NEW_TOKEN token validates the address
      } else if (v.status === 'invalid' && v.kind === 'retry') {
        // RFC 9000 §8.1.2: an invalid Retry token: the client will not accept another Retry; close with
        // INVALID_TOKEN rather than let it time out.
        this.rejectToken(h, remote);
        return;
      }
      // Unknown or stale NEW_TOKEN tokens: proceed as if there were none (RFC 9000 §8.1.3).
    }
    if (!validated && server.retry) {
      this.sendRetry(nowMs, h, remote);
      return;
    }

    const localCid = this.newUniqueCid();
    const qlog = this.qlog?.createTrace({ vantagePoint: 'server', odcid: hex(odcid), referenceTimeMs: epochMs });
    const conn = new Connection({
      role: 'server',
      version: h.version,
      nowMs,
      epochMs,
      remote,
      localCid,
      remoteCid: h.scid.slice(),
      originalDestinationCid: odcid.slice(),
      retrySourceCid,
      addressValidated: validated,
      localResetToken: this.cids.resetToken(localCid),
      generateCid: this.generateCid,
      tls: this.tls,
      serverTls: {
        alpnProtocols: server.alpnProtocols,
        enableEarlyData: server.enableEarlyData,
        earlyDataContext: server.earlyDataContext,
        acceptEarlyDataContext: server.acceptEarlyDataContext,
      },
      protection: this.protection,
      crypto: this.crypto,
      congestion: this.congestion,
      transport: this.serverTransport,
      supportedVersions: this.supportedVersions,
      qlog,
      mintNewToken: this.mintNewToken,
    });
    const handle = new EndpointConnection(conn, 'server');
    handle.handshaking = true;
    this.handshakes++;
    this.stats.connectionsCreated++;
    this.adopt(handle, remote);
    // Route the client's DCID (it keeps using it until it sees our SCID) and our first CID.
    this.register(handle, h.dcid.slice());
    this.register(handle, localCid);
    this.events.push({ type: 'incoming', connection: handle });
    conn.handleDatagram(nowMs, data, remote);
    this.touch(handle);
  }

  private sendVersionNegotiation(h: PacketHeader, remote: SocketAddress): void {
    const r = this.crypto.randomBytes(5);
    const n = writeVersionNegotiationReply(
      this.scratch,
      h.dcid,
      h.scid,
      this.supportedVersions,
      (r[0] << 24) | (r[1] << 16) | (r[2] << 8) | r[3],
      r[4],
    );
    if (this.queueStateless(n, remote)) this.stats.versionNegotiationsSent++;
  }

  /** RFC 9000 §8.1.2: ask the client to prove its address with a token bound to it. */
  private sendRetry(nowMs: number, h: PacketHeader, remote: SocketAddress): void {
    const retryScid = this.cids.newCid();
    const token = this.tokens!.mintRetry(nowMs + this.epochOffsetMs, remote, h.dcid, retryScid);
    const n = writeRetryReply(
      this.scratch,
      this.protection,
      h.version,
      h.scid,
      retryScid,
      h.dcid,
      token,
      this.crypto.randomBytes(1)[0],
    );
    if (this.queueStateless(n, remote)) this.stats.retriesSent++;
  }

  private rejectToken(h: PacketHeader, remote: SocketAddress): void {
    this.stats.invalidTokens++;
    this.sendInitialClose(h, remote, TransportErrorCode.INVALID_TOKEN, 'invalid token');
  }

  private sendInitialClose(h: PacketHeader, remote: SocketAddress, code: number, reason: string): void {
    const n = writeInitialClose(
      this.scratch,
      this.protection,
      h.version,
      h.dcid,
      h.scid,
      this.cids.newCid(),
      code,
      reason,
    );
    this.queueStateless(n, remote);
  }

  /** Copies `scratch[0, n)` into the stateless send queue (bounded). */
  private queueStateless(n: number, remote: SocketAddress): boolean {
    if (n <= 0) return false;
    if (this.stateless.length >= this.maxStateless) {
      this.stats.statelessDropped++;
      return false;
    }
    this.stateless.push({ data: this.scratch.slice(0, n), remote });
    return true;
  }

  // ============================================================ client

  /**
   * Starts a client connection (RFC 9000 §7.2: a random SCID of our CID length and an unpredictable DCID of at least
   * 8 bytes). Its first Initial goes out with the next {@link pollTransmit}.
   */
  connect(nowMs: number, options: EndpointConnectOptions): EndpointConnection {
    this.lastNowMs = nowMs;
    const epochMs = nowMs + this.epochOffsetMs;
    const localCid = this.newUniqueCid();
    const dcid = this.crypto.randomBytes(Math.max(MIN_CLIENT_DCID_LENGTH, this.cids.cidLength));
    const version = options.version ?? this.supportedVersions[0];
    if (!this.supportedVersions.includes(version)) {
      throw new RangeError(`version 0x${version.toString(16)} is not one of this endpoint's versions`);
    }
    const qlog = this.qlog?.createTrace({ vantagePoint: 'client', odcid: hex(dcid), referenceTimeMs: epochMs });
    const conn = new Connection({
      role: 'client',
      version,
      nowMs,
      epochMs,
      remote: options.remote,
      localCid,
      remoteCid: dcid,
      token: options.token,
      generateCid: this.generateCid,
      tls: this.tls,
      clientTls: {
        alpnProtocols: options.alpnProtocols,
        serverName: options.serverName,
        verifyHost: options.verifyHost,
        resumeSession: options.resumeSession,
        enableEarlyData: options.enableEarlyData,
      },
      protection: this.protection,
      crypto: this.crypto,
      congestion: this.congestion,
      transport: options.transport ? { ...this.transport, ...options.transport } : this.transport,
      supportedVersions: this.supportedVersions,
      qlog,
    });
    const handle = new EndpointConnection(conn, 'client');
    this.stats.connectionsCreated++;
    this.adopt(handle, options.remote);
    this.register(handle, localCid);
    this.touch(handle);
    return handle;
  }

  // ============================================================ output

  /**
   * Writes the next datagram into `out` and returns its length (0: nothing to send now). Send it to
   * {@link transmitRemote}. Stateless packets first, then one datagram per connection in turn.
   */
  pollTransmit(nowMs: number, out: Uint8Array): number {
    this.lastNowMs = nowMs;
    const s = this.stateless.shift();
    if (s !== undefined) {
      out.set(s.data);
      this.transmitRemote = s.remote;
      this.transmitConnection = undefined;
      return s.data.length;
    }
    for (let h = this.ready.shift(); h !== undefined; h = this.ready.shift()) {
      h.inReady = false;
      if (h.removed) continue;
      const conn = h.connection;
      const n = conn.pollTransmit(nowMs, out);
      this.markDirty(h);
      this.collect(h);
      if (n > 0) {
        if (!h.removed) {
          // Round robin: back to the end of the line.
          h.inReady = true;
          this.ready.push(h);
        }
        this.transmitRemote = conn.transmitRemote;
        this.transmitConnection = h;
        return n;
      }
    }
    return 0;
  }

  /** Whether {@link pollTransmit} may have something (stateless packets or connections to poll). */
  get wantsToTransmit(): boolean {
    return this.stateless.length > 0 || this.ready.length > 0;
  }

  /** The earliest deadline of any connection, or undefined. Call {@link handleTimeout} then. */
  pollTimeout(): number | undefined {
    this.refreshDeadlines();
    return this.heap.peek()?.key;
  }

  /** Runs the timers of every connection whose deadline has come. */
  handleTimeout(nowMs: number): void {
    this.lastNowMs = nowMs;
    this.refreshDeadlines();
    for (let top = this.heap.peek(); top !== undefined && top.key <= nowMs; top = this.heap.peek()) {
      this.heap.remove(top);
      top.timedOutAt = nowMs;
      top.connection.handleTimeout(nowMs);
      this.touch(top);
    }
  }

  /** The next endpoint event (new incoming connections; connections with events to drain). */
  pollEvent(): EndpointEvent | undefined {
    const e = this.events.shift();
    if (e !== undefined && e.type === 'events') e.connection.signaled = false;
    return e;
  }

  /**
   * Call after using a connection's methods from outside the endpoint (writes, reads, close, migration …): collects
   * its events, puts it in the send rotation and marks its deadline for re-reading.
   */
  touch(handle: EndpointConnection): void {
    this.collect(handle);
    if (handle.removed) return;
    if (!handle.inReady) {
      handle.inReady = true;
      this.ready.push(handle);
    }
    this.markDirty(handle);
  }

  /** Closes every connection (RFC 9000 §10.2) with an application error code. */
  closeAll(nowMs: number, errorCode = 0, reason = ''): void {
    this.lastNowMs = nowMs;
    for (const h of [...this.all]) {
      h.connection.close(nowMs, errorCode, reason);
      this.touch(h);
    }
  }

  // ============================================================ bookkeeping

  /** Moves the connection's events into its handle, acting on the routing ones. */
  private collect(h: EndpointConnection): void {
    if (h.removed) return;
    const conn = h.connection;
    let closed = false;
    for (let e = conn.pollEvent(); e !== undefined; e = conn.pollEvent()) {
      switch (e.type) {
        case 'cid-issued':
          this.register(h, e.cid);
          break;
        case 'cid-retired':
          this.unregister(h, e.cid);
          break;
        case 'handshake-complete':
          this.endHandshake(h);
          break;
        case 'path-migrated':
          this.reindex(h, e.remote);
          break;
        case 'closed':
          closed = true;
          break;
        default:
          break;
      }
      h.events.push(e);
    }
    if (h.events.length > 0 && !h.signaled) {
      h.signaled = true;
      this.events.push(h.signal);
    }
    if (closed) this.release(h);
  }

  private endHandshake(h: EndpointConnection): void {
    if (!h.handshaking) return;
    h.handshaking = false;
    this.handshakes--;
  }

  private markDirty(h: EndpointConnection): void {
    if (h.dirty || h.removed) return;
    h.dirty = true;
    this.dirty.push(h);
  }

  private refreshDeadlines(): void {
    const list = this.dirty;
    for (let i = 0; i < list.length; i++) {
      const h = list[i];
      h.dirty = false;
      if (h.removed) continue;
      let t = h.connection.pollTimeout();
      // A deadline its own timeout did not move (e.g. an ACK the amplification limit holds back) must not make
      // the timer fire in a loop at the same instant: retry a millisecond later.
      if (t !== undefined && t <= h.timedOutAt) t = h.timedOutAt + MIN_TIMER_STEP_MS;
      if (t === undefined) {
        this.heap.remove(h);
      } else {
        h.key = t;
        h.seq = this.heapSeq++;
        this.heap.update(h);
      }
    }
    list.length = 0;
  }

  private adopt(h: EndpointConnection, remote: SocketAddress): void {
    this.all.add(h);
    this.reindex(h, remote);
  }

  private reindex(h: EndpointConnection, remote: SocketAddress): void {
    const key = addressKey(remote);
    if (key === h.addressKey) return;
    this.unindex(h);
    h.addressKey = key;
    const list = this.byAddress.get(key);
    if (list === undefined) this.byAddress.set(key, [h]);
    else list.push(h);
  }

  private unindex(h: EndpointConnection): void {
    if (h.addressKey === '') return;
    const list = this.byAddress.get(h.addressKey);
    if (list !== undefined) {
      const i = list.indexOf(h);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byAddress.delete(h.addressKey);
    }
    h.addressKey = '';
  }

  private register(h: EndpointConnection, cid: Uint8Array): void {
    if (cid.length === 0) return;
    if (this.table.add(cid, h)) h.cids.push(cid);
  }

  private unregister(h: EndpointConnection, cid: Uint8Array): void {
    if (!this.table.delete(cid, h)) return;
    const i = h.cids.findIndex((c) => bytesEqual(c, cid));
    if (i >= 0) h.cids.splice(i, 1);
  }

  /** The connection closed: stop routing to it and forget it (its events stay with the handle for the app). */
  private release(h: EndpointConnection): void {
    h.removed = true;
    for (const cid of h.cids) this.table.delete(cid, h);
    h.cids.length = 0;
    this.heap.remove(h);
    this.endHandshake(h);
    this.unindex(h);
    this.all.delete(h);
  }

  /** A random CID of our length that routes nowhere yet. */
  private newUniqueCid(): Uint8Array {
    for (;;) {
      const cid = this.cids.newCid();
      if (!this.table.has(cid)) return cid;
    }
  }
}

function addressKey(a: SocketAddress): string {
  return `${a.address}|${a.port}`;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
