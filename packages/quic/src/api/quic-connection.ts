import { type QuicTlsSessionTicket, RingQueue, type SocketAddress, TransportErrorCode } from '@fos/core';
import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import type { Connection, ConnectionStats } from '../connection/connection.js';
import type { ConnectionCloseInfo, ConnectionEvent, ConnectionState } from '../connection/events.js';
import type { EndpointConnection } from '../endpoint/endpoint-connection.js';
import { AsyncQueue } from './async-queue.js';
import type { ConnectionHost } from './connection-host.js';
import { ConnectionClosedError, HandshakeFailedError, HandshakeTimeoutError, QuicUsageError } from './errors.js';
import { QuicStream } from './quic-stream.js';
import type { StreamHost } from './stream-host.js';
import { withTicketContext } from './ticket-context.js';

/** Session tickets a client connection holds while it waits for its ticket context (servers send one or two). */
const MAX_HELD_TICKETS = 4;

/** @internal How a client connection stores its session tickets (set up by `QuicEndpoint.connect`). */
export interface ClientTicketOptions {
  /** `QuicConnectOptions.awaitTicketContext`: hold tickets until `setTicketContext`. */
  readonly awaitContext: boolean;
  /** The context stored with the ticket this connection offers for resumption, if any. */
  readonly offeredContext: Uint8Array | undefined;
}

/** Counters and path figures of a connection (a snapshot). */
export interface QuicConnectionStats extends ConnectionStats {
  readonly smoothedRttMs: number;
  readonly congestionWindowBytes: number;
  readonly bytesInFlight: number;
}

/**
 * A synchronous listener of every connection event, for protocol layers that drive streams themselves (HTTP/3):
 * while one is set, stream events are not turned into {@link QuicStream} objects.
 */
export type RawConnectionListener = (event: ConnectionEvent) => void;

interface OpenWaiter {
  resolve(stream: QuicStream): void;
  reject(error: unknown): void;
}

/**
 * One QUIC connection (client or server) as the application sees it: RxJS state and events, promises for the
 * handshake and the close, streams with backpressure, DATAGRAM frames (RFC 9221). Created by a {@link QuicEndpoint}
 * (`connect()` or an incoming connection).
 *
 * Nothing here runs per packet: the endpoint driver delivers the connection's events once per event-loop turn.
 */
export class QuicConnection implements AsyncIterable<QuicStream> {
  readonly role: 'client' | 'server';
  /** The connection state (RFC 9000 §10): handshaking → established → closing/draining → closed. */
  readonly state$: BehaviorSubject<ConnectionState>;
  /** Every connection event (state, handshake, streams, key updates, migration, close). Completes on close. */
  readonly events$: Observable<ConnectionEvent>;
  /** DATAGRAM frame payloads from the peer (RFC 9221). Completes on close. */
  readonly datagrams$: Observable<Uint8Array>;
  /** Streams the peer opened (the backlog is delivered to the first subscriber). Completes on close. */
  readonly incomingStreams$: Observable<QuicStream>;
  /** Resolves with why the connection ended, once it is fully closed. Never rejects. */
  readonly closed: Promise<ConnectionCloseInfo>;

  /** @internal */ readonly handle: EndpointConnection;
  private readonly host: ConnectionHost;
  private readonly eventsSubject = new Subject<ConnectionEvent>();
  private readonly datagramSubject = new Subject<Uint8Array>();
  private readonly incoming = new AsyncQueue<QuicStream>();
  private readonly streams = new Map<number, QuicStream>();
  /** Callers waiting for MAX_STREAMS credit, [uni, bidi]; created when first needed (most connections never wait). */
  private openWaiters: [RingQueue<OpenWaiter>, RingQueue<OpenWaiter>] | undefined = undefined;
  private readonly streamHost: StreamHost;
  private resolveClosed!: (info: ConnectionCloseInfo) => void;
  private readyWaiter: { resolve(c: QuicConnection): void; reject(e: unknown): void } | undefined;
  private dispatching = false;
  private closeInfo: ConnectionCloseInfo | undefined = undefined;
  /** Built on first use: most connections close with nothing waiting, and an Error captures a stack. */
  private closedErrValue: ConnectionClosedError | undefined = undefined;
  private handshakeDone = false;
  private rawListener: RawConnectionListener | undefined = undefined;
  private earlyDataAccepted: boolean | undefined = undefined;
  /** Client: the bytes stored with the session tickets received from now on. */
  private ticketContext: Uint8Array | undefined = undefined;
  /** Client: tickets waiting for {@link setTicketContext} (undefined: tickets are not held). */
  private heldTickets: QuicTlsSessionTicket[] | undefined = undefined;
  /** Client: the context of the ticket offered for resumption. */
  private readonly offeredTicketContext: Uint8Array | undefined;

