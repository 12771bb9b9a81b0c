import {
  type AddressFamily,
  type BindOptions,
  type BufferAllocator,
  type Datagram,
  type DatagramSocket,
  type SocketAddress,
  SocketError,
  type SocketEvent,
} from '@fos/core';
import { type Observable, Subject } from 'rxjs';
import {
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  SocketErrorCode,
  type SocketStats,
  toSocketError,
} from '../socket-errors.js';
import type { MemoryNetwork, Route } from './memory-network.js';

/** Options of `MemorySocket.rebind`. */
export interface RebindOptions {
  /** The new port; 0 or absent picks an ephemeral one. */
  readonly port?: number;
  /** Move to another host address too (address migration). Default: stay on the current host. */
  readonly host?: string;
  /** Keep receiving on the previous address as well (a NAT that keeps the old mapping a while). Default false. */
  readonly keepOldBinding?: boolean;
}

/** The address family a host string belongs to (`fd00::2` → IPv6). */
export function hostFamily(host: string): AddressFamily {
  return host.includes(':') ? 'IPv6' : 'IPv4';
}

/**
 * A `DatagramSocket` on a `MemoryNetwork` host. Created unbound by `network.createSocket(host)`.
 * Received `data` is borrowed (released to the network's allocator right after the emission); `sendPooled`
 * buffers must come from `network.allocator`.
 */
export class MemorySocket implements DatagramSocket {
  readonly datagrams$: Observable<Datagram>;
  readonly events$: Observable<SocketEvent>;
  readonly network: MemoryNetwork;

  /** @internal Where the network delivers to this socket: every (host, port) it is bound on. */
  readonly bindings: { host: string; port: number }[] = [];
  /** @internal One-entry route cache of the network (destination address → route). */
  routeCacheAddress: string | undefined = undefined;
  /** @internal */
  routeCache: Route | undefined = undefined;

  private readonly datagramSubject = new Subject<Datagram>();
  private readonly eventSubject = new Subject<SocketEvent>();
  private currentHost: string;
  private local: SocketAddress | undefined = undefined;
  private closing = false;
  private finished = false;
  private closePromise: Promise<void> | undefined = undefined;

  private datagramsReceived = 0;
  private bytesReceived = 0;
  private datagramsSent = 0;
  private bytesSent = 0;
  private sendErrors = 0;
  private oversizeReceived = 0;

  /** @internal Use `network.createSocket(host)`. */
  constructor(network: MemoryNetwork, host: string) {
    this.network = network;
    this.currentHost = host;
    this.datagrams$ = this.datagramSubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
  }

  /** The host this socket sends from. */
  get host(): string {
    return this.currentHost;
  }

  /** The allocator `sendPooled` buffers must come from (the network's). */
  get allocator(): BufferAllocator {
    return this.network.allocator;
  }

  get localAddress(): SocketAddress | undefined {
    return this.local;
  }

  /** True from the moment `close()` is called. */
  get closed(): boolean {
    return this.closing;
  }

  stats(): SocketStats {
    return {
      datagramsReceived: this.datagramsReceived,
      bytesReceived: this.bytesReceived,
      datagramsSent: this.datagramsSent,
      bytesSent: this.bytesSent,
      sendErrors: this.sendErrors,
      receiveErrors: 0,
      oversizeReceived: this.oversizeReceived,
      inFlightSends: 0,
    };
  }

  /**
   * Binds on this socket's host. `port` 0 (default) takes the host's next free ephemeral port (49152 up);
   * a taken port rejects with `EADDRINUSE`, an `address` other than the host or a wildcard with `EADDRNOTAVAIL`,
   * a `family` other than the host's with `EAFNOSUPPORT`.
   */
  bind(options: BindOptions = {}): Promise<SocketAddress> {
    try {
      if (this.closing) throw new SocketError('bind', SocketErrorCode.NOT_RUNNING, 'socket is closed');
      if (this.local !== undefined) throw new SocketError('bind', SocketErrorCode.ALREADY_BOUND, 'already bound');
      if (options.family !== undefined && options.family !== hostFamily(this.currentHost)) {
        throw new SocketError('bind', SocketErrorCode.EAFNOSUPPORT, `${this.currentHost} is not ${options.family}`);
      }
      const address = options.address;
      if (address !== undefined && address !== this.currentHost && address !== '0.0.0.0' && address !== '::') {
        throw new SocketError(
          'bind',
          SocketErrorCode.EADDRNOTAVAIL,
          `${address} is not this host (${this.currentHost})`,
        );
      }
      this.local = this.network.attachSocket(this, this.currentHost, options.port ?? 0, false);
    } catch (err) {
      const error = toSocketError('bind', err);
      this.emit({ type: 'error', error });
      return Promise.reject(error);
    }
    this.emit({ type: 'listening', address: this.local });
    return Promise.resolve(this.local);
  }

