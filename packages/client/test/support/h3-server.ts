// A small HTTP/3 server for the client's tests, driven by hand: a QuicEndpoint (server role) with an @fos/http3
// H3Connection per connection. Tests see what the server saw (requests, bodies, cancel codes, concurrency, 0-RTT)
// and script what it answers (status, chunks, trailers, resets, GOAWAY, pauses for backpressure).

import { CubicFactory } from '@fos/congestion-cubic';
import { Clock, CongestionControllerFactory, type DependencyContainer, resolve } from '@fos/core';
import { registerCrypto } from '@fos/crypto';
import {
  deliverQuicEvent,
  H3Connection,
  type H3ConnectionOptions,
  type H3Event,
  type H3Headers,
  QuicH3Transport,
} from '@fos/http3';
import { createQuicEndpoint, type QuicConnection, type QuicEndpoint, type TransportConfig } from '@fos/quic';

export interface H3TestServerOptions {
  /** Container with the socket (MemoryNetwork or UDP), clock and allocator registered. */
  readonly container: DependencyContainer;
  readonly cert: { readonly certPem: string; readonly keyPem: string };
  readonly port?: number;
  readonly address?: string;
  readonly alpn?: string;
  readonly enableEarlyData?: boolean;
  readonly retry?: boolean;
  readonly transport?: TransportConfig;
  readonly supportedVersions?: readonly number[];
  readonly handler?: (exchange: ServerExchange) => void | Promise<void>;
  /** H3 settings of the server (e.g. a small body high-water mark). */
  readonly bodyHighWaterMarkBytes?: number;
  /** H3Connection options of the server's connections (SETTINGS: QPACK table, field-section size …). */
  readonly h3?: Omit<H3ConnectionOptions, 'transport'>;
}

/** One request as the server sees it, with the controls to answer it. */
export class ServerExchange {
  readonly chunks: Uint8Array[] = [];
  /** Bytes received so far. */
  received = 0;
  ended = false;
  /** RESET_STREAM / STOP_SENDING / stream error code seen from the client. */
  errorCode: number | undefined = undefined;
  trailers: H3Headers | undefined = undefined;
  /** The server ended (or reset) its response. */
  responseEnded = false;
  private waiters: (() => void)[] = [];
  private writableWaiter: (() => void) | undefined;

  constructor(
    readonly conn: ServerConnection,
    readonly streamId: number,
    readonly headers: H3Headers,
    /** The request arrived before the handshake completed (0-RTT). */
    readonly early: boolean,
  ) {}

  header(name: string): string | undefined {
    return this.headers.find((h) => h[0] === name)?.[1];
  }

  get method(): string {
    return this.header(':method') ?? '';
  }

