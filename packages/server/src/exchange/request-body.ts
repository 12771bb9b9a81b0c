// The request body as the handler reads it: chunks queue here as HTTP/3 delivers DATA payloads; the request stream
// is paused (so QUIC stops granting flow-control credit, RFC 9000 §4.1) while more than the high-water mark waits.

import { ServerError, ServerErrorCode } from '../errors.js';

/** What a body needs from its session. */
export interface RequestBodyHost {
  pauseReading(streamId: number): void;
  resumeReading(streamId: number): void;
  /** The handler does not want the rest: STOP_SENDING with H3_NO_ERROR (RFC 9114 §4.1). */
  abortReading(streamId: number): void;
}

interface Waiter {
  resolve(chunk: Uint8Array | null): void;
  reject(error: unknown): void;
}

const DONE: Promise<Uint8Array | null> = Promise.resolve(null);

/**
 * A pull-based request body: `read()` hands out queued chunks (views the handler may keep) and waits for more;
 * `readable` wraps it as a WHATWG ReadableStream (highWaterMark 0: nothing is pulled before the consumer asks).
 */
export class RequestBody {
  /** Content bytes received so far. */
  received = 0;
  private readonly chunks: Uint8Array[] = [];
  private head = 0;
  private queuedBytes = 0;
  private ended = false;
  private failure: Error | undefined = undefined;
  private paused = false;
  private cancelled = false;
  private touched = false;
  private waiter: Waiter | undefined = undefined;
  private stream: ReadableStream<Uint8Array> | undefined = undefined;

  constructor(
    private readonly host: RequestBodyHost,
    private readonly streamId: number,
    private readonly highWaterMarkBytes: number,
    private readonly limitBytes: number,
  ) {}

  /** Whether the body ended (cleanly or not). */
  get done(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /** Whether the handler started reading: then an unfinished body is not aborted when the response ends. */
  get consuming(): boolean {
    return this.touched;
  }

  // ------------------------------------------------------------------ input (session)

  /** A DATA payload arrived. */
  push(chunk: Uint8Array): void {
    if (this.done || this.cancelled) return;
    this.received += chunk.length;
    if (this.received > this.limitBytes) {
      this.fail(new ServerError(ServerErrorCode.REQUEST_BODY_TOO_LARGE, `request body above ${this.limitBytes} bytes`));
      this.host.abortReading(this.streamId);
      return;
    }
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.resolve(chunk);
      return;
    }
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.paused && this.queuedBytes > this.highWaterMarkBytes) {
      this.paused = true;
      this.host.pauseReading(this.streamId);
    }
  }

  /** The body is complete. */
  end(): void {
    if (this.done) return;
    this.ended = true;
    const w = this.waiter;
    if (w !== undefined && this.head === this.chunks.length) {
      this.waiter = undefined;
      w.resolve(null);
    }
  }

  /** The body cannot complete (reset, connection closed, too large). */
  fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    this.chunks.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.reject(error);
    }
  }

  // ------------------------------------------------------------------ output (handler)

  /** The next chunk, or null at the end. Rejects with the failure (a {@link ServerError}). */
  read(): Promise<Uint8Array | null> {
    this.touched = true;
    // resuming may deliver queued stream data synchronously: look at the queue again afterwards
    if (this.head === this.chunks.length && this.paused) this.resume();
    if (this.head < this.chunks.length) return Promise.resolve(this.take());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended || this.cancelled) return DONE;
    if (this.waiter !== undefined)
      return Promise.reject(new ServerError(ServerErrorCode.INVALID_STATE, 'read pending'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Stops reading for good; the client is asked to stop sending (RFC 9114 §4.1, H3_NO_ERROR). */
  cancel(): void {
    if (this.done || this.cancelled) return;
    this.cancelled = true;
    this.chunks.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    this.host.abortReading(this.streamId);
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.resolve(null);
    }
  }

  /** A WHATWG ReadableStream over {@link read} (created on first use). */
  get readable(): ReadableStream<Uint8Array> {
    this.touched = true;
    this.stream ??= new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.read();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        },
        cancel: () => this.cancel(),
      },
      { highWaterMark: 0 },
    );
    return this.stream;
  }

  private take(): Uint8Array {
    const chunk = this.chunks[this.head];
    this.chunks[this.head++] = EMPTY;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    }
    this.queuedBytes -= chunk.length;
    // resume below half the high-water mark (hysteresis: not one pause/resume per chunk)
    if (this.paused && this.queuedBytes <= this.highWaterMarkBytes / 2) this.resume();
    return chunk;
  }

  private resume(): void {
    this.paused = false;
    this.host.resumeReading(this.streamId);
  }
}

const EMPTY = new Uint8Array(0);
