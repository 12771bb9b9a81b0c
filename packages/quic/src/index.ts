// @fos/quic — the QUIC transport: wire layer, loss recovery, streams, connection, endpoint.

export {
  ConnectionClosedError,
  EndpointClosedError,
  HandshakeFailedError,
  HandshakeTimeoutError,
  QuicError,
  QuicUsageError,
  StreamResetError,
  StreamStoppedError,
} from './api/errors.js';
export { type QuicConnectOptions, QuicEndpointOptions, type QuicServerOptions } from './api/options.js';
export { QuicConnection, type QuicConnectionStats, type RawConnectionListener } from './api/quic-connection.js';
export { createQuicEndpoint, QuicEndpoint, type QuicEndpointCloseOptions } from './api/quic-endpoint.js';
export { QuicStream } from './api/quic-stream.js';
export * from './connection/index.js';
export {
  DEFAULT_MAX_DATAGRAMS_PER_TURN,
  EndpointDriver,
  type EndpointDriverOptions,
} from './driver/endpoint-driver.js';
export { type AddressTokenOptions, AddressTokens, type TokenValidation } from './endpoint/address-tokens.js';
export { CidTable } from './endpoint/cid-table.js';
export {
  ConnectionIdGenerator,
  type ConnectionIdGeneratorOptions,
  DEFAULT_CID_LENGTH,
} from './endpoint/connection-id-generator.js';
export { Endpoint } from './endpoint/endpoint.js';
export { EndpointConnection, type EndpointEvent } from './endpoint/endpoint-connection.js';
export type {
  EndpointConnectOptions,
  EndpointOptions,
  EndpointServerOptions,
  EndpointStats,
} from './endpoint/endpoint-options.js';
export { FileQlogSink, type FileQlogSinkOptions } from './qlog/file-qlog-sink.js';
export * from './recovery/index.js';
export { registerQuic } from './register.js';
export * from './streams/index.js';
export * from './wire/index.js';
