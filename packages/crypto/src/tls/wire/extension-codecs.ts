// Bodies of the TLS 1.3 extensions the engine speaks (RFC 8446 §4.2, RFC 6066 §3, RFC 7301 §3.1, RFC 9001 §8.2).
// Each `encodeX` returns the extension_data; each `parseX` takes it and throws a decode_error TransportError on
// malformed input.
import { ByteReader } from '@fos/core';
import { tlsAlert } from '../alert.js';
import { AlertDescription } from '../constants.js';
import { expectEnd, readU8, readU16, readU16List, readU32, readVector } from './tls-reader.js';
import { TlsWriter } from './tls-writer.js';

const EMPTY = new Uint8Array(0);

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`not a byte string: ${JSON.stringify(s)}`);
    out[i] = c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- u16 lists

/** RFC 8446 §4.2.7 NamedGroupList `named_group_list<2..2^16-1>`. */
export function encodeSupportedGroups(groups: readonly number[]): Uint8Array {
  const w = new TlsWriter(2 + groups.length * 2).begin(2);
  for (const g of groups) w.u16(g);
  return w.end().finish();
}

export function parseSupportedGroups(data: Uint8Array): number[] {
  const r = new ByteReader(data);
  const list = readU16List(readVector(r, 2, 2, 0xffff, 'supported_groups'), 'supported_groups');
  expectEnd(r, 'supported_groups');
  return list;
}

/** RFC 8446 §4.2.3 SignatureSchemeList `supported_signature_algorithms<2..2^16-2>` (also for _cert). */
export function encodeSignatureAlgorithms(schemes: readonly number[]): Uint8Array {
  const w = new TlsWriter(2 + schemes.length * 2).begin(2);
  for (const s of schemes) w.u16(s);
  return w.end().finish();
}

export function parseSignatureAlgorithms(data: Uint8Array): number[] {
  const r = new ByteReader(data);
  const list = readU16List(readVector(r, 2, 2, 0xfffe, 'signature_algorithms'), 'signature_algorithms');
  expectEnd(r, 'signature_algorithms');
  return list;
}

// ---------------------------------------------------------------------------------------------- versions

/** RFC 8446 §4.2.1 ClientHello form: `ProtocolVersion versions<2..254>`. */
export function encodeSupportedVersionsClient(versions: readonly number[]): Uint8Array {
  const w = new TlsWriter(1 + versions.length * 2).begin(1);
  for (const v of versions) w.u16(v);
  return w.end().finish();
}

export function parseSupportedVersionsClient(data: Uint8Array): number[] {
  const r = new ByteReader(data);
  const list = readU16List(readVector(r, 1, 2, 254, 'supported_versions'), 'supported_versions');
  expectEnd(r, 'supported_versions');
  return list;
}

/** RFC 8446 §4.2.1 ServerHello/HelloRetryRequest form: `ProtocolVersion selected_version`. */
export function encodeSupportedVersionsServer(version: number): Uint8Array {
  return new TlsWriter(2).u16(version).finish();
}

export function parseSupportedVersionsServer(data: Uint8Array): number {
  const r = new ByteReader(data);
  const v = readU16(r, 'supported_versions');
  expectEnd(r, 'supported_versions');
  return v;
}

// ---------------------------------------------------------------------------------------------- key_share

/** RFC 8446 §4.2.8 KeyShareEntry. */
export interface KeyShareEntry {
  readonly group: number;
  readonly keyExchange: Uint8Array;
}

function readKeyShareEntry(r: ByteReader): KeyShareEntry {
  const group = readU16(r, 'key_share group');
  const keyExchange = readVector(r, 2, 1, 0xffff, 'key_exchange');
  return { group, keyExchange };
}

/** RFC 8446 §4.2.8 KeyShareClientHello `client_shares<0..2^16-1>`. */
export function encodeKeyShareClient(shares: readonly KeyShareEntry[]): Uint8Array {
  const w = new TlsWriter().begin(2);
  for (const s of shares) w.u16(s.group).vector(2, s.keyExchange);
  return w.end().finish();
}

