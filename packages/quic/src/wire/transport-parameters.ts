// QUIC transport parameters: identifiers, the typed object and its defaults (RFC 9000 §18.2, RFC 9221 §3,
// RFC 9368 §3, RFC 9287 §3). The codec is in transport-parameters-codec.ts.

/** Transport parameter identifiers (RFC 9000 §18.2 and the extensions this stack implements). */
export const TransportParameterId = {
  ORIGINAL_DESTINATION_CONNECTION_ID: 0x00,
  MAX_IDLE_TIMEOUT: 0x01,
  STATELESS_RESET_TOKEN: 0x02,
  MAX_UDP_PAYLOAD_SIZE: 0x03,
  INITIAL_MAX_DATA: 0x04,
  INITIAL_MAX_STREAM_DATA_BIDI_LOCAL: 0x05,
  INITIAL_MAX_STREAM_DATA_BIDI_REMOTE: 0x06,
  INITIAL_MAX_STREAM_DATA_UNI: 0x07,
  INITIAL_MAX_STREAMS_BIDI: 0x08,
  INITIAL_MAX_STREAMS_UNI: 0x09,
  ACK_DELAY_EXPONENT: 0x0a,
  MAX_ACK_DELAY: 0x0b,
  DISABLE_ACTIVE_MIGRATION: 0x0c,
  PREFERRED_ADDRESS: 0x0d,
  ACTIVE_CONNECTION_ID_LIMIT: 0x0e,
  INITIAL_SOURCE_CONNECTION_ID: 0x0f,
  RETRY_SOURCE_CONNECTION_ID: 0x10,
  /** RFC 9368 §9.1 */
  VERSION_INFORMATION: 0x11,
  /** RFC 9221 §3 */
  MAX_DATAGRAM_FRAME_SIZE: 0x20,
  /** RFC 9287 §3 */
  GREASE_QUIC_BIT: 0x2ab2,
} as const;

/** RFC 9000 §18.1: identifiers 31·N + 27 are reserved to exercise the rule that unknown parameters are ignored. */
export function isReservedTransportParameterId(id: number): boolean {
  return id >= 27 && (id - 27) % 31 === 0;
}

/** The reserved (grease) identifier 31·N + 27 (RFC 9000 §18.1). `n` is chosen by the caller (e.g. at random). */
export function reservedTransportParameterId(n: number): number {
  return 31 * n + 27;
}

/** The server's preferred address (RFC 9000 §18.2, Figure 22; §9.6). All-zero address and port = family unused. */
export interface PreferredAddress {
  /** 4 bytes, network order. */
  ipv4Address: Uint8Array;
  ipv4Port: number;
  /** 16 bytes, network order. */
  ipv6Address: Uint8Array;
  ipv6Port: number;
  /** 1-20 bytes: the connection ID with sequence number 1 (§5.1.1). */
  connectionId: Uint8Array;
  /** 16 bytes. */
  statelessResetToken: Uint8Array;
}

/** version_information (RFC 9368 §3). */
export interface VersionInformation {
  chosenVersion: number;
  /** Client: the versions its first flight is compatible with, by preference. Server: its fully deployed versions. */
  availableVersions: number[];
}

/**
 * Transport parameters of one endpoint, defaults filled in for absent ones (RFC 9000 §18.2: 0 unless stated).
 * Integers are numbers (values above 2^53 are approximated, which only matters for limits that large).
 * Connection IDs are `undefined` when absent and a zero-length array when present and empty (§7.3).
 */
export interface TransportParameters {
  /** 0x00, server only. */
  originalDestinationConnectionId: Uint8Array | undefined;
  /** 0x01, milliseconds; 0 = no idle timeout from this endpoint. */
  maxIdleTimeoutMs: number;
  /** 0x02, server only, 16 bytes. */
  statelessResetToken: Uint8Array | undefined;
  /** 0x03, default 65527, at least 1200. */
  maxUdpPayloadSize: number;
  /** 0x04 */
  initialMaxData: number;
  /** 0x05 */
  initialMaxStreamDataBidiLocal: number;
  /** 0x06 */
  initialMaxStreamDataBidiRemote: number;
  /** 0x07 */
  initialMaxStreamDataUni: number;
  /** 0x08, at most 2^60. */
  initialMaxStreamsBidi: number;
  /** 0x09, at most 2^60. */
  initialMaxStreamsUni: number;
  /** 0x0a, default 3, at most 20. */
  ackDelayExponent: number;
  /** 0x0b, milliseconds, default 25, below 2^14. */
  maxAckDelayMs: number;
  /** 0x0c (zero-length value). */
  disableActiveMigration: boolean;
  /** 0x0d, server only. */
  preferredAddress: PreferredAddress | undefined;
  /** 0x0e, default 2, at least 2. */
  activeConnectionIdLimit: number;
  /** 0x0f, required from both endpoints (§7.3). */
  initialSourceConnectionId: Uint8Array | undefined;
  /** 0x10, server only, present iff the server sent a Retry (§7.3). */
  retrySourceConnectionId: Uint8Array | undefined;
  /** 0x11, RFC 9368. */
  versionInformation: VersionInformation | undefined;
  /** 0x20, RFC 9221; 0 = DATAGRAM frames not supported. */
  maxDatagramFrameSize: number;
  /** 0x2ab2, RFC 9287: the endpoint accepts packets with the fixed bit cleared. */
  greaseQuicBit: boolean;
}

/** RFC 9000 §18.2 default of max_udp_payload_size. */
export const DEFAULT_MAX_UDP_PAYLOAD_SIZE = 65527;
/** RFC 9000 §18.2 default of ack_delay_exponent. */
export const DEFAULT_ACK_DELAY_EXPONENT = 3;
/** RFC 9000 §18.2 default of max_ack_delay (ms). */
export const DEFAULT_MAX_ACK_DELAY_MS = 25;
/** RFC 9000 §18.2 default (and minimum) of active_connection_id_limit. */
export const DEFAULT_ACTIVE_CONNECTION_ID_LIMIT = 2;

/** Transport parameters with every value at its RFC default (what an empty extension means). */
export function defaultTransportParameters(): TransportParameters {
  return {
    originalDestinationConnectionId: undefined,
    maxIdleTimeoutMs: 0,
    statelessResetToken: undefined,
    maxUdpPayloadSize: DEFAULT_MAX_UDP_PAYLOAD_SIZE,
    initialMaxData: 0,
    initialMaxStreamDataBidiLocal: 0,
    initialMaxStreamDataBidiRemote: 0,
    initialMaxStreamDataUni: 0,
    initialMaxStreamsBidi: 0,
    initialMaxStreamsUni: 0,
    ackDelayExponent: DEFAULT_ACK_DELAY_EXPONENT,
    maxAckDelayMs: DEFAULT_MAX_ACK_DELAY_MS,
    disableActiveMigration: false,
    preferredAddress: undefined,
    activeConnectionIdLimit: DEFAULT_ACTIVE_CONNECTION_ID_LIMIT,
    initialSourceConnectionId: undefined,
    retrySourceConnectionId: undefined,
    versionInformation: undefined,
    maxDatagramFrameSize: 0,
    greaseQuicBit: false,
  };
}
