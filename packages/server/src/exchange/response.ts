import { H3ErrorCode, type H3Header, type H3Headers, type H3Priority, responseHasNoContent } from '@fos/http3';
import { ServerError, ServerErrorCode } from '../errors.js';
import { appendHeaders, type OutgoingHeaders } from './headers.js';
import type { ResponseSink } from './response-sink.js';

const encoder = new TextEncoder();
const RESOLVED: Promise<void> = Promise.resolve();
const noop = (): void => {};
const EMPTY = new Uint8Array(0);

/** What `push` takes besides the path. */
export interface PushOptions {
  /** More request header fields of the promised request (RFC 9114 §4.6; e.g. `accept`). */
  readonly headers?: OutgoingHeaders;
  /**
   * Run the server's handler for the promised request, writing into the pushed response (default false: the
   * caller writes the pushed response itself).
   */
  readonly dispatch?: boolean;
}

/** A body `send` accepts. */
export type ResponseBody =
  | string
  | Uint8Array
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | null
  | undefined;

/** What a response needs from its session (internal). */
export interface ResponseHost {
  /** Flush queued output and deliver pending events (after every H3 call made outside an event). */
  flush(): void;
  /** The value of the `date` header (RFC 9110 §6.6.1), or undefined when disabled. */
  dateHeader(): string | undefined;
  readonly serverHeader: string | undefined;
  /** Promise a push on `parent`'s request stream (undefined when the client does not allow one). */
  push(parent: Http3Response, path: string, options: PushOptions): Http3Response | undefined;
  /** The response is complete (sent or failed). */
  onResponseDone(response: Http3Response): void;
  /** A response operation failed inside the server (reported to `onError`). */
  onResponseError(response: Http3Response, error: unknown): void;
}

/**
 * The response to one request (or a pushed response): status and headers, interim (1xx) responses, a body
 * streamed with backpressure, trailers, server push and the priority hint (RFC 9114 §4.1, §4.6; RFC 9218).
 *
 * Headers are sent with the first body write (`write`, `end`, `send`) or `flushHeaders()`. `write()` resolves when
 * the stream's send buffer is below its high-water mark: `await` it to stream large bodies without buffering them.
 * Written chunks are sent by reference: do not modify them afterwards. Promises returned here never reject
 * unobserved (a failed exchange is reported through `onError` and `request.signal`); `await`ed, they reject with a
 * {@link ServerError} once the client went away.
 */
export class Http3Response {
  /** The final status (default 200). */
  status = 200;
  /** Response content bytes handed to QUIC so far. */
  bytesSent = 0;
  /** The final status actually sent (0 until then). */
  sentStatus = 0;
  /** The H3 error code when the exchange was reset (by either side). */
  resetCode: number | undefined = undefined;

  private readonly fields: H3Header[] = [];
  private trailerFields: H3Header[] | undefined = undefined;
  private headSent = false;
  private ended = false;
  private failure: ServerError | undefined = undefined;
  private noContent = false;
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private pendingPriority: H3Priority | undefined = undefined;
  private writableStream: WritableStream<Uint8Array> | undefined = undefined;
  private doneReported = false;

  /** @internal */
  constructor(
    private readonly host: ResponseHost,
    /** @internal */ readonly sink: ResponseSink,
    /** The request method (HEAD responses carry no content, RFC 9110 §9.3.2). */
    readonly method: string,
    /** Set for a pushed response (RFC 9114 §4.6). */
    readonly pushId: number | undefined = undefined,
  ) {}

  /** Whether the final header section was sent. */
  get headersSent(): boolean {
    return this.headSent;
  }

