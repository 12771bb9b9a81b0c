import { type HeapNode, RingQueue } from '@fos/core';
import type { Connection } from '../connection/connection.js';
import type { ConnectionEvent } from '../connection/events.js';

/** What {@link Endpoint.pollEvent} reports. */
export type EndpointEvent =
  /** A server accepted a new client: its first Initial created `connection` (its handshake is under way). */
  | { readonly type: 'incoming'; readonly connection: EndpointConnection }
  /** `connection` has events to drain with `connection.pollEvent()`. */
  | { readonly type: 'events'; readonly connection: EndpointConnection };

/**
 * One connection as the {@link Endpoint} holds it: the sans-I/O {@link Connection} plus the endpoint's bookkeeping
 * (routing entries, place in the deadline heap and in the send round-robin) and the connection's events, kept for
 * the application once the endpoint has looked at them (it needs `cid-issued`, `cid-retired` and `closed` itself).
 *
 * After calling a method of `connection` from outside the endpoint (write, read, close …), call
 * `endpoint.touch(handle)` so the endpoint collects its events, sends what it now wants to send and re-reads its
 * deadline.
 */
export class EndpointConnection implements HeapNode {
  /** Slot for the layer above (the API object of this connection). The endpoint never reads it. */
  context: unknown = undefined;

  // ---- endpoint bookkeeping (package-internal) ----
  /** @internal Deadline heap key (the connection's `pollTimeout()`). */ key = 0;
  /** @internal */ seq = 0;
  /** @internal */ heapIndex = -1;
  /** @internal In the send round-robin. */ inReady = false;
  /** @internal Deadline to re-read. */ dirty = false;
  /** @internal `now` of the last `handleTimeout` call on the connection. */ timedOutAt = Number.NEGATIVE_INFINITY;
  /** @internal An `events` signal is queued. */ signaled = false;
  /** @internal Closed and released. */ removed = false;
  /** @internal A server handshake counted against the limit. */ handshaking = false;
  /** @internal The CIDs routed to this connection (ours, plus a server's first client DCID). */
  readonly cids: Uint8Array[] = [];
  /** @internal Key of the address index. */ addressKey = '';
  /** @internal */ readonly events = new RingQueue<ConnectionEvent>(8);
  /** @internal The reusable `events` signal. */ readonly signal: EndpointEvent;

  constructor(
    readonly connection: Connection,
    readonly role: 'client' | 'server',
  ) {
    this.signal = { type: 'events', connection: this };
  }

  /** The next event of the connection (in the order the connection emitted them). */
  pollEvent(): ConnectionEvent | undefined {
    return this.events.shift();
  }

  /** Whether the endpoint released this connection (it closed). */
  get isRemoved(): boolean {
    return this.removed;
  }
}
