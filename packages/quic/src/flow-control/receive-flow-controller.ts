import { TransportError, TransportErrorCode } from '@fos/core';

/** Options of a {@link ReceiveFlowController}. */
export interface ReceiveFlowControllerOptions {
  /** The limit already advertised (the transport parameter): the first window. */
  readonly initialWindowBytes: number;
  /** Auto-tuning never grows the window beyond this. Default: `initialWindowBytes` (no auto-tuning). */
  readonly maxWindowBytes?: number;
  /**
   * An update is due when the credit left (limit − consumed) falls below `updateFraction × window`.
   * Default 0.5 (half the window).
   */
  readonly updateFraction?: number;
}

/**
 * Receive-side flow control for one stream or for the whole connection (RFC 9000 §4.1, §4.2).
 *
 * - `received` is the highest offset received on a stream, or for the connection the sum of those over all streams
 *   (§4.1: "the sum of the absolute byte offsets of all streams"). Exceeding the advertised limit is a
 *   FLOW_CONTROL_ERROR.
 * - Credit is granted as data is CONSUMED (read or discarded by the application), never as it arrives: the next limit
 *   is `consumed + window`, offered once the credit left drops below `updateFraction × window`.
 * - Auto-tuning (quic-go/quinn style): when a window's worth of credit is being consumed in less than about two
 *   round trips, the window doubles up to `maxWindowBytes`, so a fast reader on a long path is not throttled.
 *
 * Sans-I/O: time and the smoothed RTT are passed in. No allocation after construction.
 */
export class ReceiveFlowController {
  /** Current window size (grows with auto-tuning). */
  windowBytes: number;
  readonly maxWindowBytes: number;
  readonly updateFraction: number;
  /** Highest limit handed out in a MAX_DATA / MAX_STREAM_DATA frame (or the transport parameter). */
  advertised: number;
  /** Highest received offset (stream) or sum of them (connection). */
  received = 0;
  /** Bytes read or discarded by the application. */
  consumed = 0;
  /** The limit an update frame would carry now: set by {@link maybeUpdate}, read by the frame builder. */
  limit: number;
  /** Start of the current auto-tuning epoch (ms, -1 = not started) and the consumed offset then. */
  private epochStartMs = -1;
  private epochStartConsumed = 0;

  constructor(options: ReceiveFlowControllerOptions) {
    this.windowBytes = options.initialWindowBytes;
    this.maxWindowBytes = Math.max(options.maxWindowBytes ?? options.initialWindowBytes, this.windowBytes);
    this.updateFraction = options.updateFraction ?? 0.5;
    this.advertised = options.initialWindowBytes;
    this.limit = options.initialWindowBytes;
  }

  /**
   * Records that `newReceived` (the new highest offset, or the connection sum) was reached. RFC 9000 §4.1: a sender
   * exceeding the advertised limit is a FLOW_CONTROL_ERROR. `frameType` goes into the error.
   */
  checkReceived(newReceived: number, frameType: number): void {
    if (newReceived > this.advertised) {
      throw new TransportError(
        TransportErrorCode.FLOW_CONTROL_ERROR,
        `received data up to ${newReceived} beyond the advertised limit ${this.advertised}`,
        { frameType },
      );
    }
    if (newReceived > this.received) this.received = newReceived;
  }

  /** Bytes the peer may still send before hitting the advertised limit. */
  get availableBytes(): number {
    return this.advertised - this.received;
  }

  /** The application consumed (read or discarded) `n` more bytes. */
  consume(n: number): void {
    this.consumed += n;
  }

  /** Whether the credit left has fallen below the update threshold (RFC 9000 §4.2). */
  get updateDue(): boolean {
    return this.advertised - this.consumed < this.windowBytes * this.updateFraction;
  }

  /**
   * If an update is due, auto-tunes the window and raises {@link limit} to `consumed + window`; returns whether the
   * caller should send a MAX_DATA / MAX_STREAM_DATA frame. `srttMs` ≤ 0 (no RTT sample yet) disables auto-tuning.
   */
  maybeUpdate(nowMs: number, srttMs: number): boolean {
    if (this.epochStartMs < 0) {
      // The first auto-tuning epoch starts with the first consumption the caller reports (what came before has
      // no timing to judge it by).
      this.epochStartMs = nowMs;
      this.epochStartConsumed = this.consumed;
    }
    if (!this.updateDue) return false;
    this.autoTune(nowMs, srttMs);
    const next = this.consumed + this.windowBytes;
    if (next <= this.advertised) return false;
    this.limit = next;
    return true;
  }

  /** The frame builder took {@link limit}: it is now advertised (RFC 9000 §4.1: limits only grow). */
  markAdvertised(): number {
    if (this.limit > this.advertised) this.advertised = this.limit;
    return this.advertised;
  }

  /**
   * Raises the window to at least `bytes` (capped at the maximum). The connection window uses this to stay larger
   * than any auto-tuned stream window, as quic-go does.
   */
  ensureWindow(bytes: number): void {
    const target = Math.min(bytes, this.maxWindowBytes);
    if (target > this.windowBytes) this.windowBytes = target;
  }

  /**
   * RFC 9000 §4.2 auto-tuning. An epoch runs from one update to the next; if the credit consumed during it,
   * as a fraction `f` of the window, took less than `4·f` smoothed RTTs (2 RTTs when half the window triggers the
   * update), the peer is limited by the window rather than by the path: double it.
   */
  private autoTune(nowMs: number, srttMs: number): void {
    const consumedInEpoch = this.consumed - this.epochStartConsumed;
    const epochStart = this.epochStartMs;
    this.epochStartMs = nowMs;
    this.epochStartConsumed = this.consumed;
    if (srttMs <= 0 || this.windowBytes >= this.maxWindowBytes) return;
    const fraction = consumedInEpoch / this.windowBytes;
    if (nowMs - epochStart < 4 * fraction * srttMs) {
      this.windowBytes = Math.min(this.windowBytes * 2, this.maxWindowBytes);
    }
  }
}
