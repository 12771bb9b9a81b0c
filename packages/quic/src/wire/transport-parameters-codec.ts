import {
  ByteReader,
  ByteWriter,
  readVarintAt,
  readVarintBigAt,
  TransportError,
  TransportErrorCode,
  TruncatedInputError,
  VARINT_LIMIT,
  varintLength,
} from '@fos/core';
import { STATELESS_RESET_TOKEN_LENGTH } from './connection-id-frames.js';
import {
  DEFAULT_ACK_DELAY_EXPONENT,
  DEFAULT_ACTIVE_CONNECTION_ID_LIMIT,
  DEFAULT_MAX_ACK_DELAY_MS,
  DEFAULT_MAX_UDP_PAYLOAD_SIZE,
  defaultTransportParameters,
  TransportParameterId as Id,
  isReservedTransportParameterId,
  type PreferredAddress,
  type TransportParameters,
} from './transport-parameters.js';
import { MAX_CID_LENGTH } from './versions.js';

/** Which endpoint sent the parameters being decoded (or is encoding its own). */
export type EndpointRole = 'client' | 'server';

function tpError(reason: string): TransportError {
  return new TransportError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, reason);
}

// RFC 9000 §18.2 / §7.3 limits.
const MIN_MAX_UDP_PAYLOAD_SIZE = 1200;
const MAX_ACK_DELAY_EXPONENT = 20;
const MAX_MAX_ACK_DELAY = 2 ** 14; // exclusive
const MAX_STREAMS = 2 ** 60;
const MAX_STREAMS_BIG = 1n << 60n;
// Figure 22: IPv4 (4) + port (2) + IPv6 (16) + port (2) + CID length (1) + CID + reset token (16).
const PREFERRED_ADDRESS_FIXED = 4 + 2 + 16 + 2 + 1 + STATELESS_RESET_TOKEN_LENGTH;

/** RFC 9000 §18.2: "A client MUST NOT include any server-only transport parameter". */
const SERVER_ONLY = [
  Id.ORIGINAL_DESTINATION_CONNECTION_ID,
  Id.STATELESS_RESET_TOKEN,
  Id.PREFERRED_ADDRESS,
  Id.RETRY_SOURCE_CONNECTION_ID,
] as const;

/** Options of {@link decodeTransportParameters}. */
export interface DecodeTransportParametersOptions {
  /**
   * RFC 9000 §7.3: treat a missing initial_source_connection_id (either role), or a missing
   * original_destination_connection_id from a server, as TRANSPORT_PARAMETER_ERROR. Default true; turn off only
   * for parameters that are not from a live handshake (e.g. remembered for 0-RTT).
   */
  readonly requireConnectionIds?: boolean;
}

function readInteger(value: Uint8Array): number {
  // An integer parameter is exactly one varint filling its value (RFC 9000 §18.2).
  if (value.length === 0 || 1 << (value[0] >> 6) !== value.length) throw tpError('malformed integer parameter');
  return readVarintAt(value, 0, value.length);
}

function readStreamLimit(value: Uint8Array, what: string): number {
  const v = readInteger(value);
  const tooLarge = v <= Number.MAX_SAFE_INTEGER ? v > MAX_STREAMS : readVarintBigAt(value, 0) > MAX_STREAMS_BIG;
  if (tooLarge) throw tpError(`${what} exceeds 2^60`); // RFC 9000 §18.2 via §19.11
  return v;
}

function readConnectionId(value: Uint8Array, what: string): Uint8Array {
  if (value.length > MAX_CID_LENGTH) throw tpError(`${what} longer than ${MAX_CID_LENGTH} bytes`);
  return value.slice();
}

function readPreferredAddress(value: Uint8Array): PreferredAddress {
  // RFC 9000 §18.2 Figure 22
  if (value.length < PREFERRED_ADDRESS_FIXED) throw tpError('preferred_address too short');
  const cidLength = value[24];
  // RFC 9000 §18.2: a zero-length connection ID in preferred_address is a TRANSPORT_PARAMETER_ERROR.
  if (cidLength === 0 || cidLength > MAX_CID_LENGTH) throw tpError(`preferred_address CID length ${cidLength}`);
  if (value.length !== PREFERRED_ADDRESS_FIXED + cidLength) throw tpError('preferred_address length mismatch');
  return {
    ipv4Address: value.slice(0, 4),
    ipv4Port: (value[4] << 8) | value[5],
    ipv6Address: value.slice(6, 22),
    ipv6Port: (value[22] << 8) | value[23],
    connectionId: value.slice(25, 25 + cidLength),
    statelessResetToken: value.slice(25 + cidLength),
  };
}

