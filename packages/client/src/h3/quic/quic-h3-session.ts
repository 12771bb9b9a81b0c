import type { Clock, EarlyDataState } from '@fos/core';
import {
  deliverQuicEvent,
  encodeSettingsPayload,
  type H3ClientRequest,
  H3Connection,
  type H3ConnectionOptions,
  type H3Event,
  type H3Headers,
  type H3Settings,
  H3UsageError,
  H3UsageErrorKind,
  parseSettingsPayload,
  QuicH3Transport,
  settingsEntries,
  settingsFromEntries,
} from '@fos/http3';
import type { ConnectionCloseInfo, ConnectionEvent, QuicConnection } from '@fos/quic';
import { Subject } from 'rxjs';
import { ClientErrorCode, ProtocolError, RequestError, StreamResetError } from '../../errors.js';
import { H3ErrorCode } from '../../protocol.js';
import type { H3PushPromise, H3Request, H3RequestOptions, H3Session, H3SessionEvent } from '../h3-session.js';
import { type ConnectTargetInfo, closeInfoError, connectionLostError } from './connect-errors.js';
import { type ExchangeHost, type ExchangeStream, QuicH3Exchange } from './quic-h3-exchange.js';
import { StreamCreditTransport } from './stream-credit.js';

/** What a session reports to the factory that made it. */
export interface SessionOwner {
  /** The session has one more (+1) or one less (-1) request in flight, or a connect in progress. */
  busy(delta: number): void;
  /** The connection is closed: forget the session. */
  closed(session: QuicH3Session): void;
}

export interface QuicH3SessionOptions {
  readonly quic: QuicConnection;
  readonly clock: Clock;
  /** When the connection attempt started (clock ms), for `handshakeMs`. */
  readonly startedAtMs: number;
  readonly target: ConnectTargetInfo;
  /** H3Connection settings (QPACK, grease, …); the transport is the QUIC connection. */
  readonly h3: Omit<H3ConnectionOptions, 'transport'>;
  readonly owner: SessionOwner;
  /**
   * Accept server push (RFC 9114 §4.6) with this many pushes outstanding at most: MAX_PUSH_ID (§7.2.7) starts at
   * `pushWindow - 1` and moves up as pushes finish. Undefined: push disabled (MAX_PUSH_ID never sent).
   */
  readonly pushWindow?: number;
}

/** A pushed response's stream: known by push ID first, by QUIC stream ID once the push stream arrives (§4.6). */
class PushStream implements ExchangeStream {
  streamId = -1;
  private paused = false;

  constructor(
    private readonly h3: H3Connection,
    readonly pushId: number,
  ) {}

  pauseReading(): void {
    this.paused = true;
    if (this.streamId >= 0) this.h3.pauseReading(this.streamId);
  }

  resumeReading(): void {
    this.paused = false;
    if (this.streamId >= 0) this.h3.resumeReading(this.streamId);
  }

  /** The push stream is known now. */
  attach(streamId: number): void {
    if (this.streamId >= 0) return;
    this.streamId = streamId;
    if (this.paused) this.h3.pauseReading(streamId);
  }

  cancel(): void {
    // RFC 9114 §4.6, §7.2.3: CANCEL_PUSH (or STOP_SENDING on the push stream when it already arrived).
    if (!this.h3.isClosed) this.h3.cancelPush(this.pushId);
  }
}

/**
 * An HTTP/3 session over one QUIC connection (RFC 9114 §3): a client {@link H3Connection} driven by the connection's
 * events (`setRawListener` + `deliverQuicEvent`), requests as {@link QuicH3Exchange}s, MAX_STREAMS credit for the
 * pool, GOAWAY and the close reported on `events$`.
 *
 * Nothing here runs per packet beyond handing the QUIC events to the H3 connection and polling its events.
 */
