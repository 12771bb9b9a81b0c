import { ByteWriter, type QuicPacketProtection, type QuicVersion } from '@fos/core';
import { encodeConnectionCloseFrame } from '../wire/connection-close-frame.js';
import type { ConnectionCloseFrame } from '../wire/frame.js';
import { FrameType } from '../wire/frame-type.js';
import { LONG_HEADER_LENGTH_FIELD_SIZE, patchLongHeaderLength, writeLongHeader } from '../wire/packet-builder.js';
import { PacketType } from '../wire/packet-type.js';
import { writeRetry } from '../wire/retry.js';
import { statelessResetLength, writeStatelessReset } from '../wire/stateless-reset.js';
import { writeVersionNegotiation } from '../wire/version-negotiation.js';

// Packets an endpoint sends without a connection: Version Negotiation (RFC 9000 §6.1), Retry (§8.1.2, §17.2.5),
// Stateless Reset (§10.3) and an Initial carrying CONNECTION_CLOSE to refuse a connection (§5.2.2) or reject an
// invalid Retry token (§8.1.2). Each writes into a caller-supplied buffer and returns the bytes written.

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
/** AEAD tag of the Initial protection (RFC 9001 §5.3). */
const TAG = 16;

/**
 * RFC 9000 §6.1 / §17.2.1: a Version Negotiation packet answering a long header with DCID `dcid` and SCID `scid`
 * (the IDs as received; they are echoed swapped), listing `versions` plus one reserved version made from
 * `random32` (RFC 9000 §6.3 greasing). `unusedBits` fills the 7 unused bits of byte 0.
 */
export function writeVersionNegotiationReply(
  out: Uint8Array,
  dcid: Uint8Array,
  scid: Uint8Array,
  versions: readonly number[],
  random32: number,
  unusedBits: number,
): number {
  const w = new ByteWriter(out);
  return writeVersionNegotiation(w, dcid, scid, versions, unusedBits, random32);
}

/**
 * RFC 9000 §17.2.5: a Retry answering a client Initial whose SCID is `clientScid` and whose DCID was
 * `originalDcid`; `retryScid` is the new CID the client must use, `token` the address validation token. The
 * integrity tag (RFC 9001 §5.8) comes from the packet protection plugin.
 */
export function writeRetryReply(
  out: Uint8Array,
  protection: QuicPacketProtection,
  version: number,
  clientScid: Uint8Array,
  retryScid: Uint8Array,
  originalDcid: Uint8Array,
  token: Uint8Array,
  unusedBits: number,
): number {
  const w = new ByteWriter(out);
  return writeRetry(
    w,
    version,
    clientScid,
    retryScid,
    token,
    originalDcid,
    (v, odcid, packet) => protection.retryIntegrityTag(v as QuicVersion, odcid, packet),
    unusedBits,
  );
}

/**
 * RFC 9000 §10.3: a Stateless Reset answering a datagram of `triggerLength` bytes: at most 43 bytes, always
 * shorter than the trigger (§10.3.3, no loops) and at least 21 (§10.3). Returns 0 when the trigger is too short to
 * be answered. `random` supplies the unpredictable bytes (at least 27 are used at most).
 */
export function writeStatelessResetReply(
  out: Uint8Array,
  triggerLength: number,
  token: Uint8Array,
  random: Uint8Array,
): number {
  const length = statelessResetLength(triggerLength);
  if (length === 0) return 0;
  const w = new ByteWriter(out);
  return writeStatelessReset(w, random.subarray(0, length - token.length), token);
}

/**
 * An Initial packet with a CONNECTION_CLOSE frame (type 0x1c) and no connection state behind it (RFC 9000 §5.2.2:
 * CONNECTION_REFUSED when the server does not accept a new connection; §8.1.2: INVALID_TOKEN for a bad Retry token).
 * It is protected with the Initial keys of the client's DCID (RFC 9001 §5.2), so the client can read it.
 *
 * @param clientDcid the DCID of the client's Initial (the keys are derived from it)
 * @param clientScid the SCID of the client's Initial (our packet's DCID)
 * @param scid our packet's SCID (any CID of our length)
 */
export function writeInitialClose(
  out: Uint8Array,
  protection: QuicPacketProtection,
  version: number,
  clientDcid: Uint8Array,
  clientScid: Uint8Array,
  scid: Uint8Array,
  errorCode: number,
  reason: string,
): number {
  const keys = protection.initial(version as QuicVersion, clientDcid, 'server');
  const w = new ByteWriter(out);
  // RFC 9000 §17.2.2: our first Initial uses packet number 0; a 4-byte encoding guarantees the header-protection
  // sample (RFC 9001 §5.4.2) whatever the frame length.
  const pnLength = 4;
  const lengthOffset = writeLongHeader(w, PacketType.INITIAL, version, clientScid, scid, EMPTY, 0, pnLength);
  const pnOffset = lengthOffset + LONG_HEADER_LENGTH_FIELD_SIZE;
  const frame: ConnectionCloseFrame = {
    type: FrameType.CONNECTION_CLOSE,
    isApplication: false,
    errorCode,
    frameType: 0,
    reason: encoder.encode(reason).subarray(0, 128),
  };
  w.end = out.length - TAG;
  encodeConnectionCloseFrame(w, frame);
  const payloadEnd = w.pos;
  patchLongHeaderLength(out, lengthOffset, payloadEnd + TAG);
  return keys.write.protect(out, 0, pnOffset, pnLength, 0, payloadEnd);
}
