import { type Clock, TransportError } from '@fos/core';
import { type AltSvcCache, alternativeKey, type CachedAlternative } from '../alt-svc/alt-svc-cache.js';
import {
  ClientClosedError,
  ClientError,
  ClientErrorCode,
  H3ConnectError,
  H3UnavailableError,
  RequestError,
  TimeoutError,
} from '../errors.js';
import type { RequestChannel } from '../fetch/channel.js';
import type { FallbackReason } from '../fetch/client-response.js';
import type { PreparedRequest } from '../fetch/prepared-request.js';
import { type RequestContext, raceSignal } from '../fetch/request-context.js';
import { H3Channel, H3Connection } from '../h3/h3-connection.js';
import type {
  H3ConnectOptions,
  H3ConnectTarget,
  H3PushPromise,
  H3Session,
  H3SessionFactory,
} from '../h3/h3-session.js';
import type { ConnectionPool } from '../pool/connection-pool.js';
import { socketHost } from '../tcp/tcp-connect.js';
import type { TcpMode, TcpTransport } from '../tcp/tcp-transport.js';

export interface DispatcherOptions {
  readonly clock: Clock;
  readonly altSvc: AltSvcCache;
  readonly tcp: TcpTransport;
  readonly h3Factory: H3SessionFactory | undefined;
  readonly h3Pool: ConnectionPool<H3Connection>;
  /** Everything the H3 factory needs except the per-attempt signal. */
  readonly h3ConnectOptions: Omit<H3ConnectOptions, 'signal'>;
  /** Head start QUIC gets before TCP is tried in parallel (happy eyeballs, RFC 8305 §5 uses 250 ms). */
  readonly raceDelayMs: number;
  /** QUIC handshake timeout; undefined = the request's connect timeout. */
  readonly h3ConnectTimeoutMs: number | undefined;
  /** Aborted when the client closes: pending QUIC attempts stop. */
  readonly shutdown: AbortSignal;
  /** Server pushes on the client's connections (RFC 9114 §4.6), with the origin each connection serves. */
  readonly onPush?: (push: H3PushPromise, origin: URL, session: H3Session) => void;
}

/** How a request will be sent. */
export interface Route {
  readonly channel: RequestChannel;
  /** The Alt-Svc alternative (`host:port`) when HTTP/3 was reached through one. */
  readonly alternative: CachedAlternative | undefined;
  readonly alternativeAuthority: string | undefined;
  /** Set when HTTP/3 was possible but TCP was chosen. */
  readonly fallback: FallbackReason | undefined;
}

/** Constraints from earlier attempts of the same request. */
export interface RouteConstraints {
  /** False after an HTTP/3 failure that calls for TCP. */
  readonly allowH3: boolean;
  /** Set after HTTP_1_1_REQUIRED (RFC 9113 §7). */
  readonly tcpMode: TcpMode | undefined;
}

interface Attempt {
  readonly startMs: number;
  readonly promise: Promise<H3Connection>;
}

type Phase1 = 'h3' | 'failed' | 'timer';

const MAX_LIVE_ORIGINS = 1000;

/**
 * Decides, per request, how to reach the origin — the discovery, racing and fallback algorithm:
 * 1. `protocol: 'h3'`: QUIC straight to the origin's host and port; failures are the caller's errors.
 * 2. `protocol: 'h2' | 'http/1.1'`, `http:` URLs, no H3 factory: TCP only.
 * 3. `auto`: with no fresh, unbroken `h3` alternative in the Alt-Svc cache, TCP (ALPN h2, else http/1.1); the
 *    response teaches the cache. With one: an existing HTTP/3 connection is used at once; otherwise QUIC starts
 *    (or an attempt in progress is joined) and gets `raceDelayMs` of head start, then TCP starts too and the first
 *    to connect carries the request. A QUIC failure before that starts TCP immediately. Any QUIC failure marks the
 *    alternative broken (5 min, doubling), so later requests go straight to TCP at no cost; a QUIC success clears
 *    the mark. A QUIC connection that completes after TCP won is kept for the next requests.
 */
