import { createSocket, type RemoteInfo, type Socket, type SocketOptions } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  type AddressFamily,
  type BindOptions,
  BufferAllocator,
  Clock,
  type Datagram,
  type DatagramSocket,
  inject,
  injectable,
  RingQueue,
  type SocketAddress,
  SocketError,
  type SocketEvent,
  type SocketOperation,
} from '@fos/core';
import { type Observable, Subject } from 'rxjs';
import { SocketErrorCode, type SocketStats, toSocketError } from '../socket-errors.js';
import { DEFAULT_SOCKET_BUFFER_BYTES, UdpSocketOptions } from './udp-socket-options.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram's address lookup, made synchronous: we only ever hand dgram IP literals (validated before every send), so
 * each send reaches libuv inside `send()` and completes in call order — which the in-flight FIFO relies on. Node's
 * default (dns.lookup) defers every send by a tick, and a send still waiting there when the socket closes never
 * calls back, which would strand its buffer.
 */
function ipLiteralLookup(address: string, _family: unknown, callback: LookupCallback): void {
  const family = isIP(address);
  if (family !== 0) {
    callback(null, address, family);
    return;
  }
  const err: NodeJS.ErrnoException = new Error(`not an IP literal: ${address}`);
  err.code = SocketErrorCode.INVALID_ADDRESS;
  callback(err, address, 0);
}

const IPV4_MAPPED_PREFIX = '::ffff:';

/**
 * A `DatagramSocket` on node:dgram (IPv4 or IPv6).
 *
 * - Receive: each message is emitted on `datagrams$` in the buffer Node allocated for it (no copy); `data` is
 *   borrowed for the synchronous emission (subscribers may decrypt it in place, and copy what they keep). Messages
 *   larger than the allocator's `bufferSize` are counted in `stats().oversizeReceived`.
 * - Send: `send()` copies into a pooled buffer, `sendPooled()` takes ownership of one. By default a send has no
 *   callback: the buffer is released as soon as libuv's send queue is empty (right after the call when the kernel
 *   took the datagram at once; otherwise the held buffers wait in a FIFO, checked on the next send and every
 *   millisecond). With `reportSendErrors` every send gets the one bound callback instead: dgram completes the
 *   sends of a socket in order, so the in-flight buffers wait in a FIFO and each is released by its callback.
 * - Errors become `SocketError` values on `events$` (bind also rejects); nothing is thrown from event-loop callbacks.
 * - `close()` lets in-flight sends complete, closes the socket, completes both streams, and resolves once every
 *   held buffer was released. It is idempotent.
 *
 * Destinations must be IP literals; an IPv6 socket that is not `ipv6Only` reaches IPv4 destinations through
 * IPv4-mapped addresses (and reports IPv4 peers as `::ffff:a.b.c.d`, as the kernel does).
 */
@injectable()
export class NodeUdpSocket implements DatagramSocket {
  readonly datagrams$: Observable<Datagram>;
  readonly events$: Observable<SocketEvent>;

  private readonly allocator: BufferAllocator;
  private readonly clock: Clock;
  private readonly options: UdpSocketOptions;
  private readonly datagramSubject = new Subject<Datagram>();
  private readonly eventSubject = new Subject<SocketEvent>();
  /**
   * Buffers of sends not known to be complete, in send order; `null` for an unpooled (oversize) copy. With
   * `reportSendErrors` each awaits its callback; otherwise all are released once libuv's send queue is empty.
   */
  private readonly inFlight = new RingQueue<Uint8Array | null>(64);
  /** Datagram lengths of the in-flight sends (parallel to `inFlight`; callback mode only). */
  private readonly inFlightLengths = new RingQueue<number>(64);
  private readonly sendCallbacks: boolean;
  /** The timer that re-checks libuv's send queue while buffers are held (no-callback mode). */
  private drainTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  private socket: Socket | undefined = undefined;
  private binding = false;
  private local: SocketAddress | undefined = undefined;
  private isIpv6Socket = false;
  private isIpv6Only = false;
  private effectiveRecvBufferSize: number | undefined = undefined;
  private effectiveSendBufferSize: number | undefined = undefined;

  private closing = false;
  private socketClosed = false;
  private finished = false;
  private closePromise: Promise<void> | undefined = undefined;
  private resolveClose: (() => void) | undefined = undefined;

