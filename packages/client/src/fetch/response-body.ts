import type { Readable } from 'node:stream';

/** Receives a response's content from a protocol-specific source. */
export interface BodySink {
  /** Delivers a chunk; false asks the source to pause until `resume()`. */
  chunk(data: Uint8Array): boolean;
  end(): void;
  fail(error: unknown): void;
}

/** Where content comes from: a Node stream (h1/h2) or a WHATWG stream (h3). */
export interface BodySource {
  start(sink: BodySink): void;
  /** The consumer wants more. */
  resume(): void;
  /** The consumer is gone (cancelled, aborted, timed out): stop and release the underlying request. */
  cancel(reason: unknown): void;
}

export interface ResponseBodyHooks {
  /** A chunk arrived (idle timers restart). */
  onProgress(): void;
  /** Called once: `undefined` after the last byte, else the error or cancel reason. */
  onDone(error: unknown): void;
}

/** Bytes buffered ahead of the consumer before the source is paused. */
export const RESPONSE_BODY_HIGH_WATER_MARK = 64 * 1024;

/**
 * The response body handed to the caller: a WHATWG `ReadableStream` fed by a protocol source with backpressure (the
 * source pauses when 64 KiB are waiting), with a single completion hook that releases the request's resources, and
 * `fail()` to error it from outside (abort signal, timeouts).
 */
export class ResponseBody implements BodySink {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private done = false;

  constructor(
    private readonly source: BodySource,
    private readonly hooks: ResponseBodyHooks,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          if (!this.done) this.source.resume();
        },
        cancel: (reason) => {
          if (this.done) return;
          this.done = true;
          this.source.cancel(reason);
          this.hooks.onDone(reason ?? new Error('response body cancelled'));
        },
      },
      { highWaterMark: RESPONSE_BODY_HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
    );
    source.start(this);
  }

  chunk(data: Uint8Array): boolean {
    if (this.done) return false;
    if (data.byteLength > 0) this.controller.enqueue(data);
    this.hooks.onProgress();
    return (this.controller.desiredSize ?? 0) > 0;
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.controller.close();
    this.hooks.onDone(undefined);
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.controller.error(error);
    this.source.cancel(error);
    this.hooks.onDone(error);
  }
}

/** A Node readable (IncomingMessage, ClientHttp2Stream) as a body source; chunks are passed on as views, no copies. */
export class NodeReadableSource implements BodySource {
  constructor(
    private readonly readable: Readable,
    private readonly mapError: (error: unknown) => unknown,
    private readonly onCancel: (reason: unknown) => void,
  ) {}

  start(sink: BodySink): void {
    const r = this.readable;
    r.on('data', (chunk: Buffer) => {
      if (!sink.chunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) r.pause();
    });
    r.once('end', () => sink.end());
    r.once('error', (e) => sink.fail(this.mapError(e)));
    r.once('close', () => {
      // A stream destroyed without 'end' or 'error' (e.g. the socket closed under it) must not hang the reader.
      if (!r.readableEnded)
        sink.fail(this.mapError(Object.assign(new Error('stream closed early'), { code: 'ECONNRESET' })));
    });
  }

  resume(): void {
    if (this.readable.isPaused()) this.readable.resume();
  }

  cancel(reason: unknown): void {
    this.onCancel(reason);
  }
}

/** A WHATWG stream (the H3 exchange's body) as a body source. */
export class WebStreamSource implements BodySource {
  private sink: BodySink | undefined;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private reading = false;
  private finished = false;

  constructor(
    stream: ReadableStream<Uint8Array>,
    private readonly onCancel: (reason: unknown) => void,
  ) {
    this.reader = stream.getReader();
  }

  start(sink: BodySink): void {
    this.sink = sink;
  }

  resume(): void {
    if (!this.reading && !this.finished) void this.pump();
  }

  cancel(reason: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.onCancel(reason);
    this.reader.cancel(reason).catch(() => {});
  }

  private async pump(): Promise<void> {
    this.reading = true;
    try {
      for (;;) {
        const r = await this.reader.read();
        if (this.finished) return;
        if (r.done) {
          this.finished = true;
          this.sink?.end();
          return;
        }
        if (!this.sink?.chunk(r.value)) return;
      }
    } catch (e) {
      if (!this.finished) {
        this.finished = true;
        this.sink?.fail(e);
      }
    } finally {
      this.reading = false;
    }
  }
}