  /** @internal Created by the endpoint. */
  constructor(handle: EndpointConnection, host: ConnectionHost, tickets?: ClientTicketOptions) {
    this.handle = handle;
    this.host = host;
    this.role = handle.role;
    if (tickets?.awaitContext) this.heldTickets = [];
    this.offeredTicketContext = tickets?.offeredContext;
    this.state$ = new BehaviorSubject<ConnectionState>(handle.connection.connectionState);
    this.events$ = this.eventsSubject.asObservable();
    this.datagrams$ = this.datagramSubject.asObservable();
    this.incomingStreams$ = this.incoming.observable;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.streamHost = {
      conn: handle.connection,
      wake: () => host.driver.wake(handle),
      syncEvents: () => this.sync(),
      closedError: () => this.closedErr,
    };
  }

  // ------------------------------------------------------------------ properties

  /** The sans-I/O connection underneath (for protocol layers; call {@link wake} after using it). */
  get connection(): Connection {
    return this.handle.connection;
  }

  get state(): ConnectionState {
    return this.state$.value;
  }

  /** The negotiated ALPN protocol (RFC 7301), once the handshake got that far. */
  get alpnProtocol(): string | undefined {
    return this.handle.connection.alpnProtocol;
  }

  /** The peer's address (changes on migration). */
  get remoteAddress(): SocketAddress {
    return this.handle.connection.remoteAddress;
  }

  /** Whether the TLS session was resumed from a ticket. */
  get resumed(): boolean {
    return this.handle.connection.tlsSession.resumed;
  }

  /**
   * Client: the context stored with the session ticket this connection resumes (see {@link setTicketContext}), so
   * that the application can start from the state it remembered — RFC 9114 §7.2.4.2: an HTTP/3 client attempting
   * 0-RTT complies with the SETTINGS stored with the ticket. Defined from `connect` on, while the server has not
   * answered yet (0-RTT is sent before it does); once its ServerHello showed that the session was not resumed (a
   * full handshake), undefined: the context describes another session. Undefined as well when no ticket was offered,
   * or it carried no context. Whether 0-RTT was accepted is {@link earlyData}'s to say (RFC 9001 §4.6.2: after a
   * rejection, what the application assumed for 0-RTT no longer holds). A view: do not modify it.
   */
  get resumedTicketContext(): Uint8Array | undefined {
    const context = this.offeredTicketContext;
    if (context === undefined) return undefined;
    const tls = this.handle.connection.tlsSession;
    // The cipher suite is known once the ServerHello arrived; `resumed` says whether it accepted the ticket.
    return tls.cipherSuite === undefined || tls.resumed ? context : undefined;
  }

  /** Whether the handshake completed (a server connection handed over early may still be handshaking). */
  get handshakeComplete(): boolean {
    return this.handshakeDone;
  }

  /** 0-RTT outcome: true accepted, false rejected, undefined not attempted / not known yet. */
  get earlyData(): boolean | undefined {
    return this.earlyDataAccepted;
  }

  /** The peer's certificate chain (DER, end-entity first; empty on resumption). */
  get peerCertificates(): readonly Uint8Array[] {
    return this.handle.connection.tlsSession.peerCertificates;
  }

  /** The close reason once the connection is closing or closed. */
  get closeReason(): ConnectionCloseInfo | undefined {
    return this.closeInfo ?? this.handle.connection.closeReason;
  }

  get stats(): QuicConnectionStats {
    const c = this.handle.connection;
    return {
      ...c.stats,
      smoothedRttMs: c.smoothedRttMs,
      congestionWindowBytes: c.congestionWindowBytes,
      bytesInFlight: c.bytesInFlight,
    };
  }

  /** Largest DATAGRAM payload the peer accepts (0 = none). */
  get maxDatagramPayload(): number {
    return this.handle.connection.maxDatagramPayload;
  }

  // ------------------------------------------------------------------ streams

  /** Opens a bidirectional stream, waiting for the peer's MAX_STREAMS credit when needed (RFC 9000 §4.6). */
  openBidirectionalStream(): Promise<QuicStream> {
    return this.openStream(true);
  }

  /** Opens a unidirectional stream, waiting for credit when needed. */
  openUnidirectionalStream(): Promise<QuicStream> {
    return this.openStream(false);
  }

