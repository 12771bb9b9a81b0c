import type { BufferAllocator, Clock, Datagram, DatagramSocket, SocketError, SocketEvent, Timer } from '@fos/core';
import type { Subscription } from 'rxjs';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { EndpointConnection, EndpointEvent } from '../endpoint/endpoint-connection.js';

/** Datagrams sent per event-loop turn before yielding (TOOLCHAIN.md: 16-64 per turn is where dgram peaks). */
export const DEFAULT_MAX_DATAGRAMS_PER_TURN = 32;

export interface EndpointDriverOptions {
  readonly endpoint: Endpoint;
  /** The endpoint's socket, bound. */
  readonly socket: DatagramSocket;
  readonly clock: Clock;
  /** The allocator the socket's `sendPooled` buffers come from. */
  readonly allocator: BufferAllocator;
  /** Datagrams sent per turn before continuing with `setImmediate`. Default 32. */
  readonly maxDatagramsPerTurn?: number;
  /** Receives every endpoint event (new connections, connections with events to drain), in order. */
  readonly onEvent: (event: EndpointEvent) => void;
  /** Socket failures (never thrown). */
  readonly onSocketError?: (error: SocketError, socket: DatagramSocket) => void;
}

/**
 * Binds a sans-I/O {@link Endpoint} to the outside world: a `DatagramSocket`, ONE `Clock` timer re-armed to the
 * endpoint's deadline, and a `BufferAllocator`. Received datagrams are fed in as they arrive (the socket's buffer is
 * borrowed; connections decrypt it in place); output is flushed once per event-loop turn — at most
 * `maxDatagramsPerTurn` datagrams, written straight into pooled buffers and handed to `socket.sendPooled` (no copy),
 * continuing with `setImmediate` — and then the endpoint's events are delivered to `onEvent`.
 *
 * Code above calls {@link wake} after using a connection, so its output goes out in the same turn.
 */
export class EndpointDriver {
  readonly endpoint: Endpoint;
  readonly primarySocket: DatagramSocket;
  private readonly clock: Clock;
  private readonly allocator: BufferAllocator;
  private readonly maxPerTurn: number;
  private readonly onEvent: (event: EndpointEvent) => void;
  private readonly onSocketError: ((error: SocketError, socket: DatagramSocket) => void) | undefined;
  private readonly timer: Timer;
  private readonly subscriptions = new Map<DatagramSocket, Subscription[]>();
  /** Connections that moved to another socket (client migration). */
  private readonly socketOf = new Map<EndpointConnection, DatagramSocket>();
  private flushScheduled = false;
  /** The clock is the event loop's own (see `Clock.realTime`). */
  private readonly realTime: boolean;
  private flushing = false;
  private closed = false;
  /** Errors thrown by code the driver called (never rethrown into the event loop). */
  private readonly errors: unknown[] = [];

  // Bound once: no closure per datagram or per turn.
  private readonly onDatagram = (d: Datagram): void => {
    if (this.closed) return;
    try {
      this.endpoint.handleDatagram(this.clock.now(), d.data, d.remote);
    } catch (e) {
      this.recordError(e);
    }
    this.scheduleFlush();
  };
  private readonly onTimer = (): void => {
    if (this.closed) return;
    try {
      this.endpoint.handleTimeout(this.clock.now());
    } catch (e) {
      this.recordError(e);
    }
    this.flush();
  };
  private readonly runScheduledFlush = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  constructor(options: EndpointDriverOptions) {
    this.endpoint = options.endpoint;
    this.primarySocket = options.socket;
    this.clock = options.clock;
    this.allocator = options.allocator;
    this.maxPerTurn = options.maxDatagramsPerTurn ?? DEFAULT_MAX_DATAGRAMS_PER_TURN;
    this.onEvent = options.onEvent;
    this.onSocketError = options.onSocketError;
    this.timer = this.clock.createTimer(this.onTimer);
    this.realTime = this.clock.realTime === true;
    this.attachSocket(options.socket);
  }

  /** Current time on the driver's clock. */
  now(): number {
    return this.clock.now();
  }

  /** Errors caught while feeding the endpoint (a bug if ever non-empty). */
  get caughtErrors(): readonly unknown[] {
    return this.errors;
  }

