import { type H3Connection, H3ErrorCode, type H3Headers, type H3Priority, type H3ServerPush } from '@fos/http3';

/** Where a response goes: a request stream, or a push stream (RFC 9114 §4.1, §4.6). Calls map 1:1 onto H3. */
export interface ResponseSink {
  /** The stream ID (-1 for a push whose stream is not open yet). */
  readonly streamId: number;
  respond(headers: H3Headers, endStream: boolean): void;
  /** False: above the transport's high-water mark; wait for the `writable` event. */
  writeBody(data: Uint8Array, endStream: boolean): boolean;
  writeTrailers(trailers: H3Headers): void;
  end(): void;
  reset(code: number): void;
  setPriority(priority: H3Priority): void;
}

/** The response of a request stream. */
export class RequestStreamSink implements ResponseSink {
  constructor(
    private readonly h3: H3Connection,
    readonly streamId: number,
  ) {}

  respond(headers: H3Headers, endStream: boolean): void {
    this.h3.respond(this.streamId, headers, { endStream });
  }

  writeBody(data: Uint8Array, endStream: boolean): boolean {
    return this.h3.writeBody(this.streamId, data, endStream);
  }

  writeTrailers(trailers: H3Headers): void {
    this.h3.writeTrailers(this.streamId, trailers);
  }

  end(): void {
    this.h3.end(this.streamId);
  }

  reset(code: number): void {
    this.h3.resetStream(this.streamId, code);
  }

  setPriority(priority: H3Priority): void {
    this.h3.setPriority(this.streamId, priority);
  }
}

/** The response of a promised push (RFC 9114 §4.6): the push stream opens with the first header section. */
export class PushStreamSink implements ResponseSink {
  constructor(
    private readonly h3: H3Connection,
    readonly push: H3ServerPush,
  ) {}

  get streamId(): number {
    return this.push.streamId;
  }

  respond(headers: H3Headers, endStream: boolean): void {
    this.push.respond(headers, { endStream });
  }

  writeBody(data: Uint8Array, endStream: boolean): boolean {
    return this.push.writeBody(data, endStream);
  }

  writeTrailers(trailers: H3Headers): void {
    this.push.writeTrailers(trailers);
  }

  end(): void {
    this.push.end();
  }

  /** RFC 9114 §7.2.3: CANCEL_PUSH, and a reset of the push stream if it is open. */
  reset(code: number = H3ErrorCode.H3_REQUEST_CANCELLED): void {
    this.push.cancel(code);
  }

  setPriority(priority: H3Priority): void {
    if (this.push.streamId >= 0) this.h3.setPriority(this.push.streamId, priority);
  }
}
