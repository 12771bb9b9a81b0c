import type { SocketAddress, Timer } from '@fos/core';
import {
  deliverQuicEvent,
  GOAWAY_MAX_STREAM_ID,
  type H3Connection,
  H3ErrorCode,
  type H3Event,
  type H3Header,
  type H3Headers,
  type H3Priority,
  H3UsageError,
  H3UsageErrorKind,
  isRequestStream,
  type RequestInfo,
} from '@fos/http3';
import type { ConnectionEvent, QuicConnection } from '@fos/quic';
import type { AccessLogEntry } from './access-log.js';
import { Exchange, type ExchangeHost } from './exchange/exchange.js';
import { appendHeaders } from './exchange/headers.js';
import { RequestBody, type RequestBodyHost } from './exchange/request-body.js';
import type { Http3Response, PushOptions } from './exchange/response.js';
import { PushStreamSink, RequestStreamSink } from './exchange/response-sink.js';
import type { Http3Handler } from './handler.js';
import type { ServerErrorContext } from './options.js';

/** What a session needs from its server (internal). */
export interface SessionContext {
  readonly handler: Http3Handler;
  readonly pushEnabled: boolean;
  readonly safeMethods: ReadonlySet<string>;
  readonly bodyHighWaterMarkBytes: number;
  readonly maxRequestBodyBytes: number;
  readonly serverHeader: string | undefined;
  dateHeader(): string | undefined;
  now(): number;
  epochMs(): number;
  createTimer(callback: () => void): Timer;
  accessLog(entry: AccessLogEntry): void;
  reportError(error: unknown, context: ServerErrorContext): void;
  sessionClosed(session: Http3Session): void;
}

/** How a session ended. */
export interface SessionCloseInfo {
  /** The H3 (application) or QUIC error code of the close. */
  readonly code: number;
  readonly reason: string;
  /** We closed it (graceful shutdown, an error we detected), or the peer / the transport did. */
  readonly local: boolean;
}

const OVERLOAD_BODY = 'Payload Too Large\n';
const ERROR_BODY = 'Internal Server Error\n';

/**
 * One HTTP/3 connection of the server: an {@link H3Connection} over a {@link QuicConnection} (RFC 9114 §3), the
 * requests in flight on it, its pushes and its graceful shutdown (RFC 9114 §5.2).
 *
 * Events flow synchronously: the QUIC connection's raw listener hands each event to the H3 connection, whose
 * events are dispatched at once (`request` → the handler, `data` → the request body …). Calls the application makes
 * later (a response write) flush the QUIC connection's output in the same turn.
 */
export class Http3Session implements ExchangeHost, RequestBodyHost {
  readonly quic: QuicConnection;
  readonly h3: H3Connection;
  readonly remoteAddress: SocketAddress;
  /** Resolves when the connection is closed. */
  readonly closed: Promise<SessionCloseInfo>;
  /** Requests received on this connection. */
  requestCount = 0;

  private readonly ctx: SessionContext;
  private readonly exchanges = new Map<number, Exchange>();
  private readonly pushExchanges = new Map<number, Exchange>();
  private readonly earlyStreams = new Set<number>();
  private deferred: Exchange[] | undefined = undefined;
  private handshakeComplete: boolean;
  private draining = false;
  private again = false;
  private isClosed = false;
  private resolveClosed!: (info: SessionCloseInfo) => void;
  private shutdownTimer: Timer | undefined = undefined;
  private shuttingDown = false;
  /** While {@link attach} replays the streams that arrived before the hand-over. */
  private replaying = false;

