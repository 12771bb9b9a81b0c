// CUBIC congestion control (RFC 9438) with HyStart++ (RFC 9406) for the initial slow start, on QUIC's signals
// (RFC 9002 §7: recovery periods, persistent congestion, application-limited senders, pacing).
import type { CongestionControllerOptions, RttView, SentPacketInfo } from '@fos/core';
import { checkOption, pacingRateBytesPerSecond, WindowedCongestionController } from '@fos/core';
import { ALPHA_CUBIC, BETA_CUBIC, cubicK, cubicTarget, cubicWindow, fastConvergenceWMax } from './cubic-math.js';
import { HyStart, type HyStartPhase, HyStartTransition, NON_PACED_L } from './hystart.js';

/** Pacing gain while cwnd < ssthresh (slow start and CSS): the window may double per round trip (Linux: 2.0). */
export const SLOW_START_PACING_GAIN = 2;
/** Pacing gain otherwise: RFC 9002 §7.7's N = 1.25 (Linux uses 1.2). */
export const PACING_GAIN = 1.25;

/** Tuning knobs of CubicController (all optional; defaults follow the RFCs). */
export interface CubicOptions {
  /** RFC 9438 §4.7 fast convergence. Default true (the RFC advises turning it off only for a lone flow). */
  readonly fastConvergence?: boolean;
  /** RFC 9406 HyStart++ for the initial slow start. Default true; false gives standard slow start until loss. */
  readonly hystart?: boolean;
  /** Whether the transport paces sends (RFC 9406 §4.3: L is infinite when paced, 8 segments when not). Default true. */
  readonly paced?: boolean;
  /** Pacing gain while cwnd < ssthresh. Default 2; must be ≥ 1. */
  readonly slowStartPacingGain?: number;
  /** Pacing gain otherwise (RFC 9002 §7.7 N). Default 1.25; must be ≥ 1. */
  readonly pacingGain?: number;
}

/** Which rule set the window on the latest growing ACK (RFC 9438 §4.3–4.5, or slow start). */
export type CubicRegion = 'none' | 'slow_start' | 'reno_friendly' | 'concave' | 'convex';

/**
 * CUBIC (RFC 9438) for one QUIC path. Windows are kept in bytes (exact, possibly fractional); the cubic function is
 * evaluated in the RFC's units (segments of max_datagram_size, seconds). Calls follow RFC 9002's loss recovery:
 *
 * - `onCongestionEvent` (loss or ECN-CE) reduces once per recovery period (§4.6 β = 0.7, §4.7 fast convergence)
 *   and saves the state a spurious-congestion undo restores (§4.9).
 * - The recovery period ends on the ACK of a packet sent after it began; the congestion avoidance stage — the
 *   epoch t_epoch, cwnd_epoch, K and W_est of §4.2/§4.3 — starts at that ACK.
 * - `onPersistentCongestion` is QUIC's retransmission timeout (§4.8): minimum window, epoch reset, and the next
 *   congestion avoidance stage starts with K = 0 and W_max = W_est = cwnd_epoch.
 * - The initial slow start uses HyStart++ (RFC 9406); once CSS completes, ssthresh = cwnd and the first epoch
 *   has K = 0 and W_max = cwnd_epoch (§4.10).
 * - Application-limited (RFC 9002 §7.8, RFC 9438 §5.8): no growth while at least one datagram of window went unused
 *   and nothing was sent to fill it; the time spent so is not charged to the epoch.
 */
export class CubicController extends WindowedCongestionController {
  readonly name = 'cubic';

  private readonly fastConvergence: boolean;
  private readonly lSegments: number;
  private readonly slowStartPacingGain: number;
  private readonly pacingGain: number;
  private readonly hy = new HyStart();

  // RFC 9438 §4.1.2 variables (windows in bytes).
  private cwndPrior = 0;
  /** 0 until the first congestion event (W_max undefined): an epoch starting at or above it gets K = 0. */
  private wMax = 0;
  private k = 0;
  private hasEpoch = false;
  private tEpochMs = 0;
  private cwndEpoch = 0;
  private wEst = 0;
  private regionValue: CubicRegion = 'none';

  // RFC 9002 §7.8: when the sender became application-limited (RFC 9438 §5.8: the epoch skips that time).
  private appLimitedSinceMs = 0;

  // Per ACK frame (reset by onAckProcessed).
  private ackedInFrame = 0;
  private slowStartBytesInFrame = 0;

  // RFC 9438 §4.9: the state before the latest reduction.
  private hasUndo = false;
  private savedCwnd = 0;
  private savedSsthresh = 0;
  private savedCwndPrior = 0;
  private savedWMax = 0;
  private savedK = 0;
  private savedHasEpoch = false;
  private savedTEpochMs = 0;
  private savedCwndEpoch = 0;
  private savedWEst = 0;
  private savedRecoveryStartMs = 0;
  private savedRecovering = false;
  private savedHyPhase: HyStartPhase = 'done';
  private savedHyBaselineMs = 0;
  private savedHyCssRounds = 0;

