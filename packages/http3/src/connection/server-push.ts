import { H3ErrorCode } from '../errors.js';
import type { H3Headers } from '../message/headers.js';
import type { H3StreamOps } from './stream-ops.js';
import type { H3StreamState } from './stream-state.js';

/**
 * A server push promised by a server H3Connection (RFC 9114 §4.6). `respond` opens the push stream (type 0x01 with
 * the push ID, §6.2.2) and sends the response header section; the body and trailers follow as for any response.
 * If the peer's unidirectional stream limit is reached the push stream waits: `streamId` is -1 meanwhile.
 */
export class H3ServerPush {
  /** @internal */
  readonly state: H3StreamState;
  private readonly ops: H3StreamOps;

  /** @internal */
  constructor(
    ops: H3StreamOps,
    state: H3StreamState,
    /** The push ID (RFC 9114 §4.6). */
    readonly pushId: number,
    /** The promised request header section. */
    readonly requestHeaders: H3Headers,
  ) {
    this.ops = ops;
    this.state = state;
  }

  /** The push stream's ID, or -1 until `respond` opened it (or while it waits for stream credit). */
  get streamId(): number {
    return this.state.id;
  }

  /** Sends the pushed response's header section (interim 1xx first if wanted); opens the push stream on first use. */
  respond(headers: H3Headers, options: { endStream?: boolean } = {}): void {
    this.ops.respondOn(this.state, headers, options.endStream ?? false);
  }

  /** Sends body bytes (kept by reference); see `H3ClientRequest.writeBody`. */
  writeBody(data: Uint8Array, endStream = false): boolean {
    return this.ops.writeBodyOn(this.state, data, endStream);
  }

  /** Sends the trailer section and ends the push stream. */
  writeTrailers(trailers: H3Headers): void {
    this.ops.writeTrailersOn(this.state, trailers);
  }

  /** Ends the push stream. */
  end(): void {
    this.ops.endOn(this.state);
  }

  /**
   * Abandons the push (RFC 9114 §7.2.3): sends CANCEL_PUSH and resets the push stream if it is open
   * (H3_REQUEST_CANCELLED by default).
   */
  cancel(code: number = H3ErrorCode.H3_REQUEST_CANCELLED): void {
    this.ops.cancelOn(this.state, code);
  }

  /** Bytes written and not yet sent or acknowledged. */
  get bufferedBytes(): number {
    return this.ops.bufferedBytesOn(this.state);
  }
}
