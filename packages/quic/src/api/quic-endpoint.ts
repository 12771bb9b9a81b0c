import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  BufferAllocator,
  Clock,
  CongestionControllerFactory,
  CryptoProvider,
  DatagramSocket,
  type DependencyContainer,
  QlogSink,
  QuicPacketProtection,
  QuicTls,
  QuicTlsSessionCache,
  type QuicTlsSessionTicket,
  resolve,
  type SocketAddress,
  type SocketError,
  tryResolve,
} from '@fos/core';
import { type Observable, Subject } from 'rxjs';
import { EndpointDriver } from '../driver/endpoint-driver.js';
import { Endpoint } from '../endpoint/endpoint.js';
import type { EndpointEvent } from '../endpoint/endpoint-connection.js';
import type { EndpointStats } from '../endpoint/endpoint-options.js';
import { FileQlogSink } from '../qlog/file-qlog-sink.js';
import { AsyncQueue } from './async-queue.js';
import type { ConnectionHost } from './connection-host.js';
import { EndpointClosedError, QuicUsageError } from './errors.js';
import { type QuicConnectOptions, QuicEndpointOptions } from './options.js';
import { QuicConnection } from './quic-connection.js';
import { splitTicketContext } from './ticket-context.js';

/** NEW_TOKEN tokens kept per server (RFC 9000 §8.1.3), oldest dropped first. */
const MAX_STORED_TOKENS = 256;

/** How {@link QuicEndpoint.close} ends the connections still open. */
export interface QuicEndpointCloseOptions {
  /** Application error code of the CONNECTION_CLOSE frames (default 0). */
  readonly errorCode?: number;
  readonly reason?: string;
  /**
   * Wait up to this long (ms on the endpoint's clock) for connections to finish their closing period (RFC 9000
   * §10.2) before the socket closes. Default 0: send CONNECTION_CLOSE and stop at once.
   */
  readonly waitMs?: number;
}

/**
 * A QUIC endpoint: one UDP socket, client and/or server connections (RFC 9000). Built by
 * {@link createQuicEndpoint} from a DI container.
 *
 * ```ts
 * const server = await createQuicEndpoint(container, { bind: { address: '127.0.0.1', port: 4433 }, server: { alpn: 'echo' } });
 * for await (const conn of server) for await (const stream of conn) stream.readable.pipeTo(stream.writable);
 * const conn = await client.connect({ host: 'localhost', port: 4433, alpn: 'echo' });
 * ```
 */
export class QuicEndpoint implements AsyncIterable<QuicConnection> {
  /** The bound local address. */
  readonly address: SocketAddress;
  /**
   * Incoming connections (server), handed over when their handshake completes — or, with the server option
   * `handover: 'early'`, synchronously as soon as they exist (before any of their events). Completes on close.
   */
  readonly connections$: Observable<QuicConnection>;
  /**
   * Socket failures (receive errors; send errors such as EMSGSIZE / ENETUNREACH when the socket reports them — the
   * node socket does with its `reportSendErrors` option); never thrown.
   */
  readonly socketErrors$: Observable<SocketError>;
  /** The sans-I/O endpoint underneath. */
  readonly endpoint: Endpoint;
  /** @internal */ readonly driver: EndpointDriver;

  private readonly container: DependencyContainer;
  private readonly clock: Clock;
  private readonly sessionCache: QuicTlsSessionCache | undefined;
  private readonly ownedQlog: FileQlogSink | undefined;
  private readonly incoming = new AsyncQueue<QuicConnection>();
  private readonly socketErrors = new Subject<SocketError>();
  private readonly live = new Set<QuicConnection>();
  private readonly tokens = new Map<string, Uint8Array>();
  private readonly tokenKeys = new WeakMap<QuicConnection, string>();
  private readonly host: ConnectionHost;
  private closing: Promise<void> | undefined = undefined;
  /** Server option `handover: 'early'`: connections are handed over when created, not at handshake completion. */
  private readonly earlyHandover: boolean;

  /** @internal Use {@link createQuicEndpoint}. */
  constructor(parts: {
    container: DependencyContainer;
    endpoint: Endpoint;
    socket: DatagramSocket;
    address: SocketAddress;
    clock: Clock;
    allocator: BufferAllocator;
    sessionCache: QuicTlsSessionCache | undefined;
    ownedQlog: FileQlogSink | undefined;
    maxDatagramsPerTurn: number | undefined;
    earlyHandover?: boolean;
  }) {
    this.container = parts.container;
    this.earlyHandover = parts.earlyHandover ?? false;
    this.endpoint = parts.endpoint;
    this.address = parts.address;
    this.clock = parts.clock;
    this.sessionCache = parts.sessionCache;
    this.ownedQlog = parts.ownedQlog;
    this.connections$ = this.incoming.observable;
    this.socketErrors$ = this.socketErrors.asObservable();
    this.driver = new EndpointDriver({
      endpoint: parts.endpoint,
      socket: parts.socket,
      clock: parts.clock,
      allocator: parts.allocator,
      maxDatagramsPerTurn: parts.maxDatagramsPerTurn,
      onEvent: (e) => this.onEndpointEvent(e),
      onSocketError: (error) => this.socketErrors.next(error),
    });
    this.host = {
      driver: this.driver,
      storeSessionTicket: (ticket) => this.storeSessionTicket(ticket),
      storeToken: (conn, token) => this.storeToken(conn, token),
      accepted: (conn) => {
        if (!this.earlyHandover) this.incoming.push(conn);
      },
      removed: (conn) => this.onRemoved(conn),
      newSocket: () => this.newSocket(),
    };
  }

