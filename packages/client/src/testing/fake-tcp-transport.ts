import type { Clock } from '@fos/core';
import { type ChannelResponse, createResponseBody, hasNoBody, type RequestChannel } from '../fetch/channel.js';
import type { PreparedRequest } from '../fetch/prepared-request.js';
import type { RequestContext } from '../fetch/request-context.js';
import { type ResponseBodyHooks, WebStreamSource } from '../fetch/response-body.js';
import type { TcpConnectRequest, TcpMode, TcpTransport } from '../tcp/tcp-transport.js';

export interface FakeTcpReply {
  readonly status?: number;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Uint8Array;
  /** Virtual ms between the request and the response. */
  readonly delayMs?: number;
}

/** A request as the fake TCP server received it. */
export interface FakeTcpReceivedRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly protocol: 'h2' | 'http/1.1';
  readonly atMs: number;
  readonly body: Promise<Uint8Array>;
}

export type FakeTcpHandler = (request: FakeTcpReceivedRequest) => FakeTcpReply | Promise<FakeTcpReply>;

export interface FakeTcpTransportOptions {
  readonly clock: Clock;
  /** What ALPN "selects". Default h2. */
  readonly protocol?: 'h2' | 'http/1.1';
  /** Virtual TCP+TLS handshake time of a new connection. Default 20 ms. */
  readonly connectMs?: number;
  readonly handler?: FakeTcpHandler;
}

/**
 * A `TcpTransport` on a (virtual) clock for scenario tests of discovery and racing: one "connection" per origin
 * that takes `connectMs` to establish and is reused afterwards; requests answered by `handler`.
 */
export class FakeTcpTransport implements TcpTransport {
  readonly connects: Array<{ readonly url: URL; readonly mode: TcpMode; readonly atMs: number }> = [];
  readonly requests: FakeTcpReceivedRequest[] = [];
  handler: FakeTcpHandler;
  connectMs: number;
  /** When set, the next connects fail with it. */
  connectError: unknown;
  private readonly connected = new Set<string>();

  constructor(readonly options: FakeTcpTransportOptions) {
    this.handler = options.handler ?? (() => ({ status: 200, body: 'tcp ok' }));
    this.connectMs = options.connectMs ?? 20;
  }

  connect(request: TcpConnectRequest): Promise<RequestChannel> {
    const clock = this.options.clock;
    this.connects.push({ url: request.url, mode: request.mode, atMs: clock.now() });
    const origin = request.url.origin;
    const protocol = request.mode === 'auto' ? (this.options.protocol ?? 'h2') : request.mode;
    if (this.connectError !== undefined) return Promise.reject(this.connectError);
    if (this.connected.has(origin)) return Promise.resolve(new FakeTcpChannel(this, protocol, true, undefined));
    return new Promise<RequestChannel>((resolve, reject) => {
      const signal = request.signal;
      const onAbort = (): void => {
        timer.clear();
        reject(signal.reason);
      };
      const timer = clock.createTimer(() => {
        signal.removeEventListener('abort', onAbort);
        this.connected.add(origin);
        resolve(new FakeTcpChannel(this, protocol, false, this.connectMs));
      });
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      timer.set(clock.now() + this.connectMs);
    });
  }

  /** Forgets the pooled connections (the next connect to each origin pays `connectMs` again). */
  dropConnections(): void {
    this.connected.clear();
  }

  async close(): Promise<void> {
    this.connected.clear();
  }
}

const encoder = new TextEncoder();

class FakeTcpChannel implements RequestChannel {
  readonly resumed = false;

  constructor(
    private readonly transport: FakeTcpTransport,
    readonly protocol: 'h2' | 'http/1.1',
    readonly reused: boolean,
    readonly handshakeMs: number | undefined,
  ) {}

  abandon(): void {}

  async send(req: PreparedRequest, ctx: RequestContext, hooks: ResponseBodyHooks): Promise<ChannelResponse> {
    const clock = this.transport.options.clock;
    const received: FakeTcpReceivedRequest = {
      url: req.url,
      method: req.method,
      headers: new Headers(req.headers),
      protocol: this.protocol,
      atMs: clock.now(),
      body: collect(req),
    };
    this.transport.requests.push(received);
    await received.body;
    const reply = await this.transport.handler(received);
    if ((reply.delayMs ?? 0) > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = clock.createTimer(resolve);
        timer.set(clock.now() + (reply.delayMs ?? 0));
        ctx.signal.addEventListener('abort', () => {
          timer.clear();
          reject(ctx.signal.reason);
        });
      });
    }
    ctx.throwIfAborted();
    const status = reply.status ?? 200;
    const headers = new Headers();
    for (const [k, v] of reply.headers ?? []) headers.append(k, v);
    if (hasNoBody(req.method, status)) {
      queueMicrotask(() => hooks.onDone(undefined));
      return { status, statusText: '', headers, body: null, earlyData: false };
    }
    const content =
      reply.body === undefined
        ? new Uint8Array(0)
        : typeof reply.body === 'string'
          ? encoder.encode(reply.body)
          : reply.body;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        if (content.byteLength > 0) c.enqueue(content);
        c.close();
      },
    });
    const body = createResponseBody(new WebStreamSource(stream, () => {}), ctx, hooks, () => {});
    return { status, statusText: '', headers, body: body.stream, earlyData: false };
  }
}

async function collect(req: PreparedRequest): Promise<Uint8Array> {
  if (req.body === null) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  for await (const chunk of req.body.chunks()) parts.push(chunk);
  return Buffer.concat(parts);
}
