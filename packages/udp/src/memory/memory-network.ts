import {
  type AddressFamily,
  type BufferAllocator,
  type Clock,
  formatAddress,
  type HeapNode,
  MinHeap,
  PoolAllocator,
  type SocketAddress,
  SocketError,
  type Timer,
} from '@fos/core';
import { type Observable, Subject } from 'rxjs';
import type { Seed } from '../random/seeded-random.js';
import { SocketErrorCode } from '../socket-errors.js';
import { DropCause, Link, type LinkStats } from './link.js';
import { type LinkConditions, type ResolvedLinkConditions, resolveLinkConditions } from './link-conditions.js';
import { hostFamily, MemorySocket } from './memory-socket.js';
import type { NetworkFate, NetworkTraceEvent } from './network-trace.js';

/** First port handed out for `bind({ port: 0 })` (the IANA dynamic range, RFC 6335 §6). */
export const EPHEMERAL_PORT_FIRST = 49_152;
const EPHEMERAL_PORT_LAST = 65_535;
/** Recycled delivery records kept for reuse. */
const MAX_FREE_DELIVERIES = 4096;

export interface MemoryNetworkOptions {
  /** Time base: normally a `VirtualClock` (deterministic, as fast as the CPU); a `SystemClock` runs in real time. */
  readonly clock: Clock;
  /** Seed of every link's random stream. Default 0. */
  readonly seed?: Seed;
  /** Where datagram buffers come from (and `sendPooled` buffers must come from). Default: a new PoolAllocator. */
  readonly allocator?: BufferAllocator;
  /** Conditions of every link until `setLink` changes them. Default: a clean link. */
  readonly defaultLink?: LinkConditions;
  /** Called synchronously with every trace record (cheaper than subscribing to `trace$`). */
  readonly onTrace?: (event: NetworkTraceEvent) => void;
}

/** @internal A host: an address and the sockets bound on it. */
export class HostState {
  readonly family: AddressFamily;
  readonly ports = new Map<number, MemorySocket>();
  nextEphemeral = EPHEMERAL_PORT_FIRST;

  constructor(readonly address: string) {
    this.family = hostFamily(address);
  }
}

/** @internal A link together with the host it leads to. */
export interface Route {
  readonly link: Link;
  readonly toHost: HostState;
}

/** A datagram copy on its way; recycled through a free list. */
class Delivery implements HeapNode {
  key = 0;
  seq = 0;
  heapIndex = -1;
  id = 0;
  buffer: Uint8Array = EMPTY;
  length = 0;
  pooled = false;
  source: SocketAddress = NO_ADDRESS;
  route: Route | undefined = undefined;
  toPort = 0;
  queueDelay = 0;
  duplicate = false;
  reordered = false;
  corrupted = false;
}
const EMPTY = new Uint8Array(0);
const NO_ADDRESS: SocketAddress = { address: '', port: 0, family: 'IPv4' };

function flipBit(buffer: Uint8Array, bit: number): void {
  buffer[bit >>> 3] ^= 0x80 >>> (bit & 7);
}

function formatHostPort(host: HostState, port: number): string {
  return host.family === 'IPv6' ? `[${host.address}]:${port}` : `${host.address}:${port}`;
}

/**
 * An in-process simulated network whose sockets implement `DatagramSocket`: the harness for transport tests and
 * the congestion lab. Hosts are address strings; every one-way link (from host → to host) has its own conditions
 * (delay, jitter, loss, burst loss, reordering, duplication, corruption, MTU, a rate-limited bottleneck queue,
 * blackholes — see `LinkConditions`), its own PRNG stream and its own counters.
 *
 * Determinism: with a `VirtualClock`, the same seed, link conditions and sequence of sends give the same trace,
 * to the bit. Every random decision is drawn from the sending link's stream (derived from the seed and the two
 * host names), in send order, so traffic on one link never changes another link's randomness. Deliveries are
 * ordered by (arrival time, scheduling order), all on ONE clock timer.
 */
export class MemoryNetwork {
  readonly clock: Clock;
  readonly allocator: BufferAllocator;
  readonly seed: Seed;
  /** Trace records (hot; only built while someone subscribes or `onTrace` is set). */
  readonly trace$: Observable<NetworkTraceEvent>;

