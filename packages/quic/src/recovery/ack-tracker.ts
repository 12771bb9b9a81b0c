// RFC 9000 §13.2: the receive side of one packet number space — duplicate detection, received-packet ranges and
// when to send an ACK frame.

import { DEFAULT_ACK_DELAY_EXPONENT, DEFAULT_MAX_ACK_DELAY_MS } from '../wire/transport-parameters.js';
import { EcnCodepoint, type EcnCounts, PacketNumberSpace } from './packet-number-space.js';
import { DEFAULT_MAX_ACK_RANGES_TRACKED, PacketRangeSet } from './packet-range-set.js';
/** RFC 9000 §13.2.2: a receiver SHOULD send an ACK frame after receiving at least two ack-eliciting packets. */
export const DEFAULT_ACK_ELICITING_THRESHOLD = 2;

export interface AckTrackerOptions {
  readonly space: PacketNumberSpace;
  /**
   * Our max_ack_delay transport parameter in ms (default 25): the longest an ack-eliciting ApplicationData packet
   * waits for its ACK (RFC 9000 §13.2.1). Initial and Handshake packets are acknowledged immediately.
   */
  readonly maxAckDelayMs?: number;
  /** Ack-eliciting packets that trigger an immediate ACK (RFC 9000 §13.2.2, default 2). */
  readonly ackElicitingThreshold?: number;
  /** ACK ranges remembered at most (RFC 9000 §13.2.3, default 32). */
  readonly maxRanges?: number;
  /** Our ack_delay_exponent transport parameter (RFC 9000 §18.2, default 3) for the ACK Delay field. */
  readonly ackDelayExponent?: number;
}

/**
 * The fields of an ACK or ACK_ECN frame (RFC 9000 §19.3) as plain values for the connection to encode. The shape
 * matches the wire layer's `AckFrame` (`ranges`, `rangeCount`, `ackDelay`, `ecn`). Reuse one instance.
 */
export class AckFrameFields {
  /** ACK Delay field value: the delay in microseconds shifted right by ack_delay_exponent (RFC 9000 §19.3). */
  ackDelay = 0;
  /** The same delay in microseconds (RFC 9000 §13.2.5), for qlog. */
  ackDelayMicros = 0;
  /** Flat [largest, smallest] pairs, descending; `ranges[0]` is the Largest Acknowledged. */
  readonly ranges: number[] = [];
  /** Pairs of `ranges` in use (≥ 1 after a successful write). */
  rangeCount = 0;
  /** ECN counts for ACK_ECN (RFC 9000 §19.3.2), or null for a plain ACK when no ECN codepoint was ever seen. */
  ecn: EcnCounts | null = null;

  /** The Largest Acknowledged field. */
  get largestAcknowledged(): number {
    return this.ranges[0];
  }
}

/**
 * Receive-side acknowledgment state of one packet number space (RFC 9000 §13.2): which packet numbers arrived
 * (a bounded {@link PacketRangeSet}), duplicate detection (§12.3), when an ACK is due (§13.2.1, §13.2.2), the ACK
 * frame's ranges and delay (§13.2.5), ECN counts (§13.4.1), and pruning once our ACK was acknowledged (§13.2.4).
 *
 * Use: `isDuplicate(pn)` after removing packet protection (drop the packet if true); `onPacketReceived` after its
 * frames were processed; `pollAckDeadline()` for the timer; `writeAckFrame` + `onAckSent` when an ACK goes out;
 * `onAckFrameAcked` when the loss detector reports an acknowledged ACK frame.
 */
export class AckTracker {
  readonly space: PacketNumberSpace;
  readonly ranges: PacketRangeSet;
  private readonly maxAckDelayMs: number;
  private readonly ackElicitingThreshold: number;
  private readonly ackDelayExponent: number;

  private largestReceivedValue = -1;
  private largestReceivedTimeMs = 0;
  private largestAckEliciting = -1;
  private ackElicitingSinceAck = 0;
  private deadline = Infinity;
  private pending = false;
  private readonly ecnCounts: EcnCounts = { ect0: 0, ect1: 0, ce: 0 };
  private ecnSeen = false;

  constructor(options: AckTrackerOptions) {
    this.space = options.space;
    this.maxAckDelayMs = options.maxAckDelayMs ?? DEFAULT_MAX_ACK_DELAY_MS;
    this.ackElicitingThreshold = options.ackElicitingThreshold ?? DEFAULT_ACK_ELICITING_THRESHOLD;
    this.ackDelayExponent = options.ackDelayExponent ?? DEFAULT_ACK_DELAY_EXPONENT;
    this.ranges = new PacketRangeSet(options.maxRanges ?? DEFAULT_MAX_ACK_RANGES_TRACKED);
  }

  /**
   * Largest packet number successfully processed, -1 before any: the base for decoding packet numbers
   * (RFC 9000 §17.1, §13.2.3: retained even when ranges are discarded).
   */
  get largestReceived(): number {
    return this.largestReceivedValue;
  }

  /** Packets arrived since the last ACK sent (ack-eliciting or not): an ACK may be bundled (RFC 9000 §13.2). */
  get ackPending(): boolean {
    return this.pending;
  }