  /** @internal Created by the server for each accepted connection; see {@link Http3Session.attach}. */
  private constructor(ctx: SessionContext, quic: QuicConnection, h3: H3Connection) {
    this.ctx = ctx;
    this.quic = quic;
    this.h3 = h3;
    this.remoteAddress = quic.remoteAddress;
    this.handshakeComplete = quic.connection.isHandshakeComplete;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /**
   * Starts HTTP/3 on an accepted QUIC connection. Call it synchronously from the `connections$` subscriber, so
   * that no stream event is delivered before the raw listener is in place.
   */
  static attach(ctx: SessionContext, quic: QuicConnection, h3: H3Connection): Http3Session {
    const session = new Http3Session(ctx, quic, h3);
    h3.start(); // RFC 9114 §6.2.1: control stream + SETTINGS, QPACK streams (RFC 9204 §4.2)
    // Setting the listener replays the streams that arrived before the hand-over: on a connection handed over at
    // handshake completion those came in 0-RTT (RFC 9001 §4.6.1), so their requests are early data.
    session.replaying = true;
    try {
      quic.setRawListener((e) => session.onQuicEvent(e));
    } finally {
      session.replaying = false;
    }
    session.flush();
    return session;
  }

  /** Requests in flight. */
  get activeRequests(): number {
    return this.exchanges.size;
  }

  /** Whether the connection is closed. */
  get isOpen(): boolean {
    return !this.isClosed;
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Graceful shutdown (RFC 9114 §5.2): a GOAWAY with the largest stream ID first (no request in flight is lost),
   * then, after about a round trip, the GOAWAY naming the first request that will not be processed; requests below
   * it finish; the connection closes with H3_NO_ERROR once everything was acknowledged.
   */
  shutdown(): void {
    if (this.isClosed || this.shuttingDown) return;
    this.shuttingDown = true;
    this.call(() => this.h3.goaway(GOAWAY_MAX_STREAM_ID));
    this.flush();
    const rtt = this.quic.connection.smoothedRttMs;
    const waitMs = Math.min(Math.max(2 * rtt, 5), 1000);
    this.shutdownTimer = this.ctx.createTimer(() => {
      this.shutdownTimer = undefined;
      if (this.isClosed) return;
      this.call(() => {
        this.h3.goaway(); // the first request stream not yet seen
        this.h3.shutdown();
      });
      this.flush();
    });
    this.shutdownTimer.set(this.ctx.now() + waitMs);
  }

  /** Closes now (RFC 9114 §5.3) with `code` (default H3_NO_ERROR); requests in flight are cut. */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.isClosed) return;
    this.call(() => this.h3.close(code, reason));
    this.flush();
  }

  // ------------------------------------------------------------------ event flow

  /** The raw QUIC listener: hand the event to HTTP/3, then dispatch what HTTP/3 reports. */
  private onQuicEvent(e: ConnectionEvent): void {
    try {
      // A request stream opened before the handshake completed came in 0-RTT (RFC 9001 §4.6.1: a server processes
      // no 1-RTT packet before then), so it is early data (RFC 9114 §10.9).
      if (e.type === 'stream-opened' && (!this.handshakeComplete || this.replaying) && isRequestStream(e.streamId)) {
        this.earlyStreams.add(e.streamId);
      }
      deliverQuicEvent(this.h3, e);
      if (e.type === 'handshake-complete') this.onHandshakeComplete();
    } catch (err) {
      this.ctx.reportError(err, { phase: 'session' });
    }
    this.drain();
  }

