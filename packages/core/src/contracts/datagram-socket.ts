import type { Observable } from 'rxjs';
import { token } from '../di/token.js';
import { FosError } from '../errors.js';

export type AddressFamily = 'IPv4' | 'IPv6';

export interface SocketAddress {
  readonly address: string;
  readonly port: number;
  readonly family: AddressFamily;
}

/**
 * A received datagram. `data` is borrowed: it is valid only while the `datagrams$` subscriber callback runs
 * (the socket then returns the pooled buffer to its allocator). Copy it to keep it.
 */
export interface Datagram {
  readonly data: Uint8Array;
  readonly remote: SocketAddress;
  /** `Clock.now()` when the socket received it. */
  readonly receivedAt: number;
}

export interface BindOptions {
  /** Local address; default `0.0.0.0` (or `::` when `family` is IPv6). */
  readonly address?: string;
  /** Local port; 0 (default) picks a free one. */
  readonly port?: number;
  readonly family?: AddressFamily;
  /** IPv6 sockets only: refuse IPv4-mapped traffic. */
  readonly ipv6Only?: boolean;
  readonly reuseAddress?: boolean;
}

export type SocketOperation = 'bind' | 'send' | 'receive' | 'close';

/** A socket failure, reported on `events$` (never thrown from the event loop). */
export class SocketError extends FosError {
  constructor(
    readonly operation: SocketOperation,
    /** The system error code when there is one (`EADDRINUSE`, `EMSGSIZE`, …), else a stack-defined one. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type SocketEvent =
  | { readonly type: 'listening'; readonly address: SocketAddress }
  | { readonly type: 'error'; readonly error: SocketError }
  | { readonly type: 'closed' };

/**
 * A UDP-like datagram socket. Implementations: `NodeUdpSocket` (node:dgram) and `MemoryNetwork` sockets.
 * `datagrams$` and `events$` are hot; both complete when the socket closes. Errors are values on `events$`.
 */
export interface DatagramSocket {
  readonly datagrams$: Observable<Datagram>;
  readonly events$: Observable<SocketEvent>;
  /** The bound address, once `bind()` resolved. */
  readonly localAddress: SocketAddress | undefined;
  readonly closed: boolean;
  /** Binds; rejects with a SocketError (e.g. code `EADDRINUSE`). */
  bind(options?: BindOptions): Promise<SocketAddress>;
  /**
   * Sends a copy of `data`; the caller keeps ownership of `data`. Sending before `bind()` resolved reports
   * `ERR_SOCKET_DGRAM_NOT_BOUND` (no implicit bind); sending after `close()` completed is only counted, since
   * `events$` has completed by then.
   */
  send(data: Uint8Array, remote: SocketAddress): void;
  /**
   * Zero-copy send: `buffer` was acquired from this socket's allocator and ownership passes to the socket, which
   * releases it once the datagram (`buffer[0, length)`) is on its way.
   */
  sendPooled(buffer: Uint8Array, length: number, remote: SocketAddress): void;
  /** Idempotent; resolves when the socket is closed and every buffer it held is released. */
  close(): Promise<void>;
}
export const DatagramSocket = token<DatagramSocket>('fos.DatagramSocket');

/** Two addresses are the same endpoint. */
export function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  return a.port === b.port && a.address === b.address;
}

/** `127.0.0.1:4433` / `[::1]:4433`. */
export function formatAddress(a: SocketAddress): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
