import { ByteReader } from '@fos/core';
import { HandshakeType } from '../constants.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';
import { beginHandshake } from './handshake-framing.js';
import { expectEnd } from './tls-reader.js';
import { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4.3.1 `struct { Extension extensions<0..2^16-1>; } EncryptedExtensions`. */
export interface EncryptedExtensions {
  readonly extensions: readonly Extension[];
}

export function encodeEncryptedExtensions(ee: EncryptedExtensions): Uint8Array {
  const w = new TlsWriter(128);
  beginHandshake(w, HandshakeType.encrypted_extensions);
  writeExtensions(w, ee.extensions);
  return w.end().finish();
}

export function parseEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  const r = new ByteReader(body);
  const extensions = readExtensions(r, 0, 0xffff, 'EncryptedExtensions');
  expectEnd(r, 'EncryptedExtensions');
  return { extensions };
}
