import { BodyNotReplayableError } from '../errors.js';

/** What `init.body` may be. */
export type ClientBodyInit =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | URLSearchParams
  | FormData
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | null;

const encoder = new TextEncoder();

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && Symbol.asyncIterator in value;
}

/**
 * A request's content. Strings, bytes, Blobs, form data are replayable (sent again as they are on a retry, a
 * fallback to another protocol or a 307/308 redirect); a `ReadableStream` or async iterable is one-shot: once its
 * first chunk was pulled, a replay fails with `BodyNotReplayableError`.
 */
export class RequestBody {
  private consumedFlag = false;

  private constructor(
    /** The whole content when replayable. */
    readonly bytes: Uint8Array | undefined,
    private readonly source: AsyncIterable<Uint8Array | string> | undefined,
    /** Content-Type implied by the body (fetch spec "extract a body"), when the caller set none. */
    readonly contentType: string | undefined,
  ) {}

  /** Turns `init.body` into a request body (null for no body). */
  static async from(init: ClientBodyInit | undefined): Promise<RequestBody | null> {
    if (init === null || init === undefined) return null;
    if (typeof init === 'string') return new RequestBody(encoder.encode(init), undefined, 'text/plain;charset=UTF-8');
    if (init instanceof Uint8Array) return new RequestBody(init, undefined, undefined);
    if (init instanceof ArrayBuffer) return new RequestBody(new Uint8Array(init), undefined, undefined);
    if (ArrayBuffer.isView(init)) {
      return new RequestBody(new Uint8Array(init.buffer, init.byteOffset, init.byteLength), undefined, undefined);
    }
    if (init instanceof URLSearchParams) {
      return new RequestBody(
        encoder.encode(init.toString()),
        undefined,
        'application/x-www-form-urlencoded;charset=UTF-8',
      );
    }
    if (typeof Blob !== 'undefined' && init instanceof Blob) {
      return new RequestBody(new Uint8Array(await init.arrayBuffer()), undefined, init.type || undefined);
    }
    if (typeof FormData !== 'undefined' && init instanceof FormData) {
      // The platform's multipart/form-data serialiser (fetch spec "extract a body"), boundary included.
      const r = new Response(init);
      return new RequestBody(
        new Uint8Array(await r.arrayBuffer()),
        undefined,
        r.headers.get('content-type') ?? undefined,
      );
    }
    if (init instanceof ReadableStream) return new RequestBody(undefined, readableStreamChunks(init), undefined);
    if (isAsyncIterable(init)) return new RequestBody(undefined, init as AsyncIterable<Uint8Array | string>, undefined);
    throw new TypeError('unsupported request body type');
  }

  /** Whether the body can be sent again. */
  get replayable(): boolean {
    return this.bytes !== undefined || !this.consumedFlag;
  }

  /** A one-shot body whose first chunk was pulled. */
  get consumed(): boolean {
    return this.consumedFlag;
  }

  /** Content length when known (replayable bodies). */
  get length(): number | undefined {
    return this.bytes?.byteLength;
  }

  /**
   * The content as chunks, for sending. A replayable body yields its bytes each time; a one-shot body yields once
   * and throws `BodyNotReplayableError` if asked again after it started.
   */
  chunks(): AsyncIterable<Uint8Array> {
    if (this.bytes !== undefined) {
      const bytes = this.bytes;
      return (async function* () {
        if (bytes.byteLength > 0) yield bytes;
      })();
    }
    if (this.consumedFlag) throw new BodyNotReplayableError('the request body stream was already consumed');
    const source = this.source!;
    return {
      [Symbol.asyncIterator]: () => {
        if (this.consumedFlag) throw new BodyNotReplayableError('the request body stream was already consumed');
        this.consumedFlag = true;
        const it = source[Symbol.asyncIterator]();
        return {
          next: async () => {
            const r = await it.next();
            if (r.done) return r as IteratorReturnResult<undefined>;
            const v = r.value;
            return { done: false, value: typeof v === 'string' ? encoder.encode(v) : toBytes(v) };
          },
          return: async () => {
            await it.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    };
  }
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError('request body chunks must be bytes or strings');
}

/** A ReadableStream as an async iterable that cancels the stream when iteration stops early. */
async function* readableStreamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