function readVersionInformation(value: Uint8Array, sender: EndpointRole): TransportParameters['versionInformation'] {
  // RFC 9368 §4: too short, a length not divisible by four, or a zero version is a parsing failure, which in
  // QUIC v1 closes the connection with TRANSPORT_PARAMETER_ERROR.
  if (value.length < 4 || value.length % 4 !== 0) throw tpError('malformed version_information');
  const read = (p: number): number =>
    ((value[p] << 24) | (value[p + 1] << 16) | (value[p + 2] << 8) | value[p + 3]) >>> 0;
  const chosenVersion = read(0);
  if (chosenVersion === 0) throw tpError('version_information Chosen Version is 0');
  const availableVersions: number[] = [];
  let chosenListed = false;
  for (let p = 4; p < value.length; p += 4) {
    const v = read(p);
    if (v === 0) throw tpError('version_information Available Version is 0');
    if (v === chosenVersion) chosenListed = true;
    availableVersions.push(v);
  }
  // RFC 9368 §4: a server receiving a Chosen Version not in Available Versions MUST treat it as a parsing failure.
  if (sender === 'client' && !chosenListed) throw tpError('client version_information omits its Chosen Version');
  return { chosenVersion, availableVersions };
}

/**
 * Decodes the quic_transport_parameters extension (RFC 9000 §18) sent by `sender`, filling RFC defaults for absent
 * parameters (§18.2). Every violation is a TransportError(TRANSPORT_PARAMETER_ERROR) (§7.4): truncation, an
 * invalid value, a duplicate (§7.4: SHOULD), a server-only parameter from a client (§18.2), a missing mandatory
 * connection ID (§7.3, see options). Unknown and reserved (31·N + 27) parameters are ignored (§7.4.2, §18.1).
 * Byte values are copied: the result outlives the handshake buffers.
 */
export function decodeTransportParameters(
  bytes: Uint8Array,
  sender: EndpointRole,
  options: DecodeTransportParametersOptions = {},
): TransportParameters {
  const p = defaultTransportParameters();
  const r = new ByteReader(bytes);
  let seenKnown = 0; // bit i = id i for ids 0x00-0x11; bit 18 = 0x20; bit 19 = 0x2ab2
  let seenOther: Set<number | bigint> | undefined;
  try {
    while (!r.done) {
      const idPos = r.pos;
      const id = r.varint();
      const value = r.bytes(r.varint());
      const bit =
        id <= Id.VERSION_INFORMATION
          ? id
          : id === Id.MAX_DATAGRAM_FRAME_SIZE
            ? 18
            : id === Id.GREASE_QUIC_BIT
              ? 19
              : -1;
      if (bit >= 0) {
        if ((seenKnown & (1 << bit)) !== 0) throw tpError(`duplicate transport parameter 0x${id.toString(16)}`);
        seenKnown |= 1 << bit;
      } else {
        // Unknown identifiers are ignored, but a repeated one is still a duplicate (RFC 9000 §7.4).
        const key = id <= Number.MAX_SAFE_INTEGER ? id : readVarintBigAt(bytes, idPos);
        seenOther ??= new Set();
        if (seenOther.has(key)) throw tpError('duplicate transport parameter');
        seenOther.add(key);
        continue;
      }
      if (sender === 'client' && (SERVER_ONLY as readonly number[]).includes(id)) {
        throw tpError(`server-only transport parameter 0x${id.toString(16)} sent by a client`);
      }
      decodeOne(p, id, value, sender);
    }
  } catch (e) {
    if (e instanceof TruncatedInputError) throw tpError('truncated transport parameters');
    throw e;
  }
  if (options.requireConnectionIds ?? true) {
    // RFC 9000 §7.3
    if (p.initialSourceConnectionId === undefined) throw tpError('initial_source_connection_id missing');
    if (sender === 'server' && p.originalDestinationConnectionId === undefined) {
      throw tpError('original_destination_connection_id missing');
    }
  }
  return p;
}

