import { SocketError, type SocketOperation } from '@fos/core';

/**
 * Codes carried by the `SocketError`s this package reports. System codes (`EADDRINUSE`, `EMSGSIZE`, …) come from
 * the kernel through node:dgram, or are reproduced by `MemoryNetwork` where a real socket would report them; the
 * `ERR_*` codes are detected by the socket itself before anything reaches the kernel.
 */
export const SocketErrorCode = {
  /** The address (IP and port) is already bound. */
  EADDRINUSE: 'EADDRINUSE',
  /** The bind address is not an address of this host. */
  EADDRNOTAVAIL: 'EADDRNOTAVAIL',
  /** The destination's address family cannot be reached from this socket (e.g. IPv4 on an ipv6Only socket). */
  EAFNOSUPPORT: 'EAFNOSUPPORT',
  /** The datagram is larger than the largest UDP payload (65 507 bytes over IPv4, 65 527 over IPv6). */
  EMSGSIZE: 'EMSGSIZE',
  /** The socket is closed (or closing). */
  NOT_RUNNING: 'ERR_SOCKET_DGRAM_NOT_RUNNING',
  /** `send`/`sendPooled` before `bind()` resolved. */
  NOT_BOUND: 'ERR_SOCKET_DGRAM_NOT_BOUND',
  /** `bind()` on a socket that is bound or binding. */
  ALREADY_BOUND: 'ERR_SOCKET_ALREADY_BOUND',
  /** The destination port is not an integer in 1..65535 (or a bind port outside 0..65535). */
  BAD_PORT: 'ERR_SOCKET_BAD_PORT',
  /** The destination address is not an IP literal. */
  INVALID_ADDRESS: 'ERR_INVALID_ADDRESS',
  /** `sendPooled` got a buffer that is not one of the allocator's (wrong size) or a length outside it. */
  INVALID_BUFFER: 'ERR_INVALID_BUFFER',
  /** Giving a buffer back to the allocator failed (a double release by the caller, seen by a strict pool). */
  BUFFER_RELEASE: 'ERR_BUFFER_RELEASE',
  /** An error object without a code. */
  UNKNOWN: 'EUNKNOWN',
} as const;
export type SocketErrorCode = (typeof SocketErrorCode)[keyof typeof SocketErrorCode];

/**
 * Largest UDP payload over IPv4: the 16-bit IPv4 total length (RFC 791 §3.1) minus the 20-byte IPv4 header and the
 * 8-byte UDP header (RFC 768).
 */
export const MAX_UDP_PAYLOAD_IPV4 = 65_507;
/**
 * Largest UDP payload over IPv6 without jumbograms: the 16-bit payload length (RFC 8200 §3), which excludes the IPv6
 * header, minus the 8-byte UDP header.
 */
export const MAX_UDP_PAYLOAD_IPV6 = 65_527;

/** Wraps a Node error (or anything thrown) as a SocketError, keeping its system code. */
export function toSocketError(operation: SocketOperation, err: unknown): SocketError {
  if (err instanceof SocketError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new SocketError(operation, typeof code === 'string' ? code : SocketErrorCode.UNKNOWN, message, { cause: err });
}

/** Counters every socket of this package keeps. */
export interface SocketStats {
  readonly datagramsReceived: number;
  readonly bytesReceived: number;
  /** Datagrams handed to the kernel (NodeUdpSocket: confirmed by the send callback) or to the network. */
  readonly datagramsSent: number;
  readonly bytesSent: number;
  /** Sends that failed: rejected before sending (closed, not bound, bad address) or reported by the kernel. */
  readonly sendErrors: number;
  /** `error` events from the socket outside bind and send (NodeUdpSocket only). */
  readonly receiveErrors: number;
  /** Received datagrams larger than the allocator's bufferSize, delivered in an unpooled buffer. */
  readonly oversizeReceived: number;
  /** Sends whose completion callback has not fired yet (their buffers are still held). */
  readonly inFlightSends: number;
}
