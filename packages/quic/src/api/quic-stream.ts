import { ConnectionUsageError } from '../connection/connection.js';
import { StreamAbortedError, StreamUsageError } from '../streams/stream-errors.js';
import { type ConnectionClosedError, QuicUsageError, StreamResetError, StreamStoppedError } from './errors.js';
import type { StreamHost } from './stream-host.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * One QUIC stream (RFC 9000 §2) of a {@link QuicConnection}, with pull-based reading and backpressured writing:
 *
 * - `read()` / `for await (const chunk of stream)` / `readable` (a WHATWG `ReadableStream`) take data from the
 *   connection only when the consumer asks, so flow-control credit (RFC 9000 §4.1) follows consumption. Chunks are
 *   views the caller may keep.
 * - `write()` / `writable` (a WHATWG `WritableStream`) resolve once the stream's send buffer is below its high-water
 *   mark. Written bytes are kept by reference until acknowledged: do not modify them afterwards.
 *
 * Use one way of reading per stream (the iterator, `readable` or `read()`). Failures are typed:
 * {@link StreamResetError} (the peer reset its side), {@link StreamStoppedError} (the peer sent STOP_SENDING),
 * {@link ConnectionClosedError}.
 */
export class QuicStream implements AsyncIterable<Uint8Array> {
  /** The stream ID (RFC 9000 §2.1). */
  readonly id: number;
  readonly bidirectional: boolean;
  /** Whether we opened it (else the peer did). */
  readonly local: boolean;
  /** Resolves when the stream is over in both directions (or the connection closed). Never rejects. */
  readonly closed: Promise<void>;

  private readonly host: StreamHost;
  private readonly canRead: boolean;
  private readonly canWrite: boolean;
  private readWaiter: Waiter<Uint8Array | null> | undefined = undefined;
  private readonly writeWaiters: Waiter<void>[] = [];
  private readError: Error | undefined = undefined;
  private writeError: Error | undefined = undefined;
  private readDone = false;
  private ended = false;
  private resolveClosed!: () => void;
  private isClosed = false;
  private readableStream: ReadableStream<Uint8Array> | undefined = undefined;
  private writableStream: WritableStream<Uint8Array> | undefined = undefined;

  /** @internal Created by the connection. */
  constructor(host: StreamHost, id: number, local: boolean) {
    this.host = host;
    this.id = id;
    this.local = local;
    this.bidirectional = (id & 0x02) === 0; // RFC 9000 §2.1: bit 0x02 clear = bidirectional
    this.canRead = this.bidirectional || !local;
    this.canWrite = this.bidirectional || local;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    if (!this.canRead) this.readDone = true;
  }

  // ------------------------------------------------------------------ reading

  /**
   * The next chunk of in-order data, or `null` at the end of the stream. Rejects with {@link StreamResetError} when
   * the peer reset the stream, {@link ConnectionClosedError} when the connection closed first.
   */
  read(): Promise<Uint8Array | null> {
    if (!this.canRead) return Promise.reject(new QuicUsageError(`stream ${this.id} is send-only`));
    if (this.readWaiter !== undefined) return Promise.reject(new QuicUsageError('a read is already pending'));
    // Events the connection already queued (a reset) must be seen before reading (a released stream reads as end).
    this.host.syncEvents();
    if (this.readError !== undefined) return Promise.reject(this.readError);
    if (this.readDone) return Promise.resolve(null);
    let chunk: Uint8Array | null | undefined;
    try {
      chunk = this.tryRead();
    } catch (e) {
      return Promise.reject(e);
    }
    if (chunk !== undefined) return Promise.resolve(chunk);
    return new Promise((resolve, reject) => {
      this.readWaiter = { resolve, reject };
    });
  }