export class QuicH3Session implements H3Session, ExchangeHost {
  readonly alpnProtocol = 'h3';
  readonly handshake: Promise<void>;
  readonly events$: Subject<H3SessionEvent>;
  readonly pushes$: Subject<H3PushPromise> | undefined;
  /** The QUIC connection underneath (diagnostics and tools: stats, key update, qlog). */
  readonly quic: QuicConnection;
  /** The HTTP/3 connection (diagnostics: peer SETTINGS, QPACK state). */
  readonly h3: H3Connection;
  handshakeComplete = false;
  handshakeMs: number | undefined = undefined;
  goingAway = false;
  closed = false;
  /** Requests sent on this connection. */
  requestCount = 0;
  private readonly clock: Clock;
  private readonly startedAtMs: number;
  private readonly target: ConnectTargetInfo;
  private readonly owner: SessionOwner;
  private readonly credit: StreamCreditTransport;
  private readonly exchanges = new Map<ExchangeStream, QuicH3Exchange>();
  private readonly pushStreams = new Map<number, PushStream>();
  private readonly pushWindow: number | undefined;
  private resolveHandshake!: () => void;
  private rejectHandshake!: (e: unknown) => void;
  private pumping = false;
  private pumpAgain = false;
  private closeError: Error | undefined = undefined;
  private readonly onQuicEvent = (e: ConnectionEvent): void => {
    deliverQuicEvent(this.h3, e);
    switch (e.type) {
      case 'handshake-complete':
        this.onHandshakeComplete();
        break;
      case 'early-data':
        // RFC 9001 §4.6.2: what 0-RTT assumed (the remembered SETTINGS) no longer holds.
        if (!e.accepted) this.h3.handleEarlyDataRejected();
        break;
      case 'streams-available':
        if (e.bidirectional) {
          this.credit.onStreamsAvailable();
          this.emit({ type: 'streams-available' });
        }
        break;
      default:
        break;
    }
    this.pump();
  };

  constructor(options: QuicH3SessionOptions) {
    this.quic = options.quic;
    this.clock = options.clock;
    this.startedAtMs = options.startedAtMs;
    this.target = options.target;
    this.owner = options.owner;
    this.events$ = new Subject<H3SessionEvent>();
    this.pushWindow = options.pushWindow !== undefined && options.pushWindow > 0 ? options.pushWindow : undefined;
    this.pushes$ = this.pushWindow !== undefined ? new Subject<H3PushPromise>() : undefined;
    this.handshake = new Promise<void>((resolve, reject) => {
      this.resolveHandshake = resolve;
      this.rejectHandshake = reject;
    });
    this.handshake.catch(() => {});
    const quic = this.quic;
    this.credit = new StreamCreditTransport(new QuicH3Transport(quic.connection, () => this.clock.now()));
    this.h3 = new H3Connection({
      ...options.h3,
      // RFC 9114 §4.6: push is enabled by MAX_PUSH_ID; without it the server cannot push.
      maxPushId: this.pushWindow !== undefined ? this.pushWindow - 1 : undefined,
      transport: this.credit,
      resumedPeerSettings: rememberedSettings(quic),
    });
    if (quic.state === 'closed') {
      // Closed between the handshake and now: nothing will be delivered any more (HTTP/3, closed first, ignores the
      // streams the listener replays).
      const info = quic.closeReason;
      this.h3.handleConnectionClosed(info?.errorCode ?? 0, info?.reason ?? '');
      quic.setRawListener(this.onQuicEvent);
    } else {
      this.h3.start(); // RFC 9114 §6.2.1: control stream with SETTINGS, QPACK streams (RFC 9204 §4.2)
      // Also hands HTTP/3 the streams the server opened in the packets that completed the handshake (`connect`
      // resolves after the events of that batch); their data is still in QUIC's buffers.
      quic.setRawListener(this.onQuicEvent);
      if (quic.connection.isHandshakeComplete) this.onHandshakeComplete();
    }
    this.flush();
  }

  // ------------------------------------------------------------------------------------------------ H3Session

  get resumed(): boolean {
    return this.quic.resumed;
  }

  get earlyData(): EarlyDataState {
    return this.quic.connection.tlsSession.earlyData;
  }

  get canSendEarlyData(): boolean {
    return !this.handshakeComplete && !this.closed && this.earlyData === 'offered';
  }

  get remoteAddress(): { host: string; port: number } | undefined {
    const r = this.quic.remoteAddress;
    return { host: r.address, port: r.port };
  }

  availableStreams(): number {
    if (this.closed || this.goingAway) return 0;
    if (!this.handshakeComplete && !this.canSendEarlyData) return 0;
    return this.credit.available();
  }

