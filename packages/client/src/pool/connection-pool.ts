import type { Clock, Timer } from '@fos/core';
import { ClientClosedError } from '../errors.js';

/**
 * What the pool needs from a multiplexed connection (an HTTP/3 session or an HTTP/2 session).
 */
export interface PooledConnection {
  /**
   * How many more requests can be opened now. For HTTP/3, the peer's MAX_STREAMS credit minus the streams already
   * opened (RFC 9000 §4.6); for HTTP/2, SETTINGS_MAX_CONCURRENT_STREAMS minus active streams (RFC 9113 §5.1.2).
   */
  availableStreams(): number;
  /** No new requests may start (GOAWAY received, closing). */
  readonly isDraining: boolean;
  readonly isClosed: boolean;
  /**
   * The pool's single subscription: call the listener when `availableStreams()` grew, when the connection started
   * draining and when it closed.
   */
  setChangeListener(listener: (() => void) | undefined): void;
  /** Closes gracefully (let in-flight requests finish where the protocol allows). */
  close(): void;
}

/** A granted slot on a connection for one request. */
export interface PoolLease<C> {
  readonly connection: C;
  /** The connection had served a request before this one. */
  readonly reused: boolean;
  /** The request's stream is now open (it counts in the connection's own `availableStreams()` from here on). */
  opened(): void;
  /** The request is over: completed, failed or abandoned. Idempotent. */
  release(): void;
}

export interface ConnectionPoolOptions {
  readonly clock: Clock;
  /** A connection with no request for this long is closed. */
  readonly idleTimeoutMs: number;
}

/** Per-key counters, for diagnostics and tests. */
export interface PoolKeyStats {
  /** Connections held: the current one plus those draining after a GOAWAY. */
  readonly connections: number;
  /** Requests whose stream is open. */
  readonly active: number;
  /** Requests granted a slot whose stream is not open yet. */
  readonly reserved: number;
  /** Requests waiting for stream credit or a connection. */
  readonly queued: number;
  readonly connecting: boolean;
}

interface Slot<C extends PooledConnection> {
  readonly conn: C;
  reserved: number;
  active: number;
  leases: number;
  idleTimer: Timer | undefined;
}

interface Waiter<C extends PooledConnection> {
  readonly open: () => Promise<C>;
  readonly resolve: (lease: PoolLease<C>) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Entry<C extends PooledConnection> {
  readonly key: string;
  current: Slot<C> | undefined;
  readonly draining: Set<Slot<C>>;
  connecting: Promise<C> | undefined;
  readonly waiters: Waiter<C>[];
}

class Lease<C extends PooledConnection> implements PoolLease<C> {
  private state: 'reserved' | 'active' | 'released' = 'reserved';

  constructor(
    private readonly pool: ConnectionPool<C>,
    private readonly entry: Entry<C>,
    private readonly slot: Slot<C>,
    readonly reused: boolean,
  ) {}

  get connection(): C {
    return this.slot.conn;
  }

  opened(): void {
    if (this.state !== 'reserved') return;
    this.state = 'active';
    this.slot.reserved--;
    this.slot.active++;
  }

  release(): void {
    if (this.state === 'released') return;
    if (this.state === 'reserved') this.slot.reserved--;
    else this.slot.active--;
    this.state = 'released';
    this.pool.onRelease(this.entry, this.slot);
  }
}

/**
 * One connection per key (an origin, or an alternative service), shared by all requests to it:
 * - requests wait in FIFO order when the connection has no stream credit (MAX_STREAMS / MAX_CONCURRENT_STREAMS),
 *   and are granted as credit returns;
 * - concurrent requests for a key that has no connection share one connection attempt;
 * - a connection that starts draining (GOAWAY) takes no new requests: the next waiter opens a fresh connection
 *   and the old one is closed once its last request ends (RFC 9114 §5.2, RFC 9113 §6.8);
 * - a connection without requests for `idleTimeoutMs` is closed.
 * Timers come from the injected `Clock`, so the pool runs deterministically on a `VirtualClock`.
 */
export class ConnectionPool<C extends PooledConnection> {
  private readonly clock: Clock;
  private readonly idleTimeoutMs: number;
  private readonly entries = new Map<string, Entry<C>>();
  private closed = false;

  constructor(options: ConnectionPoolOptions) {
    this.clock = options.clock;
    this.idleTimeoutMs = options.idleTimeoutMs;
  }

  /** The key's connection if it can take new requests (it may still be out of stream credit). */
  find(key: string): C | undefined {
    const slot = this.entries.get(key)?.current;
    return slot !== undefined && !slot.conn.isDraining && !slot.conn.isClosed ? slot.conn : undefined;
  }

  /** Whether a connection attempt for `key` is in progress. */
  isConnecting(key: string): boolean {
    return this.entries.get(key)?.connecting !== undefined;
  }

  /**
   * The key's usable connection, or the attempt in progress, or a new attempt made with `open`. A connection that
   * `open` produces joins the pool (and idles out if no request uses it).
   */
  connect(key: string, open: () => Promise<C>): Promise<C> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    const existing = this.find(key);
    if (existing !== undefined) return Promise.resolve(existing);
    const entry = this.entry(key);
    if (entry.current !== undefined) this.retire(entry, entry.current);
    return entry.connecting ?? this.startConnect(entry, open);
  }

  /**
   * Waits for a slot on the key's connection (opening one with `open` when there is none), in FIFO order with the
   * other requests for the key. Rejects with the connection error when the attempt fails, and with `signal.reason`
   * when the signal fires first.
   */
  acquire(key: string, open: () => Promise<C>, signal?: AbortSignal): Promise<PoolLease<C>> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    const entry = this.entry(key);
    return new Promise<PoolLease<C>>((resolve, reject) => {
      const waiter: Waiter<C> = { open, resolve, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          const i = entry.waiters.indexOf(waiter);
          if (i >= 0) entry.waiters.splice(i, 1);
          reject(signal.reason);
          this.maybeDelete(entry);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      entry.waiters.push(waiter);
      this.dispatch(entry);
    });
  }

