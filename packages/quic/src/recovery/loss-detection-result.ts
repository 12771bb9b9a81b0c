import type { EcnCounts } from './packet-number-space.js';
import { PacketNumberSpace } from './packet-number-space.js';

/**
 * An ACK frame as loss detection needs it, decoded by the wire layer (RFC 9000 §19.3). The shape matches the wire
 * layer's `AckFrame` (`ranges`, `rangeCount`, `ecn`) so the connection can pass one object through.
 */
export interface ReceivedAck {
  /**
   * Acknowledged packet numbers as flat [largest, smallest] pairs (inclusive), descending and disjoint:
   * `ranges[2i]` ≥ `ranges[2i + 1]` > `ranges[2i + 2]`. `ranges[0]` is the Largest Acknowledged field.
   */
  readonly ranges: ArrayLike<number>;
  /** Pairs used from `ranges` (it may be longer). At least 1. */
  readonly rangeCount: number;
  /** The ACK Delay field decoded to milliseconds (field · 2^ack_delay_exponent / 1000, RFC 9000 §19.3). */
  readonly ackDelayMs: number;
  /** ECN counts of an ACK_ECN frame (RFC 9000 §19.3.2), or null/undefined for a plain ACK. */
  readonly ecn?: EcnCounts | null;
}

/**
 * What one loss-detection call found. The detector owns a single instance and clears it at the start of every
 * {@link LossDetector.onAckReceived}, {@link LossDetector.handleTimeout} and {@link LossDetector.discardSpace}
 * call: read it before the next call. Payload arrays hold the opaque per-packet records given to `onPacketSent`.
 */
export class LossDetectionResult<T> {
  /** The packet number space the call was about (for a timeout: the space whose timer fired). */
  space: PacketNumberSpace = PacketNumberSpace.INITIAL;
  /** Payloads of newly acknowledged packets, in ascending packet-number order. */
  readonly acked: T[] = [];
  /** Payloads of packets newly declared lost (RFC 9002 §6.1): their information needs sending again. */
  readonly lost: T[] = [];
  /**
   * Payloads of packets declared lost earlier and acknowledged now (spurious loss). Their information has
   * arrived: stop retransmitting it (RFC 9000 §13.3). Each was reported in `lost` by an earlier call.
   */
  readonly lateAcked: T[] = [];
  /** Payloads of unacknowledged packets dropped with their keys (RFC 9002 §6.4); nothing to retransmit. */
  readonly discarded: T[] = [];
  /**
   * The largest Largest Acknowledged among the ACK frames carried by newly acknowledged packets, or -1. The receive
   * side of the same space may stop acknowledging packet numbers at or below it (RFC 9000 §13.2.4).
   */
  largestAckedAckFrame = -1;
  /** An RTT sample was taken (RFC 9002 §5.1). */
  rttSampled = false;
  /** Loss of in-flight packets was reported to the congestion controller (RFC 9002 §7.3.2 / B.8). */
  congestionEvent = false;
  /** An ECN-CE count increase was reported to the congestion controller (RFC 9002 §7.1 / B.7). */
  ecnCongestionEvent = false;
  /** Persistent congestion was established (RFC 9002 §7.6.2). */
  persistentCongestion = false;
  /** Every packet of the latest window reduction turned out not lost: the controller was told (RFC 9438 §4.9). */
  spuriousCongestion = false;
  /**
   * PTO expired (RFC 9002 §6.2.4): send this many ack-eliciting probe packets (1 or 2) in {@link space}, new data
   * if possible, else retransmitted data, else PING; they may exceed the congestion window (§7.5). 0 = no probe.
   */
  probeCount = 0;
  /**
   * The probe is the client's anti-deadlock packet (RFC 9002 §6.2.2.1): a Handshake packet when Handshake keys
   * exist, else an Initial packet in a datagram padded to at least 1200 bytes.
   */
  antiDeadlock = false;

  /** @internal Clears every field for a new call about `space`. */
  reset(space: PacketNumberSpace): this {
    this.space = space;
    // Truncating an empty array still costs a runtime call: skip it.
    if (this.acked.length !== 0) this.acked.length = 0;
    if (this.lost.length !== 0) this.lost.length = 0;
    if (this.lateAcked.length !== 0) this.lateAcked.length = 0;
    if (this.discarded.length !== 0) this.discarded.length = 0;
    this.largestAckedAckFrame = -1;
    this.rttSampled = false;
    this.congestionEvent = false;
    this.ecnCongestionEvent = false;
    this.persistentCongestion = false;
    this.spuriousCongestion = false;
    this.probeCount = 0;
    this.antiDeadlock = false;
    return this;
  }
}