  constructor(options: CongestionControllerOptions, tuning: CubicOptions = {}) {
    // RFC 9002 §7.2: the window starts at kInitialWindow (CUBIC starts like any QUIC controller, RFC 9438 §4.10).
    super(options);
    this.fastConvergence = tuning.fastConvergence ?? true;
    this.lSegments = (tuning.paced ?? true) ? Number.POSITIVE_INFINITY : NON_PACED_L;
    this.slowStartPacingGain = checkOption(
      'slowStartPacingGain',
      tuning.slowStartPacingGain ?? SLOW_START_PACING_GAIN,
      1,
    );
    this.pacingGain = checkOption('pacingGain', tuning.pacingGain ?? PACING_GAIN, 1);
    if (tuning.hystart === false) this.hy.stop();
  }

  /** RFC 9438 W_max in bytes (0 while undefined: no congestion event yet). */
  get wMaxBytes(): number {
    return this.wMax;
  }

  /** RFC 9438 K of the current epoch, in seconds. */
  get kSeconds(): number {
    return this.k;
  }

  /** RFC 9438 t_epoch (ms, shifted forward by application-limited time), or undefined outside an epoch. */
  get epochStartMs(): number | undefined {
    return this.hasEpoch ? this.tEpochMs : undefined;
  }

  /** RFC 9438 cwnd_epoch in bytes (meaningful while `epochStartMs` is defined). */
  get cwndEpochBytes(): number {
    return this.cwndEpoch;
  }

  /** RFC 9438 §4.3 W_est in bytes. */
  get wEstBytes(): number {
    return this.wEst;
  }

  /** RFC 9438 cwnd_prior in bytes: the window just before the latest reduction (or HyStart++ exit). */
  get cwndPriorBytes(): number {
    return this.cwndPrior;
  }

  /** The rule that set the window on the latest growing ACK. */
  get region(): CubicRegion {
    return this.regionValue;
  }

  /** Where HyStart++ has the initial slow start ('done' once it ended or was never used). */
  get hystartPhase(): HyStartPhase {
    return this.hy.phase;
  }

  /** The HyStart++ round tracker (read it; the controller drives it). */
  get hystart(): Readonly<
    Pick<
      HyStart,
      'lastRoundMinRttMs' | 'currentRoundMinRttMs' | 'rttSampleCount' | 'cssBaselineMinRttMs' | 'cssRounds' | 'rounds'
    >
  > {
    return this.hy;
  }

  onPacketSent(nowMs: number, packet: SentPacketInfo, bytesInFlight: number): void {
    this.hy.onPacketSent(packet.packetNumber);
    if (this.appLimited && bytesInFlight + this.sizes.maxDatagramSize > this.cwnd) {
      // RFC 9002 §7.8: cwnd-limited again. RFC 9438 §5.8: t must not include the application-limited period.
      this.appLimited = false;
      if (this.hasEpoch && nowMs > this.appLimitedSinceMs) this.tEpochMs += nowMs - this.appLimitedSinceMs;
    }
  }

  onPacketAcked(nowMs: number, packet: SentPacketInfo, rtt: RttView, _bytesInFlight: number): void {
    const bytes = packet.sentBytes;
    if (!(bytes > 0)) return; // not in flight (or not a number): nothing to count
    this.anyAcked = true;
    this.ackedInFrame++;
    this.hy.onPacketAcked(packet.packetNumber);
    // RFC 9002 B.5 InCongestionRecovery: no growth for packets sent before the recovery period began.
    if (packet.timeSentMs <= this.recoveryStartMs) return;
    // RFC 9002 §7.3.2: the recovery period ends when a packet sent during it is acknowledged.
    this.recovering = false;
    // RFC 9002 §7.8, RFC 9438 §5.8: no growth while application-limited.
    if (this.appLimited) return;
    if (this.cwnd < this.ssthresh) this.slowStart(bytes);
    else this.congestionAvoidance(nowMs, bytes, rtt);
  }

