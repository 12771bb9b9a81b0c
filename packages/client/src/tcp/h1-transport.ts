import {
  Agent,
  type ClientRequest,
  type ClientRequestArgs,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '@fos/core';
import { ClientErrorCode, NetworkError } from '../errors.js';
import {
  type ChannelResponse,
  createResponseBody,
  hasNoBody,
  headerObject,
  headersFromPairs,
  quietTrailers,
  type RequestChannel,
  rawHeaderPairs,
} from '../fetch/channel.js';
import { contentLength, type PreparedRequest, requestPath } from '../fetch/prepared-request.js';
import type { RequestContext } from '../fetch/request-context.js';
import { NodeReadableSource, type ResponseBodyHooks } from '../fetch/response-body.js';
import { waitForDrain } from './drain.js';
import { mapNetworkError } from './net-errors.js';
import { connectTcp, connectTls, socketHost, type TlsSettings } from './tcp-connect.js';

export interface H1AgentOptions {
  readonly secure: boolean;
  readonly tls: TlsSettings;
  readonly clock: Clock;
  readonly connectTimeoutMs: number;
  /** Idle keep-alive sockets are closed after this long. */
  readonly idleTimeoutMs: number;
  readonly maxSocketsPerOrigin: number;
}

/** Extra request option the agent reads in `createConnection` (per-request connect timeout). */
interface FosRequestArgs extends ClientRequestArgs {
  fosConnectTimeoutMs?: number;
}

/**
 * Node's keep-alive agent, with connections made by us: TLS with our certificate checks (ALPN `http/1.1`) or
 * cleartext TCP, typed errors, connect timeouts on the injected clock. A TLS socket that negotiated `http/1.1` while
 * probing ALPN for `h2` is handed over with `adopt()` and used for the next request, so the probe costs no
 * second handshake.
 */
export class H1Agent extends Agent {
  private readonly options2: H1AgentOptions;
  private readonly adopted = new Map<string, Socket[]>();

  constructor(options: H1AgentOptions) {
    super({
      keepAlive: true,
      maxSockets: options.maxSocketsPerOrigin,
      // Free keep-alive sockets time out after this (Agent#keepSocketAlive applies options.timeout to them).
      timeout: options.idleTimeoutMs,
      scheduling: 'lifo',
    });
    this.options2 = options;
    (this as unknown as { protocol: string }).protocol = options.secure ? 'https:' : 'http:';
    (this as unknown as { defaultPort: number }).defaultPort = options.secure ? 443 : 80;
  }

  /** Takes an already connected socket for `host:port`; it serves the next request that needs a new connection. */
  adopt(host: string, port: number, socket: Socket): void {
    const key = `${socketHost(host)}:${port}`;
    const list = this.adopted.get(key) ?? [];
    list.push(socket);
    this.adopted.set(key, list);
    const drop = (): void => {
      const l = this.adopted.get(key);
      const i = l?.indexOf(socket) ?? -1;
      if (l !== undefined && i >= 0) l.splice(i, 1);
      if (l?.length === 0) this.adopted.delete(key);
    };
    socket.once('close', drop);
    socket.on('error', () => {});
    // Waiting for its request, it must not keep the process alive (the agent refs sockets in use).
    socket.unref();
    // Not picked up within the idle timeout: close it.
    socket.setTimeout(this.options2.idleTimeoutMs, () => {
      if (this.adopted.get(key)?.includes(socket)) socket.destroy();
    });
  }

  override createConnection(
    options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = socketHost(String(options.host ?? options.hostname ?? 'localhost'));
    const port = Number(options.port ?? (this.options2.secure ? 443 : 80));
    const key = `${host}:${port}`;
    const list = this.adopted.get(key);
    const ready = list?.shift();
    if (list?.length === 0) this.adopted.delete(key);
    if (ready !== undefined) {
      ready.setTimeout(0);
      ready.ref();
      return ready;
    }
    const o = {
      host,
      port,
      timeoutMs: (options as FosRequestArgs).fosConnectTimeoutMs ?? this.options2.connectTimeoutMs,
      clock: this.options2.clock,
      lookup: this.options2.tls.lookup,
    };
    const pending = this.options2.secure
      ? connectTls({ ...o, alpn: ['http/1.1'], tls: this.options2.tls })
      : connectTcp(o);
    pending.then(
      (c) => callback?.(null, c.socket),
      (e: unknown) => callback?.(e as Error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** An HTTP/1.1 request slot: the agent supplies (and reuses) the connection when the request is sent. */
export class H1Channel implements RequestChannel {
  readonly protocol = 'http/1.1' as const;
  readonly resumed = false;
  private reusedSocket = false;

  constructor(
    private readonly agent: H1Agent,
    readonly handshakeMs: number | undefined,
  ) {}

  /** Known once the request got its socket: whether it was a kept-alive one. */
  get reused(): boolean {
    return this.reusedSocket;
  }

  abandon(): void {}

  send(req: PreparedRequest, ctx: RequestContext, hooks: ResponseBodyHooks): Promise<ChannelResponse> {
    const url = req.url;
    const host = socketHost(url.hostname);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const headers = headerObject(req.headers);
    const length = contentLength(req);
    if (length !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(length);
    const args: FosRequestArgs = {
      protocol: url.protocol,
      host,
      port,
      path: requestPath(url),
      method: req.method,
      headers,
      agent: this.agent,
      fosConnectTimeoutMs: ctx.connectTimeoutMs,
    };
    return new Promise<ChannelResponse>((resolve, reject) => {
      let responded = false;
      const creq: ClientRequest = httpRequest(args);
      const onAbort = (): void => {
        creq.destroy();
        if (!responded) reject(ctx.signal.reason);
      };
      const mapError = (e: unknown): unknown => {
        const mapped = mapNetworkError(e, host, port);
        // A keep-alive socket the server had already closed: the request never reached it (Node docs' advice).
        if (mapped instanceof NetworkError && creq.reusedSocket && mapped.code === ClientErrorCode.CONNECTION_RESET) {
          return new NetworkError(ClientErrorCode.CONNECTION_RESET, mapped.message, mapped.syscallCode, {
            cause: mapped,
            staleConnection: true,
          });
        }
        return mapped;
      };
      creq.on('error', (e) => {
        ctx.signal.removeEventListener('abort', onAbort);
        if (!responded) reject(ctx.signal.aborted ? ctx.signal.reason : mapError(e));
      });
      creq.on('response', (res: IncomingMessage) => {
        responded = true;
        this.reusedSocket = creq.reusedSocket;
        ctx.signal.removeEventListener('abort', onAbort);
        ctx.touch();
        const status = res.statusCode ?? 0;
        const responseHeaders = headersFromPairs(rawHeaderPairs(res.rawHeaders));
        if (hasNoBody(req.method, status)) {
          res.resume();
          res.once('close', () => hooks.onDone(undefined));
          resolve({
            status,
            statusText: res.statusMessage ?? '',
            headers: responseHeaders,
            body: null,
            earlyData: false,
          });
          return;
        }
        const source = new NodeReadableSource(
          res,
          (e) => mapNetworkError(e, host, port),
          () => res.destroy(),
        );
        const body = createResponseBody(source, ctx, hooks, () => {});
        // RFC 9112 §7.1.2: trailer fields of a chunked message, known once the message ended.
        const trailers = quietTrailers(
          new Promise<Headers>((resolveTrailers, rejectTrailers) => {
            res.once('end', () => resolveTrailers(headersFromPairs(rawHeaderPairs(res.rawTrailers))));
            res.once('close', () => {
              if (!res.complete) rejectTrailers(mapNetworkError(new Error('response closed early'), host, port));
            });
          }),
        );
        resolve({
          status,
          statusText: res.statusMessage ?? '',
          headers: responseHeaders,
          body: body.stream,
          earlyData: false,
          trailers,
        });
      });
      if (ctx.signal.aborted) {
        onAbort();
        return;
      }
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      ctx.touch();
      void writeBody(creq, req).catch((e: unknown) => creq.destroy(e as Error));
    });
  }
}

async function writeBody(creq: ClientRequest, req: PreparedRequest): Promise<void> {
  const body = req.body;
  if (body === null) {
    creq.end();
    return;
  }
  if (body.bytes !== undefined) {
    creq.end(body.bytes);
    return;
  }
  for await (const chunk of body.chunks()) {
    if (creq.destroyed) return;
    if (!creq.write(chunk)) await waitForDrain(creq);
  }
  creq.end();
}