  private readonly hosts = new Map<string, HostState>();
  private readonly routes = new Map<string, Map<string, Route>>();
  private readonly routeList: Route[] = [];
  private readonly defaults: ResolvedLinkConditions;
  private readonly heap = new MinHeap<Delivery>();
  private readonly timer: Timer;
  private readonly traceSubject = new Subject<NetworkTraceEvent>();
  private readonly onTrace: ((event: NetworkTraceEvent) => void) | undefined;
  private readonly freeDeliveries: Delivery[] = [];
  private readonly sockets = new Set<MemorySocket>();
  private seq = 0;
  private nextId = 0;
  private closed = false;

  constructor(options: MemoryNetworkOptions) {
    this.clock = options.clock;
    this.seed = options.seed ?? 0;
    this.allocator = options.allocator ?? new PoolAllocator();
    this.defaults = resolveLinkConditions(options.defaultLink ?? {});
    this.onTrace = options.onTrace;
    this.trace$ = this.traceSubject.asObservable();
    this.timer = this.clock.createTimer(this.onTimer);
  }

  /** A new, unbound socket on `host` (e.g. '10.0.0.1' or 'fd00::2'). */
  createSocket(host: string): MemorySocket {
    if (this.closed) throw new SocketError('bind', SocketErrorCode.NOT_RUNNING, 'network is closed');
    this.hostState(host);
    const socket = new MemorySocket(this, host);
    this.sockets.add(socket);
    return socket;
  }

  /** Changes the conditions of the one-way link from → to (a patch; see `LinkConditions`). */
  setLink(from: string, to: string, conditions: LinkConditions): void {
    this.route(from, to).link.update(conditions);
  }

  /** `setLink` in both directions between `a` and `b`. */
  setLinks(a: string, b: string, conditions: LinkConditions): void {
    this.setLink(a, b, conditions);
    this.setLink(b, a, conditions);
  }

  /** The current conditions of the link from → to. */
  linkConditions(from: string, to: string): ResolvedLinkConditions {
    return this.route(from, to).link.conditions;
  }

  /** Drops every datagram sent from → to during the next `durationMs` (one way; call twice for both). */
  blackhole(from: string, to: string, durationMs: number): void {
    this.route(from, to).link.addBlackhole(this.clock.now(), durationMs);
  }

  /** Counters of the link from → to. */
  linkStats(from: string, to: string): LinkStats {
    return this.route(from, to).link.stats(this.clock.now());
  }

  /** Counters of every link that exists, in creation order. */
  stats(): LinkStats[] {
    const now = this.clock.now();
    return this.routeList.map((r) => r.link.stats(now));
  }

  /** Datagram copies scheduled and not yet arrived. */
  get pendingDeliveries(): number {
    return this.heap.size;
  }

  /** Arrival time of the next pending datagram, if any. */
  get nextDeliveryAt(): number | undefined {
    return this.heap.peek()?.key;
  }

  /**
   * Closes every socket, drops the datagrams in flight (releasing their buffers) and stops the timer. Afterwards
   * the allocator's `inUse` shows what the users of the network still hold.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    for (let d = this.heap.pop(); d !== undefined; d = this.heap.pop()) this.recycle(d);
    const closing = [...this.sockets].map((s) => s.close());
    this.traceSubject.complete();
    await Promise.all(closing);
  }

  // ---- called by MemorySocket ------------------------------------------------------------------------------------

  /**
   * @internal Binds `socket` on (host, port); port 0 picks an ephemeral one. With `moveAll`, the socket's previous
   * bindings are released first (rebinding). Throws a SocketError.
   */
  attachSocket(socket: MemorySocket, host: string, port: number, moveAll: boolean): SocketAddress {
    if (this.closed) throw new SocketError('bind', SocketErrorCode.NOT_RUNNING, 'network is closed');
    if (!Number.isInteger(port) || port < 0 || port > EPHEMERAL_PORT_LAST) {
      throw new SocketError('bind', SocketErrorCode.BAD_PORT, `port out of range: ${port}`);
    }
    const state = this.hostState(host);
    const chosen = port === 0 ? this.ephemeralPort(state) : port;
    if (state.ports.has(chosen)) {
      throw new SocketError('bind', SocketErrorCode.EADDRINUSE, `${formatHostPort(state, chosen)} is in use`);
    }
    if (moveAll) this.detachSocket(socket);
    state.ports.set(chosen, socket);
    socket.bindings.push({ host, port: chosen });
    return Object.freeze({ address: host, port: chosen, family: state.family });
  }