export class Dispatcher {
  private readonly attempts = new Map<string, Attempt>();
  /** Per origin, the alternative whose HTTP/3 connection it uses (bounded, least recently used dropped). */
  private readonly live = new Map<string, { readonly alt: CachedAlternative; readonly key: string }>();

  constructor(private readonly o: DispatcherOptions) {}

  async route(req: PreparedRequest, ctx: RequestContext, constraints: RouteConstraints): Promise<Route> {
    const url = req.url;
    const mode = req.protocol;
    if (url.protocol === 'http:') {
      // RFC 9114 §3.1.2: HTTP/3 cannot serve "http" URIs directly; no h2c either.
      if (mode === 'h3' || mode === 'h2') {
        throw new RequestError(ClientErrorCode.INVALID_REQUEST, `${mode} needs an https: URL`);
      }
      return this.tcpRoute(url, 'http/1.1', ctx, undefined);
    }
    if (mode === 'h3') return this.directH3(url, ctx);
    if (mode === 'h2' || mode === 'http/1.1') return this.tcpRoute(url, mode, ctx, undefined);
    if (constraints.tcpMode !== undefined) return this.tcpRoute(url, constraints.tcpMode, ctx, undefined);
    if (this.o.h3Factory === undefined) return this.tcpRoute(url, 'auto', ctx, undefined);
    const now = this.o.clock.now();
    const originHost = socketHost(url.hostname);
    const candidates = this.o.altSvc.lookup(url.origin, now, 'h3');
    const alt = candidates.find((a) => !this.o.altSvc.isBroken(alternativeKey(originHost, a), now));
    if (!constraints.allowH3) return this.tcpRoute(url, 'auto', ctx, undefined);
    if (alt !== undefined) return this.race(url, ctx, alt);
    // RFC 7838 §2.2: an existing connection to an alternative may be used after its advertisement expired.
    const live = this.live.get(url.origin);
    if (live !== undefined && !this.o.altSvc.isBroken(alternativeKey(originHost, live.alt), now)) {
      if (this.o.h3Pool.find(live.key) !== undefined) return this.race(url, ctx, live.alt);
      this.live.delete(url.origin);
    }
    return this.tcpRoute(url, 'auto', ctx, candidates.length > 0 ? 'h3-broken' : undefined);
  }

  /** RFC 7838 §3 `clear`: stop using the origin's alternatives, connected ones included. */
  forgetAlternatives(origin: string): void {
    this.live.delete(origin);
  }

  private rememberLive(origin: string, alt: CachedAlternative, key: string): void {
    this.live.delete(origin);
    this.live.set(origin, { alt, key });
    if (this.live.size > MAX_LIVE_ORIGINS) this.live.delete(this.live.keys().next().value!);
  }

  private async tcpRoute(
    url: URL,
    mode: TcpMode,
    ctx: RequestContext,
    fallback: FallbackReason | undefined,
  ): Promise<Route> {
    const channel = await this.o.tcp.connect({ url, mode, signal: ctx.signal, connectTimeoutMs: ctx.connectTimeoutMs });
    return { channel, alternative: undefined, alternativeAuthority: undefined, fallback };
  }

  private async directH3(url: URL, ctx: RequestContext): Promise<Route> {
    if (this.o.h3Factory === undefined) throw new H3UnavailableError();
    const host = socketHost(url.hostname);
    const port = Number(url.port || 443);
    const target: H3ConnectTarget = { host, port, serverName: host, origin: url.origin };
    const key = `h3|${host}|${port}|${host}`;
    const lease = await this.o.h3Pool.acquire(key, () => this.openH3(target, undefined, undefined, ctx), ctx.signal);
    return {
      channel: new H3Channel(lease),
      alternative: undefined,
      alternativeAuthority: undefined,
      fallback: undefined,
    };
  }

