import { MAX_STREAM_COUNT } from './stream-id.js';

/**
 * Stream-count accounting for the streams WE open of one type (bidi or uni), against the peer's limit
 * (initial_max_streams_* then MAX_STREAMS; RFC 9000 §4.6, §19.11, §19.14).
 */
export class LocalStreamLimit {
  /** The peer's cumulative limit. */
  limit: number;
  /** Streams opened so far = index of the next stream. */
  opened = 0;
  /** Limit at which STREAMS_BLOCKED was last queued, -1 = none; also means 'streams-available' is owed. */
  blockedAt = -1;

  constructor(limit: number) {
    this.limit = Math.min(limit, MAX_STREAM_COUNT);
  }

  get canOpen(): boolean {
    return this.opened < this.limit;
  }

  /** Applies a new limit; returns whether it grew (RFC 9000 §4.6: smaller values are ignored). */
  updateLimit(limit: number): boolean {
    if (limit <= this.limit) return false;
    this.limit = limit;
    return true;
  }

  /** After rejected 0-RTT: the peer's new limit replaces the remembered one, smaller or not (RFC 9000 §7.4.1). */
  resetLimit(limit: number): void {
    this.limit = Math.min(limit, MAX_STREAM_COUNT);
    this.blockedAt = -1;
  }

  /** Opening failed: returns true once per limit value (queue STREAMS_BLOCKED, RFC 9000 §4.6). */
  shouldReportBlocked(): boolean {
    if (this.canOpen || this.blockedAt === this.limit) return false;
    this.blockedAt = this.limit;
    return true;
  }
}

/**
 * Stream-count accounting for the streams the PEER opens of one type: our advertised limit (RFC 9000 §4.6) and
 * its growth as peer streams close, so that the concurrency stays at the initial value ("Implementations might
 * choose to increase limits as streams are closed").
 */
export class RemoteStreamLimit {
  /** The limit we have advertised (transport parameter, then MAX_STREAMS frames). */
  advertised: number;
  /** The limit a MAX_STREAMS frame would carry now. */
  target: number;
  /** Streams the peer opened (explicitly or implicitly) = index of the next one. */
  opened = 0;
  /** Peer streams fully closed and released. */
  closed = 0;
  private readonly initial: number;
  private readonly batch: number;

  constructor(initial: number) {
    this.initial = Math.min(initial, MAX_STREAM_COUNT);
    this.advertised = this.initial;
    this.target = this.initial;
    // Send MAX_STREAMS once an eighth of the concurrency has been freed, not for every closed stream (§13.3: avoid
    // sending it too often). The peer can never be stuck: with all its streams closed the gap is `initial`.
    this.batch = Math.max(1, Math.floor(this.initial / 8));
  }

  /** A peer stream closed: returns whether a MAX_STREAMS frame is now due. */
  onClosed(): boolean {
    this.closed++;
    const next = Math.min(this.closed + this.initial, MAX_STREAM_COUNT);
    if (next <= this.target) return false;
    this.target = next;
    return this.target - this.advertised >= this.batch;
  }

  /** The frame builder took {@link target}. */
  markAdvertised(): number {
    if (this.target > this.advertised) this.advertised = this.target;
    return this.advertised;
  }
}
