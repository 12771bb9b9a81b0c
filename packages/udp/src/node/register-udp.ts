import { DatagramSocket, type DependencyContainer } from '@fos/core';
import { NodeUdpSocket } from './node-udp-socket.js';
import { UdpSocketOptions } from './udp-socket-options.js';

/**
 * Registers `DatagramSocket` → `NodeUdpSocket` (transient: every resolve creates a new, unbound socket) and the
 * `UdpSocketOptions` those sockets read. The sockets consume `BufferAllocator` and `Clock` (see `registerCore`).
 */
export function registerUdp(container: DependencyContainer, options: UdpSocketOptions = {}): DependencyContainer {
  container.register(UdpSocketOptions, { useValue: options });
  container.register(DatagramSocket, { useClass: NodeUdpSocket });
  return container;
}