  /** Incoming connections as an async iterator (server). Ends when the endpoint closes. */
  [Symbol.asyncIterator](): AsyncIterator<QuicConnection> {
    return this.incoming[Symbol.asyncIterator]();
  }

  /** The next incoming connection, or undefined once the endpoint closed. */
  async accept(): Promise<QuicConnection | undefined> {
    const r = await this.incoming.next();
    return r.done ? undefined : r.value;
  }

  /** Connections held (handshaking, open or closing). */
  get connectionCount(): number {
    return this.live.size;
  }

  get stats(): Readonly<EndpointStats> {
    return this.endpoint.stats;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Connects to a server. Resolves when the handshake completes (or, with `earlyData` and a resumable session, as
   * soon as 0-RTT data can be sent); rejects with {@link HandshakeFailedError} (RFC code, TLS alert) or
   * {@link HandshakeTimeoutError} (`noReply` when nothing came back).
   */
  async connect(options: QuicConnectOptions): Promise<QuicConnection> {
    if (this.closing !== undefined) throw new EndpointClosedError();
    const alpn = typeof options.alpn === 'string' ? [options.alpn] : [...options.alpn];
    if (alpn.length === 0) throw new QuicUsageError('connect needs at least one ALPN protocol (RFC 9001 §8.1)');
    const host = options.host;
    let address = options.address;
    if (address === undefined) {
      if (host === undefined) throw new QuicUsageError('connect needs an address or a host');
      address =
        isIP(host) !== 0 ? host : (await lookup(host, { family: this.address.family === 'IPv6' ? 0 : 4 })).address;
    }
    if (this.closing !== undefined) throw new EndpointClosedError();
    const serverName = options.serverName ?? (host !== undefined && isIP(host) === 0 ? host : undefined);
    const remote: SocketAddress = { address, port: options.port, family: isIP(address) === 6 ? 'IPv6' : 'IPv4' };
    const stored =
      options.resume !== false && serverName !== undefined && this.sessionCache !== undefined
        ? this.sessionCache.take(serverName, alpn[0], this.clock.epochMs())
        : undefined;
    // The transport takes the ticket with the server's transport parameters; the application's context stays here.
    const resume = stored === undefined ? undefined : splitTicketContext(stored);
    const resumeSession = resume?.ticket;
    const tokenKey = serverName ?? `${address}:${options.port}`;
    const token = this.tokens.get(tokenKey);
    // RFC 9000 §8.1.3: a NEW_TOKEN token is used once.
    if (token !== undefined) this.tokens.delete(tokenKey);
    const transport =
      options.timeoutMs !== undefined
        ? { ...options.transport, handshakeTimeoutMs: options.timeoutMs }
        : options.transport;
    const handle = this.endpoint.connect(this.clock.now(), {
      remote,
      alpnProtocols: alpn,
      serverName,
      verifyHost: options.verifyHost ?? serverName ?? address,
      resumeSession,
      enableEarlyData: options.earlyData,
      token,
      version: options.version,
      transport,
    });
    const conn = new QuicConnection(handle, this.host, {
      awaitContext: options.awaitTicketContext === true,
      offeredContext: resume?.context,
    });
    handle.context = conn;
    this.live.add(conn);
    this.tokenKeys.set(conn, tokenKey);
    conn.drainEvents();
    this.driver.wake();
    const signal = options.signal;
    if (signal === undefined) return conn.whenReady(options.earlyData === true);
    if (signal.aborted) {
      void conn.close(0, 'aborted');
      throw signal.reason;
    }
    const onAbort = () => void conn.close(0, 'aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([
        conn.whenReady(options.earlyData === true),
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        ),
      ]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Closes every connection (CONNECTION_CLOSE with `errorCode`), optionally waits for their closing periods, then
   * closes the socket(s) and the timer. Connections still open resolve their `closed` promise with a local close.
   */
  close(options: QuicEndpointCloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options);
    return this.closing;
  }

