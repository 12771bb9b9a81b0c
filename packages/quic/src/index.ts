// @fos/quic — the QUIC transport: wire layer, loss recovery, streams, connection, endpoint.

export * from './connection/index.js';
export * from './recovery/index.js';
export * from './streams/index.js';
export * from './wire/index.js';
