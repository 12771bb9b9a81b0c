import { once } from 'node:events';
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  constants as h2constants,
  connect as http2Connect,
  type IncomingHttpHeaders,
} from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { ClientErrorCode, NetworkError, StreamResetError } from '../errors.js';
import {
  type ChannelResponse,
  createResponseBody,
  hasNoBody,
  headerObject,
  headersFromPairs,
  quietTrailers,
  type RequestChannel,
} from '../fetch/channel.js';
import { multiplexedHeaderList, type PreparedRequest, requestPath } from '../fetch/prepared-request.js';
import type { RequestContext } from '../fetch/request-context.js';
import { NodeReadableSource, type ResponseBodyHooks } from '../fetch/response-body.js';
import type { PooledConnection, PoolLease } from '../pool/connection-pool.js';
import { H2ErrorCode } from '../protocol.js';
import { waitForDrain } from './drain.js';
import { mapNetworkError } from './net-errors.js';

/** Concurrency assumed until the peer's SETTINGS arrive (RFC 9113 §6.5.2 recommends allowing at least 100). */
const DEFAULT_MAX_CONCURRENT_STREAMS = 100;

/** Receive windows of our HTTP/2 sessions (SETTINGS_INITIAL_WINDOW_SIZE per stream; the connection window). */
const H2_STREAM_WINDOW_BYTES = 1 << 20;
const H2_CONNECTION_WINDOW_BYTES = 8 << 20;

/** Called with an ALTSVC frame's field value for the connection's origin (RFC 7838 §4). */
export type AltSvcListener = (origin: string, value: string) => void;

/** An HTTP/2 session (node:http2) as a pooled connection. */
export class H2Connection implements PooledConnection {
  private active = 0;
  private goaway = false;
  private listener: (() => void) | undefined;

  private constructor(
    readonly session: ClientHttp2Session,
    readonly origin: string,
    readonly handshakeMs: number,
    private readonly host: string,
    private readonly port: number,
    onAltSvc: AltSvcListener | undefined,
  ) {
    const notify = (): void => this.listener?.();
    session.on('error', () => {}); // surfaced through streams and 'close'
    session.on('goaway', () => {
      // RFC 9113 §6.8: no new streams; open ones below the last stream id complete.
      this.goaway = true;
      notify();
    });
    session.on('remoteSettings', notify);
    session.on('close', notify);
    if (onAltSvc !== undefined) {
      session.on('altsvc', (alt: string, altOrigin: string, streamId: number) => {
        // RFC 7838 §4: on stream 0 the frame names its origin (ignored unless it is ours); on a request stream it
        // applies to that stream's origin, which on this connection is ours.
        if (streamId === 0 && altOrigin !== origin) return;
        onAltSvc(origin, alt);
      });
    }
  }

  /** Starts HTTP/2 on a TLS socket that negotiated `h2` (RFC 9113 §3.2). */
  static async open(
    socket: TLSSocket,
    origin: string,
    handshakeMs: number,
    host: string,
    port: number,
    onAltSvc: AltSvcListener | undefined,
  ): Promise<H2Connection> {
    const session = http2Connect(origin, {
      createConnection: () => socket,
      // RFC 9113 §6.5.2: no push; a 1 MiB stream window instead of 64 KiB so a download is not throttled by
      // WINDOW_UPDATE round trips (what is buffered stays bounded by the windows).
      settings: { enablePush: false, initialWindowSize: H2_STREAM_WINDOW_BYTES },
    });
    try {
      await once(session, 'connect');
    } catch (e) {
      session.destroy();
      throw mapNetworkError(e, host, port);
    }
    // RFC 9113 §6.9.2: the connection window can only be raised by WINDOW_UPDATE.
    session.setLocalWindowSize(H2_CONNECTION_WINDOW_BYTES);
    session.unref();
    return new H2Connection(session, origin, handshakeMs, host, port, onAltSvc);
  }

  availableStreams(): number {
    if (this.isDraining) return 0;
    const max = this.session.remoteSettings?.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS;
    return Math.min(max, 1_000_000) - this.active;
  }

  get isDraining(): boolean {
    return this.goaway || this.session.closed || this.session.destroyed;
  }

  get isClosed(): boolean {
    return this.session.destroyed;
  }