  private async shutdown(options: QuicEndpointCloseOptions): Promise<void> {
    this.incoming.close();
    this.endpoint.closeAll(this.clock.now(), options.errorCode ?? 0, options.reason ?? '');
    // Get every CONNECTION_CLOSE out (the driver sends a bounded number per flush).
    for (let i = 0; i < 10_000 && this.endpoint.wantsToTransmit; i++) this.driver.flush();
    const waitMs = options.waitMs ?? 0;
    if (waitMs > 0 && this.live.size > 0) {
      const all = Promise.all([...this.live].map((c) => c.closed));
      let timer: ReturnType<Clock['createTimer']> | undefined;
      const timeout = new Promise<void>((r) => {
        timer = this.clock.createTimer(r);
        timer.set(this.clock.now() + waitMs);
      });
      await Promise.race([all, timeout]);
      timer?.clear();
    }
    for (const c of [...this.live]) c.forceClosed();
    this.live.clear();
    await this.driver.close();
    this.socketErrors.complete();
    await this.ownedQlog?.close();
  }

  // ------------------------------------------------------------------ internal

  private onEndpointEvent(e: EndpointEvent): void {
    if (e.type === 'incoming') {
      const conn = new QuicConnection(e.connection, this.host);
      e.connection.context = conn;
      this.live.add(conn);
      // Early hand-over: the subscriber runs now, before the connection's first events (0-RTT streams) are drained.
      if (this.earlyHandover) this.incoming.push(conn);
      return;
    }
    const conn = e.connection.context as QuicConnection | undefined;
    conn?.drainEvents();
  }

  private storeSessionTicket(ticket: QuicTlsSessionTicket): void {
    this.sessionCache?.store(ticket);
  }

  private storeToken(conn: QuicConnection, token: Uint8Array): void {
    const key = this.tokenKeys.get(conn);
    if (key === undefined) return;
    this.tokens.delete(key);
    this.tokens.set(key, token);
    while (this.tokens.size > MAX_STORED_TOKENS) this.tokens.delete(this.tokens.keys().next().value as string);
  }

  private onRemoved(conn: QuicConnection): void {
    this.live.delete(conn);
    this.incoming.remove(conn); // closed before the application accepted it
    const socket = this.driver.socketFor(conn.handle);
    if (socket !== this.driver.primarySocket) void this.driver.detachSocket(socket);
  }

  private async newSocket(): Promise<DatagramSocket> {
    const socket = resolve(this.container, DatagramSocket);
    await socket.bind({ address: this.address.address, family: this.address.family, port: 0 });
    return socket;
  }
}

/**
 * Builds a {@link QuicEndpoint} from a container: `DatagramSocket`, `Clock`, `BufferAllocator`, `QuicTls`,
 * `QuicPacketProtection`, `CryptoProvider`, `CongestionControllerFactory` (required), `QlogSink` and
 * `QuicTlsSessionCache` (optional), and the `QuicEndpointOptions` registered by `registerQuic` (merged under
 * `options`). Binds the socket before resolving.
 */
export async function createQuicEndpoint(
  container: DependencyContainer,
  options: QuicEndpointOptions = {},
): Promise<QuicEndpoint> {
  const o: QuicEndpointOptions = { ...tryResolve(container, QuicEndpointOptions), ...options };
  const clock = resolve(container, Clock);
  const allocator = resolve(container, BufferAllocator);
  const ownedQlog = options.qlogDir !== undefined ? new FileQlogSink({ directory: options.qlogDir }) : undefined;
  const qlog = ownedQlog ?? tryResolve(container, QlogSink);
  const server = o.server;
  const endpoint = new Endpoint({
    tls: resolve(container, QuicTls),
    protection: resolve(container, QuicPacketProtection),
    crypto: resolve(container, CryptoProvider),
    congestion: resolve(container, CongestionControllerFactory),
    epochOffsetMs: clock.epochMs() - clock.now(),
    qlog,
    transport: o.transport,
    cidLength: o.cidLength,
    statelessResetKey: o.statelessResetKey,
    statelessResets: o.statelessResets,
    supportedVersions: o.supportedVersions,
    server: server && {
      alpnProtocols: typeof server.alpn === 'string' ? [server.alpn] : server.alpn,
      enableEarlyData: server.enableEarlyData,
      earlyDataContext: server.earlyDataContext,
      acceptEarlyDataContext: server.acceptEarlyDataContext,
      retry: server.retry,
      tokenKey: server.tokenKey,
      issueNewTokens: server.issueNewTokens,
      maxHandshakes: server.maxHandshakes,
      maxConnections: server.maxConnections,
      transport: server.transport,
    },
  });
  const socket = resolve(container, DatagramSocket);
  const address = await socket.bind(o.bind);
  return new QuicEndpoint({
    container,
    endpoint,
    socket,
    address,
    clock,
    allocator,
    sessionCache: tryResolve(container, QuicTlsSessionCache),
    ownedQlog,
    maxDatagramsPerTurn: o.maxDatagramsPerTurn,
    earlyHandover: server?.handover === 'early',
  });
}