function decodeOne(p: TransportParameters, id: number, value: Uint8Array, sender: EndpointRole): void {
  switch (id) {
    case Id.ORIGINAL_DESTINATION_CONNECTION_ID:
      p.originalDestinationConnectionId = readConnectionId(value, 'original_destination_connection_id');
      return;
    case Id.MAX_IDLE_TIMEOUT:
      p.maxIdleTimeoutMs = readInteger(value);
      return;
    case Id.STATELESS_RESET_TOKEN:
      if (value.length !== STATELESS_RESET_TOKEN_LENGTH) throw tpError('stateless_reset_token is not 16 bytes');
      p.statelessResetToken = value.slice();
      return;
    case Id.MAX_UDP_PAYLOAD_SIZE:
      p.maxUdpPayloadSize = readInteger(value);
      if (p.maxUdpPayloadSize < MIN_MAX_UDP_PAYLOAD_SIZE) throw tpError('max_udp_payload_size below 1200');
      return;
    case Id.INITIAL_MAX_DATA:
      p.initialMaxData = readInteger(value);
      return;
    case Id.INITIAL_MAX_STREAM_DATA_BIDI_LOCAL:
      p.initialMaxStreamDataBidiLocal = readInteger(value);
      return;
    case Id.INITIAL_MAX_STREAM_DATA_BIDI_REMOTE:
      p.initialMaxStreamDataBidiRemote = readInteger(value);
      return;
    case Id.INITIAL_MAX_STREAM_DATA_UNI:
      p.initialMaxStreamDataUni = readInteger(value);
      return;
    case Id.INITIAL_MAX_STREAMS_BIDI:
      p.initialMaxStreamsBidi = readStreamLimit(value, 'initial_max_streams_bidi');
      return;
    case Id.INITIAL_MAX_STREAMS_UNI:
      p.initialMaxStreamsUni = readStreamLimit(value, 'initial_max_streams_uni');
      return;
    case Id.ACK_DELAY_EXPONENT:
      p.ackDelayExponent = readInteger(value);
      if (p.ackDelayExponent > MAX_ACK_DELAY_EXPONENT) throw tpError('ack_delay_exponent above 20');
      return;
    case Id.MAX_ACK_DELAY:
      p.maxAckDelayMs = readInteger(value);
      if (p.maxAckDelayMs >= MAX_MAX_ACK_DELAY) throw tpError('max_ack_delay of 2^14 or more');
      return;
    case Id.DISABLE_ACTIVE_MIGRATION:
      if (value.length !== 0) throw tpError('disable_active_migration has a value');
      p.disableActiveMigration = true;
      return;
    case Id.PREFERRED_ADDRESS:
      p.preferredAddress = readPreferredAddress(value);
      return;
    case Id.ACTIVE_CONNECTION_ID_LIMIT:
      p.activeConnectionIdLimit = readInteger(value);
      if (p.activeConnectionIdLimit < 2) throw tpError('active_connection_id_limit below 2');
      return;
    case Id.INITIAL_SOURCE_CONNECTION_ID:
      p.initialSourceConnectionId = readConnectionId(value, 'initial_source_connection_id');
      return;
    case Id.RETRY_SOURCE_CONNECTION_ID:
      p.retrySourceConnectionId = readConnectionId(value, 'retry_source_connection_id');
      return;
    case Id.VERSION_INFORMATION:
      p.versionInformation = readVersionInformation(value, sender);
      return;
    case Id.MAX_DATAGRAM_FRAME_SIZE:
      p.maxDatagramFrameSize = readInteger(value);
      return;
    case Id.GREASE_QUIC_BIT:
      // RFC 9287 §3: a non-empty value MUST be treated as TRANSPORT_PARAMETER_ERROR.
      if (value.length !== 0) throw tpError('grease_quic_bit has a value');
      p.greaseQuicBit = true;
      return;
  }
}

/** A reserved parameter to add when encoding (RFC 9000 §18.1). */
export interface GreaseTransportParameter {
  /** Must be of the form 31·N + 27 (see `reservedTransportParameterId`). */
  readonly id: number;
  /** Arbitrary content (the caller supplies the randomness: sans-I/O). */
  readonly value: Uint8Array;
}