  /**
   * Simulated NAT rebinding / migration: from now on this socket's datagrams come from the new address, and it
   * receives there. Datagrams in flight to the old address are dropped as unbound unless `keepOldBinding`.
   * Throws a SocketError (`EADDRINUSE`, `ERR_SOCKET_DGRAM_NOT_BOUND`, …) when it cannot.
   */
  rebind(options: RebindOptions = {}): SocketAddress {
    if (this.closing) throw new SocketError('bind', SocketErrorCode.NOT_RUNNING, 'socket is closed');
    if (this.local === undefined) throw new SocketError('bind', SocketErrorCode.NOT_BOUND, 'rebind before bind');
    const host = options.host ?? this.currentHost;
    if (hostFamily(host) !== this.local.family) {
      throw new SocketError('bind', SocketErrorCode.EAFNOSUPPORT, `cannot move from ${this.local.family} to ${host}`);
    }
    this.local = this.network.attachSocket(this, host, options.port ?? 0, !options.keepOldBinding);
    this.currentHost = host;
    this.routeCacheAddress = undefined;
    this.routeCache = undefined;
    return this.local;
  }

  send(data: Uint8Array, remote: SocketAddress): void {
    const length = data.length;
    if (!this.checkSend(remote, length)) return;
    const allocator = this.network.allocator;
    let buffer: Uint8Array;
    let pooled: boolean;
    if (length <= allocator.bufferSize) {
      buffer = allocator.acquire();
      buffer.set(data);
      pooled = true;
    } else {
      buffer = new Uint8Array(data);
      pooled = false;
    }
    this.datagramsSent++;
    this.bytesSent += length;
    this.network.transmit(this, this.local!, buffer, length, pooled, remote);
  }

  sendPooled(buffer: Uint8Array, length: number, remote: SocketAddress): void {
    const allocator = this.network.allocator;
    if (buffer.length !== allocator.bufferSize || !Number.isInteger(length) || length < 0) {
      this.reportSendError(SocketErrorCode.INVALID_BUFFER, 'sendPooled needs a whole buffer from the allocator');
      return;
    }
    if (length > buffer.length) {
      this.network.releaseBuffer(buffer);
      this.reportSendError(SocketErrorCode.INVALID_BUFFER, `length ${length} exceeds the buffer`);
      return;
    }
    if (!this.checkSend(remote, length)) {
      this.network.releaseBuffer(buffer);
      return;
    }
    this.datagramsSent++;
    this.bytesSent += length;
    this.network.transmit(this, this.local!, buffer, length, true, remote);
  }

  /**
   * Unbinds at once (datagrams arriving later are dropped as unbound); the streams complete and the promise
   * resolves in a microtask. The socket holds no buffers: what it sent belongs to the network.
   */
  close(): Promise<void> {
    if (this.closePromise !== undefined) return this.closePromise;
    this.closing = true;
    this.network.detachSocket(this);
    this.closePromise = Promise.resolve().then(() => {
      this.finished = true;
      this.eventSubject.next({ type: 'closed' });
      this.eventSubject.complete();
      this.datagramSubject.complete();
    });
    return this.closePromise;
  }

  /** @internal Called by the network when a copy arrives; `data` is borrowed. */
  deliver(data: Uint8Array, remote: SocketAddress, now: number): void {
    this.datagramsReceived++;
    this.bytesReceived += data.length;
    if (data.length > this.network.allocator.bufferSize) this.oversizeReceived++;
    if (this.datagramSubject.observed) this.datagramSubject.next({ data, remote, receivedAt: now });
  }

  /** @internal Reports an error the network met on this socket's behalf. */
  reportError(error: SocketError): void {
    this.emit({ type: 'error', error });
  }

  private checkSend(remote: SocketAddress, length: number): boolean {
    if (this.closing) {
      this.reportSendError(SocketErrorCode.NOT_RUNNING, 'send on a closed socket');
      return false;
    }
    const local = this.local;
    if (local === undefined) {
      this.reportSendError(SocketErrorCode.NOT_BOUND, 'send before bind');
      return false;
    }
    const port = remote.port;
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      this.reportSendError(SocketErrorCode.BAD_PORT, `destination port out of range: ${port}`);
      return false;
    }
    if (remote.address !== this.routeCacheAddress && hostFamily(remote.address) !== local.family) {
      this.reportSendError(SocketErrorCode.EAFNOSUPPORT, `cannot reach ${remote.address} from ${local.family}`);
      return false;
    }
    if (length > (local.family === 'IPv6' ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD_IPV4)) {
      this.reportSendError(SocketErrorCode.EMSGSIZE, `${length} bytes exceed the largest UDP payload`);
      return false;
    }
    return true;
  }

  private reportSendError(code: string, message: string): void {
    this.sendErrors++;
    this.emit({ type: 'error', error: new SocketError('send', code, message) });
  }

  private emit(event: SocketEvent): void {
    if (!this.finished) this.eventSubject.next(event);
  }
}
