import { ByteReader } from '@fos/core';
import { HandshakeType } from '../constants.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';
import { beginHandshake } from './handshake-framing.js';
import { expectEnd, readVector } from './tls-reader.js';
import { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4.4.2 CertificateEntry (X.509 type). */
export interface CertificateEntry {
  /** DER-encoded certificate (`cert_data<1..2^24-1>`). */
  readonly data: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** RFC 8446 §4.4.2 Certificate. */
export interface Certificate {
  readonly requestContext: Uint8Array;
  readonly entries: readonly CertificateEntry[];
}

export function encodeCertificate(cert: Certificate): Uint8Array {
  let size = 16;
  for (const e of cert.entries) size += e.data.length + 8;
  const w = new TlsWriter(size);
  beginHandshake(w, HandshakeType.certificate);
  w.vector(1, cert.requestContext).begin(3);
  for (const e of cert.entries) {
    w.vector(3, e.data);
    writeExtensions(w, e.extensions);
  }
  return w.end().end().finish();
}

export function parseCertificate(body: Uint8Array): Certificate {
  const r = new ByteReader(body);
  const requestContext = readVector(r, 1, 0, 255, 'certificate_request_context');
  const list = new ByteReader(readVector(r, 3, 0, 0xff_ffff, 'certificate_list'));
  expectEnd(r, 'Certificate');
  const entries: CertificateEntry[] = [];
  while (!list.done) {
    const data = readVector(list, 3, 1, 0xff_ffff, 'cert_data');
    const extensions = readExtensions(list, 0, 0xffff, 'CertificateEntry');
    entries.push({ data, extensions });
  }
  return { requestContext, entries };
}