  /** Delivers the H3 connection's pending events (re-entrant calls just ask for another round). */
  private drain(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.again = false;
        for (let e = this.h3.pollEvent(); e !== undefined; e = this.h3.pollEvent()) {
          try {
            this.onH3Event(e);
          } catch (err) {
            this.ctx.reportError(err, { phase: 'session' });
          }
        }
      } while (this.again);
    } finally {
      this.draining = false;
    }
  }

  private onH3Event(e: H3Event): void {
    switch (e.type) {
      case 'request':
        this.onRequest(e.streamId, e.headers, e.info, e.priority);
        break;
      case 'data':
        this.exchanges.get(e.streamId)?.onData(e.data);
        break;
      case 'trailers':
        this.exchanges.get(e.streamId)?.onTrailers(e.headers);
        break;
      case 'end':
        this.exchanges.get(e.streamId)?.onEnd();
        break;
      case 'stream-error':
        this.exchangeOf(e.streamId, e.pushId)?.onStreamError(e.code, streamErrorMessage(e.code, e.local));
        break;
      case 'stop-sending':
        this.exchangeOf(e.streamId, e.pushId)?.onStopSending(e.code);
        break;
      case 'writable':
        this.exchangeOf(e.streamId, e.pushId)?.response.onWritable();
        break;
      case 'push-cancelled':
        // RFC 9114 §7.2.3: the client does not want this push
        this.pushExchanges.get(e.pushId)?.onStreamError(H3ErrorCode.H3_REQUEST_CANCELLED, 'push cancelled');
        break;
      case 'priority':
        this.exchangeOf(e.streamId, e.pushId)?.onPriority(e.priority);
        break;
      case 'connection-error':
        this.ctx.reportError(e.error ?? new Error(e.reason), { phase: 'session' });
        break;
      case 'closed':
        this.onClosed({ code: e.code, reason: e.reason, local: e.local });
        break;
      default:
        // settings, goaway (the client's: no more pushes, handled by H3), informational/response (client only)
        break;
    }
  }

  private exchangeOf(streamId: number, pushId: number | undefined): Exchange | undefined {
    return pushId !== undefined ? this.pushExchanges.get(pushId) : this.exchanges.get(streamId);
  }

  // ------------------------------------------------------------------ requests

  private onRequest(streamId: number, headers: H3Headers, info: RequestInfo, priority: H3Priority): void {
    this.requestCount++;
    const ctx = this.ctx;
    const early = this.earlyStreams.delete(streamId);
    const declared = info.contentLength;
    // a request whose stream ended with the header section has no content (RFC 9114 §4.1)
    const body = new RequestBody(this, streamId, ctx.bodyHighWaterMarkBytes, ctx.maxRequestBodyBytes);
    const ex = new Exchange(this, {
      streamId,
      headers,
      info,
      priority,
      earlyData: early,
      body,
      sink: new RequestStreamSink(this.h3, streamId),
    });
    this.exchanges.set(streamId, ex);
    if (declared > ctx.maxRequestBodyBytes) {
      // RFC 9110 §15.5.14: 413 Content Too Large, without running the handler
      ex.response.status = 413;
      ex.response.setHeader('content-type', 'text/plain');
      void ex.response.end(OVERLOAD_BODY);
      return;
    }
    // RFC 8470 §3 / RFC 9114 §10.9: early data that is not safe to replay waits for the handshake
    if (early && !this.handshakeComplete && !ctx.safeMethods.has(info.method)) {
      this.deferred ??= [];
      this.deferred.push(ex);
      return;
    }
    this.dispatch(ex);
  }

  private onHandshakeComplete(): void {
    this.handshakeComplete = true;
    const deferred = this.deferred;
    this.deferred = undefined;
    if (deferred !== undefined) for (const ex of deferred) if (!ex.response.finished) this.dispatch(ex);
  }

  private dispatch(ex: Exchange): void {
    ex.dispatched = true;
    let result: void | Promise<void>;
    try {
      result = this.ctx.handler(ex.request, ex.response);
    } catch (e) {
      this.handlerFailed(ex, e);
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(undefined, (e: unknown) => this.handlerFailed(ex, e));
    }
  }

  /** A handler threw: 500 if nothing final was sent yet, else a reset with H3_INTERNAL_ERROR (RFC 9114 §8.1). */
  private handlerFailed(ex: Exchange, error: unknown): void {
    const req = ex.request;
    this.ctx.reportError(error, { phase: 'handler', method: req.method, path: req.path, streamId: req.streamId });
    const res = ex.response;
    if (res.finished) return;
    if (res.headersSent) {
      res.reset(H3ErrorCode.H3_INTERNAL_ERROR);
      return;
    }
    for (const [name] of [...res.headers]) res.removeHeader(name);
    res.status = 500;
    res.setHeader('content-type', 'text/plain');
    void res.end(ERROR_BODY);
  }

  // ------------------------------------------------------------------ push

  /** @internal RFC 9114 §4.6: promises `path` on `parent`'s request stream. */
  push(parent: Exchange, path: string, options: PushOptions): Http3Response | undefined {
    if (!this.ctx.pushEnabled || this.isClosed || this.shuttingDown) return undefined;
    const req = parent.request;
    const authority = req.authority;
    if (authority === undefined || req.streamId < 0) return undefined;
    const scheme = req.scheme ?? 'https';
    const headers: H3Header[] = [
      [':method', 'GET'],
      [':scheme', scheme],
      [':authority', authority],
      [':path', path],
    ];
    appendHeaders(headers, options.headers);
    let handle: ReturnType<H3Connection['promisePush']>;
    try {
      handle = this.h3.promisePush(req.streamId, headers);
    } catch (e) {
      if (e instanceof H3UsageError && e.kind === H3UsageErrorKind.PUSH_NOT_ALLOWED) return undefined;
      throw e;
    }
    const info: RequestInfo = {
      method: 'GET',
      scheme,
      authority,
      path,
      protocol: undefined,
      contentLength: -1,
    };
    const ex = new Exchange(this, {
      streamId: -1,
      pushId: handle.pushId,
      headers,
      info,
      priority: req.priority,
      earlyData: false,
      body: undefined,
      sink: new PushStreamSink(this.h3, handle),
    });
    this.pushExchanges.set(handle.pushId, ex);
    this.flush();
    if (options.dispatch === true) this.dispatch(ex);
    return ex.response;
  }

  // ------------------------------------------------------------------ ExchangeHost / RequestBodyHost

  /** @internal */
  flush(): void {
    this.drain();
    if (!this.isClosed) this.quic.wake();
  }

  /** @internal */
  dateHeader(): string | undefined {
    return this.ctx.dateHeader();
  }

  /** @internal */
  get serverHeader(): string | undefined {
    return this.ctx.serverHeader;
  }

  /** @internal */
  now(): number {
    return this.ctx.now();
  }

  /** @internal */
  epochMs(): number {
    return this.ctx.epochMs();
  }

  /** @internal */
  exchangeDone(ex: Exchange): void {
    const pushId = ex.response.pushId;
    if (pushId !== undefined) this.pushExchanges.delete(pushId);
    else this.exchanges.delete(ex.request.streamId);
    this.ctx.accessLog(ex.logEntry());
  }

  /** @internal */
  responseError(ex: Exchange, error: unknown): void {
    const req = ex.request;
    this.ctx.reportError(error, { phase: 'response', method: req.method, path: req.path, streamId: req.streamId });
  }

  /** @internal */
  pauseReading(streamId: number): void {
    this.h3.pauseReading(streamId);
  }

  /** @internal */
  resumeReading(streamId: number): void {
    if (this.isClosed) return;
    this.call(() => this.h3.resumeReading(streamId));
    this.flush();
  }

  /** @internal RFC 9114 §4.1: STOP_SENDING with H3_NO_ERROR, the response can still complete. */
  abortReading(streamId: number): void {
    if (this.isClosed) return;
    this.call(() => this.h3.abortReading(streamId, H3ErrorCode.H3_NO_ERROR));
    this.flush();
  }

  // ------------------------------------------------------------------ internals

  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof H3UsageError && e.kind === H3UsageErrorKind.CLOSED)) {
        this.ctx.reportError(e, { phase: 'session' });
      }
    }
  }

  private onClosed(info: SessionCloseInfo): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.shutdownTimer?.clear();
    this.shutdownTimer = undefined;
    const message = `connection closed (0x${info.code.toString(16)}${info.reason ? `: ${info.reason}` : ''})`;
    for (const ex of [...this.exchanges.values(), ...this.pushExchanges.values()]) ex.onStreamError(undefined, message);
    this.exchanges.clear();
    this.pushExchanges.clear();
    this.deferred = undefined;
    this.resolveClosed(info);
    this.ctx.sessionClosed(this);
  }
}

function streamErrorMessage(code: number, local: boolean): string {
  return `${local ? 'stream reset by the server' : 'stream reset by the client'} (0x${code.toString(16)})`;
}