  /** Whether the response is complete (ended, or reset / aborted). */
  get finished(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /** Whether the client went away or the stream was reset. */
  get aborted(): boolean {
    return this.failure !== undefined;
  }

  /** The stream carrying the response (-1 for a push whose stream is not open yet). */
  get streamId(): number {
    return this.sink.streamId;
  }

  // ------------------------------------------------------------------ headers

  /** Replaces the field `name` (names are lowercased; connection-specific fields are dropped, RFC 9114 §4.2). */
  setHeader(name: string, value: string | number | readonly string[]): this {
    this.assertHeadOpen();
    this.removeHeader(name);
    appendHeaders(this.fields, { [name]: value } as OutgoingHeaders);
    return this;
  }

  /** Adds a field line (keeps existing ones of that name). */
  appendHeader(name: string, value: string): this {
    this.assertHeadOpen();
    appendHeaders(this.fields, [[name, value]]);
    return this;
  }

  getHeader(name: string): string | undefined {
    const n = name.toLowerCase();
    for (const [k, v] of this.fields) if (k === n) return v;
    return undefined;
  }

  hasHeader(name: string): boolean {
    return this.getHeader(name) !== undefined;
  }

  removeHeader(name: string): this {
    const n = name.toLowerCase();
    for (let i = this.fields.length - 1; i >= 0; i--) if (this.fields[i][0] === n) this.fields.splice(i, 1);
    return this;
  }

  /** The header fields set so far (without `:status`). */
  get headers(): H3Headers {
    return this.fields;
  }

  /** Sets the status and adds `headers`; they go out with the first body byte (or `flushHeaders()`). */
  writeHead(status: number, headers?: OutgoingHeaders): this {
    this.assertHeadOpen();
    this.status = status;
    appendHeaders(this.fields, headers);
    return this;
  }

  /** Trailer fields sent after the body (RFC 9114 §4.1); set before `end()`. */
  setTrailers(trailers: OutgoingHeaders): this {
    if (this.ended) throw new ServerError(ServerErrorCode.INVALID_STATE, 'the response has ended');
    this.trailerFields ??= [];
    appendHeaders(this.trailerFields, trailers);
    return this;
  }

  /**
   * Sends an interim response now (RFC 9114 §4.1; RFC 9110 §15.2), e.g. 103 Early Hints (RFC 8297). Any number may
   * precede the final response. 101 does not exist in HTTP/3 (RFC 9114 §4.5).
   */
  informational(status: number, headers?: OutgoingHeaders): void {
    if (!Number.isInteger(status) || status < 100 || status > 199 || status === 101) {
      throw new ServerError(ServerErrorCode.INVALID_STATE, `${status} is not an interim status usable in HTTP/3`);
    }
    this.assertHeadOpen();
    if (this.failure !== undefined) return;
    const h: H3Header[] = [[':status', String(status)]];
    appendHeaders(h, headers);
    this.call(() => this.sink.respond(h, false));
  }

  /** 103 Early Hints (RFC 8297) with `link` fields, e.g. `</style.css>; rel=preload; as=style`. */
  earlyHints(links: string | readonly string[]): void {
    this.informational(103, { link: typeof links === 'string' ? [links] : links });
  }

  /** Sends the final header section now (normally it goes out with the first body write). */
  flushHeaders(): void {
    if (this.headSent || this.finished) return;
    this.call(() => this.sendHead(false));
    this.host.flush();
  }

  // ------------------------------------------------------------------ body

  /**
   * Sends a chunk of the body (kept by reference until acknowledged). Resolves when more may be written (the send
   * buffer is below its high-water mark). Content of HEAD, 204 and 304 responses is discarded (RFC 9110 §6.4.1).
   */
  write(chunk: Uint8Array | string): Promise<void> {
    if (this.failure !== undefined) return this.rejected(this.failure);
    if (this.ended) return this.rejected(new ServerError(ServerErrorCode.INVALID_STATE, 'write after end'));
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    let ok = true;
    try {
      if (!this.headSent) this.sendHead(false);
      if (bytes.length > 0 && !this.noContent) {
        ok = this.sink.writeBody(bytes, false);
        this.bytesSent += bytes.length;
      }
    } catch (e) {
      this.fail(e);
      return this.rejected(this.failure ?? e);
    }
    this.host.flush();
    if (ok) return RESOLVED;
    if (this.failure !== undefined) return this.rejected(this.failure);
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    p.catch(noop);
    return p;
  }

  /**
   * Ends the response, with a last chunk. Without earlier writes, a chunk also sets `content-length`. Sends the
   * trailers set with `setTrailers`. Never rejects: a failure is reported through `onError`.
   */
  end(chunk?: Uint8Array | string): Promise<void> {
    if (this.ended || this.failure !== undefined) return RESOLVED;
    const bytes = chunk === undefined ? EMPTY : typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    try {
      const trailers = this.trailerFields;
      if (!this.headSent) {
        const informative = this.status === 204 || this.status === 304;
        if (bytes.length > 0 && !informative && !this.hasHeader('content-length')) {
          // RFC 9110 §8.6: the whole content is known; for HEAD, what GET would have sent (§9.3.2)
          this.fields.push(['content-length', String(bytes.length)]);
        }
        const noBody = bytes.length === 0 || this.noContentFor(this.status);
        if (noBody && trailers === undefined) {
          this.sendHead(true);
          this.ended = true;
          this.host.flush();
          this.done();
          return RESOLVED;
        }
        this.sendHead(false);
      }
      this.ended = true;
      const body = this.noContent ? EMPTY : bytes;
      if (body.length > 0) {
        this.sink.writeBody(body, trailers === undefined);
        this.bytesSent += body.length;
      }
      if (trailers !== undefined) this.sink.writeTrailers(trailers);
      else if (body.length === 0) this.sink.end();
    } catch (e) {
      this.fail(e);
      return RESOLVED;
    }
    this.host.flush();
    this.done();
    return RESOLVED;
  }

  /**
   * Sends a whole response: `body` as a string, bytes (content-length set), a ReadableStream or an async iterable
   * (streamed with backpressure). Resolves when the body was handed to QUIC; rejects if the client went away.
   */
  send(body: ResponseBody, init: { status?: number; headers?: OutgoingHeaders } = {}): Promise<void> {
    const p = this.sendBody(body, init);
    p.catch(noop);
    return p;
  }

  private async sendBody(body: ResponseBody, init: { status?: number; headers?: OutgoingHeaders }): Promise<void> {
    if (init.status !== undefined) this.status = init.status;
    if (init.headers !== undefined) appendHeaders(this.fields, init.headers);
    if (body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
      await this.end(body ?? undefined);
      return;
    }
    if (body instanceof ReadableStream) {
      const reader = body.getReader();
      try {
        for (let r = await reader.read(); !r.done; r = await reader.read()) await this.write(r.value);
      } catch (e) {
        void reader.cancel(e).catch(noop);
        throw e;
      } finally {
        reader.releaseLock();
      }
    } else {
      for await (const chunk of body) await this.write(chunk);
    }
    await this.end();
  }

  /** A WHATWG WritableStream over `write` / `end` (backpressured; aborting it resets the stream). */
  get writable(): WritableStream<Uint8Array> {
    this.writableStream ??= new WritableStream<Uint8Array>(
      {
        write: (chunk) => this.write(chunk),
        close: () => this.end(),
        abort: () => this.reset(),
      },
      { highWaterMark: 1 },
    );
    return this.writableStream;
  }

  // ------------------------------------------------------------------ push, priority, reset

  /**
   * Promises a push of `path` (RFC 9114 §4.6: a PUSH_PROMISE on this request stream, a GET with this request's
   * scheme and authority) and returns the pushed response to fill in — or undefined when the client does not allow
   * another push (it never sent MAX_PUSH_ID, the limit is reached, it sent GOAWAY) or push is disabled. With
   * `{ dispatch: true }` the server's handler produces the pushed response. Promise pushes before ending this
   * response.
   */
  push(path: string, options: PushOptions = {}): Http3Response | undefined {
    if (this.pushId !== undefined || this.finished) return undefined;
    return this.host.push(this, path, options);
  }

  /** The priority hint for QUIC's scheduler (RFC 9218 §8: a server may override what the client asked for). */
  setPriority(priority: H3Priority): void {
    if (this.finished) return;
    if (this.sink.streamId < 0) {
      this.pendingPriority = priority;
      return;
    }
    this.call(() => this.sink.setPriority(priority));
    this.host.flush();
  }

  /**
   * Abandons the response: RESET_STREAM (and STOP_SENDING) with `code` (default H3_INTERNAL_ERROR, RFC 9114 §8.1);
   * a pushed response is cancelled with CANCEL_PUSH (H3_REQUEST_CANCELLED).
   */
  reset(code?: number): void {
    if (this.finished) return;
    const c = code ?? (this.pushId !== undefined ? H3ErrorCode.H3_REQUEST_CANCELLED : H3ErrorCode.H3_INTERNAL_ERROR);
    this.resetCode = c;
    try {
      this.sink.reset(c);
    } catch {
      // already gone
    }
    this.failWith(new ServerError(ServerErrorCode.ABORTED, `reset with 0x${c.toString(16)}`, c));
    this.host.flush();
  }

  // ------------------------------------------------------------------ internal (session)

  /** @internal The send buffer drained below its high-water mark. */
  onWritable(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  /** @internal The client reset the stream, stopped reading, cancelled the push, or the connection closed. */
  onAbort(code: number | undefined, message: string): void {
    if (this.finished) return;
    if (code !== undefined) this.resetCode = code;
    this.failWith(new ServerError(ServerErrorCode.ABORTED, message, code));
  }

  /** @internal */
  get trailersPending(): boolean {
    return this.trailerFields !== undefined;
  }

  private sendHead(endStream: boolean): void {
    const status = this.status;
    if (!Number.isInteger(status) || status < 200 || status > 999) {
      throw new ServerError(ServerErrorCode.INVALID_STATE, `${status} is not a final status`);
    }
    const h: H3Header[] = [[':status', String(status)]];
    const date = this.host.dateHeader();
    if (date !== undefined && !this.hasHeader('date')) h.push(['date', date]);
    const server = this.host.serverHeader;
    if (server !== undefined && !this.hasHeader('server')) h.push(['server', server]);
    for (const f of this.fields) h.push(f);
    this.noContent = this.noContentFor(status);
    this.sink.respond(h, endStream);
    this.headSent = true;
    this.sentStatus = status;
    if (this.pendingPriority !== undefined && this.sink.streamId >= 0) {
      this.sink.setPriority(this.pendingPriority);
      this.pendingPriority = undefined;
    }
  }

  private noContentFor(status: number): boolean {
    return responseHasNoContent(this.method, status);
  }

  private assertHeadOpen(): void {
    if (this.headSent) throw new ServerError(ServerErrorCode.INVALID_STATE, 'the response head was already sent');
  }

  /** Runs an H3 call; an exception fails the exchange (reset with H3_INTERNAL_ERROR) and is reported. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e);
    }
  }

  /** An unexpected failure: reset the stream, report it, fail the waiters. */
  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.host.onResponseError(this, error);
    this.reset();
  }

  private failWith(error: ServerError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
    this.done();
  }

  private done(): void {
    if (this.doneReported) return;
    this.doneReported = true;
    this.host.onResponseDone(this);
  }

  private rejected(error: unknown): Promise<void> {
    const p = Promise.reject(error);
    p.catch(noop);
    return p;
  }
}
