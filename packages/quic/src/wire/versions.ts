// QUIC versions (RFC 9000 §15, RFC 8999 §5.4, RFC 9369 §3, RFC 9368).

/** The version field value of a Version Negotiation packet (RFC 9000 §15, RFC 8999 §6). */
export const VERSION_NEGOTIATION_VERSION = 0x0000_0000;
/** QUIC version 1 (RFC 9000 §15). */
export const QUIC_VERSION_1 = 0x0000_0001;
/** QUIC version 2 (RFC 9369 §3.1). */
export const QUIC_VERSION_2 = 0x6b33_43cf;

/** The versions this stack implements, in order of preference. */
export const SUPPORTED_VERSIONS: readonly number[] = [QUIC_VERSION_1, QUIC_VERSION_2];

/** Largest connection ID length in QUIC v1 and v2 long headers (RFC 9000 §17.2). */
export const MAX_CID_LENGTH = 20;
/** Largest connection ID length a long header of any version can carry (RFC 8999 §5.1). */
export const MAX_INVARIANT_CID_LENGTH = 255;

/** Whether this stack implements `version` (v1 or v2). */
export function isSupportedVersion(version: number): boolean {
  return version === QUIC_VERSION_1 || version === QUIC_VERSION_2;
}

/**
 * RFC 9000 §15: versions of the form 0x?a?a?a?a (the low four bits of every byte are 1010) are reserved to
 * exercise version negotiation; they never name a real protocol.
 */
export function isReservedVersion(version: number): boolean {
  return (version & 0x0f0f_0f0f) === 0x0a0a_0a0a;
}

/**
 * A reserved version 0x?a?a?a?a built from caller-supplied randomness (RFC 9000 §6.3: endpoints MAY add reserved
 * versions where unknown versions are ignored, e.g. in a Version Negotiation packet or version_information).
 * Sans-I/O: the caller passes 32 random bits; the high nibble of each byte comes from them.
 */
export function greaseVersion(random32: number): number {
  return ((random32 & 0xf0f0_f0f0) | 0x0a0a_0a0a) >>> 0;
}

/**
 * RFC 9368 §2.3 / RFC 9369 §4: whether a first flight of `from` can be converted to `to` (compatible version
 * negotiation). v1 and v2 are compatible with each other in both directions.
 */
export function areCompatibleVersions(from: number, to: number): boolean {
  if (from === to) return isSupportedVersion(from);
  return (from === QUIC_VERSION_1 && to === QUIC_VERSION_2) || (from === QUIC_VERSION_2 && to === QUIC_VERSION_1);
}

/** `0x6b3343cf` formatting for logs and qlog. */
export function formatVersion(version: number): string {
  return `0x${(version >>> 0).toString(16).padStart(8, '0')}`;
}