  /** Streams the peer opens, as an async iterator (ends when the connection closes). */
  [Symbol.asyncIterator](): AsyncIterator<QuicStream> {
    return this.incoming[Symbol.asyncIterator]();
  }

  /** The next stream the peer opens, or undefined once the connection closed. */
  async acceptStream(): Promise<QuicStream | undefined> {
    const r = await this.incoming.next();
    return r.done ? undefined : r.value;
  }

  // ------------------------------------------------------------------ datagrams, keys, path, close

  /**
   * Queues a DATAGRAM frame (RFC 9221, unreliable). Returns false when the peer does not accept datagrams, the
   * payload exceeds {@link maxDatagramPayload}, or the send queue is full.
   */
  sendDatagram(data: Uint8Array): boolean {
    if (this.closeInfo !== undefined) return false;
    let ok: boolean;
    try {
      ok = this.handle.connection.sendDatagram(data);
    } catch {
      return false;
    }
    if (ok) this.wake();
    return ok;
  }

  /** RFC 9001 §6: starts a key update. False when not allowed yet (handshake unconfirmed, previous update pending). */
  initiateKeyUpdate(): boolean {
    const ok = this.handle.connection.initiateKeyUpdate(this.host.driver.now());
    if (ok) this.wake();
    return ok;
  }

  /** Sends a PING (an ACK comes back; keeps the path and the idle timer alive). */
  ping(): void {
    this.handle.connection.ping();
    this.wake();
  }

  /**
   * Client: moves the connection to a new local socket (a new port; RFC 9000 §9): a fresh CID when the peer gave
   * one (§9.5) and path validation (§8.2). Resolves false when migration is not possible (server, handshake not
   * confirmed, the peer disabled active migration).
   */
  async migrate(): Promise<boolean> {
    if (this.role !== 'client' || this.closeInfo !== undefined) return false;
    const conn = this.handle.connection;
    if (!conn.isHandshakeComplete || conn.peerTransportParameters?.disableActiveMigration) return false;
    const driver = this.host.driver;
    const socket = await this.host.newSocket();
    const previous = driver.socketFor(this.handle);
    driver.useSocket(this.handle, socket);
    if (!conn.migrate(driver.now())) {
      driver.useSocket(this.handle, previous);
      await driver.detachSocket(socket);
      return false;
    }
    this.wake();
    if (previous !== driver.primarySocket) await driver.detachSocket(previous);
    return true;
  }

  /**
   * Closes the connection (RFC 9000 §10.2): CONNECTION_CLOSE with an application error code and reason, then the
   * closing period. Resolves with the close info once closed.
   */
  close(errorCode = 0, reason = ''): Promise<ConnectionCloseInfo> {
    if (this.closeInfo === undefined) {
      this.handle.connection.close(this.host.driver.now(), errorCode, reason);
      this.wake();
    }
    return this.closed;
  }

  /**
   * Routes every event to `listener` synchronously and stops wrapping streams in {@link QuicStream} objects (for a
   * protocol layer that reads and writes streams through {@link connection} itself). Call {@link wake} after using
   * the connection.
   *
   * Streams the peer opened before the listener was set and the application has not taken from
   * {@link incomingStreams$} (say, in the packets that completed the handshake, which arrive before `connect()`
   * resolves, or 0-RTT streams on a server connection handed over at handshake completion) are handed to the
   * listener at once, in order, each as a `stream-opened` then a `stream-readable` event. Their data is still in
   * the connection's buffers: a {@link QuicStream} reads only when asked.
   */
  setRawListener(listener: RawConnectionListener | undefined): void {
    this.rawListener = listener;
    if (listener === undefined) return;
    for (const stream of this.incoming.drain()) {
      this.streams.delete(stream.id);
      // RFC 9000 §2.1: bit 0x02 of a stream ID marks a unidirectional stream.
      listener({ type: 'stream-opened', streamId: stream.id, bidirectional: (stream.id & 0x02) === 0 });
      listener({ type: 'stream-readable', streamId: stream.id });
    }
  }

  /**
   * Client: stores `context` (copied) with the session tickets this connection receives from now on, and with those
   * it holds (connect option `awaitTicketContext`: tickets that arrived before the context was known). A later
   * connection resuming one of them reads it back as {@link resumedTicketContext} (RFC 9114 §7.2.4.2: an HTTP/3
   * client stores the server's SETTINGS). Calling it again replaces the context for later tickets. Throws
   * {@link QuicUsageError} on a server connection.
   */
  setTicketContext(context: Uint8Array): void {
    if (this.role !== 'client') throw new QuicUsageError('only a client stores session tickets');
    this.ticketContext = context.slice();
    this.releaseHeldTickets();
  }

