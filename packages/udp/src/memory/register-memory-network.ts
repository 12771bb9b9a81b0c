import { BufferAllocator, Clock, DatagramSocket, type DependencyContainer } from '@fos/core';
import type { MemoryNetwork } from './memory-network.js';

export interface MemoryNetworkRegistration {
  /** The network the container's sockets live on. */
  readonly network: MemoryNetwork;
  /** The host address those sockets bind on (e.g. '10.0.0.1'). */
  readonly host: string;
}

/**
 * Registers `DatagramSocket` → a new unbound socket of `network` on `host` per resolve, and — because those sockets
 * release into the network's allocator and live on its clock — `Clock` → `network.clock` and `BufferAllocator` →
 * `network.allocator` (replacing what `registerCore` put there; call this after it).
 */
export function registerMemoryNetwork(
  container: DependencyContainer,
  { network, host }: MemoryNetworkRegistration,
): DependencyContainer {
  container.register(Clock, { useValue: network.clock });
  container.register(BufferAllocator, { useValue: network.allocator });
  container.register(DatagramSocket, { useFactory: () => network.createSocket(host) });
  return container;
}