  private datagramsReceived = 0;
  private bytesReceived = 0;
  private datagramsSent = 0;
  private bytesSent = 0;
  private sendErrors = 0;
  private receiveErrors = 0;
  private oversizeReceived = 0;

  // One-entry caches: a socket mostly talks to one peer, so most datagrams skip address parsing and allocation.
  private lastRemote: SocketAddress | undefined = undefined;
  private lastDestination: string | undefined = undefined;
  private lastTarget = '';

  constructor(
    @inject(BufferAllocator) allocator: BufferAllocator,
    @inject(Clock) clock: Clock,
    @inject(UdpSocketOptions) options: UdpSocketOptions = {},
  ) {
    this.allocator = allocator;
    this.clock = clock;
    this.options = options;
    this.sendCallbacks = options.reportSendErrors ?? false;
    this.datagrams$ = this.datagramSubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
  }

  get localAddress(): SocketAddress | undefined {
    return this.local;
  }

  /** True from the moment `close()` is called. */
  get closed(): boolean {
    return this.closing;
  }

  /** Effective SO_RCVBUF once bound (as the kernel reports it: Linux doubles the request and caps it). */
  get recvBufferSize(): number | undefined {
    return this.effectiveRecvBufferSize;
  }

  /** Effective SO_SNDBUF once bound. */
  get sendBufferSize(): number | undefined {
    return this.effectiveSendBufferSize;
  }

  stats(): SocketStats {
    return {
      datagramsReceived: this.datagramsReceived,
      bytesReceived: this.bytesReceived,
      datagramsSent: this.datagramsSent,
      bytesSent: this.bytesSent,
      sendErrors: this.sendErrors,
      receiveErrors: this.receiveErrors,
      oversizeReceived: this.oversizeReceived,
      inFlightSends: this.inFlight.length,
    };
  }

