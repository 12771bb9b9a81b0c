/** The smallest datagram size QUIC paths must carry (RFC 9000 §14). */
export const MIN_DATAGRAM_SIZE = 1200;

/**
 * Datagram Packetization Layer PMTU Discovery (RFC 9000 §14.3, RFC 8899) in its simplest useful form: after the
 * handshake is confirmed, probe the largest size allowed (our ceiling and the peer's max_udp_payload_size) with a
 * PING + PADDING packet; if it is acknowledged, use it; if it is lost, search between what works and what failed.
 * Probe loss never counts as congestion (RFC 9000 §14.4: the loss detector marks probes).
 */
export class Pmtud {
  /** The datagram size in use. */
  current = MIN_DATAGRAM_SIZE;
  private ceiling: number;
  /** Smallest size known not to pass. */
  private failed = Number.POSITIVE_INFINITY;
  private inFlight: number | undefined = undefined;
  private searchDone: boolean;
  /** Sizes closer than this to the known bounds are not worth another probe. */
  private static readonly STEP = 16;

  constructor(ceilingBytes: number, enabled: boolean) {
    this.ceiling = Math.max(MIN_DATAGRAM_SIZE, Math.floor(ceilingBytes));
    this.searchDone = !enabled || this.ceiling <= MIN_DATAGRAM_SIZE;
  }

  /** The peer's max_udp_payload_size also caps the search (RFC 9000 §18.2). */
  limitTo(bytes: number): void {
    if (bytes < this.ceiling) this.ceiling = Math.max(MIN_DATAGRAM_SIZE, bytes);
    if (this.current > this.ceiling) this.current = this.ceiling;
  }

  /** The size to probe next, or undefined when no probe is due. */
  nextProbe(): number | undefined {
    if (this.searchDone || this.inFlight !== undefined) return undefined;
    const upper = Math.min(this.ceiling, this.failed - 1);
    if (upper - this.current < Pmtud.STEP) {
      this.searchDone = true;
      return undefined;
    }
    // First the ceiling (usually right), then bisection.
    return this.failed === Number.POSITIVE_INFINITY ? upper : Math.floor((this.current + upper) / 2);
  }

  onProbeSent(size: number): void {
    this.inFlight = size;
  }

  /** Returns the new datagram size when it grew. */
  onProbeAcked(size: number): number | undefined {
    if (this.inFlight === size) this.inFlight = undefined;
    if (size <= this.current) return undefined;
    this.current = size;
    return size;
  }

  onProbeLost(size: number): void {
    if (this.inFlight === size) this.inFlight = undefined;
    if (size < this.failed) this.failed = size;
  }

  /** A new path: start over from the minimum (RFC 9000 §14.2.1, §9.4). */
  reset(enabled: boolean): void {
    this.current = MIN_DATAGRAM_SIZE;
    this.failed = Number.POSITIVE_INFINITY;
    this.inFlight = undefined;
    this.searchDone = !enabled || this.ceiling <= MIN_DATAGRAM_SIZE;
  }
}