  /** After calling methods of {@link connection} directly: collect its events and flush its output this turn. */
  wake(): void {
    this.host.driver.wake(this.handle);
  }

  // ------------------------------------------------------------------ internal

  /** @internal Resolves when the handshake completes (or at once for 0-RTT when asked). */
  whenReady(earlyData: boolean): Promise<QuicConnection> {
    if (this.closeInfo !== undefined) return Promise.reject(this.connectError());
    if (this.handshakeDone || (earlyData && this.handle.connection.tlsSession.earlyData === 'offered')) {
      return Promise.resolve(this);
    }
    return new Promise((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
    });
  }

  /** @internal Collects the connection's pending events and delivers them now. */
  sync(): void {
    this.host.driver.endpoint.touch(this.handle);
    this.drainEvents();
  }

  /** @internal Delivers the events the endpoint collected for this connection. */
  drainEvents(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    let any = false;
    try {
      for (let e = this.handle.pollEvent(); e !== undefined; e = this.handle.pollEvent()) {
        any = true;
        this.handleEvent(e);
      }
    } finally {
      this.dispatching = false;
    }
    // A raw listener drives the connection directly from its callbacks: flush whatever it queued.
    if (any && this.rawListener !== undefined && this.closeInfo === undefined) this.host.driver.wake(this.handle);
  }

  /** @internal The endpoint shut down: finish as closed now (the closing period is not waited out). */
  forceClosed(): void {
    this.sync();
    if (this.closeInfo !== undefined) return;
    const info = this.handle.connection.closeReason ?? {
      initiator: 'local' as const,
      isApplication: true,
      errorCode: 0,
      frameType: undefined,
      reason: 'endpoint closed',
    };
    this.onClosed(info);
    this.handle.connection.qlog?.close(); // the connection will not reach its own close
    if (this.eventsSubject.observed) this.eventsSubject.next({ type: 'closed', info });
    this.eventsSubject.complete();
  }

  private handleEvent(e: ConnectionEvent): void {
    const raw = this.rawListener;
    if (raw !== undefined) raw(e);
    switch (e.type) {
      case 'state':
        this.state$.next(e.state);
        if ((e.state === 'closing' || e.state === 'draining') && !this.handshakeDone) this.failReady();
        break;
      case 'handshake-complete':
        this.handshakeDone = true;
        if (this.readyWaiter !== undefined) {
          const w = this.readyWaiter;
          this.readyWaiter = undefined;
          w.resolve(this);
        }
        if (this.role === 'server') this.host.accepted(this);
        break;
      case 'early-data':
        this.earlyDataAccepted = e.accepted;
        break;
      case 'session-ticket':
        this.onSessionTicket(e.ticket);
        break;
      case 'new-token':
        this.host.storeToken(this, e.token);
        break;
      case 'datagram':
        if (this.datagramSubject.observed) this.datagramSubject.next(e.data);
        break;
      case 'closed':
        this.onClosed(e.info);
        break;
      default:
        if (raw === undefined) this.handleStreamEvent(e);
        break;
    }
    if (this.eventsSubject.observed) this.eventsSubject.next(e);
    if (e.type === 'closed') this.eventsSubject.complete();
  }

  /** Client: holds a ticket until the context is set (bounded), or stores it. */
  private onSessionTicket(ticket: QuicTlsSessionTicket): void {
    const held = this.heldTickets;
    if (held === undefined) {
      this.storeTicket(ticket);
      return;
    }
    // Never lost: past the bound the oldest is stored without a context.
    if (held.length >= MAX_HELD_TICKETS) this.storeTicket(held.shift()!);
    held.push(ticket);
  }

  /** Client: stores a ticket, with the ticket context when one is set. */
  private storeTicket(ticket: QuicTlsSessionTicket): void {
    const context = this.ticketContext;
    this.host.storeSessionTicket(context === undefined ? ticket : withTicketContext(ticket, context));
  }

  /** Client: stops holding tickets and stores those held (with the context when it is set). */
  private releaseHeldTickets(): void {
    const held = this.heldTickets;
    this.heldTickets = undefined;
    if (held !== undefined) for (const ticket of held) this.storeTicket(ticket);
  }

