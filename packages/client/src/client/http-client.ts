import { type Clock, token } from '@fos/core';
import { EMPTY, type Observable, type Subject } from 'rxjs';
import type { AltSvcCache } from '../alt-svc/alt-svc-cache.js';
import { parseAltSvc } from '../alt-svc/alt-svc-parser.js';
import {
  BodyNotReplayableError,
  ClientClosedError,
  ClientErrorCode,
  H3ConnectError,
  NetworkError,
  ProtocolError,
  RedirectError,
  StreamResetError,
} from '../errors.js';
import type { ChannelResponse } from '../fetch/channel.js';
import { ClientResponse, type FallbackReason, type ResponseInfo } from '../fetch/client-response.js';
import {
  type ClientRequestInit,
  isIdempotentMethod,
  type PreparedRequest,
  prepareRequest,
} from '../fetch/prepared-request.js';
import type { PushedResponse } from '../fetch/pushed-response.js';
import { isRedirectStatus, redirectRequest } from '../fetch/redirect.js';
import { RequestContext } from '../fetch/request-context.js';
import type { ResponseBodyHooks } from '../fetch/response-body.js';
import type { H3Connection } from '../h3/h3-connection.js';
import type { H3SessionFactory } from '../h3/h3-session.js';
import type { ConnectionPool, PoolKeyStats } from '../pool/connection-pool.js';
import type { KeylogWriter } from '../tcp/keylog-writer.js';
import type { TcpTransport } from '../tcp/tcp-transport.js';
import type { ClientConfig } from './client-options.js';
import type { Dispatcher, Route, RouteConstraints } from './dispatcher.js';

/** The fetch-style HTTP client. Resolve it from a container set up by `registerClient`, or call `createClient`. */
export interface HttpClient {
  /**
   * Like WHATWG `fetch`: resolves with the response once its headers arrived (the body streams), rejects with a
   * `ClientError` subclass. Follows redirects per `init.redirect`.
   */
  fetch(input: string | URL | Request, init?: ClientRequestInit): Promise<ClientResponse>;
  /** The Alt-Svc knowledge of this client (inspect, clear, `networkChanged()`). */
  readonly altSvc: AltSvcCache;
  /**
   * Responses the servers pushed (RFC 9114 §4.6), with `h3: { push: true }`. Pushes arriving while nobody is
   * subscribed are declined (CANCEL_PUSH). Completes when the client closes.
   */
  readonly pushes$: Observable<PushedResponse>;
  /** HTTP/3 pool counters per connection key (alternative service + server name). */
  h3Stats(): ReadonlyArray<{ readonly key: string } & PoolKeyStats>;
  /** Closes every connection; pending and later fetches reject with `ClientClosedError`. */
  close(): Promise<void>;
}
export const HttpClient = token<HttpClient>('fos.HttpClient');

export interface FetchClientDeps {
  readonly config: ClientConfig;
  readonly clock: Clock;
  readonly altSvc: AltSvcCache;
  readonly dispatcher: Dispatcher;
  readonly tcp: TcpTransport;
  readonly h3Pool: ConnectionPool<H3Connection>;
  /** Closed with the client (sockets, files). */
  readonly h3Factory?: H3SessionFactory | undefined;
  readonly keylog: KeylogWriter | undefined;
  readonly shutdown: AbortController;
  /** Pushed responses (completed on close). */
  readonly pushes?: Subject<PushedResponse>;
}

/** Attempts per hop (first try + retries after retryable failures or fallbacks). */
const MAX_ATTEMPTS = 3;

/** Tracks one hop's body so the request context is disposed when the final response's body is done. */
class HopState implements ResponseBodyHooks {
  final = false;
  done = false;

  constructor(private readonly ctx: RequestContext) {}

  onProgress(): void {}

  onDone(): void {
    this.done = true;
    if (this.final) this.ctx.dispose();
  }

  markFinal(): void {
    this.final = true;
    if (this.done) this.ctx.dispose();
  }
}

interface Hop {
  readonly response: ChannelResponse;
  readonly route: Route;
  readonly fallback: FallbackReason | undefined;
  readonly state: HopState;
}

