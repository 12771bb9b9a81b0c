// @fos/server — HTTP/3 servers (RFC 9114) over the fos QUIC transport: a request/response handler API with
// streaming bodies, trailers, interim responses, server push, priorities and graceful shutdown, plus static files.

export { type AccessLogEntry, formatAccessLogLine } from './access-log.js';
export { createHttp3Server } from './create-server.js';
export { ServerError, ServerErrorCode } from './errors.js';
export { appendHeaders, type OutgoingHeaders } from './exchange/headers.js';
export { Http3Request } from './exchange/request.js';
export { Http3Response, type PushOptions, type ResponseBody } from './exchange/response.js';
export { type FetchContext, type FetchStyleHandler, fetchHandler } from './fetch-handler.js';
export type { Http3Handler } from './handler.js';
export {
  Http3Server,
  type ServerCertificateInfo,
  type ServerCloseOptions,
  type ServerStats,
} from './http3-server.js';
export {
  type EarlyDataOptions,
  Http3ServerOptions,
  SERVER_DEFAULTS,
  type ServerCertificate,
  type ServerErrorContext,
  type ServerLimits,
  type ServerTicketOptions,
} from './options.js';
export { H3_ALPN, registerServer } from './register.js';
export { Http3Session, type SessionCloseInfo } from './session.js';
export {
  evaluatePreconditions,
  fileEtag,
  type PreconditionOutcome,
  type Preconditions,
  parseEntityTags,
  strongMatch,
  type Validators,
  weakMatch,
} from './static/conditional.js';
export { generatedBytes, parseBytesPath } from './static/generated-bytes.js';
export { contentTypeOf } from './static/mime-types.js';
export { type ByteRange, contentRange, evaluateRange, type RangeOutcome } from './static/range.js';
export { resolveUnderRoot } from './static/safe-path.js';
export { type ServeStaticOptions, serveStatic } from './static/serve-static.js';
export { httpDate, parseHttpDate } from './util/http-date.js';