  setChangeListener(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  close(): void {
    if (this.session.destroyed) return;
    this.session.close(() => this.listener?.());
    if (this.active === 0) this.session.unref();
  }

  /** Sends one request on a stream granted by `lease`. */
  send(
    lease: PoolLease<H2Connection>,
    req: PreparedRequest,
    ctx: RequestContext,
    hooks: ResponseBodyHooks,
  ): Promise<ChannelResponse> {
    const headers = headerObject(multiplexedHeaderList(req));
    headers[':method'] = req.method;
    headers[':scheme'] = 'https';
    headers[':authority'] = req.url.host;
    headers[':path'] = requestPath(req.url);
    let stream: ClientHttp2Stream;
    try {
      stream = this.session.request(headers, { endStream: req.body === null });
    } catch (e) {
      lease.release();
      return Promise.reject(
        new NetworkError(ClientErrorCode.CONNECTION_RESET, 'HTTP/2 session unusable', undefined, { cause: e }),
      );
    }
    this.active++;
    this.session.ref();
    lease.opened();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.active--;
      // An idle pooled session must not keep the process alive (the pool closes it after its idle timeout).
      if (this.active === 0 && !this.session.destroyed) this.session.unref();
      lease.release();
    };
    stream.once('close', finish);
    return new Promise<ChannelResponse>((resolve, reject) => {
      let responded = false;
      const onAbort = (): void => {
        stream.close(h2constants.NGHTTP2_CANCEL);
        if (!responded) reject(ctx.signal.reason);
      };
      const streamError = (e: unknown): unknown => this.mapStreamError(stream, e);
      stream.on('error', (e) => {
        if (!responded) reject(ctx.signal.aborted ? ctx.signal.reason : streamError(e));
      });
      stream.once('close', () => {
        ctx.signal.removeEventListener('abort', onAbort);
        if (!responded) reject(ctx.signal.aborted ? ctx.signal.reason : streamError(undefined));
      });
      stream.once('response', (h: IncomingHttpHeaders) => {
        responded = true;
        ctx.signal.removeEventListener('abort', onAbort);
        ctx.touch();
        const status = Number(h[':status']);
        const pairs: Array<[string, string]> = [];
        for (const [name, value] of Object.entries(h)) {
          if (value === undefined) continue;
          if (Array.isArray(value)) for (const v of value) pairs.push([name, v]);
          else pairs.push([name, String(value)]);
        }
        const responseHeaders = headersFromPairs(pairs);
        if (hasNoBody(req.method, status)) {
          stream.resume();
          stream.once('close', () => hooks.onDone(undefined));
          resolve({ status, statusText: '', headers: responseHeaders, body: null, earlyData: false });
          return;
        }
        const source = new NodeReadableSource(stream, streamError, () => stream.close(h2constants.NGHTTP2_CANCEL));
        const body = createResponseBody(source, ctx, hooks, () => {});
        // RFC 9113 §8.1: a trailing HEADERS frame carries the trailer fields.
        const trailers = quietTrailers(
          new Promise<Headers>((resolveTrailers, rejectTrailers) => {
            let fields: Array<[string, string]> = [];
            stream.once('trailers', (t: IncomingHttpHeaders) => {
              fields = [];
              for (const [name, value] of Object.entries(t)) {
                if (value === undefined) continue;
                if (Array.isArray(value)) for (const v of value) fields.push([name, v]);
                else fields.push([name, String(value)]);
              }
            });
            stream.once('end', () => resolveTrailers(headersFromPairs(fields)));
            stream.once('close', () => {
              if (!stream.readableEnded) rejectTrailers(streamError(undefined));
            });
          }),
        );
        resolve({ status, statusText: '', headers: responseHeaders, body: body.stream, earlyData: false, trailers });
      });
      if (ctx.signal.aborted) {
        onAbort();
        return;
      }
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      ctx.touch();
      void writeStreamBody(stream, req).catch((e: unknown) => {
        if (!responded) reject(e);
        stream.close(h2constants.NGHTTP2_CANCEL);
      });
    });
  }

  private mapStreamError(stream: ClientHttp2Stream, error: unknown): unknown {
    const code = stream.rstCode;
    if (code !== undefined && code !== H2ErrorCode.NO_ERROR) {
      // RFC 9113 §8.7: REFUSED_STREAM means not processed; §7 HTTP_1_1_REQUIRED asks for HTTP/1.1.
      return new StreamResetError(
        'h2',
        code,
        code === H2ErrorCode.REFUSED_STREAM || code === H2ErrorCode.HTTP_1_1_REQUIRED,
        code === H2ErrorCode.HTTP_1_1_REQUIRED ? 'http/1.1' : undefined,
        { cause: error },
      );
    }
    const errCode = (error as { code?: string } | undefined)?.code;
    if (errCode === 'ERR_HTTP2_GOAWAY_SESSION') {
      // RFC 9113 §6.8: streams above the GOAWAY's last stream id were not processed.
      return new StreamResetError('h2', H2ErrorCode.REFUSED_STREAM, true, undefined, { cause: error });
    }
    const mapped = error === undefined ? undefined : mapNetworkError(error, this.host, this.port);
    if (mapped !== undefined && mapped !== error) return mapped;
    return new NetworkError(ClientErrorCode.CONNECTION_RESET, `HTTP/2 stream to ${this.origin} closed early`, errCode, {
      cause: error,
    });
  }
}

async function writeStreamBody(stream: ClientHttp2Stream, req: PreparedRequest): Promise<void> {
  const body = req.body;
  if (body === null) return;
  if (body.bytes !== undefined) {
    stream.end(body.bytes);
    return;
  }
  for await (const chunk of body.chunks()) {
    if (stream.destroyed) return;
    if (!stream.write(chunk)) await waitForDrain(stream);
  }
  stream.end();
}

/** A granted stream slot on an HTTP/2 connection. */
export class H2Channel implements RequestChannel {
  readonly protocol = 'h2' as const;
  readonly resumed = false;

  constructor(private readonly lease: PoolLease<H2Connection>) {}

  get reused(): boolean {
    return this.lease.reused;
  }

  get handshakeMs(): number {
    return this.lease.connection.handshakeMs;
  }

  send(req: PreparedRequest, ctx: RequestContext, hooks: ResponseBodyHooks): Promise<ChannelResponse> {
    return this.lease.connection.send(this.lease, req, ctx, hooks);
  }

  abandon(): void {
    this.lease.release();
  }
}
