// A small HTTP/3 client for the server's tests: an H3Connection (client role) driven over a QuicConnection, with
// every response collected. Not an API: @fos/client is the real client.

import {
  deliverQuicEvent,
  type H3ClientRequest,
  H3Connection,
  type H3ConnectionOptions,
  type H3Headers,
  QuicH3Transport,
} from '@fos/http3';
import type { QuicConnection, QuicConnectOptions, QuicEndpoint } from '@fos/quic';

/** A collected response (or pushed response). */
export interface TestResponse {
  status: number;
  headers: H3Headers;
  body: Uint8Array;
  trailers: H3Headers | undefined;
  informational: { status: number; headers: H3Headers }[];
  /** Set when the stream failed (reset by either side, or the connection closed). */
  error: { code: number; local: boolean; retryable: boolean } | undefined;
  /** Pushes promised on this request stream, by push ID. */
  promisedPushIds: number[];
}

class Pending {
  readonly res: TestResponse = {
    status: 0,
    headers: [],
    body: new Uint8Array(0),
    trailers: undefined,
    informational: [],
    error: undefined,
    promisedPushIds: [],
  };
  readonly chunks: Uint8Array[] = [];
  bytes = 0;
  readonly done: Promise<TestResponse>;
  resolve!: (r: TestResponse) => void;
  finished = false;
  writableWaiters: (() => void)[] = [];
  /** Called for every DATA payload (tests that watch a transfer progress). */
  onData: ((n: number) => void) | undefined = undefined;

  constructor() {
    this.done = new Promise((r) => {
      this.resolve = r;
    });
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.res.body = Buffer.concat(this.chunks);
    this.resolve(this.res);
  }
}

/** A pushed response as the client saw it. */
export interface TestPush {
  readonly pushId: number;
  readonly requestHeaders: H3Headers;
  readonly response: Promise<TestResponse>;
}

export class H3TestClient {
  readonly quic: QuicConnection;
  readonly h3: H3Connection;
  /** GOAWAY IDs received (RFC 9114 §5.2). */
  readonly goaways: number[] = [];
  readonly pushes = new Map<number, TestPush>();
  /** How the HTTP/3 connection closed. */
  readonly closed: Promise<{ code: number; reason: string; local: boolean }>;
  private readonly pending = new Map<H3ClientRequest, Pending>();
  private readonly pushPending = new Map<number, Pending>();
  private resolveClosed!: (info: { code: number; reason: string; local: boolean }) => void;
  private isClosed = false;

  private constructor(quic: QuicConnection, now: () => number, options: Omit<H3ConnectionOptions, 'transport'>) {
    this.quic = quic;
    this.h3 = new H3Connection({ ...options, transport: new QuicH3Transport(quic.connection, now) });
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    this.h3.start();
    // also replays the streams that arrived before the listener was set (the server's, in the handshake's packets)
    quic.setRawListener((e) => {
      deliverQuicEvent(this.h3, e);
      this.drain();
    });
    this.flush();
  }

  /** Connects `endpoint` (a client endpoint) with ALPN h3 and starts HTTP/3. */
  static async connect(
    endpoint: QuicEndpoint,
    target: Omit<QuicConnectOptions, 'alpn'>,
    now: () => number,
    options: Omit<H3ConnectionOptions, 'transport'> = {},
  ): Promise<H3TestClient> {
    const quic = await endpoint.connect({ ...target, alpn: 'h3' });
    return new H3TestClient(quic, now, options);
  }

  /** Sends a request; `body` chunks are written with backpressure; resolves with the whole response. */
  request(
    headers: H3Headers,
    body?: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    trailers?: H3Headers,
  ) {
    const p = new Pending();
    const endStream = body === undefined && trailers === undefined;
    const req = this.h3.request(headers, { endStream });
    this.pending.set(req, p);
    this.flush();
    if (!endStream) void this.upload(req, p, body, trailers);
    return { request: req, pending: p, done: p.done };
  }

  /** GET `path` (authority localhost). */
  get(path: string, extra: H3Headers = []): Promise<TestResponse> {
    return this.request(requestHeaders('GET', path, extra)).done;
  }

  /** Sends everything flushed so far. */
  flush(): void {
    this.drain();
    this.quic.wake();
  }

  close(): void {
    if (this.isClosed) return;
    this.h3.close();
    this.flush();
  }

  private async upload(
    req: H3ClientRequest,
    p: Pending,
    body: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array> | undefined,
    trailers: H3Headers | undefined,
  ): Promise<void> {
    const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> =
      body === undefined ? [] : body instanceof Uint8Array ? [body] : body;
    try {
      for await (const chunk of chunks) {
        if (p.finished) return;
        const ok = req.writeBody(chunk, false);
        this.flush();
        if (!ok) await new Promise<void>((r) => p.writableWaiters.push(r));
      }
      if (p.finished) return;
      if (trailers !== undefined) req.writeTrailers(trailers);
      else req.end();
      this.flush();
    } catch {
      // the exchange failed: the response records why
    }
  }

  private drain(): void {
    for (let e = this.h3.pollEvent(); e !== undefined; e = this.h3.pollEvent()) {
      switch (e.type) {
        case 'push-promise': {
          const rec = e.request !== undefined ? this.pending.get(e.request) : undefined;
          rec?.res.promisedPushIds.push(e.pushId);
          if (!this.pushes.has(e.pushId)) {
            const pp = new Pending();
            this.pushPending.set(e.pushId, pp);
            this.pushes.set(e.pushId, { pushId: e.pushId, requestHeaders: e.headers, response: pp.done });
          }
          break;
        }
        case 'goaway':
          this.goaways.push(e.id);
          break;
        case 'closed': {
          this.isClosed = true;
          for (const p of [...this.pending.values(), ...this.pushPending.values()]) {
            p.res.error ??= { code: e.code, local: e.local, retryable: false };
            p.finish();
          }
          this.resolveClosed({ code: e.code, reason: e.reason, local: e.local });
          break;
        }
        case 'informational':
        case 'response':
        case 'data':
        case 'trailers':
        case 'end':
        case 'stream-error':
        case 'writable': {
          const p =
            e.pushId !== undefined
              ? this.pushPending.get(e.pushId)
              : e.request !== undefined
                ? this.pending.get(e.request)
                : undefined;
          if (p === undefined) break;
          if (e.type === 'informational') p.res.informational.push({ status: e.status, headers: e.headers });
          else if (e.type === 'response') {
            p.res.status = e.status;
            p.res.headers = e.headers;
          } else if (e.type === 'data') {
            p.chunks.push(e.data);
            p.bytes += e.data.length;
            p.onData?.(e.data.length);
          } else if (e.type === 'trailers') p.res.trailers = e.headers;
          else if (e.type === 'writable') {
            const w = p.writableWaiters;
            p.writableWaiters = [];
            for (const f of w) f();
          } else {
            if (e.type === 'stream-error') p.res.error = { code: e.code, local: e.local, retryable: e.retryable };
            p.finish();
            for (const f of p.writableWaiters) f();
            if (e.request !== undefined) this.pending.delete(e.request);
            if (e.pushId !== undefined) this.pushPending.delete(e.pushId);
          }
          break;
        }
        default:
          break;
      }
    }
  }
}

/** A request header section for `https://localhost{path}`. */
export function requestHeaders(method: string, path: string, extra: H3Headers = []): H3Headers {
  return [[':method', method], [':scheme', 'https'], [':authority', 'localhost'], [':path', path], ...extra];
}

export function headerOf(headers: H3Headers, name: string): string | undefined {
  for (const [n, v] of headers) if (n === name) return v;
  return undefined;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);
