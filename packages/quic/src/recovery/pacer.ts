// RFC 9002 §7.7: pacing with a token bucket ("leaky bucket whose capacity is the maximum burst").

import type { CongestionController, RttView } from '@fos/core';

/** RFC 9002 §7.7: bursts SHOULD be limited to the initial congestion window, 10 datagrams (§7.2). */
export const DEFAULT_PACER_BURST_PACKETS = 10;
/** Timer resolution assumed for the driver (Node's timers fire at ~1 ms at best). */
export const DEFAULT_PACER_GRANULARITY_MS = 1;

export interface PacerOptions {
  /** Rate source: `pacingRateBytesPerSecond(rtt)`; undefined from it means "do not pace". */
  readonly controller: CongestionController;
  readonly rtt: RttView;
  /** RFC 9002 §7.2 max_datagram_size in bytes. */
  readonly maxDatagramSizeBytes: number;
  /** Burst allowance in datagrams (default 10, the initial window). */
  readonly burstPackets?: number;
  /**
   * Timer resolution in ms (default 1). A sender that must wait waits at least this long and then releases what
   * the rate accrued meanwhile in one burst; the bucket is sized to hold one such tick of tokens.
   */
  readonly granularityMs?: number;
}

/**
 * A token-bucket pacer (RFC 9002 §7.7). Tokens (bytes) accrue at the controller's pacing rate up to a capacity of
 * max(burst, one timer tick at the rate + one datagram); a packet may leave when the bucket holds its size.
 *
 * Granularity: Node cannot sleep for less than ~1 ms, so instead of spacing packets by the exact inter-packet
 * interval (microseconds at high rates) the pacer makes a blocked sender wait at least `granularityMs` and then
 * lets it release a burst of about rate × granularity bytes — the average rate is kept, bursts stay within one
 * millisecond's worth (or the initial window, whichever is larger). It owns no timer: the connection includes
 * {@link nextSendTimeMs} in its deadline. Packets carrying only ACK frames should not be paced (§7.7): do not ask.
 */
export class Pacer {
  /** The rate source (replaceable with the congestion controller). */
  controller: CongestionController;
  private readonly rtt: RttView;
  private maxDatagramSize: number;
  private readonly burstPackets: number;
  private readonly granularityMs: number;
  private tokens = 0;
  private lastRefillMs = Number.NaN;

  constructor(options: PacerOptions) {
    this.controller = options.controller;
    this.rtt = options.rtt;
    this.maxDatagramSize = options.maxDatagramSizeBytes;
    this.burstPackets = options.burstPackets ?? DEFAULT_PACER_BURST_PACKETS;
    this.granularityMs = options.granularityMs ?? DEFAULT_PACER_GRANULARITY_MS;
  }

  /** Bytes that may be sent right now without waiting (after accrual up to `nowMs`); Infinity when unpaced. */
  availableBytes(nowMs: number): number {
    const rate = this.rate();
    if (rate === undefined) return Number.POSITIVE_INFINITY;
    this.refill(nowMs, rate);
    return Math.max(0, this.tokens);
  }

  /**
   * The earliest time (ms) a packet of `bytes` may be sent: `nowMs` when it may go now, else a later time at least
   * one granularity ahead. Calling it has no effect beyond accruing tokens up to `nowMs`.
   */
  nextSendTimeMs(nowMs: number, bytes: number): number {
    const rate = this.rate();
    if (rate === undefined) return nowMs;
    this.refill(nowMs, rate);
    if (this.tokens >= bytes) return nowMs;
    const waitMs = ((bytes - this.tokens) * 1000) / rate;
    return nowMs + Math.max(waitMs, this.granularityMs);
  }

  /** A paced packet of `bytes` was sent at `nowMs`: spend its tokens (a probe sent regardless may leave a debt). */
  onPacketSent(nowMs: number, bytes: number): void {
    const rate = this.rate();
    if (rate === undefined) return;
    this.refill(nowMs, rate);
    this.tokens -= bytes;
  }

  /** The path's max datagram size changed (PMTU discovery). */
  setMaxDatagramSize(bytes: number): void {
    this.maxDatagramSize = bytes;
  }

  /** Bucket capacity in bytes at `rateBytesPerSecond`. */
  capacityBytes(rateBytesPerSecond: number): number {
    const burst = this.burstPackets * this.maxDatagramSize;
    const tick = Math.ceil((rateBytesPerSecond * this.granularityMs) / 1000) + this.maxDatagramSize;
    return Math.max(burst, tick);
  }

  private rate(): number | undefined {
    const rate = this.controller.pacingRateBytesPerSecond(this.rtt);
    return rate !== undefined && rate > 0 && rate < Number.POSITIVE_INFINITY ? rate : undefined;
  }

  private refill(nowMs: number, rate: number): void {
    const capacity = this.capacityBytes(rate);
    if (Number.isNaN(this.lastRefillMs)) {
      this.tokens = capacity; // an idle sender may start with a full burst
    } else if (nowMs > this.lastRefillMs) {
      const t = this.tokens + ((nowMs - this.lastRefillMs) * rate) / 1000;
      this.tokens = Math.min(t, capacity);
    } else if (this.tokens > capacity) {
      this.tokens = capacity; // the rate dropped
    }
    if (!(nowMs < this.lastRefillMs)) this.lastRefillMs = nowMs;
  }
}