  private async race(url: URL, ctx: RequestContext, alt: CachedAlternative): Promise<Route> {
    const originHost = socketHost(url.hostname);
    const brokenKey = alternativeKey(originHost, alt);
    const target: H3ConnectTarget = {
      host: alt.host === '' ? originHost : alt.host,
      port: alt.port,
      serverName: originHost,
      origin: url.origin,
    };
    const authority = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const key = `${brokenKey}|${originHost}`;
    const open = (): Promise<H3Connection> => this.openH3(target, authority, brokenKey, ctx);
    const viaH3 = async (): Promise<Route> => {
      const lease = await this.o.h3Pool.acquire(key, open, ctx.signal);
      this.rememberLive(url.origin, alt, key);
      // A resumed connection carries safe requests in 0-RTT before its handshake is done; if the handshake does not
      // complete within the head start, the request goes over TCP instead (the alternative may have stopped
      // answering UDP since its ticket was issued).
      const channel = new H3Channel(lease, {
        clock: this.o.clock,
        earlyDataHandshakeTimeoutMs: this.o.raceDelayMs,
        // Later requests go straight to TCP until the handshake completes after all (which clears the mark).
        onEarlyDataTimeout: () => this.o.altSvc.markBroken(brokenKey, this.o.clock.now()),
      });
      return { channel, alternative: alt, alternativeAuthority: authority, fallback: undefined };
    };
    if (this.o.h3Pool.find(key) !== undefined) return viaH3();

    const attempt = this.attempt(key, open);
    const delay = Math.max(0, attempt.startMs + this.o.raceDelayMs - this.o.clock.now());
    const first = await this.phase1(attempt.promise, delay, ctx.signal);
    if (first === 'h3') return this.h3OrTcp(viaH3, url, ctx);
    if (first === 'failed') return this.tcpRoute(url, 'auto', ctx, 'h3-failed');

    // Both run now; the first to connect carries this request.
    const tcpAbort = new AbortController();
    const onAbort = (): void => tcpAbort.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const tcp = this.o.tcp.connect({
      url,
      mode: 'auto',
      signal: tcpAbort.signal,
      connectTimeoutMs: ctx.connectTimeoutMs,
    });
    let tcpCarries = false;
    try {
      const winner = await raceSignal(firstFulfilled(attempt.promise, tcp), ctx.signal);
      if (winner === 'b') {
        tcpCarries = true;
        return { channel: await tcp, alternative: undefined, alternativeAuthority: undefined, fallback: 'h3-slower' };
      }
      tcpAbort.abort(new Error('HTTP/3 connected first'));
      return await this.h3OrTcp(viaH3, url, ctx);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      // A TCP slot this request does not use goes back to its pool.
      if (!tcpCarries) {
        tcp.then(
          (channel) => channel.abandon(),
          () => {},
        );
      }
    }
  }

  /** HTTP/3 connected; if no stream can be had on it after all (it closed at once), TCP. */
  private async h3OrTcp(viaH3: () => Promise<Route>, url: URL, ctx: RequestContext): Promise<Route> {
    try {
      return await viaH3();
    } catch {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      return this.tcpRoute(url, 'auto', ctx, 'h3-failed');
    }
  }

  /** The QUIC attempt for `key`: the one in progress, or a new one (its start time sets the race delay). */
  private attempt(key: string, open: () => Promise<H3Connection>): Attempt {
    const existing = this.attempts.get(key);
    if (existing !== undefined && this.o.h3Pool.isConnecting(key)) return existing;
    const attempt: Attempt = { startMs: this.o.clock.now(), promise: this.o.h3Pool.connect(key, open) };
    this.attempts.set(key, attempt);
    const forget = (): void => {
      if (this.attempts.get(key) === attempt) this.attempts.delete(key);
    };
    attempt.promise.then(forget, forget);
    return attempt;
  }