  /** @internal Releases every binding of `socket`. */
  detachSocket(socket: MemorySocket): void {
    for (const b of socket.bindings) {
      const state = this.hosts.get(b.host);
      if (state !== undefined && state.ports.get(b.port) === socket) state.ports.delete(b.port);
    }
    socket.bindings.length = 0;
    if (socket.closed) this.sockets.delete(socket);
  }

  /**
   * @internal Sends `buffer[0, length)` (owned by the network from now on) from `socket`, whose address is
   * `source`, to `remote`.
   */
  transmit(
    socket: MemorySocket,
    source: SocketAddress,
    buffer: Uint8Array,
    length: number,
    pooled: boolean,
    remote: SocketAddress,
  ): void {
    if (this.closed) {
      if (pooled) this.releaseBuffer(buffer);
      return;
    }
    let route = socket.routeCache;
    if (socket.routeCacheAddress !== remote.address || route === undefined) {
      route = this.route(socket.host, remote.address);
      socket.routeCache = route;
      socket.routeCacheAddress = remote.address;
    }
    const link = route.link;
    const now = this.clock.now();
    const id = this.nextId++;
    const cause = link.admit(now, length);
    const tracing = this.onTrace !== undefined || this.traceSubject.observed;
    if (cause !== undefined) {
      if (pooled) this.releaseBuffer(buffer);
      if (tracing) {
        this.emitTrace(now, id, formatAddress(source), formatHostPort(route.toHost, remote.port), length, cause);
      }
      return;
    }
    const deliverAt = link.outDeliverAt;
    const original = this.takeDelivery(id, route, source, remote.port, length, link.outQueueDelay, link.outReordered);
    let copy: Delivery | undefined;
    if (link.outDuplicate) {
      // The copy gets its own buffer, taken before the original may be corrupted.
      copy = this.takeDelivery(id, route, source, remote.port, length, link.outQueueDelay, link.outReordered);
      copy.duplicate = true;
      const copyPooled = length <= this.allocator.bufferSize;
      copy.buffer = copyPooled ? this.allocator.acquire() : new Uint8Array(length);
      copy.pooled = copyPooled;
      copy.buffer.set(length === buffer.length ? buffer : buffer.subarray(0, length));
      if (link.outDuplicateCorruptBit >= 0) {
        flipBit(copy.buffer, link.outDuplicateCorruptBit);
        copy.corrupted = true;
      }
    }
    // The network owns the buffer now (a copy made by send(), or passed by sendPooled), so it is flipped in place.
    if (link.outCorruptBit >= 0) {
      flipBit(buffer, link.outCorruptBit);
      original.corrupted = true;
    }
    original.buffer = buffer;
    original.pooled = pooled;
    this.schedule(original, deliverAt, tracing, now);
    if (copy !== undefined) this.schedule(copy, deliverAt, tracing, now);
  }

  /**
   * @internal Returns a buffer to the allocator. A failing release means a receiver released a borrowed buffer (a
   * strict pool notices); it propagates out of the clock's timer so the test that caused it fails loudly.
   */
  releaseBuffer(buffer: Uint8Array): void {
    this.allocator.release(buffer);
  }

  // ---- scheduling ------------------------------------------------------------------------------------------------

  private schedule(d: Delivery, deliverAt: number, tracing: boolean, now: number): void {
    d.key = deliverAt;
    d.seq = this.seq++;
    this.heap.push(d);
    const armed = this.timer.deadlineMs;
    if (armed === undefined || deliverAt < armed) this.timer.set(deliverAt);
    if (tracing) this.traceDelivery(d, now, 'scheduled');
  }