  onAckProcessed(_nowMs: number, rtt: RttView, _bytesInFlight: number, rttSampled?: boolean): void {
    const acked = this.ackedInFrame;
    this.ackedInFrame = 0;
    this.slowStartBytesInFrame = 0;
    if (acked === 0 || !this.hy.active) return;
    // RFC 9406 §4.2: currRTT is "the RTT sampled from the latest incoming ACK": one sample per ACK that produced
    // one. An ACK whose largest acknowledged packet was not newly acknowledged produced none (RFC 9002 §5.1); the
    // RttView's latest_rtt is then an older sample and must not be counted again.
    const sampled = rtt.hasSample && rttSampled !== false;
    const transition = this.hy.onAck(sampled ? rtt.latestRttMs : undefined);
    if (transition === HyStartTransition.EXIT_TO_CONGESTION_AVOIDANCE) {
      // RFC 9406 §4.2: ssthresh = cwnd. RFC 9438 §4.10: cwnd_prior = cwnd; the first epoch gets K = 0 and
      // W_max = cwnd_epoch (W_max is still undefined here, so startEpoch does exactly that).
      this.ssthresh = this.cwnd;
      this.cwndPrior = this.cwnd;
    }
  }

  onCongestionEvent(nowMs: number, sentTimeMs: number, _lostBytes: number, _bytesInFlight: number): void {
    // RFC 9002 §7.3.2: one reduction per recovery period.
    if (sentTimeMs <= this.recoveryStartMs) return;
    this.saveUndoState();
    this.recoveryStartMs = nowMs;
    this.recovering = true;
    // RFC 9406 §4.2: loss or ECN-CE in slow start or CSS ends HyStart++; the reduction below applies.
    this.hy.stop();
    const cwnd = this.cwnd;
    // RFC 9438 §4.7 fast convergence (before the reduction).
    this.wMax = fastConvergenceWMax(cwnd, this.wMax, this.fastConvergence);
    // RFC 9438 §4.6: ssthresh = cwnd · β (the RFC allows cwnd in place of flight_size when, as here,
    // an underutilized window does not grow); cwnd_prior = cwnd; neither below the minimum window (RFC 9002 §7.2).
    this.cwndPrior = cwnd;
    this.ssthresh = Math.max(cwnd * BETA_CUBIC, this.sizes.minimumWindow);
    this.cwnd = this.ssthresh;
    // The next congestion avoidance stage starts a new epoch.
    this.hasEpoch = false;
  }

  onPersistentCongestion(_nowMs: number): void {
    // RFC 9438 §4.8: ssthresh from β_cubic — already set by the congestion event the transport reports for the
    // same losses (RFC 9002 B.8); set it here only if none was.
    if (this.ssthresh === Number.POSITIVE_INFINITY)
      this.ssthresh = Math.max(this.cwnd * BETA_CUBIC, this.sizes.minimumWindow);
    // RFC 9002 §7.6.2: collapse to the minimum window; B.8: forget the recovery period.
    this.cwnd = this.sizes.minimumWindow;
    this.recoveryStartMs = Number.NEGATIVE_INFINITY;
    this.recovering = false;
    // RFC 9438 §4.8: the first congestion avoidance stage after a timeout uses K = 0 and W_max = W_est = cwnd_epoch.
    this.hasEpoch = false;
    this.wMax = 0;
    // RFC 9406 §4.2: later slow starts are standard slow starts.
    this.hy.stop();
  }

  onSpuriousCongestion(_nowMs: number): void {
    if (!this.hasUndo) return;
    this.hasUndo = false;
    // RFC 9438 §4.9: if the window already regrew past its pre-reduction value, keep the current state.
    if (this.cwnd >= this.savedCwnd) return;
    this.cwnd = this.savedCwnd;
    this.ssthresh = this.savedSsthresh;
    this.cwndPrior = this.savedCwndPrior;
    this.wMax = this.savedWMax;
    this.k = this.savedK;
    this.hasEpoch = this.savedHasEpoch;
    this.tEpochMs = this.savedTEpochMs;
    this.cwndEpoch = this.savedCwndEpoch;
    this.wEst = this.savedWEst;
    this.recoveryStartMs = this.savedRecoveryStartMs;
    this.recovering = this.savedRecovering;
    this.hy.restore(this.savedHyPhase, this.savedHyBaselineMs, this.savedHyCssRounds);
  }

  onApplicationLimited(nowMs: number, bytesInFlight: number): void {
    // RFC 9002 §7.8: at least one datagram of window unused and nothing to send.
    if (!this.appLimited && bytesInFlight + this.sizes.maxDatagramSize <= this.cwnd) {
      this.appLimited = true;
      this.appLimitedSinceMs = nowMs;
    }
  }

  override onMaxDatagramSizeChanged(maxDatagramSizeBytes: number): void {
    // RFC 9002 §7.2: the windows follow the new size; a decrease while completing the handshake (nothing
    // acknowledged yet) restarts from the new initial window. CUBIC's W values are kept in bytes, so they need no
    // conversion.
    super.onMaxDatagramSizeChanged(maxDatagramSizeBytes);
    if (this.ssthresh < this.sizes.minimumWindow) this.ssthresh = this.sizes.minimumWindow;
  }

