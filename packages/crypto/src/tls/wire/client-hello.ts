import { ByteReader } from '@fos/core';
import { tlsAlert } from '../alert.js';
import { AlertDescription, ExtensionType, HandshakeType } from '../constants.js';
import { bindersLength, parseOfferedPsks } from './extension-codecs.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';
import { beginHandshake } from './handshake-framing.js';
import { expectEnd, readFixed, readU16, readU16List, readVector } from './tls-reader.js';
import { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4.1.2 ClientHello. */
export interface ClientHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly legacyCompressionMethods: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** A parsed ClientHello plus what the PSK binder check needs (RFC 8446 §4.2.11.2). */
export interface ParsedClientHello extends ClientHello {
  /** Bytes at the end of the message taken by the binders vector (0 without pre_shared_key). */
  readonly bindersLength: number;
}

/** Encodes a ClientHello handshake message (header included). */
export function encodeClientHello(ch: ClientHello): Uint8Array {
  const w = new TlsWriter(512);
  beginHandshake(w, HandshakeType.client_hello);
  w.u16(ch.legacyVersion).bytes(ch.random).vector(1, ch.legacySessionId);
  w.begin(2);
  for (const s of ch.cipherSuites) w.u16(s);
  w.end().vector(1, ch.legacyCompressionMethods);
  writeExtensions(w, ch.extensions);
  return w.end().finish();
}

/**
 * Parses a ClientHello body (RFC 8446 §4.1.2). Structural violations are decode_error; pre_shared_key not last is
 * illegal_parameter (RFC 8446 §4.2.11).
 */
export function parseClientHello(body: Uint8Array): ParsedClientHello {
  const r = new ByteReader(body);
  const legacyVersion = readU16(r, 'ClientHello.legacy_version');
  const random = readFixed(r, 32, 'ClientHello.random');
  const legacySessionId = readVector(r, 1, 0, 32, 'legacy_session_id');
  const cipherSuites = readU16List(readVector(r, 2, 2, 0xfffe, 'cipher_suites'), 'cipher_suites');
  const legacyCompressionMethods = readVector(r, 1, 1, 255, 'legacy_compression_methods');
  // RFC 8446 §4.1.2: `Extension extensions<8..2^16-1>` (a TLS 1.3 ClientHello always has supported_versions).
  const extensions = readExtensions(r, 8, 0xffff, 'ClientHello');
  expectEnd(r, 'ClientHello');
  let binders = 0;
  for (let i = 0; i < extensions.length; i++) {
    if (extensions[i].type !== ExtensionType.pre_shared_key) continue;
    if (i !== extensions.length - 1) {
      throw tlsAlert(AlertDescription.illegal_parameter, 'pre_shared_key is not the last ClientHello extension');
    }
    binders = bindersLength(parseOfferedPsks(extensions[i].data).binders);
  }
  return {
    legacyVersion,
    random,
    legacySessionId,
    cipherSuites,
    legacyCompressionMethods,
    extensions,
    bindersLength: binders,
  };
}
