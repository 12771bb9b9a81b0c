/**
 * The three packet number spaces (RFC 9000 §12.3, RFC 9002 Appendix A.2 `kPacketNumberSpace`). 0-RTT and 1-RTT
 * packets share ApplicationData. The values index per-space arrays.
 */
export const PacketNumberSpace = {
  INITIAL: 0,
  HANDSHAKE: 1,
  APPLICATION_DATA: 2,
} as const;
export type PacketNumberSpace = (typeof PacketNumberSpace)[keyof typeof PacketNumberSpace];

/** Number of packet number spaces, the length of per-space arrays. */
export const PACKET_NUMBER_SPACE_COUNT = 3;

/** ECN codepoints as carried in the IP header's ECN field (RFC 3168 §5). */
export const EcnCodepoint = {
  NOT_ECT: 0b00,
  ECT1: 0b01,
  ECT0: 0b10,
  CE: 0b11,
} as const;
export type EcnCodepoint = (typeof EcnCodepoint)[keyof typeof EcnCodepoint];

export type { EcnCounts } from '../wire/frame.js';
