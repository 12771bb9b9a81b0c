/**
 * Send-side flow control for one stream or for the whole connection (RFC 9000 §4.1).
 *
 * Tracks the peer's limit (from the transport parameters, then MAX_DATA / MAX_STREAM_DATA) and the credit used
 * (the highest offset sent on a stream, or the sum over all streams). Limits only grow: a MAX_* frame that does not
 * raise the limit is ignored (§4.1, §19.9, §19.10). Blocked reporting is once per limit value, so the connection
 * sends one DATA_BLOCKED / STREAM_DATA_BLOCKED for each limit it runs into (§4.1, §19.12, §19.13).
 */
export class SendFlowController {
  /** The peer's current limit. */
  limit: number;
  /** Credit used: highest offset sent (stream) or sum of them (connection). */
  used = 0;
  /** The limit at which a blocked frame was last queued; -1 = none. */
  private blockedReportedAt = -1;

  constructor(initialLimit: number) {
    this.limit = initialLimit;
  }

  /** Bytes of new data that may be sent now. */
  get available(): number {
    return this.limit > this.used ? this.limit - this.used : 0;
  }

  /** Applies a new limit from the peer; returns whether it grew (smaller values are ignored, RFC 9000 §4.1). */
  updateLimit(limit: number): boolean {
    if (limit <= this.limit) return false;
    this.limit = limit;
    return true;
  }

  /**
   * Starts over under `limit`, nothing used: after rejected 0-RTT (RFC 9001 §4.6.2) the peer saw none of the data and
   * its new transport parameters replace the remembered ones (RFC 9000 §7.4.1), smaller or not.
   */
  reset(limit: number): void {
    this.limit = limit;
    this.used = 0;
    this.blockedReportedAt = -1;
  }

  /** `n` bytes of new data were sent. */
  consume(n: number): void {
    this.used += n;
  }

  /** Whether all credit is used. */
  get blocked(): boolean {
    return this.used >= this.limit;
  }

  /**
   * Call when data is waiting but {@link blocked}: returns true once per limit value, meaning "queue a blocked
   * frame carrying {@link limit}" (RFC 9000 §4.1).
   */
  shouldReportBlocked(): boolean {
    if (!this.blocked || this.blockedReportedAt === this.limit) return false;
    this.blockedReportedAt = this.limit;
    return true;
  }

  /**
   * A blocked frame carrying `limit` was lost: RFC 9000 §13.3 resends only while still blocked on that limit.
   * Returns whether to send it again.
   */
  blockedFrameLost(limit: number): boolean {
    return this.blocked && this.limit === limit;
  }
}
