// A delegating CongestionController that records when the wrapped controller left slow start, when it first
// reacted to congestion, and (for CUBIC) when HyStart++ entered Conservative Slow Start. Lab instrumentation only.
import type {
  CongestionController,
  CongestionControllerFactory,
  CongestionControllerOptions,
  CongestionState,
  RttView,
  SentPacketInfo,
} from '@fos/core';

/** The milestones of one controller's life (ms of virtual time; NaN = never happened). */
export interface ControllerMilestones {
  /** First `onCongestionEvent` call (the sender detected a loss or ECN-CE). */
  firstCongestionEventMs: number;
  /** First time the slow-start threshold became finite: the initial slow start ended (loss or HyStart++ exit). */
  slowStartExitMs: number;
  /** Window when the initial slow start ended, bytes. */
  slowStartExitWindowBytes: number;
  /** RFC 9406 §4.2 "exit slow start and enter CSS": first time HyStart++ reported Conservative Slow Start. */
  cssEnteredMs: number;
  /** Calls of `onCongestionEvent` that reduced the window. */
  windowReductions: number;
  /** Calls of `onPersistentCongestion`. */
  persistentCongestions: number;
  /** Calls of `onSpuriousCongestion`. */
  spuriousCongestions: number;
}

/** What the lab can read from a CUBIC controller without depending on its class. */
interface HyStartView {
  readonly hystartPhase: string;
}

function hasHyStart(c: CongestionController): c is CongestionController & HyStartView {
  return typeof (c as Partial<HyStartView>).hystartPhase === 'string';
}

/**
 * Wraps one controller. Every hook is forwarded unchanged (same arguments, same order); the milestones are read
 * from the wrapped controller's public state after the hooks that can change it.
 */
export class TracedController implements CongestionController {
  readonly milestones: ControllerMilestones = {
    firstCongestionEventMs: Number.NaN,
    slowStartExitMs: Number.NaN,
    slowStartExitWindowBytes: Number.NaN,
    cssEnteredMs: Number.NaN,
    windowReductions: 0,
    persistentCongestions: 0,
    spuriousCongestions: 0,
  };
  /** The latest RTT sample the transport handed to the controller (ms; NaN before the first). */
  latestRttMs = Number.NaN;
  private readonly hystart: boolean;

  constructor(readonly inner: CongestionController) {
    this.hystart = hasHyStart(inner);
  }

  get name(): string {
    return this.inner.name;
  }
  get windowBytes(): number {
    return this.inner.windowBytes;
  }
  get slowStartThresholdBytes(): number {
    return this.inner.slowStartThresholdBytes;
  }
  get state(): CongestionState {
    return this.inner.state;
  }

  onPacketSent(nowMs: number, packet: SentPacketInfo, bytesInFlight: number): void {
    this.inner.onPacketSent(nowMs, packet, bytesInFlight);
  }

  onPacketAcked(nowMs: number, packet: SentPacketInfo, rtt: RttView, bytesInFlight: number): void {
    this.inner.onPacketAcked(nowMs, packet, rtt, bytesInFlight);
  }

  onAckProcessed(nowMs: number, rtt: RttView, bytesInFlight: number, rttSampled?: boolean): void {
    this.inner.onAckProcessed(nowMs, rtt, bytesInFlight, rttSampled);
    if (rtt.hasSample) this.latestRttMs = rtt.latestRttMs;
    this.observe(nowMs);
  }

  onCongestionEvent(nowMs: number, sentTimeMs: number, lostBytes: number, bytesInFlight: number): void {
    const m = this.milestones;
    if (Number.isNaN(m.firstCongestionEventMs)) m.firstCongestionEventMs = nowMs;
    const before = this.inner.windowBytes;
    if (Number.isNaN(m.slowStartExitMs)) m.slowStartExitWindowBytes = before;
    this.inner.onCongestionEvent(nowMs, sentTimeMs, lostBytes, bytesInFlight);
    if (this.inner.windowBytes < before) m.windowReductions++;
    this.observe(nowMs);
  }

  onPersistentCongestion(nowMs: number): void {
    this.milestones.persistentCongestions++;
    this.inner.onPersistentCongestion(nowMs);
    this.observe(nowMs);
  }

  onSpuriousCongestion(nowMs: number): void {
    this.milestones.spuriousCongestions++;
    this.inner.onSpuriousCongestion(nowMs);
  }

  onApplicationLimited(nowMs: number, bytesInFlight: number): void {
    this.inner.onApplicationLimited(nowMs, bytesInFlight);
  }

  onMaxDatagramSizeChanged(maxDatagramSizeBytes: number): void {
    this.inner.onMaxDatagramSizeChanged(maxDatagramSizeBytes);
  }

  pacingRateBytesPerSecond(rtt: RttView): number | undefined {
    return this.inner.pacingRateBytesPerSecond(rtt);
  }

  private observe(nowMs: number): void {
    const m = this.milestones;
    if (Number.isNaN(m.slowStartExitMs) && this.inner.slowStartThresholdBytes < Number.POSITIVE_INFINITY) {
      m.slowStartExitMs = nowMs;
      // A HyStart++ exit sets ssthresh = cwnd (RFC 9406 §4.2); a loss recorded the window before its reduction.
      if (Number.isNaN(m.slowStartExitWindowBytes)) m.slowStartExitWindowBytes = this.inner.windowBytes;
    }
    if (this.hystart && Number.isNaN(m.cssEnteredMs)) {
      if ((this.inner as unknown as HyStartView).hystartPhase === 'conservative_slow_start') m.cssEnteredMs = nowMs;
    }
  }
}

/** Wraps a factory so that every controller it creates is a {@link TracedController} (kept in `created`). */
export class TracedFactory implements CongestionControllerFactory {
  readonly created: TracedController[] = [];

  constructor(readonly inner: CongestionControllerFactory) {}

  get name(): string {
    return this.inner.name;
  }

  create(options: CongestionControllerOptions): CongestionController {
    const traced = new TracedController(this.inner.create(options));
    this.created.push(traced);
    return traced;
  }
}