  private handleStreamEvent(e: ConnectionEvent): void {
    switch (e.type) {
      case 'stream-opened': {
        const s = new QuicStream(this.streamHost, e.streamId, false);
        this.streams.set(e.streamId, s);
        this.incoming.push(s);
        break;
      }
      case 'stream-readable':
        this.streams.get(e.streamId)?.onReadable();
        break;
      case 'stream-writable':
        this.streams.get(e.streamId)?.onWritable();
        break;
      case 'stream-reset':
        this.streams.get(e.streamId)?.onReset(e.errorCode);
        break;
      case 'stream-stop-sending':
        this.streams.get(e.streamId)?.onStopSending(e.errorCode);
        break;
      case 'stream-closed': {
        const s = this.streams.get(e.streamId);
        if (s !== undefined) {
          this.streams.delete(e.streamId);
          s.onClosed();
          // A peer stream that ended (e.g. reset) before the application accepted it must not pile up.
          if (!s.local) this.incoming.remove(s);
        }
        break;
      }
      case 'streams-available':
        this.fillOpenWaiters(e.bidirectional);
        break;
      default:
        break;
    }
  }

  private openStream(bidirectional: boolean): Promise<QuicStream> {
    this.sync();
    const closedErr = this.closedErr;
    if (closedErr !== undefined) return Promise.reject(closedErr);
    const waiting = this.openWaiters?.[bidirectional ? 1 : 0];
    if (waiting === undefined || waiting.length === 0) {
      const s = this.tryOpen(bidirectional);
      if (s instanceof Error) return Promise.reject(s);
      if (s !== undefined) return Promise.resolve(s);
    }
    this.openWaiters ??= [new RingQueue<OpenWaiter>(2), new RingQueue<OpenWaiter>(2)];
    const waiters = this.openWaiters[bidirectional ? 1 : 0];
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  private tryOpen(bidirectional: boolean): QuicStream | Error | undefined {
    let id: number | undefined;
    try {
      id = this.handle.connection.openStream(bidirectional);
    } catch (e) {
      return this.closedErr ?? new QuicUsageError(e instanceof Error ? e.message : String(e));
    }
    if (id === undefined) {
      this.wake(); // STREAMS_BLOCKED may be due
      return undefined;
    }
    const s = new QuicStream(this.streamHost, id, true);
    this.streams.set(id, s);
    this.wake();
    return s;
  }

  private fillOpenWaiters(bidirectional: boolean): void {
    const waiters = this.openWaiters?.[bidirectional ? 1 : 0];
    if (waiters === undefined) return;
    while (waiters.length > 0) {
      const s = this.tryOpen(bidirectional);
      if (s === undefined) return;
      const w = waiters.shift()!;
      if (s instanceof Error) w.reject(s);
      else w.resolve(s);
    }
  }

  /** The error pending and later operations fail with once the connection closed (undefined while open). */
  private get closedErr(): ConnectionClosedError | undefined {
    if (this.closeInfo === undefined) return undefined;
    this.closedErrValue ??= new ConnectionClosedError(this.closeInfo);
    return this.closedErrValue;
  }

  private connectError(): HandshakeFailedError {
    const info = this.handle.connection.closeReason ??
      this.closeInfo ?? {
        initiator: 'local' as const,
        isApplication: false,
        errorCode: TransportErrorCode.INTERNAL_ERROR,
        frameType: undefined,
        reason: 'connection closed',
      };
    if (info.initiator === 'handshake-timeout') {
      return new HandshakeTimeoutError(info, this.handle.connection.stats.packetsReceived === 0);
    }
    return new HandshakeFailedError(info);
  }

  private failReady(): void {
    const w = this.readyWaiter;
    if (w === undefined) return;
    this.readyWaiter = undefined;
    w.reject(this.connectError());
  }

  private onClosed(info: ConnectionCloseInfo): void {
    if (this.closeInfo !== undefined) return;
    this.closeInfo = info;
    if (!this.handshakeDone) this.failReady();
    if (this.state$.value !== 'closed') this.state$.next('closed');
    for (const s of this.streams.values()) s.onConnectionClosed(this.closedErr!);
    this.streams.clear();
    for (const q of this.openWaiters ?? []) {
      for (let w = q.shift(); w !== undefined; w = q.shift()) w.reject(this.closedErr);
    }
    this.incoming.close();
    for (const s of this.incoming.drain()) s.onConnectionClosed(this.closedErr!);
    this.datagramSubject.complete();
    this.state$.complete();
    // Tickets still waiting for a context are stored without one: the session can still be resumed.
    this.releaseHeldTickets();
    this.host.removed(this);
    this.resolveClosed(info);
  }
}
