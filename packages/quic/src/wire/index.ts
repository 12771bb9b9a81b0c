// @fos/quic wire layer: packet headers, frames and transport parameters (RFC 9000 §12, §17-§19; RFC 9221, 9287,
// 9368, 9369). Sans-I/O and allocation-light; see README.md.

export {
  ackDelayField,
  ackDelayMicros,
  DEFAULT_MAX_ACK_RANGES,
  encodeAckFrame,
  encodedLengthAckFrame,
  parseAckFrame,
} from './ack-frame.js';
export { CoalescedPacketIterator } from './coalesced-packets.js';
export {
  encodeConnectionCloseFrame,
  encodedLengthConnectionCloseFrame,
  parseConnectionCloseFrame,
} from './connection-close-frame.js';
export {
  encodedLengthNewConnectionIdFrame,
  encodedLengthRetireConnectionIdFrame,
  encodeNewConnectionIdFrame,
  encodeRetireConnectionIdFrame,
  parseNewConnectionIdFrame,
  parseRetireConnectionIdFrame,
  STATELESS_RESET_TOKEN_LENGTH,
} from './connection-id-frames.js';
export { cryptoFrameOverhead, encodeCryptoFrame, encodedLengthCryptoFrame, parseCryptoFrame } from './crypto-frame.js';
export { encodeDatagramFrame, encodedLengthDatagramFrame, parseDatagramFrame } from './datagram-frame.js';
export {
  encodeDataBlockedFrame,
  encodedLengthDataBlockedFrame,
  encodedLengthMaxDataFrame,
  encodedLengthMaxStreamDataFrame,
  encodedLengthMaxStreamsFrame,
  encodedLengthStreamDataBlockedFrame,
  encodedLengthStreamsBlockedFrame,
  encodeMaxDataFrame,
  encodeMaxStreamDataFrame,
  encodeMaxStreamsFrame,
  encodeStreamDataBlockedFrame,
  encodeStreamsBlockedFrame,
  parseDataBlockedFrame,
  parseMaxDataFrame,
  parseMaxStreamDataFrame,
  parseMaxStreamsFrame,
  parseStreamDataBlockedFrame,
  parseStreamsBlockedFrame,
} from './flow-control-frames.js';
export type {
  AckFrame,
  ConnectionCloseFrame,
  CryptoFrame,
  DataBlockedFrame,
  DatagramFrame,
  EcnCounts,
  Frame,
  HandshakeDoneFrame,
  MaxDataFrame,
  MaxStreamDataFrame,
  MaxStreamsFrame,
  NewConnectionIdFrame,
  NewTokenFrame,
  PaddingFrame,
  PathChallengeFrame,
  PathResponseFrame,
  PingFrame,
  ResetStreamFrame,
  RetireConnectionIdFrame,
  StopSendingFrame,
  StreamDataBlockedFrame,
  StreamFrame,
  StreamsBlockedFrame,
} from './frame.js';
export {
  encodedLengthFrame,
  encodeFrame,
  parseFrame,
  parseFrameBody,
  readFrameType,
  wireFrameType,
} from './frame-codec.js';
export { frameEncodingError, MAX_STREAMS_LIMIT } from './frame-error.js';
export { FrameReader, type FrameReaderOptions } from './frame-reader.js';
export {
  countsTowardBytesInFlight,
  FrameType,
  frameTypeName,
  isAckEliciting,
  isFrameAllowedFromSender,
  isFrameAllowedInPacket,
  isKnownFrameType,
  isProbingFrame,
  StreamFrameBits,
} from './frame-type.js';
export { encodedLengthNewTokenFrame, encodeNewTokenFrame, parseNewTokenFrame } from './new-token-frame.js';
export {
  LONG_HEADER_LENGTH_FIELD_SIZE,
  longHeaderLength,
  MAX_LONG_HEADER_LENGTH,
  patchLongHeaderLength,
  shortHeaderLength,
  writeLongHeader,
  writeShortHeader,
} from './packet-builder.js';
export {
  HeaderStatus,
  keyPhaseBit,
  MIN_INITIAL_DATAGRAM_SIZE,
  PacketHeader,
  type ParseHeaderOptions,
  packetNumberLengthBits,
  parsePacketHeader,
  RETRY_INTEGRITY_TAG_LENGTH,
  reservedBits,
} from './packet-header.js';
export {
  type LongProtectedPacketType,
  longPacketTypeBits,
  longPacketTypeFromBits,
  PacketType,
  type PacketTypeName,
  packetTypeName,
} from './packet-type.js';
export {
  encodedLengthPathChallengeFrame,
  encodedLengthPathResponseFrame,
  encodePathChallengeFrame,
  encodePathResponseFrame,
  PATH_DATA_LENGTH,
  parsePathChallengeFrame,
  parsePathResponseFrame,
} from './path-frames.js';
export {
  type RetryIntegrityTagFunction,
  retryIntegrityTag,
  retryPacketWithoutTag,
  retryPseudoPacket,
  verifyRetry,
  writeRetry,
  writeRetryWithoutTag,
} from './retry.js';
export {
  encodedLengthHandshakeDoneFrame,
  encodedLengthPaddingFrame,
  encodedLengthPingFrame,
  encodeHandshakeDoneFrame,
  encodePaddingFrame,
  encodePingFrame,
  parseHandshakeDoneFrame,
  parsePaddingFrame,
  parsePingFrame,
} from './simple-frames.js';
export {
  endsWithStatelessResetToken,
  MIN_STATELESS_RESET_LENGTH,
  statelessResetLength,
  writeStatelessReset,
} from './stateless-reset.js';
export {
  encodedLengthResetStreamFrame,
  encodedLengthStopSendingFrame,
  encodeResetStreamFrame,
  encodeStopSendingFrame,
  parseResetStreamFrame,
  parseStopSendingFrame,
} from './stream-control-frames.js';
export {
  encodedLengthStreamFrame,
  encodeStreamFrame,
  parseStreamFrame,
  streamFrameOverhead,
  streamFrameType,
} from './stream-frame.js';
export {
  DEFAULT_ACK_DELAY_EXPONENT,
  DEFAULT_ACTIVE_CONNECTION_ID_LIMIT,
  DEFAULT_MAX_ACK_DELAY_MS,
  DEFAULT_MAX_UDP_PAYLOAD_SIZE,
  defaultTransportParameters,
  isReservedTransportParameterId,
  type PreferredAddress,
  reservedTransportParameterId,
  TransportParameterId,
  type TransportParameters,
  type VersionInformation,
} from './transport-parameters.js';
export {
  type DecodeTransportParametersOptions,
  decodeTransportParameters,
  type EncodeTransportParametersOptions,
  type EndpointRole,
  encodeTransportParameters,
  type GreaseTransportParameter,
} from './transport-parameters-codec.js';
export {
  readSupportedVersions,
  versionNegotiationLength,
  versionNegotiationLists,
  writeVersionNegotiation,
} from './version-negotiation.js';
export {
  areCompatibleVersions,
  formatVersion,
  greaseVersion,
  isReservedVersion,
  isSupportedVersion,
  MAX_CID_LENGTH,
  MAX_INVARIANT_CID_LENGTH,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  SUPPORTED_VERSIONS,
  VERSION_NEGOTIATION_VERSION,
} from './versions.js';
