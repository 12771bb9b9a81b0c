// @fos/udp — DatagramSocket plugins: NodeUdpSocket (node:dgram) and MemoryNetwork, a deterministic simulated
// network for transport tests and the congestion lab.

export { DelayHistogram, type DelaySummary } from './memory/delay-histogram.js';
export { DropCause, type LinkStats } from './memory/link.js';
export {
  CLEAN_LINK,
  type GilbertElliottLoss,
  gilbertElliottLossRate,
  type LinkConditions,
  type ResolvedLinkConditions,
  resolveLinkConditions,
  type TimeWindow,
} from './memory/link-conditions.js';
export { EPHEMERAL_PORT_FIRST, MemoryNetwork, type MemoryNetworkOptions } from './memory/memory-network.js';
export { hostFamily, MemorySocket, type RebindOptions } from './memory/memory-socket.js';
export type { NetworkFate, NetworkTraceEvent } from './memory/network-trace.js';
export { type MemoryNetworkRegistration, registerMemoryNetwork } from './memory/register-memory-network.js';
export { NodeUdpSocket } from './node/node-udp-socket.js';
export { registerUdp } from './node/register-udp.js';
export { DEFAULT_SOCKET_BUFFER_BYTES, UdpSocketOptions } from './node/udp-socket-options.js';
export { type Seed, SeededRandom } from './random/seeded-random.js';
export {
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  SocketErrorCode,
  type SocketStats,
  toSocketError,
} from './socket-errors.js';