  pacingRateBytesPerSecond(rtt: RttView): number | undefined {
    // RFC 9002 §7.7: rate = N · cwnd / smoothed_rtt, with N = 2 while the window may still double per round trip
    // (slow start, CSS) and 1.25 otherwise.
    const gain = this.cwnd < this.ssthresh ? this.slowStartPacingGain : this.pacingGain;
    return pacingRateBytesPerSecond(gain, this.cwnd, rtt);
  }

  private slowStart(bytes: number): void {
    this.regionValue = 'slow_start';
    if (!this.hy.active) {
      // RFC 9002 §7.3.1 / RFC 9438 §4.10: standard slow start.
      this.cwnd += bytes;
      return;
    }
    // RFC 9406 §4.2: cwnd += min(N, L · SMSS) [/ CSS_GROWTH_DIVISOR in CSS], N = bytes newly acked by this ACK.
    let counted = bytes;
    if (this.lSegments !== Number.POSITIVE_INFINITY) {
      const room = this.lSegments * this.sizes.maxDatagramSize - this.slowStartBytesInFrame;
      counted = room <= 0 ? 0 : Math.min(bytes, room);
    }
    this.slowStartBytesInFrame += bytes;
    this.cwnd += counted / this.hy.growthDivisor;
  }

  private congestionAvoidance(nowMs: number, bytes: number, rtt: RttView): void {
    if (!this.hasEpoch) this.startEpoch(nowMs);
    const mds = this.sizes.maxDatagramSize;
    const cwnd = this.cwnd;
    // RFC 9438 §4.2: t = t_current − t_epoch; RTT is the smoothed RTT.
    const t = nowMs > this.tEpochMs ? (nowMs - this.tEpochMs) / 1000 : 0;
    const srtt = rtt.smoothedRttMs > 0 ? rtt.smoothedRttMs / 1000 : 0;
    // RFC 9438 §4.3 Figure 4: W_est += α · segments_acked / cwnd (α = 1 once W_est ≥ cwnd_prior).
    const alpha = this.wEst >= this.cwndPrior ? 1 : ALPHA_CUBIC;
    this.wEst += (alpha * bytes * mds) / cwnd;
    const wMaxSegments = this.wMax / mds;
    const wCubicNow = cubicWindow(t, this.k, wMaxSegments) * mds;
    if (wCubicNow < this.wEst) {
      // RFC 9438 §4.3: Reno-friendly region: cwnd = W_est (never below the current cwnd: W_cubic(t + RTT) may
      // have taken it above W_est already, and only congestion reduces a window).
      this.regionValue = 'reno_friendly';
      if (this.wEst > cwnd) this.cwnd = this.wEst;
      return;
    }
    // RFC 9438 §4.4 (cwnd < W_max, concave) and §4.5 (convex): cwnd += (target − cwnd) / cwnd per segment acked.
    const cwndSegments = cwnd / mds;
    const target = cubicTarget(cubicWindow(t + srtt, this.k, wMaxSegments), cwndSegments);
    this.regionValue = cwnd < this.wMax ? 'concave' : 'convex';
    this.cwnd = cwnd + ((target - cwndSegments) / cwndSegments) * bytes;
  }

  /** RFC 9438 §4.2/§4.3: a congestion avoidance stage begins. */
  private startEpoch(nowMs: number): void {
    this.hasEpoch = true;
    this.tEpochMs = nowMs;
    this.cwndEpoch = this.cwnd;
    if (this.wMax > this.cwndEpoch) {
      this.k = cubicK(this.wMax / this.sizes.maxDatagramSize, this.cwndEpoch / this.sizes.maxDatagramSize);
    } else {
      // RFC 9438 §4.8 / §4.10: an epoch at or above W_max (after a timeout, or a loss-free HyStart++ exit).
      this.k = 0;
      this.wMax = this.cwndEpoch;
    }
    // RFC 9438 §4.3: W_est = cwnd_epoch at the start of the congestion avoidance stage.
    this.wEst = this.cwndEpoch;
  }

  private saveUndoState(): void {
    this.hasUndo = true;
    this.savedCwnd = this.cwnd;
    this.savedSsthresh = this.ssthresh;
    this.savedCwndPrior = this.cwndPrior;
    this.savedWMax = this.wMax;
    this.savedK = this.k;
    this.savedHasEpoch = this.hasEpoch;
    this.savedTEpochMs = this.tEpochMs;
    this.savedCwndEpoch = this.cwndEpoch;
    this.savedWEst = this.wEst;
    this.savedRecoveryStartMs = this.recoveryStartMs;
    this.savedRecovering = this.recovering;
    this.savedHyPhase = this.hy.phase;
    this.savedHyBaselineMs = this.hy.cssBaselineMinRttMs;
    this.savedHyCssRounds = this.hy.cssRounds;
  }
}