  stats(key: string): PoolKeyStats {
    const entry = this.entries.get(key);
    if (entry === undefined) return { connections: 0, active: 0, reserved: 0, queued: 0, connecting: false };
    let active = 0;
    let reserved = 0;
    const slots = entry.current !== undefined ? [entry.current, ...entry.draining] : [...entry.draining];
    for (const s of slots) {
      active += s.active;
      reserved += s.reserved;
    }
    return {
      connections: slots.length,
      active,
      reserved,
      queued: entry.waiters.length,
      connecting: entry.connecting !== undefined,
    };
  }

  /** Keys with a connection, an attempt or waiters. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Closes every connection and rejects every waiter with `ClientClosedError`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.entries.values()) {
      for (const w of entry.waiters.splice(0)) this.rejectWaiter(w, new ClientClosedError());
      const slots = entry.current !== undefined ? [entry.current, ...entry.draining] : [...entry.draining];
      for (const slot of slots) this.drop(slot);
      entry.current = undefined;
      entry.draining.clear();
    }
    this.entries.clear();
  }

  /** @internal called by a lease. */
  onRelease(entry: Entry<C>, slot: Slot<C>): void {
    if (slot.active + slot.reserved === 0) {
      if (entry.draining.has(slot)) {
        entry.draining.delete(slot);
        this.drop(slot);
      } else if (entry.current === slot) {
        this.armIdle(entry, slot);
      }
    }
    this.dispatch(entry);
    this.maybeDelete(entry);
  }

  private entry(key: string): Entry<C> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { key, current: undefined, draining: new Set(), connecting: undefined, waiters: [] };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private startConnect(entry: Entry<C>, open: () => Promise<C>): Promise<C> {
    const attempt = (async () => open())();
    entry.connecting = attempt;
    attempt.then(
      (conn) => {
        if (entry.connecting === attempt) entry.connecting = undefined;
        if (this.closed) {
          conn.close();
          return;
        }
        if (entry.current !== undefined) this.retire(entry, entry.current);
        const slot: Slot<C> = { conn, reserved: 0, active: 0, leases: 0, idleTimer: undefined };
        entry.current = slot;
        if (!this.entries.has(entry.key)) this.entries.set(entry.key, entry);
        conn.setChangeListener(() => this.onChange(entry, slot));
        this.onChange(entry, slot);
        if (entry.current === slot && slot.active + slot.reserved === 0) this.armIdle(entry, slot);
      },
      (error: unknown) => {
        if (entry.connecting === attempt) entry.connecting = undefined;
        for (const w of entry.waiters.splice(0)) this.rejectWaiter(w, error);
        this.maybeDelete(entry);
      },
    );
    return attempt;
  }

  private dispatch(entry: Entry<C>): void {
    while (entry.waiters.length > 0) {
      let slot = entry.current;
      if (slot !== undefined && (slot.conn.isDraining || slot.conn.isClosed)) {
        this.retire(entry, slot);
        slot = undefined;
      }
      if (slot === undefined) {
        if (entry.connecting === undefined && !this.closed) this.startConnect(entry, entry.waiters[0].open);
        return;
      }
      if (slot.conn.availableStreams() - slot.reserved <= 0) return;
      const waiter = entry.waiters.shift()!;
      if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      slot.reserved++;
      slot.idleTimer?.clear();
      const reused = slot.leases++ > 0;
      waiter.resolve(new Lease(this, entry, slot, reused));
    }
  }

  private onChange(entry: Entry<C>, slot: Slot<C>): void {
    if (slot.conn.isClosed) {
      if (entry.current === slot) entry.current = undefined;
      entry.draining.delete(slot);
      slot.idleTimer?.clear();
      slot.conn.setChangeListener(undefined);
    } else if (slot.conn.isDraining && entry.current === slot) {
      this.retire(entry, slot);
    }
    this.dispatch(entry);
    this.maybeDelete(entry);
  }

  /** The slot takes no new requests: closed now if idle, else when its last request ends. */
  private retire(entry: Entry<C>, slot: Slot<C>): void {
    if (entry.current === slot) entry.current = undefined;
    slot.idleTimer?.clear();
    if (slot.conn.isClosed || slot.active + slot.reserved === 0) {
      entry.draining.delete(slot);
      this.drop(slot);
    } else {
      entry.draining.add(slot);
    }
  }

  private drop(slot: Slot<C>): void {
    slot.idleTimer?.clear();
    slot.conn.setChangeListener(undefined);
    if (!slot.conn.isClosed) slot.conn.close();
  }

  private armIdle(entry: Entry<C>, slot: Slot<C>): void {
    slot.idleTimer ??= this.clock.createTimer(() => {
      if (entry.current === slot && slot.active + slot.reserved === 0) {
        this.retire(entry, slot);
        this.maybeDelete(entry);
      }
    });
    slot.idleTimer.set(this.clock.now() + this.idleTimeoutMs);
  }

  private rejectWaiter(waiter: Waiter<C>, error: unknown): void {
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    waiter.reject(error);
  }

  private maybeDelete(entry: Entry<C>): void {
    if (
      entry.current === undefined &&
      entry.draining.size === 0 &&
      entry.connecting === undefined &&
      entry.waiters.length === 0 &&
      this.entries.get(entry.key) === entry
    ) {
      this.entries.delete(entry.key);
    }
  }
}
