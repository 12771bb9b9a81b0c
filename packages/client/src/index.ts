// @fos/client — the fetch-style HttpClient: HTTP/3 discovered through Alt-Svc and raced against TCP, HTTP/2 and
// HTTP/1.1 fallback over node:http2 / node:https, a connection pool honouring MAX_STREAMS and GOAWAY.

export {
  AltSvcCache,
  type AltSvcCacheOptions,
  alternativeKey,
  type CachedAlternative,
} from './alt-svc/alt-svc-cache.js';
export {
  ALT_SVC_DEFAULT_MAX_AGE_SECONDS,
  type AltSvcAlternative,
  type AltSvcValue,
  decodeProtocolId,
  encodeProtocolId,
  formatAltSvc,
  parseAltSvc,
} from './alt-svc/alt-svc-parser.js';
export { ClientConfig, type ClientOptions } from './client/client-options.js';
export { HttpClient } from './client/http-client.js';
export { createClient, registerClient } from './client/register.js';
export {
  AbortError,
  BodyNotReplayableError,
  ClientClosedError,
  ClientError,
  ClientErrorCode,
  ConnectionRefusedError,
  DnsError,
  H3ConnectError,
  type H3ConnectFailure,
  H3UnavailableError,
  NetworkError,
  ProtocolError,
  RedirectError,
  RequestError,
  StreamResetError,
  TimeoutError,
  type TimeoutPhase,
  type TlsFailureReason,
  TlsHandshakeError,
  TlsVerificationError,
} from './errors.js';
export type { ChannelResponse, RequestChannel } from './fetch/channel.js';
export { ClientResponse, type FallbackReason, type ResponseInfo, responseInfo } from './fetch/client-response.js';
export type {
  ClientHeadersInit,
  ClientRequestInit,
  PreparedRequest,
  RedirectMode,
  RequestTimeouts,
} from './fetch/prepared-request.js';
export type { PushedResponse } from './fetch/pushed-response.js';
export type { ClientBodyInit } from './fetch/request-body.js';
export type { RequestContext } from './fetch/request-context.js';
export type { ResponseBodyHooks } from './fetch/response-body.js';
export {
  type H3ConnectOptions,
  type H3ConnectTarget,
  type H3Exchange,
  type H3PushPromise,
  type H3Request,
  type H3RequestOptions,
  type H3ResponseHead,
  type H3Services,
  type H3Session,
  type H3SessionEvent,
  H3SessionFactory,
  type H3TlsOptions,
} from './h3/h3-session.js';
export { QuicH3Exchange } from './h3/quic/quic-h3-exchange.js';
export { QuicH3Session } from './h3/quic/quic-h3-session.js';
export { QuicH3SessionFactory, type QuicH3SessionFactoryOptions } from './h3/quic/quic-h3-session-factory.js';
export { MemorySessionTicketCache, type MemorySessionTicketCacheOptions } from './h3/session-ticket-cache.js';
export {
  ConnectionPool,
  type ConnectionPoolOptions,
  type PooledConnection,
  type PoolKeyStats,
  type PoolLease,
} from './pool/connection-pool.js';
export { H2ErrorCode, H3ErrorCode, type HttpProtocol, type ProtocolPreference } from './protocol.js';
export { spkiSha256 } from './tcp/spki-pin.js';
export { type TcpConnectRequest, type TcpMode, TcpTransport } from './tcp/tcp-transport.js';
