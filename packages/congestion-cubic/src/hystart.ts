// HyStart++ (RFC 9406): a delay-based exit from the initial slow start, through Conservative Slow Start (CSS).

/** RFC 9406 §4.3: lower clamp of the RTT increase threshold, in ms. */
export const MIN_RTT_THRESH_MS = 4;
/** RFC 9406 §4.3: upper clamp of the RTT increase threshold, in ms. */
export const MAX_RTT_THRESH_MS = 16;
/** RFC 9406 §4.3: the threshold is lastRoundMinRTT / MIN_RTT_DIVISOR before clamping. */
export const MIN_RTT_DIVISOR = 8;
/** RFC 9406 §4.3: RTT samples a round needs before its minimum is trusted. */
export const N_RTT_SAMPLE = 8;
/** RFC 9406 §4.3: CSS grows the window at 1/CSS_GROWTH_DIVISOR of slow start's rate. */
export const CSS_GROWTH_DIVISOR = 4;
/** RFC 9406 §4.3: rounds of CSS before entering congestion avoidance. */
export const CSS_ROUNDS = 5;
/** RFC 9406 §4.3: L, the per-ACK growth limit in segments when not paced (infinite when paced). */
export const NON_PACED_L = 8;

/** Where HyStart++ has the initial slow start. */
export type HyStartPhase = 'slow_start' | 'conservative_slow_start' | 'done';

/** What one ACK did to the HyStart++ state (returned by `onAck`). */
export const HyStartTransition = {
  NONE: 0,
  /** RFC 9406 §4.2: the round's minimum RTT rose by the threshold: slow start → CSS. */
  ENTER_CSS: 1,
  /** RFC 9406 §4.2: the RTT fell back below the CSS baseline: the exit was spurious, CSS → slow start. */
  RESUME_SLOW_START: 2,
  /** RFC 9406 §4.2: CSS_ROUNDS rounds of CSS completed: set ssthresh = cwnd (congestion avoidance). */
  EXIT_TO_CONGESTION_AVOIDANCE: 3,
} as const;
export type HyStartTransition = (typeof HyStartTransition)[keyof typeof HyStartTransition];

/** RFC 9406 §4.2: RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH)). */
export function rttThresholdMs(lastRoundMinRttMs: number): number {
  return Math.max(MIN_RTT_THRESH_MS, Math.min(lastRoundMinRttMs / MIN_RTT_DIVISOR, MAX_RTT_THRESH_MS));
}

/**
 * HyStart++ round and delay tracking (RFC 9406 §4.2) for QUIC packet numbers. The owner feeds every sent and
 * acknowledged packet number and, once per ACK frame, the RTT sample it produced; it applies the window growth
 * (`growthDivisor`) and acts on the returned transitions.
 *
 * Rounds: `windowEnd` is the first packet number sent after the round started (QUIC's SND.NXT). A round ends when
 * a packet numbered at or above it is acknowledged; the next round starts at that ACK, whose sample — and those of
 * the rest of the round — measure packets sent during the round that just ended. The round in which CSS is entered
 * counts as the first of its CSS_ROUNDS.
 */
export class HyStart {
  private phaseValue: HyStartPhase = 'slow_start';
  private nextPacketNumber = 0;
  /** RFC 9406 windowEnd; initialised to SND.NXT (packet number 0 on a new path). */
  private windowEnd = 0;
  private roundEnded = false;
  /** RFC 9406 §4.2 lastRoundMinRTT (ms). */
  lastRoundMinRttMs = Number.POSITIVE_INFINITY;
  /** RFC 9406 §4.2 currentRoundMinRTT (ms). */
  currentRoundMinRttMs = Number.POSITIVE_INFINITY;
  /** RFC 9406 §4.2 rttSampleCount. */
  rttSampleCount = 0;
  /** RFC 9406 §4.2 cssBaselineMinRtt (ms). */
  cssBaselineMinRttMs = Number.POSITIVE_INFINITY;
  /** Rounds completed since CSS was entered. */
  cssRounds = 0;
  /** Rounds started since the path was created (diagnostics). */
  rounds = 0;

  get phase(): HyStartPhase {
    return this.phaseValue;
  }

  /** Whether HyStart++ still governs the slow start (false after any congestion event or persistent congestion). */
  get active(): boolean {
    return this.phaseValue !== 'done';
  }

