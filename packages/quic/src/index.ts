// @fos/quic — the QUIC transport. For now: the wire layer (packets, frames, transport parameters).
export * from './wire/index.js';