  get path(): string {
    return this.header(':path') ?? '';
  }

  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Resolves when the request body ended (or the stream failed). */
  whenEnded(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.ended || this.errorCode !== undefined ? resolve() : this.waiters.push(check));
      check();
    });
  }

  /** Resolves when the stream failed (reset or cancelled). */
  whenFailed(): Promise<number> {
    return new Promise((resolve) => {
      const check = () => (this.errorCode !== undefined ? resolve(this.errorCode) : this.waiters.push(check));
      check();
    });
  }

  respond(status: number, headers: ReadonlyArray<readonly [string, string]> = [], end = false): void {
    if (end) this.responseEnded = true;
    this.conn.h3.respond(this.streamId, [[':status', String(status)], ...headers], { endStream: end });
    this.conn.flush();
  }

  /** Writes a DATA frame; resolves once QUIC's buffer has room again (backpressure). */
  async write(data: Uint8Array, end = false): Promise<void> {
    if (end) this.responseEnded = true;
    const ok = this.conn.h3.writeBody(this.streamId, data, end);
    this.conn.flush();
    if (!ok && !end) await new Promise<void>((r) => (this.writableWaiter = r));
  }

  /** `write` without waiting: returns whether QUIC took it below its high-water mark. */
  tryWrite(data: Uint8Array, end = false): boolean {
    if (end) this.responseEnded = true;
    const ok = this.conn.h3.writeBody(this.streamId, data, end);
    this.conn.flush();
    return ok;
  }

  end(trailers?: H3Headers): void {
    this.responseEnded = true;
    if (trailers) this.conn.h3.writeTrailers(this.streamId, trailers);
    else this.conn.h3.end(this.streamId);
    this.conn.flush();
  }

  /**
   * Promises a push of `path` on this request (RFC 9114 §4.6) and sends its response (`body`, 200). Returns the push
   * ID, or undefined when the client does not allow pushes.
   */
  push(path: string, body: string, authority = this.header(':authority') ?? 'localhost'): number | undefined {
    let push: ReturnType<H3Connection['promisePush']>;
    try {
      push = this.conn.h3.promisePush(this.streamId, [
        [':method', 'GET'],
        [':scheme', 'https'],
        [':authority', authority],
        [':path', path],
      ]);
    } catch {
      return undefined;
    }
    push.respond([
      [':status', '200'],
      ['content-type', 'text/plain'],
    ]);
    push.writeBody(new TextEncoder().encode(body), true);
    this.conn.flush();
    return push.pushId;
  }

  /** Stops reading the request from QUIC (flow control then holds the client back). */
  pauseReading(): void {
    this.conn.h3.pauseReading(this.streamId);
  }

  resumeReading(): void {
    this.conn.h3.resumeReading(this.streamId);
    this.conn.flush();
  }

  reset(code: number): void {
    this.responseEnded = true;
    this.conn.h3.resetStream(this.streamId, code);
    this.conn.flush();
  }

  /** @internal */
  onEvent(e: H3Event): void {
    if (e.type === 'data') {
      this.chunks.push(e.data.slice());
      this.received += e.data.length;
    } else if (e.type === 'trailers') {
      this.trailers = e.headers;
    } else if (e.type === 'end') {
      this.ended = true;
    } else if (e.type === 'stream-error') {
      this.errorCode = e.code;
    } else if (e.type === 'writable') {
      const w = this.writableWaiter;
      this.writableWaiter = undefined;
      w?.();
    }
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/** One connection the server accepted. */
export class ServerConnection {
  readonly h3: H3Connection;
  readonly exchanges = new Map<number, ServerExchange>();
  private readonly earlyStreams = new Set<number>();
  /** Request streams open at once, at most. */
  maxConcurrent = 0;
  private pumping = false;

  constructor(
    readonly server: H3TestServer,
    readonly quic: QuicConnection,
    options: H3TestServerOptions,
  ) {
    this.h3 = new H3Connection({
      ...server.h3Options,
      transport: new QuicH3Transport(quic.connection, () => server.now()),
      bodyHighWaterMarkBytes: options.bodyHighWaterMarkBytes,
    });
    this.h3.start();
    // Setting the listener replays the streams that arrived before the hand-over, at handshake completion: those
    // came in 0-RTT.
    let replaying = true;
    quic.setRawListener((e) => {
      if (replaying && e.type === 'stream-opened') this.earlyStreams.add(e.streamId);
      deliverQuicEvent(this.h3, e);
      this.pump();
    });
    replaying = false;
    this.flush();
  }

  flush(): void {
    this.pump();
    this.quic.wake();
  }

  /** RFC 9114 §5.2: GOAWAY with `id` (default: after the last request seen). */
  goaway(id?: number): void {
    this.h3.goaway(id);
    this.flush();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let e = this.h3.pollEvent(); e !== undefined; e = this.h3.pollEvent()) this.onEvent(e);
    } finally {
      this.pumping = false;
    }
  }

  private onEvent(e: H3Event): void {
    if (e.type === 'request') {
      const ex = new ServerExchange(this, e.streamId, e.headers, this.earlyStreams.has(e.streamId));
      this.exchanges.set(e.streamId, ex);
      this.maxConcurrent = Math.max(this.maxConcurrent, this.openCount());
      this.server.requests.push(ex);
      void Promise.resolve(this.server.handler(ex)).catch(() => {
        try {
          this.h3.resetStream(e.streamId, 0x102);
        } catch {
          // gone
        }
      });
      return;
    }
    if ('streamId' in e && typeof e.streamId === 'number') {
      const ex = this.exchanges.get(e.streamId);
      if (ex !== undefined) {
        ex.onEvent(e);
        if (e.type === 'stream-error') this.exchanges.delete(e.streamId);
      }
    }
  }

  private openCount(): number {
    let n = 0;
    for (const ex of this.exchanges.values()) if (ex.errorCode === undefined && !ex.responseEnded) n++;
    return n;
  }
}

export class H3TestServer {
  readonly connections: ServerConnection[] = [];
  readonly requests: ServerExchange[] = [];
  handler: (exchange: ServerExchange) => void | Promise<void>;
  /** H3Connection options of the next connections (change them to make the server's SETTINGS differ). */
  h3Options: Omit<H3ConnectionOptions, 'transport'>;

  private constructor(
    readonly endpoint: QuicEndpoint,
    private readonly clock: Clock,
    options: H3TestServerOptions,
  ) {
    this.handler = options.handler ?? defaultHandler;
    this.h3Options = options.h3 ?? {};
    endpoint.connections$.subscribe((quic) => this.connections.push(new ServerConnection(this, quic, options)));
  }

  static async start(options: H3TestServerOptions): Promise<H3TestServer> {
    const c = options.container;
    registerCrypto(c, { tls: { certificates: [{ chain: options.cert.certPem, key: options.cert.keyPem }] } });
    if (!c.isRegistered(CongestionControllerFactory, true)) {
      c.register(CongestionControllerFactory, { useValue: new CubicFactory() });
    }
    const endpoint = await createQuicEndpoint(c, {
      bind: { address: options.address, port: options.port ?? 443 },
      server: {
        alpn: options.alpn ?? 'h3',
        enableEarlyData: options.enableEarlyData ?? true,
        retry: options.retry,
        transport: options.transport,
      },
      supportedVersions: options.supportedVersions,
    });
    const clock = resolve(c, Clock);
    return new H3TestServer(endpoint, clock, options);
  }

  get port(): number {
    return this.endpoint.address.port;
  }

  now(): number {
    return this.clock.now();
  }

  /** Resolves after `ms` on the server's clock. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.createTimer(resolve).set(this.clock.now() + ms));
  }

  close(): Promise<void> {
    return this.endpoint.close();
  }
}

function defaultHandler(ex: ServerExchange): void {
  void ex.whenEnded().then(() => {
    if (ex.errorCode !== undefined) return;
    const body = new TextEncoder().encode(`hello ${ex.path}`);
    ex.respond(200, [['content-length', String(body.length)]]);
    void ex.write(body, true);
  });
}