  /** RFC 9406 §4.2: the divisor of slow-start growth: 1 in slow start, CSS_GROWTH_DIVISOR in CSS. */
  get growthDivisor(): number {
    return this.phaseValue === 'conservative_slow_start' ? CSS_GROWTH_DIVISOR : 1;
  }

  onPacketSent(packetNumber: number): void {
    if (packetNumber >= this.nextPacketNumber) this.nextPacketNumber = packetNumber + 1;
  }

  onPacketAcked(packetNumber: number): void {
    // RFC 9406 §4.2: the round ends when windowEnd is acknowledged.
    if (packetNumber >= this.windowEnd) this.roundEnded = true;
  }

  /**
   * End of one ACK frame. `rttSampleMs` is the RTT sample that ACK produced, or undefined if it produced none.
   * Returns the transition the owner must apply.
   */
  onAck(rttSampleMs: number | undefined): HyStartTransition {
    if (this.phaseValue === 'done') return HyStartTransition.NONE;
    if (this.roundEnded) {
      this.roundEnded = false;
      if (this.phaseValue === 'conservative_slow_start' && ++this.cssRounds >= CSS_ROUNDS) {
        // RFC 9406 §4.2: "If CSS_ROUNDS rounds are complete, enter congestion avoidance".
        this.phaseValue = 'done';
        return HyStartTransition.EXIT_TO_CONGESTION_AVOIDANCE;
      }
      // RFC 9406 §4.2: at the start of each round in slow start and CSS.
      this.lastRoundMinRttMs = this.currentRoundMinRttMs;
      this.currentRoundMinRttMs = Number.POSITIVE_INFINITY;
      this.rttSampleCount = 0;
      this.windowEnd = this.nextPacketNumber;
      this.rounds++;
    }
    if (rttSampleMs !== undefined && rttSampleMs >= 0) {
      // RFC 9406 §4.2: keep track of the minimum observed RTT of the round.
      if (rttSampleMs < this.currentRoundMinRttMs) this.currentRoundMinRttMs = rttSampleMs;
      this.rttSampleCount++;
    }
    if (this.rttSampleCount < N_RTT_SAMPLE) return HyStartTransition.NONE;
    if (this.phaseValue === 'slow_start') {
      // RFC 9406 §4.2: a delay increase of at least RttThresh over the last round triggers the exit into CSS.
      if (
        this.currentRoundMinRttMs !== Number.POSITIVE_INFINITY &&
        this.lastRoundMinRttMs !== Number.POSITIVE_INFINITY &&
        this.currentRoundMinRttMs >= this.lastRoundMinRttMs + rttThresholdMs(this.lastRoundMinRttMs)
      ) {
        this.cssBaselineMinRttMs = this.currentRoundMinRttMs;
        this.cssRounds = 0;
        this.phaseValue = 'conservative_slow_start';
        return HyStartTransition.ENTER_CSS;
      }
    } else if (this.currentRoundMinRttMs < this.cssBaselineMinRttMs) {
      // RFC 9406 §4.2: the RTT fell below the baseline — the exit was spurious; resume slow start (with HyStart++).
      this.cssBaselineMinRttMs = Number.POSITIVE_INFINITY;
      this.cssRounds = 0;
      this.phaseValue = 'slow_start';
      return HyStartTransition.RESUME_SLOW_START;
    }
    return HyStartTransition.NONE;
  }

  /**
   * RFC 9406 §4.2: loss or ECN-CE during slow start or CSS ends HyStart++ (the controller reduces as usual), and
   * RFC 9406 §4.2 uses HyStart++ only for the initial slow start: later slow starts (after persistent congestion)
   * are standard.
   */
  stop(): void {
    this.phaseValue = 'done';
    this.cssBaselineMinRttMs = Number.POSITIVE_INFINITY;
  }

  /** Restores the phase saved before a reduction that proved spurious (RFC 9438 §4.9); rounds keep running. */
  restore(phase: HyStartPhase, cssBaselineMinRttMs: number, cssRounds: number): void {
    this.phaseValue = phase;
    this.cssBaselineMinRttMs = cssBaselineMinRttMs;
    this.cssRounds = cssRounds;
  }
}
