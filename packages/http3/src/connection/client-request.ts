import { H3ErrorCode } from '../errors.js';
import type { H3Headers } from '../message/headers.js';
import type { H3Priority } from '../priority/priority.js';
import type { H3StreamOps } from './stream-ops.js';
import type { H3StreamState } from './stream-state.js';

/**
 * A request sent by a client H3Connection (RFC 9114 §4.1). Its response arrives as events that reference this
 * handle (`event.request`). When the peer's MAX_STREAMS limit is reached the request waits to be opened:
 * `streamId` is -1 meanwhile, body writes are buffered and return false, and a 'writable' event follows the opening.
 */
export class H3ClientRequest {
  /** @internal */
  readonly state: H3StreamState;
  private readonly ops: H3StreamOps;

  /** @internal */
  constructor(
    ops: H3StreamOps,
    state: H3StreamState,
    readonly headers: H3Headers,
  ) {
    this.ops = ops;
    this.state = state;
  }

  /** The request stream's ID, or -1 while the request waits for the peer's MAX_STREAMS credit. */
  get streamId(): number {
    return this.state.id;
  }

  /**
   * Sends `data` as a DATA frame (kept by reference, never copied); `endStream` closes the request. Returns false when
   * the transport's buffer is above its high-water mark (or the stream is not open yet): wait for 'writable'.
   * Throws H3UsageError after the end, after a reset, or beyond a declared content-length.
   */
  writeBody(data: Uint8Array, endStream = false): boolean {
    return this.ops.writeBodyOn(this.state, data, endStream);
  }

  /** Sends the trailer section and closes the request (RFC 9114 §4.1). */
  writeTrailers(trailers: H3Headers): void {
    this.ops.writeTrailersOn(this.state, trailers);
  }

  /** Closes the request stream for sending (RFC 9114 §4.1: required after the request). No-op if already closed. */
  end(): void {
    this.ops.endOn(this.state);
  }

  /**
   * Cancels the request (RFC 9114 §4.1.1): resets the sending part and aborts reading, with H3_REQUEST_CANCELLED by
   * default. No event follows. No-op if the exchange is already over.
   */
  cancel(code: number = H3ErrorCode.H3_REQUEST_CANCELLED): void {
    this.ops.cancelOn(this.state, code);
  }

  /** Reprioritizes the response: a PRIORITY_UPDATE frame on the control stream (RFC 9218 §6, §7.2). */
  setPriority(priority: H3Priority): void {
    this.ops.setPriorityOn(this.state, priority);
  }

  /** Stops reading the response from the transport (flow control then holds the server back). */
  pauseReading(): void {
    this.ops.pauseReadingOn(this.state);
  }

  /** Resumes reading after `pauseReading`. */
  resumeReading(): void {
    this.ops.resumeReadingOn(this.state);
  }

  /** Request bytes written and not yet sent or acknowledged (0 before the stream is open: see writeBody). */
  get bufferedBytes(): number {
    return this.ops.bufferedBytesOn(this.state);
  }
}
