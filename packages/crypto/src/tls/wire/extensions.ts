import { ByteReader } from '@fos/core';
import { tlsAlert } from '../alert.js';
import { AlertDescription } from '../constants.js';
import { readU16, readVector } from './tls-reader.js';
import type { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4.2 `struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension`. */
export interface Extension {
  readonly type: number;
  /** The extension_data (a view into the message it was parsed from, or the bytes to encode). */
  readonly data: Uint8Array;
}

/**
 * Reads `Extension extensions<min..2^16-1>` (RFC 8446 §4.2). Two extensions of one type in a block are an
 * illegal_parameter (RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type").
 */
export function readExtensions(r: ByteReader, min: number, max: number, what: string): Extension[] {
  const block = readVector(r, 2, min, max, `${what} extensions`);
  const er = new ByteReader(block);
  const out: Extension[] = [];
  while (!er.done) {
    const type = readU16(er, `${what} extension type`);
    const data = readVector(er, 2, 0, 0xffff, `${what} extension ${type}`);
    for (let i = 0; i < out.length; i++) {
      if (out[i].type === type) {
        throw tlsAlert(AlertDescription.illegal_parameter, `${what}: duplicate extension ${type}`);
      }
    }
    out.push({ type, data });
  }
  return out;
}

/** Writes an extension block (with its 2-byte length). */
export function writeExtensions(w: TlsWriter, extensions: readonly Extension[]): void {
  w.begin(2);
  for (const ext of extensions) w.u16(ext.type).vector(2, ext.data);
  w.end();
}

/** The extension_data of `type`, or undefined. */
export function findExtension(extensions: readonly Extension[], type: number): Uint8Array | undefined {
  for (let i = 0; i < extensions.length; i++) if (extensions[i].type === type) return extensions[i].data;
  return undefined;
}

export function hasExtension(extensions: readonly Extension[], type: number): boolean {
  return findExtension(extensions, type) !== undefined;
}
