import { Clock, type DependencyContainer, resolve, type SocketAddress, type Timer, token, tryResolve } from '@fos/core';
import type { KeyLogFile } from '@fos/crypto';
import { H3ConnectionFactory, H3ErrorCode, QuicH3Transport } from '@fos/http3';
import { createQuicEndpoint, type QuicConnection, type QuicEndpoint } from '@fos/quic';
import { type Observable, Subject } from 'rxjs';
import type { AccessLogEntry } from './access-log.js';
import { Http3ServerOptions, resolveEarlyData, SERVER_DEFAULTS, type ServerErrorContext } from './options.js';
import { Http3Session, type SessionContext } from './session.js';
import { DateHeaderCache } from './util/http-date.js';

/** The certificate a server presents (generated or given), for clients to trust or pin. */
export interface ServerCertificateInfo {
  /** The end-entity certificate, PEM (for a client's CA list). */
  readonly certPem: string;
  /** base64 SHA-256 of its SubjectPublicKeyInfo (curl's `--pinnedpubkey sha256//…`). */
  readonly spkiSha256: string;
  /** Whether the server generated it (no certificate was given). */
  readonly generated: boolean;
}

/** Server-owned resources registered by `registerServer` (internal). */
export interface ServerResources {
  readonly keyLogFile: KeyLogFile | undefined;
  readonly certificate: ServerCertificateInfo | undefined;
}

/** @internal DI token of {@link ServerResources}. */
export const ServerResources = token<ServerResources>('fos.server.ServerResources');

/** How {@link Http3Server.close} shuts down. */
export interface ServerCloseOptions {
  /** Let connections drain this long before they are closed (default `shutdownGraceMs`, 5 s). 0: close now. */
  readonly graceMs?: number;
}

/** Counters of a server. */
export interface ServerStats {
  /** Sessions started: with `earlyData`, one per incoming connection (its handshake may still fail), else one per
   * completed handshake. */
  readonly connectionsAccepted: number;
  /** Requests answered (access-log entries). */
  readonly requests: number;
  /** Sessions open now. */
  readonly openConnections: number;
}

/**
 * An HTTP/3 server (RFC 9114) on one UDP socket: accepts QUIC connections with ALPN `h3`, runs an
 * {@link Http3Session} on each, and hands every request to the handler. Build it with `createHttp3Server(options)`,
 * or `registerServer(container, options)` then `Http3Server.listen(container)`.
 */
export class Http3Server {
  /** The QUIC endpoint underneath (stats, `socketErrors$`). */
  readonly endpoint: QuicEndpoint;
  /** The bound address (read the port here when listening on port 0). */
  readonly address: SocketAddress;
  /** The certificate presented, when known (always when generated). */
  readonly certificate: ServerCertificateInfo | undefined;
  /**
   * Every new session (one per accepted connection: with `earlyData`, as soon as the connection exists — its
   * handshake may still fail —, else once its handshake completed). Completes when the server closes.
   */
  readonly sessions$: Observable<Http3Session>;
  /** Resolves once `close()` finished. */
  readonly closed: Promise<void>;

  private readonly options: Http3ServerOptions;
  private readonly clock: Clock;
  private readonly factory: H3ConnectionFactory;
  private readonly resources: ServerResources | undefined;
  private readonly sessionSet = new Set<Http3Session>();
  private readonly sessionSubject = new Subject<Http3Session>();
  private readonly context: SessionContext;
  private readonly dates = new DateHeaderCache();
  private accepted = 0;
  private requestsDone = 0;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosed!: () => void;

  private constructor(container: DependencyContainer, endpoint: QuicEndpoint) {
    this.endpoint = endpoint;
    this.address = endpoint.address;
    this.options = resolve(container, Http3ServerOptions);
    this.clock = resolve(container, Clock);
    this.factory = container.resolve(H3ConnectionFactory);
    this.resources = tryResolve(container, ServerResources);
    this.certificate = this.resources?.certificate;
    this.sessions$ = this.sessionSubject.asObservable();
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    const o = this.options;
    const limits = o.limits ?? {};
    const early = resolveEarlyData(o.earlyData);
    const clock = this.clock;
    const dateEnabled = o.dateHeader !== false;
    this.context = {
      handler: o.handler,
      pushEnabled: o.push !== false,
      safeMethods: new Set(early.safeMethods),
      bodyHighWaterMarkBytes: limits.requestBodyHighWaterMarkBytes ?? SERVER_DEFAULTS.requestBodyHighWaterMarkBytes,
      maxRequestBodyBytes: limits.maxRequestBodyBytes ?? Number.POSITIVE_INFINITY,
      serverHeader: o.serverHeader,
      dateHeader: () => (dateEnabled ? this.dates.get(clock.epochMs()) : undefined),
      now: () => clock.now(),
      epochMs: () => clock.epochMs(),
      createTimer: (cb) => clock.createTimer(cb),
      accessLog: (entry) => this.onAccess(entry),
      reportError: (error, context) => this.reportError(error, context),
      sessionClosed: (session) => this.onSessionClosed(session),
    };
    // Synchronously, so that the raw listener is in place before any stream event (see Http3Session.attach).
    endpoint.connections$.subscribe((quic) => this.accept(quic));
  }

