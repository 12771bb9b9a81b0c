// The sans-I/O connection (RFC 9000/9001/9002): the state machine the endpoint and drivers wrap.
export { LocalConnectionIds, PeerConnectionIds } from './cid-manager.js';
export {
  localTransportParameters,
  type ResolvedTransportConfig,
  resolveTransportConfig,
  type TransportConfig,
} from './config.js';
export { Connection, type ConnectionStats, ConnectionUsageError } from './connection.js';
export type { ClientTlsOptions, ConnectionOptions, ServerTlsOptions } from './connection-options.js';
export type { ConnectionCloseInfo, ConnectionEvent, ConnectionState } from './events.js';