  /** The one timer: delivers every copy due by now, then re-arms for the next. */
  private readonly onTimer = (): void => {
    const now = this.clock.now();
    // Copies scheduled while we deliver (a synchronous echo on a zero-delay link) wait for the next firing, so a
    // ping-pong cannot spin inside one callback and a VirtualClock's runaway guard still sees every step.
    const limit = this.seq;
    const heap = this.heap;
    for (;;) {
      const d = heap.peek();
      if (d === undefined || d.key > now || d.seq >= limit) break;
      heap.pop();
      this.deliver(d, now);
      if (this.closed) return;
    }
    const next = heap.peek();
    if (next === undefined) this.timer.clear();
    else if (this.timer.deadlineMs !== next.key) this.timer.set(next.key);
  };

  private deliver(d: Delivery, now: number): void {
    const route = d.route!;
    const socket = route.toHost.ports.get(d.toPort);
    const tracing = this.onTrace !== undefined || this.traceSubject.observed;
    if (socket === undefined) {
      route.link.countUnbound();
      if (tracing) this.traceDelivery(d, now, DropCause.UNBOUND);
      this.recycle(d);
      return;
    }
    route.link.countDelivered(d.length);
    if (tracing) this.traceDelivery(d, now, 'delivered');
    try {
      socket.deliver(d.buffer.subarray(0, d.length), d.source, now);
    } finally {
      this.recycle(d);
    }
  }

  private takeDelivery(
    id: number,
    route: Route,
    source: SocketAddress,
    toPort: number,
    length: number,
    queueDelay: number,
    reordered: boolean,
  ): Delivery {
    const d = this.freeDeliveries.pop() ?? new Delivery();
    d.id = id;
    d.route = route;
    d.source = source;
    d.toPort = toPort;
    d.length = length;
    d.queueDelay = queueDelay;
    d.reordered = reordered;
    d.duplicate = false;
    d.corrupted = false;
    return d;
  }

  /** Releases the copy's buffer and keeps the record for reuse. */
  private recycle(d: Delivery): void {
    const buffer = d.buffer;
    const pooled = d.pooled;
    d.buffer = EMPTY;
    d.pooled = false;
    d.route = undefined;
    d.source = NO_ADDRESS;
    if (this.freeDeliveries.length < MAX_FREE_DELIVERIES) this.freeDeliveries.push(d);
    if (pooled) this.releaseBuffer(buffer);
  }

  // ---- hosts and links -------------------------------------------------------------------------------------------

  private hostState(address: string): HostState {
    let state = this.hosts.get(address);
    if (state === undefined) {
      state = new HostState(address);
      this.hosts.set(address, state);
    }
    return state;
  }

  private route(from: string, to: string): Route {
    let byTo = this.routes.get(from);
    if (byTo === undefined) {
      byTo = new Map();
      this.routes.set(from, byTo);
    }
    let route = byTo.get(to);
    if (route === undefined) {
      route = { link: new Link(from, to, this.seed, this.defaults), toHost: this.hostState(to) };
      byTo.set(to, route);
      this.routeList.push(route);
    }
    return route;
  }

  private ephemeralPort(state: HostState): number {
    const span = EPHEMERAL_PORT_LAST - EPHEMERAL_PORT_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const p = state.nextEphemeral;
      state.nextEphemeral = p === EPHEMERAL_PORT_LAST ? EPHEMERAL_PORT_FIRST : p + 1;
      if (!state.ports.has(p)) return p;
    }
    throw new SocketError('bind', SocketErrorCode.EADDRINUSE, `no free ephemeral port on ${state.address}`);
  }

  // ---- trace -----------------------------------------------------------------------------------------------------

  private traceDelivery(d: Delivery, now: number, fate: NetworkFate): void {
    const route = d.route!;
    this.emitTrace(
      now,
      d.id,
      formatAddress(d.source),
      formatHostPort(route.toHost, d.toPort),
      d.length,
      fate,
      d.key,
      d.queueDelay,
      d.duplicate,
      d.reordered,
      d.corrupted,
    );
  }

  private emitTrace(
    time: number,
    id: number,
    from: string,
    to: string,
    size: number,
    fate: NetworkFate,
    deliverAt: number | undefined = undefined,
    queueDelayMs = 0,
    duplicate = false,
    reordered = false,
    corrupted = false,
  ): void {
    const event: NetworkTraceEvent = {
      time,
      id,
      from,
      to,
      size,
      fate,
      deliverAt,
      queueDelayMs,
      duplicate,
      reordered,
      corrupted,
    };
    this.onTrace?.(event);
    this.traceSubject.next(event);
  }
}