  /**
   * RFC 9000 §12.3: whether a packet with this number must be discarded as a duplicate (already received, or too
   * old to be sure). Call after removing packet protection.
   */
  isDuplicate(pn: number): boolean {
    return this.ranges.covers(pn);
  }

  /**
   * Records a processed packet. Returns false (and changes nothing) for a duplicate.
   * @param ackEliciting the packet carried an ack-eliciting frame (RFC 9000 §13.2.1)
   * @param ecn the ECN codepoint of the IP header (NOT_ECT on Node, which cannot read it)
   */
  onPacketReceived(
    nowMs: number,
    pn: number,
    ackEliciting: boolean,
    ecn: EcnCodepoint = EcnCodepoint.NOT_ECT,
  ): boolean {
    if (!this.ranges.add(pn)) return false;
    if (pn > this.largestReceivedValue) {
      this.largestReceivedValue = pn;
      this.largestReceivedTimeMs = nowMs;
    }
    // RFC 9000 §13.4.1: counts of the ECN codepoints received, per space.
    if (ecn !== EcnCodepoint.NOT_ECT) {
      this.ecnSeen = true;
      if (ecn === EcnCodepoint.ECT0) this.ecnCounts.ect0++;
      else if (ecn === EcnCodepoint.ECT1) this.ecnCounts.ect1++;
      else this.ecnCounts.ce++;
    }
    this.pending = true;
    // RFC 9000 §13.2.1: non-ack-eliciting packets never cause an ACK on their own.
    if (!ackEliciting) return true;
    this.ackElicitingSinceAck++;
    const largestAe = this.largestAckEliciting;
    const immediate =
      // §13.2.1: Initial and Handshake packets are acknowledged immediately.
      this.space !== PacketNumberSpace.APPLICATION_DATA ||
      // §13.2.1: below another ack-eliciting packet already received …
      pn < largestAe ||
      // … or above the largest with missing packets in between.
      (pn > largestAe + 1 && this.missingBelow(pn, largestAe)) ||
      // §13.2.1: CE-marked packets are acknowledged immediately.
      ecn === EcnCodepoint.CE ||
      // §13.2.2: after every `ackElicitingThreshold` ack-eliciting packets.
      this.ackElicitingSinceAck >= this.ackElicitingThreshold;
    if (pn > largestAe) this.largestAckEliciting = pn;
    if (immediate) this.deadline = Math.min(this.deadline, nowMs);
    else if (this.deadline === Infinity) this.deadline = nowMs + this.maxAckDelayMs;
    return true;
  }

  /**
   * When an ACK frame must be sent (ms), or undefined when none is due. A value ≤ now means immediately; otherwise
   * it is max_ack_delay after the first unacknowledged ack-eliciting packet.
   */
  pollAckDeadline(): number | undefined {
    return this.deadline === Infinity ? undefined : this.deadline;
  }

  /** Whether an ACK frame is due at `nowMs`. */
  ackDue(nowMs: number): boolean {
    return nowMs >= this.deadline;
  }

  /**
   * Writes the current ACK frame into `out`: the highest `maxRanges` ranges (older ones are omitted first,
   * RFC 9000 §13.2.3), the ACK Delay since the largest packet arrived (§13.2.5) and ECN counts once any ECN
   * codepoint was seen (§13.4.1). Returns false when there is nothing to acknowledge. Does not change state: call
   * {@link onAckSent} when the frame was sent.
   */
  writeAckFrame(nowMs: number, out: AckFrameFields, maxRanges = Number.POSITIVE_INFINITY): boolean {
    const set = this.ranges;
    const n = Math.min(set.rangeCount, maxRanges);
    if (!(n >= 1)) return false;
    const ranges = out.ranges;
    for (let i = 0; i < n; i++) {
      ranges[2 * i] = set.largestAt(i);
      ranges[2 * i + 1] = set.smallestAt(i);
    }
    out.rangeCount = n;
    const delayMicros = Math.max(0, Math.round((nowMs - this.largestReceivedTimeMs) * 1000));
    out.ackDelayMicros = delayMicros;
    out.ackDelay = Math.floor(delayMicros / 2 ** this.ackDelayExponent);
    out.ecn = this.ecnSeen ? this.ecnCounts : null;
    return true;
  }

  /** An ACK frame from {@link writeAckFrame} was sent: no ACK is due until new packets arrive. */
  onAckSent(): void {
    this.ackElicitingSinceAck = 0;
    this.deadline = Infinity;
    this.pending = false;
  }

  /**
   * A packet carrying our ACK frame with Largest Acknowledged `largestAcked` was acknowledged: stop reporting
   * packet numbers up to it (RFC 9000 §13.2.4); they stay duplicates.
   */
  onAckFrameAcked(largestAcked: number): void {
    this.ranges.removeUpTo(largestAcked);
  }

  /**
   * Whether some packet number between `largestAe` (exclusive) and `pn` was not received, counting numbers below
   * the range set's floor as received.
   */
  private missingBelow(pn: number, largestAe: number): boolean {
    const lo = this.ranges.smallestOfRangeWith(pn);
    return lo > largestAe + 1 && lo > this.ranges.floor;
  }
}
