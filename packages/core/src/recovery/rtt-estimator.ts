// RFC 9002 §5 (RTT estimation) and the constants of §6.1.1, §6.1.2, §6.2, §7.6.

/** RFC 9002 §6.1.1 kPacketThreshold. */
export const PACKET_THRESHOLD = 3;
/** RFC 9002 §6.1.2 kTimeThreshold. */
export const TIME_THRESHOLD = 9 / 8;
/** RFC 9002 §6.1.2 kGranularity, in ms. */
export const GRANULARITY_MS = 1;
/** RFC 9002 §6.2.2 kInitialRtt, in ms. */
export const INITIAL_RTT_MS = 333;
/** RFC 9002 §7.6.1 kPersistentCongestionThreshold. */
export const PERSISTENT_CONGESTION_THRESHOLD = 3;

/** Read-only view of an RTT estimator, handed to congestion controllers. All values in ms. */
export interface RttView {
  readonly latestRttMs: number;
  readonly smoothedRttMs: number;
  readonly rttVarMs: number;
  /** Infinity until the first sample. */
  readonly minRttMs: number;
  readonly hasSample: boolean;
}

/** RFC 9002 §5: min_rtt, smoothed_rtt and rttvar from RTT samples. */
export class RttEstimator implements RttView {
  latestRttMs = 0;
  smoothedRttMs: number;
  rttVarMs: number;
  minRttMs = Number.POSITIVE_INFINITY;
  hasSample = false;

  constructor(private readonly initialRttMs: number = INITIAL_RTT_MS) {
    // RFC 9002 §5.3: before any sample, smoothed_rtt = kInitialRtt, rttvar = kInitialRtt / 2.
    this.smoothedRttMs = initialRttMs;
    this.rttVarMs = initialRttMs / 2;
  }

  /**
   * Adds a sample (RFC 9002 §5.3). `ackDelayMs` is the peer-reported delay (already scaled by ack_delay_exponent;
   * pass 0 for ACKs of Initial packets, whose delay may be ignored); once the handshake is confirmed it is capped at
   * `maxAckDelayMs`.
   */
  update(latestRttMs: number, ackDelayMs: number, handshakeConfirmed: boolean, maxAckDelayMs: number): void {
    this.latestRttMs = latestRttMs;
    if (!this.hasSample) {
      // RFC 9002 §5.3: the first sample initializes the estimator.
      this.hasSample = true;
      this.minRttMs = latestRttMs;
      this.smoothedRttMs = latestRttMs;
      this.rttVarMs = latestRttMs / 2;
      return;
    }
    // RFC 9002 §5.2: min_rtt ignores ack delay.
    if (latestRttMs < this.minRttMs) this.minRttMs = latestRttMs;
    // RFC 9002 §5.3: after handshake confirmation, use min(ack_delay, max_ack_delay).
    const ackDelay = handshakeConfirmed ? Math.min(ackDelayMs, maxAckDelayMs) : ackDelayMs;
    // Subtract the ack delay only if the result stays at or above min_rtt.
    const adjustedRtt = latestRttMs >= this.minRttMs + ackDelay ? latestRttMs - ackDelay : latestRttMs;
    this.rttVarMs = 0.75 * this.rttVarMs + 0.25 * Math.abs(this.smoothedRttMs - adjustedRtt);
    this.smoothedRttMs = 0.875 * this.smoothedRttMs + 0.125 * adjustedRtt;
  }

  /**
   * RFC 9002 §6.2.1 PTO period without backoff: smoothed_rtt + max(4·rttvar, kGranularity) + max_ack_delay
   * (pass 0 for `maxAckDelayMs` in the Initial and Handshake spaces).
   */
  ptoMs(maxAckDelayMs: number): number {
    return this.smoothedRttMs + Math.max(4 * this.rttVarMs, GRANULARITY_MS) + maxAckDelayMs;
  }

  /** RFC 9002 §6.1.2 loss delay: kTimeThreshold · max(smoothed_rtt, latest_rtt), at least kGranularity. */
  lossDelayMs(): number {
    return Math.max(TIME_THRESHOLD * Math.max(this.smoothedRttMs, this.latestRttMs), GRANULARITY_MS);
  }

  /** RFC 9002 §5.2: after persistent congestion, min_rtt restarts from the newest sample. */
  resetMinRtt(): void {
    this.minRttMs = this.hasSample ? this.latestRttMs : Number.POSITIVE_INFINITY;
  }

  /** Back to the initial state (a new path, RFC 9000 §9.4). */
  reset(): void {
    this.latestRttMs = 0;
    this.smoothedRttMs = this.initialRttMs;
    this.rttVarMs = this.initialRttMs / 2;
    this.minRttMs = Number.POSITIVE_INFINITY;
    this.hasSample = false;
  }
}