/** Options of {@link encodeTransportParameters}. */
export interface EncodeTransportParametersOptions {
  /** When set, server-only parameters are refused for a client (RFC 9000 §18.2). */
  readonly role?: EndpointRole;
  /** A reserved parameter with arbitrary content, appended to exercise the peer (RFC 9000 §18.1). */
  readonly grease?: GreaseTransportParameter;
}

// 2^62 - 1, the largest varint, has no exact double: a decoded maximum comes back as 2^62. Such values (e.g. the
// initial_max_data of RFC 9001 Appendix A.2) are written back as the largest varint, so decode → encode holds.
function intLength(v: number): number {
  return v >= VARINT_LIMIT ? 8 : varintLength(v);
}

function writeInt(w: ByteWriter, v: number): void {
  if (v >= VARINT_LIMIT) {
    if (v > VARINT_LIMIT) throw new RangeError(`transport parameter value ${v} exceeds 2^62 - 1`);
    w.varint(8).u32(0xffff_ffff).u32(0xffff_ffff);
  } else {
    w.varint(varintLength(v)).varint(v);
  }
}

type Entry = { id: number; int?: number; bytes?: Uint8Array; empty?: true };

function entries(p: Partial<TransportParameters>): Entry[] {
  const out: Entry[] = [];
  const int = (id: number, v: number | undefined, dflt: number): void => {
    if (v !== undefined && v !== dflt) out.push({ id, int: v });
  };
  const bytes = (id: number, v: Uint8Array | undefined): void => {
    if (v !== undefined) out.push({ id, bytes: v });
  };
  bytes(Id.ORIGINAL_DESTINATION_CONNECTION_ID, p.originalDestinationConnectionId);
  int(Id.MAX_IDLE_TIMEOUT, p.maxIdleTimeoutMs, 0);
  bytes(Id.STATELESS_RESET_TOKEN, p.statelessResetToken);
  int(Id.MAX_UDP_PAYLOAD_SIZE, p.maxUdpPayloadSize, DEFAULT_MAX_UDP_PAYLOAD_SIZE);
  int(Id.INITIAL_MAX_DATA, p.initialMaxData, 0);
  int(Id.INITIAL_MAX_STREAM_DATA_BIDI_LOCAL, p.initialMaxStreamDataBidiLocal, 0);
  int(Id.INITIAL_MAX_STREAM_DATA_BIDI_REMOTE, p.initialMaxStreamDataBidiRemote, 0);
  int(Id.INITIAL_MAX_STREAM_DATA_UNI, p.initialMaxStreamDataUni, 0);
  int(Id.INITIAL_MAX_STREAMS_BIDI, p.initialMaxStreamsBidi, 0);
  int(Id.INITIAL_MAX_STREAMS_UNI, p.initialMaxStreamsUni, 0);
  int(Id.ACK_DELAY_EXPONENT, p.ackDelayExponent, DEFAULT_ACK_DELAY_EXPONENT);
  int(Id.MAX_ACK_DELAY, p.maxAckDelayMs, DEFAULT_MAX_ACK_DELAY_MS);
  if (p.disableActiveMigration) out.push({ id: Id.DISABLE_ACTIVE_MIGRATION, empty: true });
  if (p.preferredAddress) out.push({ id: Id.PREFERRED_ADDRESS, bytes: encodePreferredAddress(p.preferredAddress) });
  int(Id.ACTIVE_CONNECTION_ID_LIMIT, p.activeConnectionIdLimit, DEFAULT_ACTIVE_CONNECTION_ID_LIMIT);
  bytes(Id.INITIAL_SOURCE_CONNECTION_ID, p.initialSourceConnectionId);
  bytes(Id.RETRY_SOURCE_CONNECTION_ID, p.retrySourceConnectionId);
  if (p.versionInformation)
    out.push({ id: Id.VERSION_INFORMATION, bytes: encodeVersionInformation(p.versionInformation) });
  int(Id.MAX_DATAGRAM_FRAME_SIZE, p.maxDatagramFrameSize, 0);
  if (p.greaseQuicBit) out.push({ id: Id.GREASE_QUIC_BIT, empty: true });
  return out;
}

