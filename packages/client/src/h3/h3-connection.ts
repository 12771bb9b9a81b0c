import type { Clock } from '@fos/core';
import type { Subscription } from 'rxjs';
import { H3ConnectError, StreamResetError } from '../errors.js';
import {
  type ChannelResponse,
  createResponseBody,
  hasNoBody,
  headersFromPairs,
  quietTrailers,
  type RequestChannel,
} from '../fetch/channel.js';
import { multiplexedHeaderList, type PreparedRequest, requestPath } from '../fetch/prepared-request.js';
import { type RequestContext, raceSignal } from '../fetch/request-context.js';
import { type ResponseBodyHooks, WebStreamSource } from '../fetch/response-body.js';
import type { PooledConnection, PoolLease } from '../pool/connection-pool.js';
import { H3ErrorCode } from '../protocol.js';
import type { H3Exchange, H3Request, H3Session } from './h3-session.js';

/** An HTTP/3 session as a pooled connection: the pool follows its stream credit, GOAWAY and closure. */
export class H3Connection implements PooledConnection {
  private listener: (() => void) | undefined;
  private readonly subscription: Subscription;

  constructor(
    readonly session: H3Session,
    /** `host:port` of the Alt-Svc alternative, when reached through one. */
    readonly alternative: string | undefined,
  ) {
    this.subscription = session.events$.subscribe({
      next: () => this.listener?.(),
      complete: () => this.listener?.(),
    });
  }

  availableStreams(): number {
    return this.session.closed || this.session.goingAway ? 0 : this.session.availableStreams();
  }

  get isDraining(): boolean {
    return this.session.goingAway || this.session.closed;
  }

  get isClosed(): boolean {
    return this.session.closed;
  }

  setChangeListener(listener: (() => void) | undefined): void {
    this.listener = listener;
    if (listener === undefined && this.session.closed) this.subscription.unsubscribe();
  }

  close(): void {
    if (!this.session.closed) this.session.close(H3ErrorCode.H3_NO_ERROR);
  }
}

/**
 * RFC 9001 §4.6.1 / RFC 8470 §4: only requests that are safe to replay go in 0-RTT; we send GET and HEAD without
 * content.
 */
export function earlyDataEligible(req: PreparedRequest): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.body === null;
}

/**
 * A stream reset as the client acts on it (RFC 9114 §8.1): H3_REQUEST_REJECTED means the request was not processed
 * (§4.1.1), H3_VERSION_FALLBACK asks for HTTP/1.1. Sessions may report plain codes; this adds the meaning.
 */
export function classifyH3Reset(error: StreamResetError): StreamResetError {
  if (error.protocol !== 'h3') return error;
  if (error.errorCode === H3ErrorCode.H3_VERSION_FALLBACK && error.fallback === undefined) {
    return new StreamResetError('h3', error.errorCode, true, 'http/1.1', { cause: error });
  }
  if (error.errorCode === H3ErrorCode.H3_REQUEST_REJECTED && !error.retryable) {
    return new StreamResetError('h3', error.errorCode, true, undefined, { cause: error });
  }
  return error;
}

/**
 * `response`, unless the session's handshake is still incomplete after `ms` (RFC 9001 §4.6.1: 0-RTT data went out
 * before the server was heard from): then a retryable `H3ConnectError('no-response')`.
 */
function withHandshakeDeadline<T>(
  response: Promise<T>,
  session: H3Session,
  options: H3ChannelOptions,
  ms: number,
): Promise<T> {
  if (session.handshakeComplete) return response;
  const clock = options.clock;
  return new Promise<T>((resolve, reject) => {
    const timer = clock.createTimer(() => {
      if (session.handshakeComplete) return;
      options.onEarlyDataTimeout?.();
      reject(new H3ConnectError('no-response', `no QUIC handshake within ${ms} ms of a 0-RTT request`));
    });
    timer.set(clock.now() + ms);
    session.handshake.then(
      () => timer.clear(),
      () => timer.clear(),
    );
    response.then(
      (v) => {
        timer.clear();
        resolve(v);
      },
      (e: unknown) => {
        timer.clear();
        reject(e);
      },
    );
  });
}

function classify(error: unknown): unknown {
  return error instanceof StreamResetError ? classifyH3Reset(error) : error;
}

