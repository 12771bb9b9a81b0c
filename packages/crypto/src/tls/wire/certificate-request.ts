import { ByteReader } from '@fos/core';
import { HandshakeType } from '../constants.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';
import { beginHandshake } from './handshake-framing.js';
import { expectEnd, readVector } from './tls-reader.js';
import { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4.3.2 CertificateRequest. */
export interface CertificateRequest {
  readonly requestContext: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function encodeCertificateRequest(cr: CertificateRequest): Uint8Array {
  const w = new TlsWriter(64);
  beginHandshake(w, HandshakeType.certificate_request);
  w.vector(1, cr.requestContext);
  writeExtensions(w, cr.extensions);
  return w.end().finish();
}

export function parseCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new ByteReader(body);
  const requestContext = readVector(r, 1, 0, 255, 'certificate_request_context');
  const extensions = readExtensions(r, 2, 0xffff, 'CertificateRequest');
  expectEnd(r, 'CertificateRequest');
  return { requestContext, extensions };
}
