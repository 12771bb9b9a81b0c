import type { H3Headers } from '@fos/http3';
import { StreamResetError } from '../../errors.js';
import { H3ErrorCode } from '../../protocol.js';
import type { H3Exchange, H3ResponseHead } from '../h3-session.js';

/** Response bytes buffered in the body stream before reading from QUIC pauses (per request). */
export const EXCHANGE_BODY_HIGH_WATER_MARK = 64 * 1024;

/**
 * The H3 stream an exchange reads its response from: a request (`H3ClientRequest`) or a pushed response (RFC 9114
 * §4.6).
 */
export interface ExchangeStream {
  /** The QUIC stream ID, -1 while unknown (a request waiting for credit, a push whose stream has not arrived). */
  readonly streamId: number;
  /** Stops reading from QUIC (flow control then holds the server back). */
  pauseReading(): void;
  resumeReading(): void;
  /** Abandons it: RESET_STREAM + STOP_SENDING (RFC 9114 §4.1.1), or CANCEL_PUSH for a push (§7.2.3). */
  cancel(code: number): void;
}

/** What an exchange needs from its session. */
export interface ExchangeHost {
  /** Resumes reading the stream from QUIC (the consumer wants more). */
  resumeReading(stream: ExchangeStream): void;
  /** Cancels the stream on the wire. */
  cancelRequest(stream: ExchangeStream, code: number): void;
  /** The exchange is over: forget it. */
  finished(exchange: QuicH3Exchange): void;
  /** Flushes what the H3 connection queued (events and datagrams). */
  flush(): void;
}

function noop(): void {}

/**
 * One request stream of a {@link QuicH3Session}: the response head as a promise, the content as a WHATWG stream
 * with backpressure — when more than {@link EXCHANGE_BODY_HIGH_WATER_MARK} bytes wait unread, the H3 connection
 * stops reading the QUIC stream, so QUIC stops granting flow-control credit (RFC 9000 §4.1) and the server is held
 * back until the caller reads — and the trailers (RFC 9114 §4.1).
 */
export class QuicH3Exchange implements H3Exchange {
  readonly response: Promise<H3ResponseHead>;
  readonly body: ReadableStream<Uint8Array>;
  /** The trailer section (empty when there was none); settles after the body's end. */
  readonly trailers: Promise<ReadonlyArray<readonly [string, string]>>;
  /** Set when the request body could not be sent (the iterable threw). */
  sendError: unknown = undefined;
  private resolveHead!: (head: H3ResponseHead) => void;
  private rejectHead!: (e: unknown) => void;
  private resolveTrailers!: (t: ReadonlyArray<readonly [string, string]>) => void;
  private rejectTrailers!: (e: unknown) => void;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private headReceived = false;
  private trailerFields: ReadonlyArray<readonly [string, string]> = [];
  private paused = false;
  private done = false;
  private writableWaiter: { resolve(): void; reject(e: unknown): void } | undefined = undefined;
  /** The server no longer reads the request (STOP_SENDING, RFC 9000 §3.5): stop sending its content. */
  sendStopped = false;

  constructor(
    private readonly host: ExchangeHost,
    readonly stream: ExchangeStream,
    private readonly sentEarly: boolean,
    private readonly earlyAccepted: () => boolean,
  ) {
    this.response = new Promise<H3ResponseHead>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    this.response.catch(noop);
    this.trailers = new Promise((resolve, reject) => {
      this.resolveTrailers = resolve;
      this.rejectTrailers = reject;
    });
    this.trailers.catch(noop);
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          if (this.paused && !this.done) {
            this.paused = false;
            this.host.resumeReading(this.stream);
          }
        },
        cancel: (reason) => this.cancel(H3ErrorCode.H3_REQUEST_CANCELLED, reason),
      },
      { highWaterMark: EXCHANGE_BODY_HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
    );
  }

  get streamId(): number {
    return this.stream.streamId;
  }

  /** Sent in 0-RTT and the server accepted it (RFC 9001 §4.6.2: a rejected request was sent again in 1-RTT). */
  get earlyData(): boolean {
    return this.sentEarly && this.earlyAccepted();
  }

  /** Whether the request went out in 0-RTT packets at first (whatever the server did with them). */
  get attemptedEarlyData(): boolean {
    return this.sentEarly;
  }

  get isDone(): boolean {
    return this.done;
  }

  cancel(errorCode: number, reason?: unknown): void {
    if (this.done) return;
    this.host.cancelRequest(this.stream, errorCode);
    this.fail(reason ?? new StreamResetError('h3', errorCode, false));
    this.host.flush();
  }

  // ---------------------------------------------------------------------------------------------------- from H3

  /** The final response head (RFC 9114 §4.1); pseudo-header fields are dropped from `headers`. */
  onResponse(status: number, headers: H3Headers): void {
    if (this.done || this.headReceived) return;
    this.headReceived = true;
    this.resolveHead({ status, headers: regularFields(headers) });
  }

  /** A DATA payload (a view we keep); pauses reading when the consumer falls behind. */
  onData(data: Uint8Array): void {
    if (this.done || data.byteLength === 0) return;
    this.controller.enqueue(data);
    if (!this.paused && (this.controller.desiredSize ?? 0) <= 0) {
      this.paused = true;
      this.stream.pauseReading();
    }
  }

  onTrailers(headers: H3Headers): void {
    this.trailerFields = regularFields(headers);
  }

  /** The response is complete. */
  onEnd(): void {
    if (this.done) return;
    if (!this.headReceived) {
      // The H3 layer reports a stream that ends without a final response as an error; be safe anyway.
      this.fail(new StreamResetError('h3', H3ErrorCode.H3_REQUEST_CANCELLED, false));
      return;
    }
    this.done = true;
    this.controller.close();
    this.resolveTrailers(this.trailerFields);
    this.settleWritable(undefined);
    this.host.finished(this);
  }

  /** The exchange failed (stream reset, connection lost, cancelled). */
  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.rejectHead(error);
    try {
      this.controller.error(error);
    } catch {
      // already closed
    }
    this.rejectTrailers(error);
    this.settleWritable(error);
    this.host.finished(this);
  }

  /** The request stream can take more content. */
  onWritable(): void {
    this.settleWritable(undefined);
  }

  /** RFC 9114 §4.1: the server stopped reading the request; the response may still come. */
  onStopSending(): void {
    this.sendStopped = true;
    this.settleWritable(undefined);
  }

  /** Resolves when the request stream can take more content (or the exchange is over). */
  whenWritable(): Promise<void> {
    if (this.done || this.sendStopped) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.writableWaiter = { resolve, reject };
    });
  }

  private settleWritable(error: unknown): void {
    const w = this.writableWaiter;
    if (w === undefined) return;
    this.writableWaiter = undefined;
    if (error === undefined) w.resolve();
    else w.reject(error);
  }
}

function regularFields(headers: H3Headers): ReadonlyArray<readonly [string, string]> {
  let pseudo = 0;
  while (pseudo < headers.length && headers[pseudo][0].startsWith(':')) pseudo++;
  return pseudo === 0 ? headers : headers.slice(pseudo);
}
