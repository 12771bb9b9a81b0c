// RFC 9002 §7.2: initial and minimum congestion windows, and validation of the options every controller shares.
import type { CongestionControllerOptions } from '../contracts/congestion.js';
import { FosError } from '../errors.js';
import type { RttView } from '../recovery/rtt-estimator.js';

/** RFC 9002 §7.2: the initial window is 10 datagrams… */
export const DEFAULT_INITIAL_WINDOW_PACKETS = 10;
/** …limited to the larger of 14,720 bytes or twice the maximum datagram size (RFC 9002 §7.2). */
export const INITIAL_WINDOW_LIMIT_BYTES = 14_720;
/** RFC 9002 §7.2: the RECOMMENDED minimum window is 2 · max_datagram_size. */
export const DEFAULT_MINIMUM_WINDOW_PACKETS = 2;

/** An option handed to a controller (or a hook's datagram size) is outside its domain. */
export class CongestionOptionsError extends FosError {
  /** The offending option's name. */
  readonly option: string;
  constructor(option: string, value: unknown) {
    super(`invalid congestion controller option ${option}: ${String(value)}`);
    this.option = option;
  }
}

/** Throws CongestionOptionsError unless `value` is a finite number ≥ `min`. */
export function checkOption(option: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
    throw new CongestionOptionsError(option, value);
  return value;
}

/**
 * RFC 9002 §7.2 initial window in bytes: min(10 · max_datagram_size, max(14720, 2 · max_datagram_size)).
 * An explicit `initialWindowPackets` replaces the RFC's default (it is a deliberate choice, e.g. for a lab), but
 * is never below the minimum window.
 */
export function initialWindowBytes(
  maxDatagramSizeBytes: number,
  initialWindowPackets: number | undefined,
  minimumWindowBytes: number,
): number {
  if (initialWindowPackets === undefined) {
    return Math.min(
      DEFAULT_INITIAL_WINDOW_PACKETS * maxDatagramSizeBytes,
      Math.max(INITIAL_WINDOW_LIMIT_BYTES, 2 * maxDatagramSizeBytes),
    );
  }
  return Math.max(initialWindowPackets * maxDatagramSizeBytes, minimumWindowBytes);
}

/**
 * The RFC 9002 §7.2 window sizes that follow max_datagram_size, for a controller to keep one of: the validated
 * `CongestionControllerOptions` and the minimum and initial windows in bytes, recomputed by {@link resize} when
 * the datagram size changes (DPLPMTUD, or a smaller size to complete the handshake).
 */
export class DatagramWindowSizes {
  /** Current max_datagram_size in bytes. */
  maxDatagramSize: number;
  /** RFC 9002 §7.2 kMinimumWindow in bytes. */
  minimumWindow = 0;
  /** RFC 9002 §7.2 kInitialWindow in bytes. */
  initialWindow = 0;
  private readonly minimumWindowPackets: number;
  private readonly initialWindowPackets: number | undefined;

  /** Throws CongestionOptionsError for a size or packet count outside its domain. */
  constructor(
    options: Pick<
      CongestionControllerOptions,
      'maxDatagramSizeBytes' | 'minimumWindowPackets' | 'initialWindowPackets'
    >,
  ) {
    this.maxDatagramSize = checkOption('maxDatagramSizeBytes', options.maxDatagramSizeBytes, 1);
    this.minimumWindowPackets = checkOption(
      'minimumWindowPackets',
      options.minimumWindowPackets ?? DEFAULT_MINIMUM_WINDOW_PACKETS,
      1,
    );
    this.initialWindowPackets =
      options.initialWindowPackets === undefined
        ? undefined
        : checkOption('initialWindowPackets', options.initialWindowPackets, 1);
    this.compute();
  }

  /**
   * RFC 9002 §7.2: takes a new max_datagram_size and recalculates both windows. Returns whether the size decreased
   * (a controller that has had nothing acknowledged then restarts from the new initial window). Throws
   * CongestionOptionsError for a size that is not a finite number ≥ 1.
   */
  resize(maxDatagramSizeBytes: number): boolean {
    if (!(Number.isFinite(maxDatagramSizeBytes) && maxDatagramSizeBytes >= 1)) {
      throw new CongestionOptionsError('maxDatagramSizeBytes', maxDatagramSizeBytes);
    }
    const decreased = maxDatagramSizeBytes < this.maxDatagramSize;
    this.maxDatagramSize = maxDatagramSizeBytes;
    this.compute();
    return decreased;
  }

  private compute(): void {
    this.minimumWindow = this.minimumWindowPackets * this.maxDatagramSize;
    this.initialWindow = initialWindowBytes(this.maxDatagramSize, this.initialWindowPackets, this.minimumWindow);
  }
}

/**
 * RFC 9002 §7.7 pacing rate in bytes per second: `gain · cwnd / smoothed_rtt`. Undefined without an RTT sample or
 * on a zero RTT, and when the rate overflows (a subnormal RTT): there is nothing meaningful to pace by, and the
 * window may go out as one burst.
 */
export function pacingRateBytesPerSecond(gain: number, cwndBytes: number, rtt: RttView): number | undefined {
  const srtt = rtt.smoothedRttMs;
  if (!rtt.hasSample || !(srtt > 0)) return undefined;
  const rate = (gain * cwndBytes * 1000) / srtt;
  return rate < Number.POSITIVE_INFINITY ? rate : undefined;
}