  /** QUIC alone, until it settles or `delayMs` passes. */
  private phase1(attempt: Promise<H3Connection>, delayMs: number, signal: AbortSignal): Promise<Phase1> {
    return new Promise<Phase1>((resolve, reject) => {
      let done = false;
      const timer = this.o.clock.createTimer(() => finish('timer'));
      const onAbort = (): void => finish(undefined, signal.reason);
      function finish(result: Phase1 | undefined, error?: unknown): void {
        if (done) return;
        done = true;
        timer.clear();
        signal.removeEventListener('abort', onAbort);
        if (result === undefined) reject(error);
        else resolve(result);
      }
      attempt.then(
        () => finish('h3'),
        () => finish('failed'),
      );
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (delayMs <= 0) {
        // Let an attempt that already settled win; otherwise TCP starts right away.
        queueMicrotask(() => queueMicrotask(() => finish('timer')));
      } else {
        timer.set(this.o.clock.now() + delayMs);
      }
    });
  }

  /**
   * One QUIC connection attempt, bounded by the connect timeout (which also covers a handshake still running after
   * `connect` resolved early for 0-RTT). Marks `brokenKey` on failure and clears it on success.
   */
  private async openH3(
    target: H3ConnectTarget,
    authority: string | undefined,
    brokenKey: string | undefined,
    ctx: RequestContext,
  ): Promise<H3Connection> {
    const factory = this.o.h3Factory;
    if (factory === undefined) throw new H3UnavailableError();
    const clock = this.o.clock;
    const timeoutMs = this.o.h3ConnectTimeoutMs ?? ctx.connectTimeoutMs;
    const controller = new AbortController();
    const timeout = new TimeoutError('connect', timeoutMs);
    const onShutdown = (): void => controller.abort(new ClientClosedError());
    this.o.shutdown.addEventListener('abort', onShutdown, { once: true });
    let session: Awaited<ReturnType<H3SessionFactory['connect']>> | undefined;
    const timer = clock.createTimer(() => {
      controller.abort(timeout);
      session?.close();
    });
    timer.set(clock.now() + timeoutMs);
    const settled = (ok: boolean): void => {
      timer.clear();
      this.o.shutdown.removeEventListener('abort', onShutdown);
      if (brokenKey === undefined) return;
      if (ok) this.o.altSvc.confirm(brokenKey);
      else if (!this.o.shutdown.aborted) this.o.altSvc.markBroken(brokenKey, clock.now());
    };
    try {
      session = await factory.connect(target, { ...this.o.h3ConnectOptions, signal: controller.signal });
    } catch (e) {
      settled(false);
      throw normalizeH3Error(controller.signal.aborted ? controller.signal.reason : e, target);
    }
    if (controller.signal.aborted) {
      session.close();
      settled(false);
      throw normalizeH3Error(controller.signal.reason, target);
    }
    const onPush = this.o.onPush;
    if (onPush !== undefined && session.pushes$ !== undefined) {
      const origin = new URL(target.origin);
      const s = session;
      session.pushes$.subscribe((push) => onPush(push, origin, s));
    }
    if (session.handshakeComplete) {
      settled(true);
    } else {
      session.handshake.then(
        () => settled(true),
        () => settled(false),
      );
    }
    return new H3Connection(session, authority);
  }
}

/** Which promise fulfilled first ('a' or 'b'); rejects with `b`'s error only when both reject. */
function firstFulfilled<A, B>(a: Promise<A>, b: Promise<B>): Promise<'a' | 'b'> {
  return new Promise((resolve, reject) => {
    let failures = 0;
    let bError: unknown;
    const fail = (): void => {
      if (++failures === 2) reject(bError);
    };
    a.then(() => resolve('a'), fail);
    b.then(
      () => resolve('b'),
      (e: unknown) => {
        bError = e;
        fail();
      },
    );
  });
}

/** The factory's error as the client's: typed errors pass through, a QUIC TransportError becomes H3ConnectError. */
function normalizeH3Error(error: unknown, target: H3ConnectTarget): unknown {
  if (error instanceof ClientError) return error;
  const where = `${target.host}:${target.port}`;
  if (error instanceof TransportError) {
    return new H3ConnectError('handshake-failed', `QUIC handshake with ${where} failed: ${error.message}`, error.code, {
      cause: error,
    });
  }
  return new H3ConnectError('handshake-failed', `HTTP/3 connection to ${where} failed`, undefined, { cause: error });
}