  request(request: H3Request, options: H3RequestOptions): QuicH3Exchange {
    if (this.closed || this.goingAway) throw new StreamResetError('h3', H3ErrorCode.H3_REQUEST_REJECTED, true);
    // RFC 9114 §4.3.1: the request pseudo-header fields come first.
    const headers: [string, string][] = [
      [':method', request.method],
      [':scheme', request.scheme],
      [':authority', request.authority],
      [':path', request.path],
    ];
    for (const h of request.headers) headers.push([h[0], h[1]]);
    const body = request.body;
    const noContent = body === null || (body instanceof Uint8Array && body.byteLength === 0);
    // RFC 9001 §4.6.1: before the handshake completes, stream data goes out in 0-RTT packets. The client only asks
    // for this with safe requests (RFC 8470 §4).
    const early = options.earlyData && this.canSendEarlyData;
    if (!this.handshakeComplete && !early) {
      throw new StreamResetError('h3', H3ErrorCode.H3_REQUEST_REJECTED, true);
    }
    let h3request: H3ClientRequest;
    try {
      h3request = this.h3.request(headers, { endStream: noContent });
    } catch (e) {
      throw this.requestError(e);
    }
    this.requestCount++;
    const exchange = new QuicH3Exchange(this, h3request, early, () => this.earlyData !== 'rejected');
    this.exchanges.set(h3request, exchange);
    this.owner.busy(1);
    if (!noContent) {
      if (body instanceof Uint8Array) {
        try {
          h3request.writeBody(body, true); // kept by reference until acknowledged
        } catch (e) {
          exchange.cancel(H3ErrorCode.H3_REQUEST_CANCELLED, this.requestError(e));
          throw this.requestError(e);
        }
      } else if (body !== null) {
        void this.sendBody(exchange, h3request, body);
      }
    }
    this.flush();
    return exchange;
  }

  close(errorCode?: number, reason = ''): void {
    if (this.closed) return;
    this.goingAway = true;
    if (errorCode === undefined || errorCode === H3ErrorCode.H3_NO_ERROR) {
      // RFC 9114 §5.2: GOAWAY, let the requests in flight finish, then CONNECTION_CLOSE with H3_NO_ERROR.
      this.h3.shutdown();
    } else {
      this.h3.close(errorCode, reason); // RFC 9114 §5.3: immediate close with an error
    }
    this.flush();
  }

  /** Closes at once with H3_NO_ERROR (RFC 9114 §5.3), failing what is in flight: the client is shutting down. */
  closeNow(reason: string): void {
    if (this.closed) return;
    this.goingAway = true;
    this.h3.close(H3ErrorCode.H3_NO_ERROR, reason);
    this.flush();
  }

  // ------------------------------------------------------------------------------------------------ ExchangeHost

  resumeReading(stream: ExchangeStream): void {
    if (this.closed) return;
    stream.resumeReading();
    this.flush();
  }

  cancelRequest(stream: ExchangeStream, code: number): void {
    if (this.closed) return;
    stream.cancel(code); // RFC 9114 §4.1.1: RESET_STREAM + STOP_SENDING (a push: §7.2.3 CANCEL_PUSH)
  }

  finished(exchange: QuicH3Exchange): void {
    if (this.exchanges.get(exchange.stream) !== exchange) return;
    this.exchanges.delete(exchange.stream);
    this.owner.busy(-1);
    if (exchange.stream instanceof PushStream) {
      this.pushStreams.delete(exchange.stream.pushId);
      this.openPushSlot();
    }
  }

  /** Delivers what the H3 connection has for us and sends what it queued. */
  flush(): void {
    this.pump();
    if (!this.closed) this.quic.wake();
  }

  /** Requests in flight. */
  get activeRequests(): number {
    return this.exchanges.size;
  }

  // ------------------------------------------------------------------------------------------------ internals

  private emit(event: H3SessionEvent): void {
    if (!this.events$.closed) this.events$.next(event);
  }

  private onHandshakeComplete(): void {
    if (this.handshakeComplete) return;
    this.handshakeComplete = true;
    this.handshakeMs = this.clock.now() - this.startedAtMs;
    // RFC 9000 §18.2 initial_max_streams_bidi: the credit known for sure.
    this.credit.setInitialLimit(this.quic.connection.peerTransportParameters?.initialMaxStreamsBidi ?? 0);
    this.resolveHandshake();
    this.emit({ type: 'handshake-complete' });
    this.emit({ type: 'streams-available' });
  }

