// A user-written congestion controller: a fixed window. It shows the whole plugin contract in one page — implement
// `CongestionController`, wrap it in a `CongestionControllerFactory`, register the factory under the token of the same
// name — and it is the lab's "what if we did no congestion control at all" baseline.
//
// DO NOT USE IT ON A SHARED NETWORK: it ignores loss (RFC 9002 §7 requires a reaction) and never probes for more.
import {
  type CongestionController,
  CongestionControllerFactory,
  type CongestionControllerOptions,
  type CongestionState,
  type DependencyContainer,
  type RttView,
  type SentPacketInfo,
} from '@fos/core';

/** Options of the fixed-window controller. */
export interface FixedWindowOptions {
  /** The window, in datagrams of max_datagram_size. Default 64. */
  readonly windowPackets?: number;
  /** Pace at 1.25 · window / smoothed RTT (RFC 9002 §7.7's N), or send in bursts. Default true. */
  readonly paced?: boolean;
}

/** Pacing gain over window / smoothed RTT (RFC 9002 §7.7 N). */
const PACING_GAIN = 1.25;

/** A constant congestion window: every hook is a no-op except a datagram size change, which rescales it. */
export class FixedWindowController implements CongestionController {
  readonly name = 'fixed-window';
  readonly state: CongestionState = 'congestion_avoidance';
  private window: number;

  constructor(
    mds: number,
    private readonly windowPackets: number,
    private readonly paced: boolean,
  ) {
    this.window = windowPackets * mds;
  }

  get windowBytes(): number {
    return this.window;
  }

  /** Never in slow start: the threshold is the window itself. */
  get slowStartThresholdBytes(): number {
    return this.window;
  }

  onPacketSent(_nowMs: number, _packet: SentPacketInfo, _bytesInFlight: number): void {}
  onPacketAcked(_nowMs: number, _packet: SentPacketInfo, _rtt: RttView, _bytesInFlight: number): void {}
  onAckProcessed(_nowMs: number, _rtt: RttView, _bytesInFlight: number, _rttSampled?: boolean): void {}
  onCongestionEvent(_nowMs: number, _sentTimeMs: number, _lostBytes: number, _bytesInFlight: number): void {}
  onPersistentCongestion(_nowMs: number): void {}
  onSpuriousCongestion(_nowMs: number): void {}
  onApplicationLimited(_nowMs: number, _bytesInFlight: number): void {}

  onMaxDatagramSizeChanged(maxDatagramSizeBytes: number): void {
    this.window = this.windowPackets * maxDatagramSizeBytes;
  }

  pacingRateBytesPerSecond(rtt: RttView): number | undefined {
    if (!this.paced || !rtt.hasSample || !(rtt.smoothedRttMs > 0)) return undefined;
    return (PACING_GAIN * this.window * 1000) / rtt.smoothedRttMs;
  }
}

/** Creates one {@link FixedWindowController} per connection path. */
export class FixedWindowFactory implements CongestionControllerFactory {
  readonly name = 'fixed-window';
  readonly windowPackets: number;
  private readonly paced: boolean;

  constructor(options: FixedWindowOptions = {}) {
    const n = options.windowPackets ?? 64;
    if (!(Number.isFinite(n) && n >= 2)) throw new RangeError(`windowPackets must be a number ≥ 2, got ${n}`);
    this.windowPackets = n;
    this.paced = options.paced ?? true;
  }

  create(options: CongestionControllerOptions): CongestionController {
    return new FixedWindowController(options.maxDatagramSizeBytes, this.windowPackets, this.paced);
  }
}

/** Registers the fixed-window controller: the same one line as `registerCubic(c)` or `registerNewReno(c)`. */
export function registerFixedWindow(
  container: DependencyContainer,
  options: FixedWindowOptions = {},
): DependencyContainer {
  container.register(CongestionControllerFactory, { useValue: new FixedWindowFactory(options) });
  return container;
}
