// @fos/core — contracts (DI tokens + plugin interfaces), wire primitives, and the small runtime pieces every
// package shares. No Node I/O lives here.

export { PoolAllocator, type PoolAllocatorOptions, PoolReleaseError } from './buffer/pool-allocator.js';
export { SystemClock, type SystemClockOptions } from './clock/system-clock.js';
export { VirtualClock, type VirtualClockOptions, VirtualClockRunawayError } from './clock/virtual-clock.js';
export {
  CongestionOptionsError,
  checkOption,
  DatagramWindowSizes,
  DEFAULT_INITIAL_WINDOW_PACKETS,
  DEFAULT_MINIMUM_WINDOW_PACKETS,
  INITIAL_WINDOW_LIMIT_BYTES,
  initialWindowBytes,
  pacingRateBytesPerSecond,
} from './congestion/window.js';
export { WindowedCongestionController } from './congestion/windowed-controller.js';
export { BufferAllocator, type BufferAllocatorStats } from './contracts/buffer-allocator.js';
export { Clock, type Timer } from './contracts/clock.js';
export {
  type CongestionController,
  CongestionControllerFactory,
  type CongestionControllerOptions,
  type CongestionState,
  type SentPacketInfo,
} from './contracts/congestion.js';
export {
  type AeadAlgorithm,
  type AeadKey,
  CipherSuite,
  CryptoProvider,
  type Hash,
  type HashAlgorithm,
  type HeaderProtectionAlgorithm,
  type HeaderProtectionKey,
  type KeyShare,
  NamedGroup,
  SignatureScheme,
  type SigningKey,
} from './contracts/crypto-provider.js';
export {
  type AddressFamily,
  type BindOptions,
  type Datagram,
  DatagramSocket,
  formatAddress,
  type SocketAddress,
  SocketError,
  type SocketEvent,
  type SocketOperation,
  sameAddress,
} from './contracts/datagram-socket.js';
export {
  AEAD_TAG_LENGTH,
  type AeadLimits,
  HEADER_PROTECTION_SAMPLE_LENGTH,
  HEADER_PROTECTION_SAMPLE_OFFSET,
  type PacketProtector,
  type PacketProtectorPair,
  QuicPacketProtection,
  QuicVersion,
} from './contracts/packet-protection.js';
export {
  type QlogEventDataMap,
  type QlogEventName,
  type QlogMetricsUpdated,
  type QlogPacketEvent,
  type QlogPacketHeader,
  type QlogPacketType,
  QlogSink,
  type QlogTrace,
  type QlogTraceInfo,
  type QlogVantagePoint,
} from './contracts/qlog.js';
export {
  type EarlyDataState,
  type EncryptionLevel,
  type KeyDirection,
  QuicTls,
  type QuicTlsClientOptions,
  type QuicTlsEarlyDataRequest,
  type QuicTlsEvent,
  type QuicTlsEventType,
  type QuicTlsServerOptions,
  type QuicTlsSession,
  QuicTlsSessionCache,
  type QuicTlsSessionOptions,
  type QuicTlsSessionTicket,
  type TlsRole,
} from './contracts/quic-tls.js';
export { StringInterner, type StringInternerStats } from './contracts/string-interner.js';
export {
  createContainer,
  type DependencyContainer,
  inject,
  injectable,
  instanceCachingFactory,
  Lifecycle,
  resolve,
  tryResolve,
} from './di/container.js';
export { type Token, token } from './di/token.js';
export {
  BufferOverflowError,
  FosError,
  isCryptoErrorCode,
  TransportError,
  TransportErrorCode,
  type TransportErrorCodeName,
  TruncatedInputError,
  transportErrorName,
  VarintRangeError,
  WireError,
} from './errors.js';
export { HashStringInterner, type HashStringInternerOptions, latin1 } from './intern/hash-string-interner.js';
export {
  MemoryQlogSink,
  NullQlogSink,
  qlogJsonSeqEvent,
  qlogJsonSeqHeader,
  type RecordedQlogEvent,
  type RecordedQlogTrace,
} from './qlog/qlog-sinks.js';
export {
  GRANULARITY_MS,
  INITIAL_RTT_MS,
  PACKET_THRESHOLD,
  PERSISTENT_CONGESTION_THRESHOLD,
  RttEstimator,
  type RttView,
  TIME_THRESHOLD,
} from './recovery/rtt-estimator.js';
export { type CoreOptions, registerCore } from './register.js';
export { type HeapNode, MinHeap } from './util/min-heap.js';
export { RingQueue } from './util/ring-queue.js';
export { ByteReader } from './wire/byte-reader.js';
export { ByteWriter } from './wire/byte-writer.js';
export {
  decodePacketNumber,
  packetNumberLength,
  readPacketNumber,
  truncatePacketNumber,
  writePacketNumber,
} from './wire/packet-number.js';
export {
  MAX_VARINT_BIG,
  readVarintAt,
  readVarintBigAt,
  VARINT_LIMIT,
  varintLength,
  varintLengthFromFirstByte,
  writeVarintAt,
  writeVarintBigAt,
} from './wire/varint.js';