  async bind(options: BindOptions = {}): Promise<SocketAddress> {
    if (this.closing) throw this.failBind(SocketErrorCode.NOT_RUNNING, 'socket is closed');
    if (this.socket !== undefined || this.binding) {
      throw this.failBind(SocketErrorCode.ALREADY_BOUND, 'socket is already bound');
    }
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw this.failBind(SocketErrorCode.BAD_PORT, `bind port out of range: ${port}`);
    }
    this.binding = true;
    try {
      let family: AddressFamily = options.family ?? (options.address?.includes(':') ? 'IPv6' : 'IPv4');
      let address = options.address ?? (family === 'IPv6' ? '::' : '0.0.0.0');
      if (isIP(address) === 0) {
        // A host name: resolve it once here (bind is not on the hot path); sends take IP literals only.
        try {
          const found = await dnsLookup(address, { family: family === 'IPv6' ? 6 : options.family ? 4 : 0 });
          address = found.address;
          family = found.family === 6 ? 'IPv6' : 'IPv4';
        } catch (err) {
          throw this.reportBindError(toSocketError('bind', err));
        }
        if (this.closing) throw this.failBind(SocketErrorCode.NOT_RUNNING, 'socket closed while binding');
      } else {
        family = isIP(address) === 6 ? 'IPv6' : 'IPv4';
      }
      return await this.bindResolved(address, port, family, options);
    } finally {
      this.binding = false;
    }
  }

  send(data: Uint8Array, remote: SocketAddress): void {
    const length = data.length;
    const target = this.checkSend(remote);
    if (target === undefined) return;
    let buffer: Uint8Array;
    let pooled: boolean;
    if (length <= this.allocator.bufferSize) {
      buffer = this.allocator.acquire();
      buffer.set(data);
      pooled = true;
    } else {
      buffer = new Uint8Array(data); // larger than a pool buffer: an unpooled copy (the kernel may refuse it)
      pooled = false;
    }
    this.dispatch(buffer, length, pooled, remote.port, target);
  }

  sendPooled(buffer: Uint8Array, length: number, remote: SocketAddress): void {
    if (buffer.length !== this.allocator.bufferSize || !Number.isInteger(length) || length < 0) {
      // Not one of the allocator's buffers: it cannot be released, only reported.
      this.reportSendError(SocketErrorCode.INVALID_BUFFER, 'sendPooled needs a whole buffer from the allocator');
      return;
    }
    if (length > buffer.length) {
      this.releaseBuffer(buffer, 'send');
      this.reportSendError(SocketErrorCode.INVALID_BUFFER, `length ${length} exceeds the buffer`);
      return;
    }
    const target = this.checkSend(remote);
    if (target === undefined) {
      this.releaseBuffer(buffer, 'send');
      return;
    }
    this.dispatch(buffer, length, true, remote.port, target);
  }

  close(): Promise<void> {
    if (this.closePromise !== undefined) return this.closePromise;
    this.closing = true;
    this.closePromise = new Promise<void>((resolve) => {
      this.resolveClose = resolve;
    });
    if (this.socket === undefined) this.socketClosed = true;
    else if (!this.sendCallbacks) this.releaseSent();
    if (this.socket !== undefined && this.inFlight.length === 0) this.closeSocket();
    // else: the last completion closes the socket, so queued datagrams still go out (not ECANCELED).
    this.maybeFinishClose();
    return this.closePromise;
  }

  // ---- bind ------------------------------------------------------------------------------------------------------

  private bindResolved(
    address: string,
    port: number,
    family: AddressFamily,
    options: BindOptions,
  ): Promise<SocketAddress> {
    const ipv6 = family === 'IPv6';
    const socket = this.createDgramSocket({
      type: ipv6 ? 'udp6' : 'udp4',
      ipv6Only: ipv6 ? (options.ipv6Only ?? this.options.ipv6Only ?? false) : undefined,
      reuseAddr: options.reuseAddress ?? this.options.reuseAddress ?? false,
      lookup: ipLiteralLookup as never,
    });
    this.isIpv6Socket = ipv6;
    this.isIpv6Only = ipv6 && (options.ipv6Only ?? this.options.ipv6Only ?? false);
    return new Promise<SocketAddress>((resolve, reject) => {
      let settled = false;
      const onBindError = (err: Error): void => {
        if (settled) return;
        settled = true;
        socket.off('listening', onListening);
        socket.off('error', onBindError);
        socket.on('error', noop); // a failed socket may still report; it is being discarded
        try {
          socket.close();
        } catch {
          // already closed
        }
        reject(this.reportBindError(toSocketError('bind', err)));
      };
      const onListening = (): void => {
        if (settled) return;
        settled = true;
        socket.off('error', onBindError);
        this.socket = socket;
        socket.on('error', this.onSocketError);
        socket.on('message', this.onMessage);
        if (this.options.unref) socket.unref();
        this.applyBufferSizes(socket);
        const a = socket.address();
        this.local = { address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' };
        if (this.closing) {
          // close() ran while we were binding: honour it.
          this.closeSocket();
          reject(this.failBind(SocketErrorCode.NOT_RUNNING, 'socket closed while binding'));
          return;
        }
        this.emitEvent({ type: 'listening', address: this.local });
        resolve(this.local);
      };
      socket.once('listening', onListening);
      socket.on('error', onBindError);
      try {
        socket.bind({ address, port, exclusive: true });
      } catch (err) {
        onBindError(err as Error);
      }
    });
  }

  /**
   * Creates the node:dgram socket. A seam for tests that need dgram behaviour loopback rarely shows (sends that
   * complete asynchronously, cancelled sends); production code has no reason to override it.
   */
  protected createDgramSocket(options: SocketOptions): Socket {
    return createSocket(options);
  }

  private applyBufferSizes(socket: Socket): void {
    const recv = this.options.recvBufferSize ?? DEFAULT_SOCKET_BUFFER_BYTES;
    const send = this.options.sendBufferSize ?? DEFAULT_SOCKET_BUFFER_BYTES;
    // A refusal is not fatal: the socket keeps the kernel default, which the effective sizes below show.
    try {
      if (recv > 0) socket.setRecvBufferSize(recv);
    } catch (err) {
      this.emitError(toSocketError('bind', err));
    }
    try {
      if (send > 0) socket.setSendBufferSize(send);
    } catch (err) {
      this.emitError(toSocketError('bind', err));
    }
    try {
      this.effectiveRecvBufferSize = socket.getRecvBufferSize();
      this.effectiveSendBufferSize = socket.getSendBufferSize();
    } catch {
      this.effectiveRecvBufferSize = undefined;
      this.effectiveSendBufferSize = undefined;
    }
  }

  private failBind(code: string, message: string): SocketError {
    return this.reportBindError(new SocketError('bind', code, message));
  }

  private reportBindError(error: SocketError): SocketError {
    this.emitError(error);
    return error;
  }

  // ---- receive ---------------------------------------------------------------------------------------------------

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (this.closing) return;
    const n = msg.length;
    this.datagramsReceived++;
    this.bytesReceived += n;
    if (!this.datagramSubject.observed) return;
    const remote = this.remoteFrom(rinfo);
    const receivedAt = this.clock.now();
    if (n > this.allocator.bufferSize) this.oversizeReceived++;
    // Node allocates a fresh buffer per message: lend it as is rather than copying it into a pooled one.
    this.datagramSubject.next({ data: msg, remote, receivedAt });
  };

  private remoteFrom(rinfo: RemoteInfo): SocketAddress {
    const last = this.lastRemote;
    if (last !== undefined && last.port === rinfo.port && last.address === rinfo.address) return last;
    const family: AddressFamily = rinfo.family === 'IPv6' || (rinfo.family as unknown) === 6 ? 'IPv6' : 'IPv4';
    const remote: SocketAddress = { address: rinfo.address, port: rinfo.port, family };
    this.lastRemote = remote;
    return remote;
  }

  private readonly onSocketError = (err: Error): void => {
    this.receiveErrors++;
    this.emitError(toSocketError('receive', err));
  };

  // ---- send ------------------------------------------------------------------------------------------------------

  /** Validates a send; returns the address to hand dgram, or undefined after reporting why it cannot be sent. */
  private checkSend(remote: SocketAddress): string | undefined {
    if (this.closing) {
      this.reportSendError(SocketErrorCode.NOT_RUNNING, 'send on a closed socket');
      return undefined;
    }
    if (this.socket === undefined) {
      this.reportSendError(SocketErrorCode.NOT_BOUND, 'send before bind');
      return undefined;
    }
    const port = remote.port;
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      this.reportSendError(SocketErrorCode.BAD_PORT, `destination port out of range: ${port}`);
      return undefined;
    }
    const address = remote.address;
    if (address === this.lastDestination) return this.lastTarget;
    // Validate the address family here: dgram reports a bad one synchronously, ahead of earlier queued sends,
    // which would break the in-order completion the FIFO relies on.
    const family = isIP(address);
    let target = address;
    if (family === 0) {
      this.reportSendError(SocketErrorCode.INVALID_ADDRESS, `destination is not an IP literal: ${address}`);
      return undefined;
    }
    if (this.isIpv6Socket) {
      if (family === 4) {
        if (this.isIpv6Only) {
          this.reportSendError(SocketErrorCode.EAFNOSUPPORT, `IPv4 destination ${address} on an ipv6Only socket`);
          return undefined;
        }
        target = IPV4_MAPPED_PREFIX + address;
      }
    } else if (family === 6) {
      const unmapped = address.toLowerCase().startsWith(IPV4_MAPPED_PREFIX) ? address.slice(7) : '';
      if (isIP(unmapped) !== 4) {
        this.reportSendError(SocketErrorCode.EAFNOSUPPORT, `IPv6 destination ${address} on an IPv4 socket`);
        return undefined;
      }
      target = unmapped;
    }
    this.lastDestination = address;
    this.lastTarget = target;
    return target;
  }

  private dispatch(buffer: Uint8Array, length: number, pooled: boolean, port: number, target: string): void {
    if (!this.sendCallbacks) {
      this.dispatchWithoutCallback(buffer, length, pooled, port, target);
      return;
    }
    try {
      this.socket!.send(buffer, 0, length, port, target, this.onSent);
    } catch (err) {
      // dgram throws synchronously only for invalid arguments; no callback will come.
      if (pooled) this.releaseBuffer(buffer, 'send');
      this.sendFailed(err);
      return;
    }
    // The callback always runs later (nextTick or libuv completion), so queueing after send() keeps the order.
    this.inFlight.push(pooled ? buffer : null);
    this.inFlightLengths.push(length);
  }

  /**
   * A send without a callback (no tick per datagram). libuv tries the send synchronously when its queue is empty
   * and otherwise queues it behind the others, so an empty queue after the call means this datagram — and every
   * one before it — has left the buffer; until then the buffers are held, in order.
   */
  private dispatchWithoutCallback(
    buffer: Uint8Array,
    length: number,
    pooled: boolean,
    port: number,
    target: string,
  ): void {
    const socket = this.socket!;
    if (this.inFlight.length > 0) this.releaseSent();
    if (!pooled) {
      // An oversize copy (no pooled buffer to track) is the send most likely to be refused: it keeps a callback.
      try {
        socket.send(buffer, 0, length, port, target, this.onUnpooledSent);
      } catch (err) {
        this.sendFailed(err);
      }
      return;
    }
    try {
      socket.send(buffer, 0, length, port, target);
    } catch (err) {
      this.releaseBuffer(buffer, 'send');
      this.sendFailed(err);
      return;
    }
    this.datagramsSent++;
    this.bytesSent += length;
    if (this.inFlight.length === 0 && socket.getSendQueueCount() === 0) {
      this.releaseBuffer(buffer, 'send');
      return;
    }
    this.inFlight.push(buffer);
    if (this.drainTimer === undefined) {
      this.drainTimer = setTimeout(this.onDrainTimer, 1);
      this.drainTimer.unref(); // libuv's pending send requests keep the loop alive themselves
    }
  }

  private readonly onUnpooledSent = (err: Error | null, bytes?: number): void => {
    if (err) {
      this.sendFailed(err);
    } else {
      this.datagramsSent++;
      this.bytesSent += bytes ?? 0;
    }
  };

  /** No-callback mode: releases every held buffer once libuv's send queue is empty. */
  private releaseSent(): void {
    const socket = this.socket;
    if (socket !== undefined && !this.socketClosed && socket.getSendQueueCount() > 0) return;
    for (let b = this.inFlight.shift(); b !== undefined; b = this.inFlight.shift()) {
      if (b !== null) this.releaseBuffer(b, 'send');
    }
  }

  private readonly onDrainTimer = (): void => {
    this.drainTimer = undefined;
    this.releaseSent();
    if (this.inFlight.length > 0) {
      this.drainTimer = setTimeout(this.onDrainTimer, 1);
      this.drainTimer.unref();
      return;
    }
    if (this.closing) {
      if (!this.socketClosed && this.socket !== undefined) this.closeSocket();
      this.maybeFinishClose();
    }
  };

  /** The one send callback: completions arrive in send order, so the head of the FIFO is this send's buffer. */
  private readonly onSent = (err: Error | null): void => {
    const buffer = this.inFlight.shift();
    const length = this.inFlightLengths.shift() ?? 0;
    if (buffer) this.releaseBuffer(buffer, 'send');
    if (err) {
      this.sendFailed(err);
    } else {
      this.datagramsSent++;
      this.bytesSent += length;
    }
    if (this.closing && this.inFlight.length === 0) {
      if (!this.socketClosed && this.socket !== undefined) this.closeSocket();
      this.maybeFinishClose();
    }
  };

  private reportSendError(code: string, message: string): void {
    this.sendFailed(new SocketError('send', code, message));
  }

  /** Counts a failed send and reports it on `events$`. */
  private sendFailed(err: unknown): void {
    this.sendErrors++;
    this.emitError(toSocketError('send', err));
  }

  // ---- close -----------------------------------------------------------------------------------------------------

  private closeSocket(): void {
    const socket = this.socket!;
    socket.off('message', this.onMessage);
    try {
      socket.close(this.onSocketClosed);
    } catch {
      // already closed by Node
      this.onSocketClosed();
    }
  }

  private readonly onSocketClosed = (): void => {
    this.socketClosed = true;
    if (!this.sendCallbacks) this.releaseSent(); // a closed handle has completed or cancelled every send
    this.maybeFinishClose();
  };

  private maybeFinishClose(): void {
    if (this.finished || !this.socketClosed || this.inFlight.length !== 0) return;
    this.finished = true;
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.eventSubject.next({ type: 'closed' });
    this.eventSubject.complete();
    this.datagramSubject.complete();
    this.resolveClose?.();
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /** Gives a buffer back; a failing release (a caller's double release, seen by a strict pool) is reported. */
  private releaseBuffer(buffer: Uint8Array, operation: SocketOperation): void {
    try {
      this.allocator.release(buffer);
    } catch (err) {
      this.emitError(
        new SocketError(operation, SocketErrorCode.BUFFER_RELEASE, 'buffer release failed', { cause: err }),
      );
    }
  }

  private emitError(error: SocketError): void {
    if (!this.finished) this.eventSubject.next({ type: 'error', error });
  }

  private emitEvent(event: SocketEvent): void {
    if (!this.finished) this.eventSubject.next(event);
  }
}

function noop(): void {}
