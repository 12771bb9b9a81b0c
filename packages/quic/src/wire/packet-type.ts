import { QUIC_VERSION_2 } from './versions.js';

/**
 * Version-independent packet types. The long-header values equal the QUIC v1 wire encoding (RFC 9000 §17.2
 * Table 5); QUIC v2 maps them to other bits (RFC 9369 §3.2), see {@link longPacketTypeFromBits}.
 */
export const PacketType = {
  INITIAL: 0,
  ZERO_RTT: 1,
  HANDSHAKE: 2,
  RETRY: 3,
  /** Short header (RFC 9000 §17.3.1). */
  ONE_RTT: 4,
  /** Long header with version 0 (RFC 9000 §17.2.1). */
  VERSION_NEGOTIATION: 5,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** Packet types that carry a Length field, a packet number and protected frames. */
export type LongProtectedPacketType =
  | typeof PacketType.INITIAL
  | typeof PacketType.ZERO_RTT
  | typeof PacketType.HANDSHAKE;

// RFC 9369 §3.2: Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00. Indexed by wire bits.
const V2_FROM_BITS: readonly PacketType[] = [
  PacketType.RETRY,
  PacketType.INITIAL,
  PacketType.ZERO_RTT,
  PacketType.HANDSHAKE,
];
// Indexed by PacketType (v1 numbering).
const V2_TO_BITS: readonly number[] = [0b01, 0b10, 0b11, 0b00];

/** The packet type encoded by the two Long Packet Type bits (0x30 of byte 0 shifted down) for `version`. */
export function longPacketTypeFromBits(version: number, bits: number): PacketType {
  // RFC 9000 §17.2 Table 5 (v1) / RFC 9369 §3.2 (v2)
  return version === QUIC_VERSION_2 ? V2_FROM_BITS[bits & 3] : ((bits & 3) as PacketType);
}

/** The two Long Packet Type bits for `type` in `version` (RFC 9000 §17.2, RFC 9369 §3.2). */
export function longPacketTypeBits(version: number, type: PacketType): number {
  if (type > PacketType.RETRY) throw new RangeError(`packet type ${type} has no long header`);
  return version === QUIC_VERSION_2 ? V2_TO_BITS[type] : type;
}

/** qlog packet type names (draft-ietf-quic-qlog-quic-events). */
export type PacketTypeName = 'initial' | '0RTT' | 'handshake' | 'retry' | '1RTT' | 'version_negotiation';

const NAME_OF: readonly PacketTypeName[] = ['initial', '0RTT', 'handshake', 'retry', '1RTT', 'version_negotiation'];

/** The qlog name of a packet type (`initial`, `0RTT`, `1RTT`, …). */
export function packetTypeName(type: PacketType): PacketTypeName {
  return NAME_OF[type];
}