  /**
   * Binds the UDP socket and starts accepting, with what `registerServer` put into `container` (the options, the
   * QUIC endpoint settings, TLS, congestion control, the HTTP/3 connection factory).
   */
  static async listen(container: DependencyContainer): Promise<Http3Server> {
    const endpoint = await createQuicEndpoint(container);
    return new Http3Server(container, endpoint);
  }

  /** `https://host:port` of the bound address (`localhost` for a wildcard or loopback address). */
  get origin(): string {
    const a = this.address;
    const wildcard = a.address === '0.0.0.0' || a.address === '::' || a.address === '127.0.0.1' || a.address === '::1';
    const host = wildcard ? 'localhost' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `https://${host}:${a.port}`;
  }

  /** The open sessions. */
  get sessions(): ReadonlySet<Http3Session> {
    return this.sessionSet;
  }

  get stats(): ServerStats {
    return { connectionsAccepted: this.accepted, requests: this.requestsDone, openConnections: this.sessionSet.size };
  }

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Graceful shutdown (RFC 9114 §5.2): every connection gets GOAWAY, requests in flight finish, connections close
   * with H3_NO_ERROR; after `graceMs` the rest are closed. New connections are refused meanwhile. Then the socket
   * closes.
   */
  close(options: ServerCloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.graceMs ?? this.options.shutdownGraceMs ?? SERVER_DEFAULTS.shutdownGraceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    const sessions = [...this.sessionSet];
    if (graceMs > 0) {
      for (const s of sessions) s.shutdown();
      let timer: Timer | undefined;
      const expired = new Promise<void>((r) => {
        timer = this.clock.createTimer(r);
        timer.set(this.clock.now() + graceMs);
      });
      await Promise.race([Promise.all(sessions.map((s) => s.closed)), expired]);
      timer?.clear();
    }
    for (const s of [...this.sessionSet]) s.close(H3ErrorCode.H3_NO_ERROR, 'server shutdown');
    // the CONNECTION_CLOSE frames go out; the closing periods are not waited out (RFC 9000 §10.2)
    await this.endpoint.close({ errorCode: H3ErrorCode.H3_NO_ERROR, reason: 'server shutdown' });
    this.sessionSubject.complete();
    this.resources?.keyLogFile?.close();
    this.resolveClosed();
  }

  private accept(quic: QuicConnection): void {
    if (this.closing !== undefined) {
      // RFC 9114 §5.2: no new work while shutting down
      void quic.close(H3ErrorCode.H3_NO_ERROR, 'server shutting down');
      return;
    }
    let session: Http3Session;
    try {
      const base = new QuicH3Transport(quic.connection, () => this.clock.now());
      const transport = this.options.wrapTransport?.(base) ?? base;
      session = Http3Session.attach(this.context, quic, this.factory.create(transport));
    } catch (e) {
      this.reportError(e, { phase: 'accept' });
      void quic.close(H3ErrorCode.H3_INTERNAL_ERROR, 'session setup failed');
      return;
    }
    this.accepted++;
    this.sessionSet.add(session);
    this.sessionSubject.next(session);
  }

  private onSessionClosed(session: Http3Session): void {
    this.sessionSet.delete(session);
  }

  private onAccess(entry: AccessLogEntry): void {
    this.requestsDone++;
    const log = this.options.accessLog;
    if (log === undefined) return;
    try {
      log(entry);
    } catch (e) {
      this.reportError(e, { phase: 'response', method: entry.method, path: entry.path });
    }
  }

  private reportError(error: unknown, context: ServerErrorContext): void {
    const hook = this.options.onError;
    if (hook === undefined) return;
    try {
      hook(error, context);
    } catch {
      // an error hook that throws must not take the server down
    }
  }
}
