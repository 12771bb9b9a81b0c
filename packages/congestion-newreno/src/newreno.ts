// NewReno congestion control exactly as RFC 9002 §7 and its Appendix B pseudocode describe it.
import type { CongestionControllerOptions, RttView, SentPacketInfo } from '@fos/core';
import { checkOption, pacingRateBytesPerSecond, WindowedCongestionController } from '@fos/core';

/** RFC 9002 §7.3.2 / Appendix B.1 kLossReductionFactor. */
export const LOSS_REDUCTION_FACTOR = 0.5;
/** RFC 9002 §7.7: pacing rate = N · congestion_window / smoothed_rtt, with N = 1.25. */
export const PACING_GAIN = 1.25;

/** Tuning knobs of NewRenoController (all optional; the defaults are the RFC's). */
export interface NewRenoOptions {
  /** RFC 9002 §7.7 N: pacing gain over cwnd / smoothed_rtt. Default 1.25; must be ≥ 1. */
  readonly pacingGain?: number;
}

/**
 * NewReno (RFC 9002 §7, Appendix B). Windows are in bytes and kept as exact (possibly fractional) numbers so that
 * congestion avoidance's `max_datagram_size · acked / cwnd` increments are never rounded away (Appendix B.5 warns
 * about integer division; a float64 has no such problem).
 *
 * Behaviour beyond the pseudocode:
 * - §7.8 application-limited: the controller tracks whether the sender is cwnd-limited. A send that leaves less
 *   than one datagram of room marks it cwnd-limited; `onApplicationLimited` while at least one datagram of room
 *   is unused marks it application-limited, and then acknowledgments do not grow the window.
 * - Spurious-loss undo does not exist in RFC 9002, so `onSpuriousCongestion` is a no-op.
 * - "No recovery yet" is represented by a recovery start of -Infinity rather than the pseudocode's 0, so packets
 *   sent at time 0 (a virtual clock's origin) still count as sent after it.
 */
export class NewRenoController extends WindowedCongestionController {
  readonly name = 'newreno';

  private readonly pacingGain: number;

  constructor(options: CongestionControllerOptions, tuning: NewRenoOptions = {}) {
    super(options);
    this.pacingGain = checkOption('pacingGain', tuning.pacingGain ?? PACING_GAIN, 1);
  }

  onPacketSent(_nowMs: number, _packet: SentPacketInfo, bytesInFlight: number): void {
    // RFC 9002 §7.8: the sender is cwnd-limited again once a send leaves no room for another datagram.
    if (bytesInFlight + this.sizes.maxDatagramSize > this.cwnd) this.appLimited = false;
  }

  onPacketAcked(_nowMs: number, packet: SentPacketInfo, _rtt: RttView, _bytesInFlight: number): void {
    const bytes = packet.sentBytes;
    if (!(bytes > 0)) return; // not in flight (or not a number): nothing to count
    this.anyAcked = true;
    // RFC 9002 B.5 InCongestionRecovery: no increase for packets sent before the recovery period began.
    if (packet.timeSentMs <= this.recoveryStartMs) return;
    // RFC 9002 §7.3.2: a recovery period ends when a packet sent during it is acknowledged.
    this.recovering = false;
    // RFC 9002 §7.8 / B.5 IsAppOrFlowControlLimited: do not grow an underutilized window.
    if (this.appLimited) return;
    if (this.cwnd < this.ssthresh) {
      // RFC 9002 §7.3.1 slow start: grow by the bytes acknowledged.
      this.cwnd += bytes;
    } else {
      // RFC 9002 §7.3.3 congestion avoidance: at most one max_datagram_size per congestion window acknowledged.
      this.cwnd += (this.sizes.maxDatagramSize * bytes) / this.cwnd;
    }
  }

  onAckProcessed(_nowMs: number, _rtt: RttView, _bytesInFlight: number): void {
    // NewReno reacts per acknowledged packet; nothing is kept per ACK frame.
  }

  onCongestionEvent(nowMs: number, sentTimeMs: number, _lostBytes: number, _bytesInFlight: number): void {
    // RFC 9002 B.6: no reaction if already in a recovery period (§7.3.2: one reduction per round trip).
    if (sentTimeMs <= this.recoveryStartMs) return;
    this.recoveryStartMs = nowMs;
    this.recovering = true;
    // RFC 9002 §7.3.2: ssthresh = half the window; the window drops to it immediately, but not below the minimum.
    this.ssthresh = this.cwnd * LOSS_REDUCTION_FACTOR;
    this.cwnd = Math.max(this.ssthresh, this.sizes.minimumWindow);
  }

  onPersistentCongestion(_nowMs: number): void {
    // RFC 9002 §7.6.2 / B.8: collapse to kMinimumWindow and forget the recovery period (back to slow start up to
    // the ssthresh set by the congestion event that declared these losses).
    this.cwnd = this.sizes.minimumWindow;
    this.recoveryStartMs = Number.NEGATIVE_INFINITY;
    this.recovering = false;
  }

  onSpuriousCongestion(_nowMs: number): void {
    // RFC 9002 specifies no undo of a reduction: NewReno keeps the reduced window.
  }

  onApplicationLimited(_nowMs: number, bytesInFlight: number): void {
    // RFC 9002 §7.8: at least one datagram of window went unused — hold growth until the window is full again.
    if (bytesInFlight + this.sizes.maxDatagramSize <= this.cwnd) this.appLimited = true;
  }

  pacingRateBytesPerSecond(rtt: RttView): number | undefined {
    // RFC 9002 §7.7: rate = N · congestion_window / smoothed_rtt.
    return pacingRateBytesPerSecond(this.pacingGain, this.cwnd, rtt);
  }
}
