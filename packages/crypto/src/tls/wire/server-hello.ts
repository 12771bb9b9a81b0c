import { ByteReader } from '@fos/core';
import { HandshakeType, HELLO_RETRY_REQUEST_RANDOM } from '../constants.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';
import { beginHandshake } from './handshake-framing.js';
import { expectEnd, readFixed, readU8, readU16, readVector } from './tls-reader.js';
import { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4.1.3 ServerHello (also the shape of a HelloRetryRequest, §4.1.4). */
export interface ServerHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  readonly extensions: readonly Extension[];
}

/** RFC 8446 §4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest") is a HelloRetryRequest. */
export function isHelloRetryRequest(sh: ServerHello): boolean {
  const r = sh.random;
  for (let i = 0; i < 32; i++) if (r[i] !== HELLO_RETRY_REQUEST_RANDOM[i]) return false;
  return true;
}

export function encodeServerHello(sh: ServerHello): Uint8Array {
  const w = new TlsWriter(256);
  beginHandshake(w, HandshakeType.server_hello);
  w.u16(sh.legacyVersion).bytes(sh.random).vector(1, sh.legacySessionIdEcho).u16(sh.cipherSuite);
  w.u8(sh.legacyCompressionMethod);
  writeExtensions(w, sh.extensions);
  return w.end().finish();
}

/** Parses a ServerHello / HelloRetryRequest body (RFC 8446 §4.1.3: `Extension extensions<6..2^16-1>`). */
export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new ByteReader(body);
  const legacyVersion = readU16(r, 'ServerHello.legacy_version');
  const random = readFixed(r, 32, 'ServerHello.random');
  const legacySessionIdEcho = readVector(r, 1, 0, 32, 'legacy_session_id_echo');
  const cipherSuite = readU16(r, 'ServerHello.cipher_suite');
  const legacyCompressionMethod = readU8(r, 'legacy_compression_method');
  const extensions = readExtensions(r, 6, 0xffff, 'ServerHello');
  expectEnd(r, 'ServerHello');
  return { legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions };
}
