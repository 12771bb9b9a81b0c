// The TLS 1.3 engine for QUIC (RFC 8446 as profiled by RFC 9001): `TlsContext` implements the `QuicTls` contract of
// @fos/core.
export { tlsAlert } from './alert.js';
export { type CipherSuiteInfo, cipherSuiteInfo } from './cipher-suites.js';
export { TlsClientSession, type TlsClientSessionOptions } from './client-session.js';
export { DEFAULT_SIGNATURE_SCHEMES, type TlsConfig } from './config.js';
export { AlertDescription, alertName, ExtensionType, HandshakeType } from './constants.js';
export { exportKeyingMaterial, KeySchedule, resumptionPsk } from './key-schedule.js';
export { MemorySessionCache, type MemorySessionCacheOptions } from './memory-session-cache.js';
export type { TlsCertificateConfig, TlsContextOptions, TlsTicketOptions } from './options.js';
export { TlsServerSession, type TlsServerSessionOptions } from './server-session.js';
export { TlsContext } from './tls-context.js';
export { Transcript } from './transcript.js';