  private async sendBody(
    exchange: QuicH3Exchange,
    request: H3ClientRequest,
    body: AsyncIterable<Uint8Array>,
  ): Promise<void> {
    const iterator = body[Symbol.asyncIterator]();
    try {
      for (;;) {
        if (exchange.isDone || exchange.sendStopped) {
          await iterator.return?.();
          return;
        }
        const r = await iterator.next();
        if (r.done) break;
        if (exchange.isDone || exchange.sendStopped) {
          await iterator.return?.();
          return;
        }
        if (r.value.byteLength === 0) continue;
        // Backpressure: QUIC's send buffer is above its mark, wait for 'writable' (RFC 9000 §4.1 flow control).
        const ok = request.writeBody(r.value, false);
        this.flush();
        if (!ok) await exchange.whenWritable();
      }
      if (!exchange.isDone && !exchange.sendStopped) {
        request.end(); // RFC 9114 §4.1: the request ends with the stream
        this.flush();
      }
    } catch (e) {
      if (exchange.isDone || exchange.sendStopped) return;
      exchange.sendError = e;
      exchange.cancel(H3ErrorCode.H3_REQUEST_CANCELLED, e instanceof H3UsageError ? this.requestError(e) : e);
    }
  }

  private requestError(e: unknown): unknown {
    if (!(e instanceof H3UsageError)) return e;
    switch (e.kind) {
      case H3UsageErrorKind.GOING_AWAY:
      case H3UsageErrorKind.CLOSED:
        // RFC 9114 §5.2: not sent; another connection may carry it.
        return new StreamResetError('h3', H3ErrorCode.H3_REQUEST_REJECTED, true, undefined, { cause: e });
      case H3UsageErrorKind.INVALID_HEADERS:
      case H3UsageErrorKind.FIELD_SECTION_TOO_LARGE:
      case H3UsageErrorKind.CONTENT_LENGTH_MISMATCH:
        return new RequestError(ClientErrorCode.INVALID_REQUEST, `invalid HTTP/3 request: ${e.message}`, { cause: e });
      default:
        return e;
    }
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        for (let e = this.h3.pollEvent(); e !== undefined; e = this.h3.pollEvent()) this.onH3Event(e);
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private onH3Event(e: H3Event): void {
    switch (e.type) {
      case 'response':
        this.exchangeOf(e)?.onResponse(e.status, e.headers);
        break;
      case 'data':
        this.exchangeOf(e)?.onData(e.data);
        break;
      case 'trailers':
        this.exchangeOf(e)?.onTrailers(e.headers);
        break;
      case 'end':
        this.exchangeOf(e)?.onEnd();
        break;
      case 'writable':
        this.exchangeOf(e)?.onWritable();
        break;
      case 'stop-sending':
        this.exchangeOf(e)?.onStopSending();
        break;
      case 'stream-error':
        this.exchangeOf(e)?.fail(this.streamError(e.code, e.local, e.retryable, e.reason));
        break;
      case 'push-promise':
        if (!e.duplicate) this.onPushPromise(e.pushId, e.streamId, e.headers);
        break;
      case 'push-cancelled': {
        // RFC 9114 §7.2.3: the server will not deliver it.
        const stream = this.pushStreams.get(e.pushId);
        if (stream !== undefined) {
          this.exchanges.get(stream)?.fail(new StreamResetError('h3', H3ErrorCode.H3_REQUEST_CANCELLED, false));
        }
        break;
      }
      case 'goaway':
        // RFC 9114 §5.2: no new requests here; those at or above `id` failed as retryable (H3 reports them).
        if (!this.goingAway) this.goingAway = true;
        this.emit({ type: 'goaway', lastStreamId: e.id });
        break;
      case 'settings':
        // RFC 9114 §7.2.4.2: remember them with the session tickets of this connection (the QUIC connection holds
        // the tickets that arrived before them) for the next 0-RTT attempt.
        try {
          this.quic.setTicketContext(encodeSettingsPayload(settingsEntries(e.settings)));
        } catch {
          // A SHOULD only: settings that cannot be stored leave the tickets without them (0-RTT then uses defaults).
        }
        break;
      case 'connection-error':
        this.closeError ??= new ProtocolError(`HTTP/3 connection error: ${e.reason}`, ClientErrorCode.PROTOCOL_ERROR, {
          cause: e.error,
        });
        break;
      case 'closed':
        this.onClosed();
        break;
      default:
        // informational (1xx: consumed, RFC 9114 §4.1), push events (push is not enabled), priority.
        break;
    }
  }

  private exchangeOf(e: {
    readonly streamId: number;
    readonly request?: H3ClientRequest;
    readonly pushId?: number;
  }): QuicH3Exchange | undefined {
    if (e.request !== undefined) return this.exchanges.get(e.request);
    if (e.pushId === undefined) return undefined;
    const push = this.pushStreams.get(e.pushId);
    if (push === undefined) return undefined;
    if (e.streamId >= 0) push.attach(e.streamId);
    return this.exchanges.get(push);
  }

  /** RFC 9114 §4.6: a PUSH_PROMISE on request stream `streamId`. */
  private onPushPromise(pushId: number, streamId: number, headers: H3Headers): void {
    const pushes = this.pushes$;
    if (pushes === undefined || !pushes.observed || this.closed) {
      // Nobody takes pushes: decline it (§4.6 CANCEL_PUSH) and keep the window open.
      this.h3.cancelPush(pushId);
      this.openPushSlot();
      return;
    }
    const stream = new PushStream(this.h3, pushId);
    const exchange = new QuicH3Exchange(this, stream, false, () => false);
    this.pushStreams.set(pushId, stream);
    this.exchanges.set(stream, exchange);
    this.owner.busy(1);
    const field = (name: string): string => headers.find((h) => h[0] === name)?.[1] ?? '';
    pushes.next({
      pushId,
      associatedStreamId: streamId,
      method: field(':method'),
      scheme: field(':scheme'),
      authority: field(':authority'),
      path: field(':path'),
      headers: headers.filter((h) => !h[0].startsWith(':')),
      exchange,
    });
  }

  /** A push finished or was declined: allow one more (RFC 9114 §7.2.7 MAX_PUSH_ID only grows). */
  private openPushSlot(): void {
    if (this.pushWindow === undefined || this.h3.isClosed || this.goingAway) return;
    try {
      this.h3.setMaxPushId(this.h3.maxPushIdValue + 1);
    } catch {
      // closed meanwhile
    }
  }

  /** A stream error as the client's error (RFC 9114 §4.1.1, §8.1). */
  private streamError(code: number, local: boolean, retryable: boolean, reason: string | undefined): unknown {
    if (retryable) return new StreamResetError('h3', code, true);
    if (this.h3.isClosed) return this.connectionError();
    if (local) {
      // We reset the stream: the response was malformed (H3_MESSAGE_ERROR, QPACK errors, …).
      return new ProtocolError(
        `malformed HTTP/3 response from ${this.target.where} (0x${code.toString(16)}${reason ? `: ${reason}` : ''})`,
      );
    }
    return new StreamResetError('h3', code, false);
  }

  /** What requests in flight fail with when the connection is gone. */
  private connectionError(): Error {
    const info: ConnectionCloseInfo | undefined = this.quic.closeReason;
    if (!this.handshakeComplete && info !== undefined) return closeInfoError(info, this.target);
    return this.closeError ?? connectionLostError(info, this.target.where);
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.goingAway = true;
    const error = this.connectionError();
    if (!this.handshakeComplete) this.rejectHandshake(error);
    for (const exchange of [...this.exchanges.values()]) exchange.fail(error);
    const info = this.quic.closeReason;
    const clean =
      info === undefined ||
      info.initiator === 'idle-timeout' ||
      (info.isApplication ? info.errorCode === H3ErrorCode.H3_NO_ERROR : info.errorCode === 0);
    this.emit({ type: 'closed', error: clean && this.handshakeComplete ? undefined : error });
    this.events$.complete();
    this.pushes$?.complete();
    this.owner.closed(this);
  }
}

/**
 * RFC 9114 §7.2.4.2: the server settings a connection attempting 0-RTT starts from — those stored with the ticket it
 * resumes (RFC 9204 §3.2.3: the QPACK table capacity included). Undefined (the defaults) when 0-RTT is not being
 * attempted, or the ticket carries no settings or unreadable ones.
 */
function rememberedSettings(quic: QuicConnection): H3Settings | undefined {
  const early = quic.connection.tlsSession.earlyData;
  if (early !== 'offered' && early !== 'accepted') return undefined;
  const stored = quic.resumedTicketContext;
  if (stored === undefined) return undefined;
  try {
    return settingsFromEntries(parseSettingsPayload(stored));
  } catch {
    return undefined;
  }
}