  /** Starts feeding datagrams received on `socket` to the endpoint (the primary socket, or a migration socket). */
  attachSocket(socket: DatagramSocket): void {
    if (this.subscriptions.has(socket)) return;
    const subs = [
      socket.datagrams$.subscribe(this.onDatagram),
      socket.events$.subscribe((e: SocketEvent) => {
        if (e.type === 'error') this.onSocketError?.(e.error, socket);
      }),
    ];
    this.subscriptions.set(socket, subs);
  }

  /** Sends `connection`'s datagrams through `socket` from now on (client migration). */
  useSocket(connection: EndpointConnection, socket: DatagramSocket): void {
    this.attachSocket(socket);
    if (socket === this.primarySocket) this.socketOf.delete(connection);
    else this.socketOf.set(connection, socket);
  }

  /** The socket `connection` sends through. */
  socketFor(connection: EndpointConnection | undefined): DatagramSocket {
    if (connection === undefined || this.socketOf.size === 0) return this.primarySocket;
    return this.socketOf.get(connection) ?? this.primarySocket;
  }

  /** Stops feeding `socket` (after a migration moved away from it) and closes it unless it is the primary one. */
  async detachSocket(socket: DatagramSocket): Promise<void> {
    for (const [conn, s] of this.socketOf) if (s === socket) this.socketOf.delete(conn);
    const subs = this.subscriptions.get(socket);
    if (subs !== undefined) for (const s of subs) s.unsubscribe();
    this.subscriptions.delete(socket);
    if (socket !== this.primarySocket) await socket.close();
  }

  /**
   * After the layer above used a connection (write, read, open, close …): let the endpoint collect its events and
   * schedule a flush for this turn.
   */
  wake(connection?: EndpointConnection): void {
    if (connection !== undefined) this.endpoint.touch(connection);
    this.scheduleFlush();
  }

  /** Sends what the endpoint has (bounded), delivers events and re-arms the timer. */
  flush(): void {
    if (this.closed || this.flushing) return;
    this.flushing = true;
    try {
      const endpoint = this.endpoint;
      const allocator = this.allocator;
      const now = this.clock.now();
      let more = false;
      for (let sent = 0; ; sent++) {
        if (sent >= this.maxPerTurn) {
          more = true;
          break;
        }
        const buf = allocator.acquire();
        let n = 0;
        try {
          n = endpoint.pollTransmit(now, buf);
        } catch (e) {
          this.recordError(e);
        }
        if (n === 0) {
          allocator.release(buf);
          break;
        }
        // Ownership of `buf` passes to the socket (released once the datagram is on its way).
        this.socketFor(endpoint.transmitConnection).sendPooled(buf, n, endpoint.transmitRemote!);
      }
      for (let e = endpoint.pollEvent(); e !== undefined; e = endpoint.pollEvent()) {
        try {
          this.onEvent(e);
        } catch (err) {
          this.recordError(err);
        }
      }
      if (more || endpoint.wantsToTransmit) this.scheduleFlush();
      else this.armTimer();
    } finally {
      this.flushing = false;
    }
  }

  /** Stops everything: unsubscribes, clears the timer, closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    const sockets = [...this.subscriptions.keys()];
    for (const subs of this.subscriptions.values()) for (const s of subs) s.unsubscribe();
    this.subscriptions.clear();
    this.socketOf.clear();
    await Promise.all(sockets.map((s) => s.close()));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private scheduleFlush(): void {
    if (this.closed) return;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.runScheduledFlush);
    }
    // On a simulated clock, also arm the timer for "now": it flushes before simulated time moves on (an immediate
    // alone could run after the clock advanced). On the real clock the immediate always runs first, and arming a
    // timer per turn would cost a clearTimeout + setTimeout pair for nothing.
    if (this.realTime) return;
    const now = this.clock.now();
    const armed = this.timer.deadlineMs;
    if (armed === undefined || armed > now) this.timer.set(now);
  }

  private armTimer(): void {
    const t = this.endpoint.pollTimeout();
    if (t === undefined) this.timer.clear();
    else if (this.timer.deadlineMs !== t) this.timer.set(t);
  }

  private recordError(e: unknown): void {
    if (this.errors.length < 16) this.errors.push(e);
  }
}
