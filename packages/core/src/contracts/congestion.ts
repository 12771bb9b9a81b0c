import { token } from '../di/token.js';
import type { RttView } from '../recovery/rtt-estimator.js';

/**
 * What a controller learns about a sent packet (RFC 9002 Appendix A.1.1 subset). The transport may reuse the object
 * between calls: read it inside the hook, never keep it.
 */
export interface SentPacketInfo {
  readonly packetNumber: number;
  /** Bytes counted in flight (RFC 9002 §2: ack-eliciting or PADDING packets). */
  readonly sentBytes: number;
  readonly timeSentMs: number;
}

/** qlog `recovery:congestion_state_updated` states. */
export type CongestionState = 'slow_start' | 'congestion_avoidance' | 'recovery' | 'application_limited';

/**
 * A congestion controller for one connection path (RFC 9002 §7). The transport's loss detection calls the hooks;
 * the transport owns bytes-in-flight and passes it in. Hooks run on the hot path: no allocation, no I/O.
 */
export interface CongestionController {
  readonly name: string;
  /** RFC 9002 §7: congestion window in bytes; the transport sends while bytesInFlight < windowBytes. */
  readonly windowBytes: number;
  /** Infinity while in initial slow start. */
  readonly slowStartThresholdBytes: number;
  readonly state: CongestionState;
  /** RFC 9002 §A.5 OnPacketSentCC: an in-flight packet was sent (`bytesInFlight` includes it). */
  onPacketSent(nowMs: number, packet: SentPacketInfo, bytesInFlight: number): void;
  /** RFC 9002 §A.6 OnPacketAcked, once per newly acknowledged in-flight packet (`bytesInFlight` excludes it). */
  onPacketAcked(nowMs: number, packet: SentPacketInfo, rtt: RttView, bytesInFlight: number): void;
  /**
   * After all packets of one ACK frame were processed (HyStart++ rounds, CUBIC epochs).
   *
   * `rttSampled` tells whether this ACK frame produced a new RTT sample (RFC 9002 §5.1: its largest acknowledged
   * packet was newly acknowledged and at least one newly acknowledged packet was ack-eliciting); `rtt.latestRttMs`
   * is that sample when it is true and an older one when it is false. A transport that does not pass it leaves it
   * undefined, and controllers then treat `rtt.latestRttMs` as this ACK's sample (RFC 9406 §4.2 counts one sample
   * per ACK that carries one).
   */
  onAckProcessed(nowMs: number, rtt: RttView, bytesInFlight: number, rttSampled?: boolean): void;
  /**
   * RFC 9002 §7.3.2 / §A.7 OnCongestionEvent: loss (or ECN-CE) of packets sent at or before `sentTimeMs`.
   * A controller enters recovery only once per round trip (when `sentTimeMs` is after the recovery start).
   */
  onCongestionEvent(nowMs: number, sentTimeMs: number, lostBytes: number, bytesInFlight: number): void;
  /** RFC 9002 §7.6: persistent congestion collapses the window to the minimum. */
  onPersistentCongestion(nowMs: number): void;
  /**
   * A congestion event turned out to be spurious (the "lost" packets were acknowledged later); a controller may
   * undo its reduction where its RFC allows (RFC 9438 §4.9). Optional to honour.
   */
  onSpuriousCongestion(nowMs: number): void;
  /** RFC 9002 §7.8: the sender had nothing to send while the window allowed more (window growth is held). */
  onApplicationLimited(nowMs: number, bytesInFlight: number): void;
  /** The path's max datagram size changed (PMTU discovery); windows are kept in bytes. */
  onMaxDatagramSizeChanged(maxDatagramSizeBytes: number): void;
  /** RFC 9002 §7.7 pacing rate in bytes per second, or undefined to send without pacing. */
  pacingRateBytesPerSecond(rtt: RttView): number | undefined;
}

export interface CongestionControllerOptions {
  /** RFC 9002 §7.2 max_datagram_size. */
  readonly maxDatagramSizeBytes: number;
  /** RFC 9002 §7.2 initial window in datagrams (default 10). */
  readonly initialWindowPackets?: number;
  /** RFC 9002 §7.2 minimum window in datagrams (default 2). */
  readonly minimumWindowPackets?: number;
  readonly nowMs: number;
}

/** Creates one controller per connection path. Registered through the token of the same name. */
export interface CongestionControllerFactory {
  readonly name: string;
  create(options: CongestionControllerOptions): CongestionController;
}
export const CongestionControllerFactory = token<CongestionControllerFactory>('fos.CongestionControllerFactory');