function encodePreferredAddress(a: PreferredAddress): Uint8Array {
  if (a.ipv4Address.length !== 4 || a.ipv6Address.length !== 16) throw new RangeError('preferred_address addresses');
  if (a.connectionId.length < 1 || a.connectionId.length > MAX_CID_LENGTH)
    throw new RangeError('preferred_address CID');
  if (a.statelessResetToken.length !== STATELESS_RESET_TOKEN_LENGTH) throw new RangeError('preferred_address token');
  const w = new ByteWriter(new Uint8Array(PREFERRED_ADDRESS_FIXED + a.connectionId.length));
  w.bytes(a.ipv4Address).u16(a.ipv4Port).bytes(a.ipv6Address).u16(a.ipv6Port);
  w.u8(a.connectionId.length).bytes(a.connectionId).bytes(a.statelessResetToken);
  return w.buf;
}

function encodeVersionInformation(v: NonNullable<TransportParameters['versionInformation']>): Uint8Array {
  if (v.chosenVersion === 0 || v.availableVersions.includes(0))
    throw new RangeError('version 0 in version_information');
  const w = new ByteWriter(new Uint8Array(4 + 4 * v.availableVersions.length));
  w.u32(v.chosenVersion);
  for (const a of v.availableVersions) w.u32(a);
  return w.buf;
}

function validateForEncoding(p: Partial<TransportParameters>, role: EndpointRole | undefined): void {
  const cid = (v: Uint8Array | undefined, what: string): void => {
    if (v !== undefined && v.length > MAX_CID_LENGTH) throw new RangeError(`${what} too long`);
  };
  cid(p.originalDestinationConnectionId, 'original_destination_connection_id');
  cid(p.initialSourceConnectionId, 'initial_source_connection_id');
  cid(p.retrySourceConnectionId, 'retry_source_connection_id');
  if (p.statelessResetToken !== undefined && p.statelessResetToken.length !== STATELESS_RESET_TOKEN_LENGTH) {
    throw new RangeError('stateless_reset_token must be 16 bytes');
  }
  if (p.maxUdpPayloadSize !== undefined && p.maxUdpPayloadSize < MIN_MAX_UDP_PAYLOAD_SIZE) {
    throw new RangeError('max_udp_payload_size below 1200');
  }
  if (p.ackDelayExponent !== undefined && p.ackDelayExponent > MAX_ACK_DELAY_EXPONENT) {
    throw new RangeError('ack_delay_exponent above 20');
  }
  if (p.maxAckDelayMs !== undefined && p.maxAckDelayMs >= MAX_MAX_ACK_DELAY) throw new RangeError('max_ack_delay');
  if (p.activeConnectionIdLimit !== undefined && p.activeConnectionIdLimit < 2) {
    throw new RangeError('active_connection_id_limit below 2');
  }
  if ((p.initialMaxStreamsBidi ?? 0) > MAX_STREAMS || (p.initialMaxStreamsUni ?? 0) > MAX_STREAMS) {
    throw new RangeError('initial_max_streams above 2^60');
  }
  if (
    role === 'client' &&
    (p.originalDestinationConnectionId || p.statelessResetToken || p.preferredAddress || p.retrySourceConnectionId)
  ) {
    throw new RangeError('a client must not send server-only transport parameters');
  }
}

/**
 * Encodes transport parameters for the quic_transport_parameters extension (RFC 9000 §18). Parameters equal to
 * their default (or absent) are omitted; connection IDs are sent whenever defined (a zero-length CID is sent as an
 * empty value, §7.3). Invalid values throw RangeError: we never send what a peer must reject. Allocates (once per
 * handshake).
 */
export function encodeTransportParameters(
  params: Partial<TransportParameters>,
  options: EncodeTransportParametersOptions = {},
): Uint8Array {
  validateForEncoding(params, options.role);
  const list = entries(params);
  if (options.grease) {
    if (!isReservedTransportParameterId(options.grease.id)) {
      throw new RangeError(`0x${options.grease.id.toString(16)} is not a reserved transport parameter id`);
    }
    list.push({ id: options.grease.id, bytes: options.grease.value });
  }
  let size = 0;
  for (const e of list) {
    const len = e.int !== undefined ? intLength(e.int) : e.bytes ? e.bytes.length : 0;
    size += varintLength(e.id) + varintLength(len) + len;
  }
  const w = new ByteWriter(new Uint8Array(size));
  for (const e of list) {
    w.varint(e.id);
    if (e.int !== undefined) writeInt(w, e.int);
    else if (e.bytes) w.varint(e.bytes.length).bytes(e.bytes);
    else w.varint(0);
  }
  return w.buf;
}