/** `HttpClient` implementation: redirects, retries and fallback around the `Dispatcher`'s routes. */
export class FetchClient implements HttpClient {
  private closed = false;
  /** Requests in progress (until their response body ends), failed by `close()`. */
  private readonly inFlight = new Set<RequestContext>();
  private readonly forget = (ctx: RequestContext): void => {
    this.inFlight.delete(ctx);
  };

  constructor(private readonly deps: FetchClientDeps) {}

  get altSvc(): AltSvcCache {
    return this.deps.altSvc;
  }

  get pushes$(): Observable<PushedResponse> {
    return this.deps.pushes?.asObservable() ?? EMPTY;
  }

  h3Stats(): ReadonlyArray<{ readonly key: string } & PoolKeyStats> {
    return this.deps.h3Pool.keys().map((key) => ({ key, ...this.deps.h3Pool.stats(key) }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deps.shutdown.abort(new ClientClosedError());
    for (const ctx of [...this.inFlight]) ctx.fail(new ClientClosedError());
    this.deps.h3Pool.close();
    this.deps.pushes?.complete();
    await this.deps.h3Factory?.close?.();
    await this.deps.tcp.close();
    await this.deps.keylog?.close();
  }

  async fetch(input: string | URL | Request, init: ClientRequestInit = {}): Promise<ClientResponse> {
    if (this.closed) throw new ClientClosedError();
    const { config, clock } = this.deps;
    let req = await prepareRequest(input, init, config.protocol, config.userAgent);
    const ctx = new RequestContext({
      clock,
      signal: init.signal,
      connectTimeoutMs: init.connectTimeoutMs ?? config.connectTimeoutMs,
      idleTimeoutMs: init.idleTimeoutMs ?? config.idleTimeoutMs,
      totalTimeoutMs: init.totalTimeoutMs ?? config.totalTimeoutMs,
      onDispose: this.forget,
    });
    if (!ctx.isDisposed) this.inFlight.add(ctx);
    try {
      for (let redirects = 0; ; redirects++) {
        const hop = await this.hop(req, ctx);
        const { response, route } = hop;
        this.learnAltSvc(req, response);
        if (isRedirectStatus(response.status) && req.redirect !== 'manual') {
          const location = response.headers.get('location');
          if (req.redirect === 'error') {
            await discard(response, route.channel.protocol);
            throw new RedirectError(
              ClientErrorCode.REDIRECT_NOT_ALLOWED,
              `redirected to ${location}`,
              location ?? undefined,
            );
          }
          let next: PreparedRequest | undefined;
          try {
            next = redirectRequest(req, response.status, location, redirects);
          } catch (e) {
            await discard(response, route.channel.protocol);
            throw e;
          }
          if (next !== undefined) {
            await discard(response, route.channel.protocol);
            req = next;
            continue;
          }
        }
        if (response.status < 200 || response.status > 599) {
          await discard(response, route.channel.protocol);
          throw new ProtocolError(`invalid final status ${response.status}`);
        }
        const res = buildResponse(
          response,
          {
            protocol: route.channel.protocol,
            alternative: route.alternativeAuthority,
            reusedConnection: route.channel.reused,
            handshakeMs: route.channel.handshakeMs,
            resumed: route.channel.resumed,
            earlyData: response.earlyData,
            fallback: hop.fallback,
            ttfbMs: ctx.elapsedMs(),
            redirects,
          },
          req.url.href,
        );
        hop.state.markFinal();
        return res;
      }
    } catch (e) {
      ctx.dispose();
      throw ctx.signal.aborted ? ctx.signal.reason : e;
    }
  }

  /** One request/response exchange, with the retries and protocol fallbacks it allows. */
  private async hop(req: PreparedRequest, ctx: RequestContext): Promise<Hop> {
    let constraints: RouteConstraints = { allowH3: true, tcpMode: undefined };
    let fallback: FallbackReason | undefined;
    for (let attempt = 1; ; attempt++) {
      ctx.throwIfAborted();
      const route = await this.deps.dispatcher.route(req, ctx, constraints);
      const state = new HopState(ctx);
      let response: ChannelResponse;
      try {
        response = await route.channel.send(req, ctx, state);
      } catch (e) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const next = attempt < MAX_ATTEMPTS ? this.retryConstraints(e, req, route, constraints) : undefined;
        if (next === undefined) throw e;
        if (req.body !== null && !req.body.replayable) {
          throw new BodyNotReplayableError('the request must be sent again but its streaming body was consumed', {
            cause: e,
          });
        }
        if (route.channel.protocol === 'h3' && (!next.allowH3 || next.tcpMode !== undefined)) fallback = 'h3-retry';
        constraints = next;
        continue;
      }
      // RFC 7838 §6: a 421 from an alternative removes it; the request may be retried at the origin.
      if (response.status === 421 && route.alternative !== undefined && attempt < MAX_ATTEMPTS) {
        this.deps.altSvc.remove(req.url.origin, route.alternative);
        if (req.body === null || req.body.replayable) {
          await discard(response, route.channel.protocol);
          constraints = { allowH3: false, tcpMode: undefined };
          fallback = 'misdirected';
          continue;
        }
      }
      return { response, route, fallback: route.fallback ?? fallback, state };
    }
  }

  /** How to try again after `error`, or undefined when the error is final. */
  private retryConstraints(
    error: unknown,
    req: PreparedRequest,
    route: Route,
    current: RouteConstraints,
  ): RouteConstraints | undefined {
    const auto = req.protocol === 'auto';
    if (error instanceof StreamResetError && error.retryable) {
      // RFC 9113 §7 HTTP_1_1_REQUIRED / RFC 9114 §8.1 H3_VERSION_FALLBACK ask for HTTP/1.1.
      if (error.fallback === 'http/1.1') return auto ? { allowH3: false, tcpMode: 'http/1.1' } : undefined;
      return current;
    }
    if (route.channel.protocol === 'h3' && auto) {
      // The HTTP/3 connection failed under the request (handshake failure after 0-RTT, connection loss): TCP,
      // if the request may run twice.
      if (error instanceof H3ConnectError) return { allowH3: false, tcpMode: current.tcpMode };
      if (error instanceof NetworkError && isIdempotentMethod(req.method)) {
        return { allowH3: false, tcpMode: current.tcpMode };
      }
    }
    if (error instanceof NetworkError && error.staleConnection && isIdempotentMethod(req.method)) return current;
    return undefined;
  }

  /** RFC 7838 §3: an Alt-Svc field from an https origin updates its alternatives (never from a 421, §6). */
  private learnAltSvc(req: PreparedRequest, response: ChannelResponse): void {
    if (req.url.protocol !== 'https:' || response.status === 421) return;
    const field = response.headers.get('alt-svc');
    if (field === null) return;
    const value = parseAltSvc(field);
    if (value === undefined) return;
    if (value.clear) this.deps.dispatcher.forgetAlternatives(req.url.origin);
    const ageText = response.headers.get('age');
    const age = ageText !== null && /^[0-9]+$/.test(ageText.trim()) ? Number(ageText.trim()) : 0;
    this.deps.altSvc.update(req.url.origin, value, this.deps.clock.now(), age);
  }
}

/**
 * A discarded HTTP/1.1 body with a Content-Length up to this is read to the end so its keep-alive connection
 * survives; longer or unframed bodies close the connection instead of waiting for them.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/**
 * Drops a response's body (a redirect we follow, a 421 we retry). HTTP/2 and HTTP/3 cancel the stream; HTTP/1.1
 * reads a small body to the end so the keep-alive connection survives.
 */
async function discard(response: ChannelResponse, protocol: string): Promise<void> {
  const body = response.body;
  if (body === null) return;
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (protocol !== 'http/1.1' || !(length <= DRAIN_LIMIT_BYTES)) {
    await body.cancel().catch(() => {});
    return;
  }
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      total += r.value.byteLength;
      if (total > DRAIN_LIMIT_BYTES) {
        await reader.cancel().catch(() => {});
        return;
      }
    }
  } catch {
    // The body failed: nothing left to drop.
  }
}

/**
 * The caller's Response. A reason phrase the WHATWG constructor rejects (RFC 9112 §4 allows obs-text there) is
 * dropped rather than failing the fetch.
 */
function buildResponse(response: ChannelResponse, info: ResponseInfo, url: string): ClientResponse {
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  try {
    return new ClientResponse(response.body, init, info, url, response.trailers);
  } catch (e) {
    if (init.statusText === '') throw e;
    return new ClientResponse(response.body, { ...init, statusText: '' }, info, url, response.trailers);
  }
}