export function parseKeyShareClient(data: Uint8Array): KeyShareEntry[] {
  const r = new ByteReader(data);
  const list = new ByteReader(readVector(r, 2, 0, 0xffff, 'client_shares'));
  expectEnd(r, 'key_share');
  const out: KeyShareEntry[] = [];
  while (!list.done) out.push(readKeyShareEntry(list));
  return out;
}

/** RFC 8446 §4.2.8 KeyShareServerHello `KeyShareEntry server_share`. */
export function encodeKeyShareServer(share: KeyShareEntry): Uint8Array {
  return new TlsWriter(4 + share.keyExchange.length).u16(share.group).vector(2, share.keyExchange).finish();
}

export function parseKeyShareServer(data: Uint8Array): KeyShareEntry {
  const r = new ByteReader(data);
  const e = readKeyShareEntry(r);
  expectEnd(r, 'key_share');
  return e;
}

/** RFC 8446 §4.2.8 KeyShareHelloRetryRequest `NamedGroup selected_group`. */
export function encodeKeyShareHrr(group: number): Uint8Array {
  return new TlsWriter(2).u16(group).finish();
}

export function parseKeyShareHrr(data: Uint8Array): number {
  const r = new ByteReader(data);
  const g = readU16(r, 'key_share selected_group');
  expectEnd(r, 'key_share');
  return g;
}

// ---------------------------------------------------------------------------------------------- server_name

/** RFC 6066 §3 ServerNameList with one host_name(0) entry. */
export function encodeServerName(hostName: string): Uint8Array {
  return new TlsWriter().begin(2).u8(0).vector(2, fromLatin1(hostName)).end().finish();
}

/**
 * RFC 6066 §3: returns the host_name, or undefined when the list has none. Two names of one type are a decode_error
 * ("The ServerNameList MUST NOT contain more than one name of the same name_type").
 */
export function parseServerName(data: Uint8Array): string | undefined {
  const r = new ByteReader(data);
  const list = new ByteReader(readVector(r, 2, 1, 0xffff, 'server_name_list'));
  expectEnd(r, 'server_name');
  let host: string | undefined;
  const seen = new Set<number>();
  while (!list.done) {
    const nameType = readU8(list, 'server_name name_type');
    const name = readVector(list, 2, 1, 0xffff, 'server_name host_name');
    if (seen.has(nameType)) throw tlsAlert(AlertDescription.decode_error, 'server_name: duplicate name_type');
    seen.add(nameType);
    if (nameType === 0) host = latin1(name);
  }
  return host;
}

// ---------------------------------------------------------------------------------------------- ALPN

/** RFC 7301 §3.1 ProtocolNameList `ProtocolName protocol_name_list<2..2^16-1>`, `ProtocolName<1..2^8-1>`. */
export function encodeAlpn(protocols: readonly string[]): Uint8Array {
  const w = new TlsWriter().begin(2);
  for (const p of protocols) {
    if (p.length < 1 || p.length > 255)
      throw new RangeError(`ALPN protocol must be 1..255 bytes: ${JSON.stringify(p)}`);
    w.vector(1, fromLatin1(p));
  }
  return w.end().finish();
}

export function parseAlpn(data: Uint8Array): string[] {
  const r = new ByteReader(data);
  const list = new ByteReader(readVector(r, 2, 2, 0xffff, 'protocol_name_list'));
  expectEnd(r, 'application_layer_protocol_negotiation');
  const out: string[] = [];
  while (!list.done) out.push(latin1(readVector(list, 1, 1, 255, 'ProtocolName')));
  return out;
}

// ---------------------------------------------------------------------------------------------- PSK

/** RFC 8446 §4.2.9 PskKeyExchangeModes `ke_modes<1..255>`. */
export function encodePskModes(modes: readonly number[]): Uint8Array {
  const w = new TlsWriter().begin(1);
  for (const m of modes) w.u8(m);
  return w.end().finish();
}

