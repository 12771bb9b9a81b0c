// RFC 9002 §7.2: initial and minimum congestion windows, and validation of the options every controller shares.
import { FosError } from '../errors.js';

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
