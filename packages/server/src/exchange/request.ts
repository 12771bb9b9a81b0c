import type { SocketAddress } from '@fos/core';
import type { H3Headers, H3Priority, RequestInfo } from '@fos/http3';
import { ServerError, ServerErrorCode } from '../errors.js';
import { combinedValue, headerValues } from './headers.js';
import type { RequestBody } from './request-body.js';

const decoder = new TextDecoder();

/** Everything a request is built from (internal). */
export interface RequestInit {
  readonly streamId: number;
  readonly headers: H3Headers;
  readonly info: RequestInfo;
  readonly priority: H3Priority;
  readonly remoteAddress: SocketAddress;
  readonly earlyData: boolean;
  readonly body: RequestBody | undefined;
  readonly pushId?: number;
}

/**
 * An HTTP/3 request as a handler sees it (RFC 9114 §4.1): the control data, the header section (pseudo-headers
 * included, in wire order), a streaming body read with backpressure, and the trailers.
 *
 * Read the body one way: `for await (const chunk of request)`, `request.body` (a WHATWG `ReadableStream`), or
 * `text()` / `bytes()` / `json()`. Nothing is read from the network before the handler asks: while more than
 * `limits.requestBodyHighWaterMarkBytes` wait unread, the stream is paused and QUIC flow control holds the client.
 */
export class Http3Request implements AsyncIterable<Uint8Array> {
  /** `:method` (RFC 9114 §4.3.1). */
  readonly method: string;
  /** `:scheme` (absent for CONNECT). */
  readonly scheme: string | undefined;
  /** `:authority` (or the `host` field when the client sent no `:authority`). */
  readonly authority: string | undefined;
  /** `:path`, with the query (`/` for CONNECT, which has none). */
  readonly path: string;
  /** `:protocol` of an extended CONNECT (RFC 9220). */
  readonly protocol: string | undefined;
  /** The whole header section in wire order, pseudo-headers first; lowercase names. */
  readonly headers: H3Headers;
  /** The request stream (RFC 9000 §2.1); for a pushed request, the push stream once open (-1 before). */
  readonly streamId: number;
  /** The push ID when this is a request the server pushed (the handler runs for it through `push(…, {dispatch})`). */
  readonly pushId: number | undefined;
  readonly remoteAddress: SocketAddress;
  /**
   * The request arrived in 0-RTT (RFC 9001 §4.6): it could be a replay (RFC 8470 §1). The server only processes
   * early requests with safe methods before the handshake completes (`earlyData.safeMethods`).
   */
  readonly earlyData: boolean;
  /** The declared content-length, or undefined. */
  readonly contentLength: number | undefined;
  /** The priority the client asked for (RFC 9218 §4), updated by PRIORITY_UPDATE frames. */
  priority: H3Priority;

  private readonly bodySource: RequestBody | undefined;
  private trailerSection: H3Headers | undefined = undefined;
  private trailerWaiters: ((t: H3Headers | undefined) => void)[] | undefined = undefined;
  private bodyDone = false;
  private abortController: AbortController | undefined = undefined;
  private abortReason: ServerError | undefined = undefined;
  private parsedUrl: URL | undefined = undefined;

  /** @internal */
  constructor(init: RequestInit) {
    const { info, headers } = init;
    this.method = info.method;
    this.scheme = info.scheme;
    this.authority = info.authority ?? combinedValue(headers, 'host');
    this.path = info.path ?? '/';
    this.protocol = info.protocol;
    this.headers = headers;
    this.streamId = init.streamId;
    this.pushId = init.pushId;
    this.remoteAddress = init.remoteAddress;
    this.earlyData = init.earlyData;
    this.contentLength = info.contentLength >= 0 ? info.contentLength : undefined;
    this.priority = init.priority;
    this.bodySource = init.body;
    if (init.body === undefined) this.bodyDone = true;
  }

  /** The request URL (`scheme://authority/path`). */
  get url(): URL {
    this.parsedUrl ??= new URL(this.path, `${this.scheme ?? 'https'}://${this.authority ?? 'localhost'}`);
    return this.parsedUrl;
  }

  /** The path without the query. */
  get pathname(): string {
    const q = this.path.indexOf('?');
    return q < 0 ? this.path : this.path.slice(0, q);
  }

  /** A field's combined value (RFC 9110 §5.3; cookies joined with "; ", RFC 9114 §4.2.1), or undefined. */
  header(name: string): string | undefined {
    return combinedValue(this.headers, name.toLowerCase());
  }

  /** Every value of a field, one per field line. */
  headerValues(name: string): string[] {
    return headerValues(this.headers, name.toLowerCase());
  }

  /** The body as a WHATWG ReadableStream (empty for a request without content). */
  get body(): ReadableStream<Uint8Array> {
    if (this.bodySource === undefined) return new ReadableStream({ start: (c) => c.close() });
    return this.bodySource.readable;
  }

  /** Request content bytes received so far. */
  get bytesReceived(): number {
    return this.bodySource?.received ?? 0;
  }

  /** The next body chunk, or null at the end (rejects with a {@link ServerError} when the body failed). */
  read(): Promise<Uint8Array | null> {
    return this.bodySource === undefined ? Promise.resolve(null) : this.bodySource.read();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const chunk = await this.read();
        return chunk === null ? { value: undefined, done: true } : { value: chunk, done: false };
      },
      return: async () => {
        this.bodySource?.cancel();
        return { value: undefined, done: true };
      },
    };
  }

  /** The whole body (bounded by `limits.maxRequestBodyBytes`). */
  async bytes(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let c = await this.read(); c !== null; c = await this.read()) {
      parts.push(c);
      total += c.length;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /** Stops reading the body; the client is asked to stop sending with H3_NO_ERROR (RFC 9114 §4.1). */
  discardBody(): void {
    this.bodySource?.cancel();
  }

  /** The trailer section (RFC 9114 §4.1), once the body ended; undefined when the client sent none. */
  get trailers(): Promise<H3Headers | undefined> {
    if (this.bodyDone) return Promise.resolve(this.trailerSection);
    return new Promise((resolve) => {
      this.trailerWaiters ??= [];
      this.trailerWaiters.push(resolve);
    });
  }

  /**
   * Aborted when the exchange fails before the response is complete: the client cancelled (RESET_STREAM or
   * STOP_SENDING), the connection closed, or the server shut down. `signal.reason` is a {@link ServerError}.
   */
  get signal(): AbortSignal {
    if (this.abortController === undefined) {
      this.abortController = new AbortController();
      if (this.abortReason !== undefined) this.abortController.abort(this.abortReason);
    }
    return this.abortController.signal;
  }

  /** Whether the exchange was aborted. */
  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  // ------------------------------------------------------------------ internal (session)

  /** @internal */
  onTrailers(headers: H3Headers): void {
    this.trailerSection = headers;
  }

  /** @internal The body ended (or failed): trailers are final. */
  onBodyDone(): void {
    if (this.bodyDone) return;
    this.bodyDone = true;
    const waiters = this.trailerWaiters;
    this.trailerWaiters = undefined;
    if (waiters !== undefined) for (const w of waiters) w(this.trailerSection);
  }

  /** @internal */
  onAbort(code: number | undefined, message: string): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = new ServerError(ServerErrorCode.ABORTED, message, code);
    this.bodySource?.fail(this.abortReason);
    this.onBodyDone();
    this.abortController?.abort(this.abortReason);
  }

  /** @internal */
  get bodyState(): RequestBody | undefined {
    return this.bodySource;
  }
}
