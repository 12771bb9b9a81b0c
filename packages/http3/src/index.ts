// @fos/http3 — HTTP/3 (RFC 9114) for both roles, sans-I/O: frames, unidirectional streams, H3Connection, server
// push, priorities (RFC 9218). QPACK (RFC 9204) is the `@fos/http3/qpack` subpath.

export { H3ClientRequest } from './connection/client-request.js';
export type { H3Event, H3EventType } from './connection/events.js';
export { H3Connection, type H3RequestOptions } from './connection/h3-connection.js';
export { H3_DEFAULTS, type H3ConnectionOptions, resolveLocalSettings } from './connection/options.js';
export { H3ServerPush } from './connection/server-push.js';
export {
  connectionError,
  H3Error,
  H3ErrorCode,
  type H3ErrorCodeName,
  H3UsageError,
  H3UsageErrorKind,
  h3ErrorName,
  isReservedErrorCode,
  streamError,
} from './errors.js';
export {
  encodedFrameLength,
  encodeFrame,
  encodeSettingsPayload,
  frameHeaderLength,
  framePayloadLength,
  frameTypeOf,
  type H3Frame,
  parseFramePayload,
  parsePriorityUpdatePayload,
  parsePushPromisePayload,
  parseSettingsPayload,
  parseSingleVarintPayload,
  readFrame,
  writeFrame,
  writeFrameHeader,
} from './frames/frame-codec.js';
export { FrameReadEvent, FrameReader, PayloadMode } from './frames/frame-reader.js';
export {
  frameTypeName,
  greaseCodePoint,
  H3FrameType,
  H3StreamType,
  isGreaseCodePoint,
  isHttp2ReservedFrameType,
  isKnownFrameType,
} from './frames/frame-types.js';
export {
  checkResumedSettings,
  DEFAULT_SETTINGS,
  type H3LocalSettings,
  type H3SettingEntry,
  H3SettingId,
  type H3Settings,
  isHttp2ReservedSetting,
  settingsEntries,
  settingsFromEntries,
} from './frames/settings.js';
export {
  FIELD_OVERHEAD,
  fieldSectionSize,
  flattenHeaders,
  type H3Header,
  type H3Headers,
  headerValue,
  joinCookies,
  pairHeaders,
} from './message/headers.js';
export {
  checkFieldName,
  checkFieldValue,
  isConnectionSpecificField,
  type RequestInfo,
  type RequestValidationOptions,
  type ResponseInfo,
  responseHasNoContent,
  validatePushRequest,
  validateRequest,
  validateResponse,
  validateTrailers,
} from './message/validation.js';
export {
  DEFAULT_PRIORITY,
  type H3Priority,
  parsePriority,
  priorityFromHeaders,
  serializePriority,
} from './priority/priority.js';
export { parseSfDictionary, type SfBareItem, type SfMember, type SfParameters } from './priority/structured-fields.js';
export { deliverQuicEvent, QuicH3Transport } from './quic/quic-h3-transport.js';
export { type H3ConnectionDefaults, H3ConnectionFactory, registerHttp3 } from './register.js';
export {
  GOAWAY_MAX_PUSH_ID,
  GOAWAY_MAX_STREAM_ID,
  type H3Role,
  type H3Transport,
  isBidirectionalStream,
  isClientInitiatedStream,
  isLocalStream,
  isRequestStream,
} from './transport.js';