/** Options of an {@link H3Channel}. */
export interface H3ChannelOptions {
  readonly clock: Clock;
  /**
   * A request sent in 0-RTT fails with a retryable `H3ConnectError('no-response')` (so the client sends it over TCP)
   * when the handshake has not completed within this many ms. Used where a fallback exists (`auto`); undefined: wait
   * for the connection's own outcome.
   */
  readonly earlyDataHandshakeTimeoutMs?: number;
  /** Called when that happened (the dispatcher marks the alternative broken until the handshake completes). */
  readonly onEarlyDataTimeout?: () => void;
}

/** A granted request stream on an HTTP/3 session. */
export class H3Channel implements RequestChannel {
  readonly protocol = 'h3' as const;

  constructor(
    private readonly lease: PoolLease<H3Connection>,
    private readonly options?: H3ChannelOptions,
  ) {}

  get reused(): boolean {
    return this.lease.reused;
  }

  get handshakeMs(): number | undefined {
    return this.lease.connection.session.handshakeMs;
  }

  get resumed(): boolean {
    return this.lease.connection.session.resumed;
  }

  abandon(): void {
    this.lease.release();
  }

  async send(req: PreparedRequest, ctx: RequestContext, hooks: ResponseBodyHooks): Promise<ChannelResponse> {
    const lease = this.lease;
    const conn = lease.connection;
    const session = conn.session;
    const earlyData = earlyDataEligible(req) && session.canSendEarlyData;
    let exchange: H3Exchange;
    try {
      // Anything that may not go in 0-RTT waits for the handshake (RFC 9001 §4.6.1).
      if (!session.handshakeComplete && !earlyData) await raceSignal(session.handshake, ctx.signal);
      if (session.closed || session.goingAway) {
        // Not sent: the pool hands out a slot on a fresh connection next time.
        throw new StreamResetError('h3', H3ErrorCode.H3_REQUEST_REJECTED, true);
      }
      const headers = multiplexedHeaderList(req);
      // RFC 7838 §5: identify the alternative service in use.
      if (conn.alternative !== undefined && !req.headers.has('alt-used')) headers.push(['alt-used', conn.alternative]);
      const request: H3Request = {
        method: req.method,
        scheme: 'https',
        authority: req.url.host,
        path: requestPath(req.url),
        headers,
        body: req.body === null ? null : (req.body.bytes ?? req.body.chunks()),
      };
      exchange = session.request(request, { earlyData });
    } catch (e) {
      lease.release();
      throw classify(e);
    }
    lease.opened();
    // RFC 9114 §4.1.1: a cancelled request resets the stream with H3_REQUEST_CANCELLED.
    const onAbort = (): void => exchange.cancel(H3ErrorCode.H3_REQUEST_CANCELLED, ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    ctx.touch();
    let head: Awaited<H3Exchange['response']>;
    try {
      const deadline = this.options?.earlyDataHandshakeTimeoutMs;
      const response =
        earlyData && deadline !== undefined && this.options !== undefined
          ? withHandshakeDeadline(exchange.response, session, this.options, deadline)
          : exchange.response;
      head = await raceSignal(response, ctx.signal);
    } catch (e) {
      ctx.signal.removeEventListener('abort', onAbort);
      if (ctx.signal.aborted) exchange.cancel(H3ErrorCode.H3_REQUEST_CANCELLED, ctx.signal.reason);
      exchange.body.cancel(e).catch(() => {});
      lease.release();
      throw classify(e);
    }
    ctx.signal.removeEventListener('abort', onAbort);
    ctx.touch();
    const headers = headersFromPairs(head.headers);
    if (hasNoBody(req.method, head.status)) {
      exchange.body.pipeTo(new WritableStream()).then(
        () => {
          lease.release();
          hooks.onDone(undefined);
        },
        (e: unknown) => {
          lease.release();
          hooks.onDone(e);
        },
      );
      return { status: head.status, statusText: '', headers, body: null, earlyData: exchange.earlyData };
    }
    const source = new WebStreamSource(exchange.body, (reason) =>
      exchange.cancel(H3ErrorCode.H3_REQUEST_CANCELLED, reason),
    );
    const body = createResponseBody(source, ctx, hooks, () => lease.release());
    // RFC 9114 §4.1: a trailer section may follow the content.
    const trailers =
      exchange.trailers === undefined ? undefined : quietTrailers(exchange.trailers.then((t) => headersFromPairs(t)));
    return {
      status: head.status,
      statusText: '',
      headers,
      body: body.stream,
      earlyData: exchange.earlyData,
      trailers,
    };
  }
}
