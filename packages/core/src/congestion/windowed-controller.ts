// RFC 9002 §7: the state every window-based congestion controller keeps, for controllers to extend.
import type {
  CongestionController,
  CongestionControllerOptions,
  CongestionState,
  SentPacketInfo,
} from '../contracts/congestion.js';
import type { RttView } from '../recovery/rtt-estimator.js';
import { DatagramWindowSizes } from './window.js';

/**
 * A base for window-based controllers (NewReno, CUBIC, your own): the congestion window, slow-start threshold,
 * RFC 9002 recovery period and §7.8 application-limited flag, the {@link CongestionController} getters that read
 * them, and the §7.2 reaction to a new max_datagram_size. A subclass implements the events — what its algorithm does
 * on an acknowledgement, a congestion event, persistent congestion — and its pacing rate.
 *
 * The fields are protected and plain (no accessors) so a subclass reads and writes them on the hot path directly.
 */
export abstract class WindowedCongestionController implements CongestionController {
  abstract readonly name: string;

  /** RFC 9002 §7.2 max_datagram_size and the minimum and initial windows that follow it. */
  protected readonly sizes: DatagramWindowSizes;
  /** congestion_window, bytes (RFC 9002 B.2); starts at kInitialWindow. */
  protected cwnd: number;
  /** ssthresh, bytes (RFC 9002 B.2); infinite until the first congestion event. */
  protected ssthresh = Number.POSITIVE_INFINITY;
  /** congestion_recovery_start_time (RFC 9002 B.2); -Infinity when no recovery period has started. */
  protected recoveryStartMs = Number.NEGATIVE_INFINITY;
  /** In a recovery period until a packet sent during it is acknowledged (RFC 9002 §7.3.2). */
  protected recovering = false;
  /** Window growth held because the window is underutilized (RFC 9002 §7.8). */
  protected appLimited = false;
  /** Whether anything was acknowledged yet (a shrinking datagram size before that restarts the window). */
  protected anyAcked = false;

  /** Throws CongestionOptionsError for options outside their domain. */
  constructor(options: CongestionControllerOptions) {
    this.sizes = new DatagramWindowSizes(options);
    // RFC 9002 §7.2 / B.3: congestion_window = kInitialWindow.
    this.cwnd = this.sizes.initialWindow;
  }

  get windowBytes(): number {
    return this.cwnd;
  }

  get slowStartThresholdBytes(): number {
    return this.ssthresh;
  }

  get state(): CongestionState {
    if (this.recovering) return 'recovery';
    if (this.appLimited) return 'application_limited';
    return this.cwnd < this.ssthresh ? 'slow_start' : 'congestion_avoidance';
  }

  /** RFC 9002 §7.2 kMinimumWindow for the current max_datagram_size. */
  get minimumWindowBytes(): number {
    return this.sizes.minimumWindow;
  }

  /** RFC 9002 §7.2 kInitialWindow for the current max_datagram_size. */
  get initialWindowBytes(): number {
    return this.sizes.initialWindow;
  }

  get maxDatagramSizeBytes(): number {
    return this.sizes.maxDatagramSize;
  }

  /** RFC 9002 §7.8: whether window growth is currently held because the window is underutilized. */
  get isApplicationLimited(): boolean {
    return this.appLimited;
  }

  /** RFC 9002 B.2 congestion_recovery_start_time; -Infinity before the first congestion event. */
  get recoveryStartTimeMs(): number {
    return this.recoveryStartMs;
  }

  onMaxDatagramSizeChanged(maxDatagramSizeBytes: number): void {
    // RFC 9002 §7.2: the windows follow the new size; if it shrank to complete the handshake (nothing acknowledged
    // yet), restart from the new initial window.
    const sizes = this.sizes;
    if (sizes.resize(maxDatagramSizeBytes) && !this.anyAcked) this.cwnd = sizes.initialWindow;
    if (this.cwnd < sizes.minimumWindow) this.cwnd = sizes.minimumWindow;
  }

  abstract onPacketSent(nowMs: number, packet: SentPacketInfo, bytesInFlight: number): void;
  abstract onPacketAcked(nowMs: number, packet: SentPacketInfo, rtt: RttView, bytesInFlight: number): void;
  abstract onAckProcessed(nowMs: number, rtt: RttView, bytesInFlight: number, rttSampled?: boolean): void;
  abstract onCongestionEvent(nowMs: number, sentTimeMs: number, lostBytes: number, bytesInFlight: number): void;
  abstract onPersistentCongestion(nowMs: number): void;
  abstract onSpuriousCongestion(nowMs: number): void;
  abstract onApplicationLimited(nowMs: number, bytesInFlight: number): void;
  abstract pacingRateBytesPerSecond(rtt: RttView): number | undefined;
}
