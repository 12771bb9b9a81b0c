import type { DropCause } from './link.js';

/**
 * What happened to a datagram: `scheduled` (it passed the link and will arrive at `deliverAt`), `delivered`
 * (handed to the bound socket), or the cause it was dropped for.
 */
export type NetworkFate = 'scheduled' | 'delivered' | DropCause;

/**
 * One trace record. A datagram gets one record when it is sent (`scheduled` or a drop cause; a duplicate gets a
 * second `scheduled` record with `duplicate: true`) and one when each copy arrives (`delivered` or `unbound`).
 * Two runs with the same seed, the same link conditions and the same sends produce identical traces.
 */
export interface NetworkTraceEvent {
  /** Clock time of the event (send time, or arrival time). */
  readonly time: number;
  /** Datagram number, network-wide in send order; a duplicate shares its original's id. */
  readonly id: number;
  /** Source `address:port` (`[v6]:port` for IPv6) as the network sees it (after any rebinding). */
  readonly from: string;
  /** Destination `address:port`. */
  readonly to: string;
  /** UDP payload bytes. */
  readonly size: number;
  readonly fate: NetworkFate;
  /** Scheduled arrival time; undefined for a datagram dropped when sent. */
  readonly deliverAt: number | undefined;
  /** Time spent waiting in the bottleneck queue (0 without a rate limit or when dropped before it). */
  readonly queueDelayMs: number;
  /** This record is about the duplicate copy. */
  readonly duplicate: boolean;
  /** The datagram was held back by the reordering delay. */
  readonly reordered: boolean;
  /** This copy had one bit flipped. */
  readonly corrupted: boolean;
}