export function parsePskModes(data: Uint8Array): number[] {
  const r = new ByteReader(data);
  const modes = readVector(r, 1, 1, 255, 'ke_modes');
  expectEnd(r, 'psk_key_exchange_modes');
  return Array.from(modes);
}

/** RFC 8446 §4.2.11 PskIdentity. */
export interface PskIdentity {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
}

/** RFC 8446 §4.2.11 OfferedPsks. */
export interface OfferedPsks {
  readonly identities: readonly PskIdentity[];
  readonly binders: readonly Uint8Array[];
}

/** Bytes the `binders<33..2^16-1>` vector takes, length prefix included (what Truncate() removes, §4.2.11.2). */
export function bindersLength(binders: readonly Uint8Array[]): number {
  let n = 2;
  for (const b of binders) n += 1 + b.length;
  return n;
}

export function encodeOfferedPsks(psks: OfferedPsks): Uint8Array {
  const w = new TlsWriter().begin(2);
  for (const id of psks.identities) w.vector(2, id.identity).u32(id.obfuscatedTicketAge);
  w.end().begin(2);
  for (const b of psks.binders) w.vector(1, b);
  return w.end().finish();
}

export function parseOfferedPsks(data: Uint8Array): OfferedPsks {
  const r = new ByteReader(data);
  const idr = new ByteReader(readVector(r, 2, 7, 0xffff, 'identities'));
  const br = new ByteReader(readVector(r, 2, 33, 0xffff, 'binders'));
  expectEnd(r, 'pre_shared_key');
  const identities: PskIdentity[] = [];
  while (!idr.done) {
    const identity = readVector(idr, 2, 1, 0xffff, 'PskIdentity.identity');
    identities.push({ identity, obfuscatedTicketAge: readU32(idr, 'obfuscated_ticket_age') });
  }
  const binders: Uint8Array[] = [];
  while (!br.done) binders.push(readVector(br, 1, 32, 255, 'PskBinderEntry'));
  if (binders.length !== identities.length) {
    throw tlsAlert(
      AlertDescription.illegal_parameter,
      `pre_shared_key: ${identities.length} identities, ${binders.length} binders`,
    );
  }
  return { identities, binders };
}

/** RFC 8446 §4.2.11 ServerHello form: `uint16 selected_identity`. */
export function encodePskServer(selectedIdentity: number): Uint8Array {
  return new TlsWriter(2).u16(selectedIdentity).finish();
}

export function parsePskServer(data: Uint8Array): number {
  const r = new ByteReader(data);
  const v = readU16(r, 'selected_identity');
  expectEnd(r, 'pre_shared_key');
  return v;
}

// ---------------------------------------------------------------------------------------------- early_data, cookie

/** RFC 8446 §4.2.10 EarlyDataIndication in ClientHello / EncryptedExtensions: empty. */
export function encodeEarlyDataEmpty(): Uint8Array {
  return EMPTY;
}

export function parseEarlyDataEmpty(data: Uint8Array): void {
  if (data.length !== 0) throw tlsAlert(AlertDescription.decode_error, 'early_data: must be empty here');
}

/** RFC 8446 §4.2.10 EarlyDataIndication in NewSessionTicket: `uint32 max_early_data_size`. */
export function encodeEarlyDataTicket(maxEarlyDataSize: number): Uint8Array {
  return new TlsWriter(4).u32(maxEarlyDataSize).finish();
}

export function parseEarlyDataTicket(data: Uint8Array): number {
  const r = new ByteReader(data);
  const v = readU32(r, 'max_early_data_size');
  expectEnd(r, 'early_data');
  return v;
}

/** RFC 8446 §4.2.2 Cookie `opaque cookie<1..2^16-1>`. */
export function encodeCookie(cookie: Uint8Array): Uint8Array {
  return new TlsWriter(2 + cookie.length).vector(2, cookie).finish();
}

export function parseCookie(data: Uint8Array): Uint8Array {
  const r = new ByteReader(data);
  const c = readVector(r, 2, 1, 0xffff, 'cookie');
  expectEnd(r, 'cookie');
  return c;
}

export { fromLatin1, latin1 };