  /** Async iteration over the chunks; leaving the loop early abandons reading (STOP_SENDING with code 0). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        const chunk = await this.read();
        return chunk === null ? { value: undefined, done: true } : { value: chunk, done: false };
      },
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        if (!this.readDone && this.readError === undefined) this.stopSending(0);
        return { value: undefined, done: true };
      },
    };
  }

  /** A WHATWG ReadableStream over {@link read} (pull-based: nothing is read before the consumer asks). */
  get readable(): ReadableStream<Uint8Array> {
    this.readableStream ??= new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.read();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        },
        cancel: () => {
          if (!this.readDone && this.readError === undefined) this.stopSending(0);
        },
      },
      { highWaterMark: 0 },
    );
    return this.readableStream;
  }

  /** RFC 9000 §3.5: abandon reading; the peer is asked to stop sending (STOP_SENDING with `code`). */
  stopSending(code: number): void {
    if (!this.canRead || this.readDone) return;
    this.readDone = true;
    try {
      this.host.conn.stopSending(this.id, code);
    } catch (e) {
      if (!(e instanceof StreamUsageError)) throw e;
    }
    this.host.wake();
    this.settleRead(null);
  }

  // ------------------------------------------------------------------ writing

  /**
   * Queues `data` (kept by reference until acknowledged: do not modify it). Resolves when the stream's send buffer is
   * below its high-water mark; rejects with {@link StreamStoppedError} when the peer asked us to stop sending.
   */
  write(data: Uint8Array): Promise<void> {
    return this.writeInternal(data, false);
  }

  /** Ends the sending side (FIN), optionally with a last chunk. */
  end(data?: Uint8Array): Promise<void> {
    return this.writeInternal(data ?? new Uint8Array(0), true);
  }

  /** A WHATWG WritableStream over {@link write} (its close() sends FIN, abort() resets with code 0). */
  get writable(): WritableStream<Uint8Array> {
    this.writableStream ??= new WritableStream<Uint8Array>(
      {
        write: (chunk) => this.write(chunk),
        close: () => this.end(),
        abort: () => this.reset(0),
      },
      { highWaterMark: 1 },
    );
    return this.writableStream;
  }

  /**
   * Flow-control credit the peer grants for new bytes on this stream right now (RFC 9000 §4.1): the smaller of the
   * stream's and the connection's remaining credit. Bytes already written and not yet sent use it first (see
   * {@link bufferedBytes}); 0 when the stream cannot send. It grows as the peer sends MAX_STREAM_DATA / MAX_DATA.
   */
  get sendCredit(): number {
    return this.canWrite ? this.host.conn.streams.sendCredit(this.id) : 0;
  }

  /** Bytes written on this stream and not yet acknowledged by the peer (sent or not). */
  get bufferedBytes(): number {
    return this.canWrite ? this.host.conn.streams.sendBufferedBytes(this.id) : 0;
  }

  /** RFC 9000 §3.1: abandon sending (RESET_STREAM with `code`). */
  reset(code: number): void {
    if (!this.canWrite || this.writeError !== undefined) return;
    this.writeError = new QuicUsageError(`stream ${this.id} was reset`);
    try {
      this.host.conn.resetStream(this.id, code);
    } catch (e) {
      if (!(e instanceof StreamUsageError)) throw e;
    }
    this.host.wake();
    this.failWriters(this.writeError);
  }

  private writeInternal(data: Uint8Array, fin: boolean): Promise<void> {
    if (!this.canWrite) return Promise.reject(new QuicUsageError(`stream ${this.id} is receive-only`));
    this.host.syncEvents();
    if (this.writeError !== undefined) return Promise.reject(this.writeError);
    if (this.ended) return Promise.reject(new QuicUsageError(`stream ${this.id}: write after end`));
    let below: boolean;
    try {
      below = this.host.conn.writeStream(this.id, data, fin);
    } catch (e) {
      const err = this.mapError(e);
      if (err instanceof StreamStoppedError) this.writeError = err;
      return Promise.reject(err);
    }
    if (fin) this.ended = true;
    this.host.wake();
    if (below || fin) return RESOLVED;
    return new Promise((resolve, reject) => {
      this.writeWaiters.push({ resolve, reject });
    });
  }

  // ------------------------------------------------------------------ connection events (internal)

  /** @internal Data (or the end) can be read. */
  onReadable(): void {
    if (this.readWaiter === undefined) return;
    let chunk: Uint8Array | null | undefined;
    try {
      chunk = this.tryRead();
    } catch (e) {
      this.failRead(e as Error);
      return;
    }
    if (chunk !== undefined) this.settleRead(chunk);
  }

  /** @internal The send buffer drained below its mark. */
  onWritable(): void {
    const waiters = this.writeWaiters.splice(0, this.writeWaiters.length);
    for (const w of waiters) w.resolve();
  }

  /** @internal RESET_STREAM from the peer. */
  onReset(code: number): void {
    if (this.readDone && this.readWaiter === undefined) return;
    this.failRead(new StreamResetError(this.id, code));
  }

  /** @internal STOP_SENDING from the peer (the connection answered with RESET_STREAM, RFC 9000 §3.5). */
  onStopSending(code: number): void {
    if (this.writeError !== undefined) return;
    this.writeError = new StreamStoppedError(this.id, code);
    this.failWriters(this.writeError);
  }

  /** @internal Both directions are over; the connection released the stream. */
  onClosed(): void {
    // Anything still waiting learns the stream is gone (a read sees the end of data it already had).
    if (this.readWaiter !== undefined) this.settleRead(null);
    this.onWritable();
    this.finish();
  }

  /** @internal The connection closed. */
  onConnectionClosed(error: ConnectionClosedError): void {
    if (!this.readDone) this.failRead(error);
    if (this.writeError === undefined && !this.ended) this.writeError = error;
    this.failWriters(error);
    this.finish();
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.resolveClosed();
  }

  private tryRead(): Uint8Array | null | undefined {
    let chunk: Uint8Array | null | undefined;
    try {
      chunk = this.host.conn.readStream(this.id);
    } catch (e) {
      const err = this.mapError(e);
      this.readError = err;
      this.readDone = true;
      throw err;
    }
    if (chunk === null) this.readDone = true;
    if (chunk !== undefined) this.host.wake(); // reading may grant credit (MAX_STREAM_DATA / MAX_DATA)
    return chunk;
  }

  private settleRead(chunk: Uint8Array | null): void {
    const w = this.readWaiter;
    this.readWaiter = undefined;
    w?.resolve(chunk);
  }

  private failRead(error: Error): void {
    this.readError ??= error;
    this.readDone = true;
    const w = this.readWaiter;
    this.readWaiter = undefined;
    w?.reject(this.readError);
  }

  private failWriters(error: Error): void {
    const waiters = this.writeWaiters.splice(0, this.writeWaiters.length);
    for (const w of waiters) w.reject(error);
  }

  private mapError(e: unknown): Error {
    if (e instanceof StreamAbortedError) {
      return e.kind === 'reset-by-peer'
        ? new StreamResetError(this.id, e.errorCode)
        : e.kind === 'stopped-by-peer'
          ? new StreamStoppedError(this.id, e.errorCode)
          : new QuicUsageError(`stream ${this.id} was reset`);
    }
    if (e instanceof ConnectionUsageError) return this.host.closedError() ?? new QuicUsageError(e.message);
    if (e instanceof StreamUsageError) return new QuicUsageError(e.message);
    return e instanceof Error ? e : new Error(String(e));
  }
}
