import { token } from '@fos/core';

/** Default SO_RCVBUF / SO_SNDBUF request: 4 MiB (the 208 KiB Linux default drops bursts). */
export const DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** Options of every `NodeUdpSocket` a container creates (registered by `registerUdp`). */
export interface UdpSocketOptions {
  /**
   * SO_RCVBUF to request after bind, in bytes; default 4 MiB. The kernel may cap it (Linux: net.core.rmem_max) and
   * reports a doubled value; read the effective size from `NodeUdpSocket.recvBufferSize`.
   */
  readonly recvBufferSize?: number;
  /** SO_SNDBUF to request after bind, in bytes; default 4 MiB (capped by net.core.wmem_max). */
  readonly sendBufferSize?: number;
  /** Default for `BindOptions.ipv6Only` (IPv6 sockets refuse IPv4-mapped traffic). Default false. */
  readonly ipv6Only?: boolean;
  /** Default for `BindOptions.reuseAddress` (SO_REUSEADDR). Default false. */
  readonly reuseAddress?: boolean;
  /**
   * Give every send its own completion callback, so that errors the kernel reports for a datagram (EMSGSIZE,
   * ENOBUFS, ENETUNREACH …) are counted in `stats().sendErrors` and emitted on `events$`. It costs a tick per
   * datagram. Default false: sends are handed to libuv without a callback (errors the kernel reports for them are
   * not seen; to QUIC they are packet loss) and each pooled buffer goes back to the allocator as soon as libuv's
   * send queue is empty — at once for the usual synchronous send.
   */
  readonly reportSendErrors?: boolean;
  /** Do not keep the process alive just for this socket. Default false. */
  readonly unref?: boolean;
}
export const UdpSocketOptions = token<UdpSocketOptions>('fos.udp.UdpSocketOptions');
