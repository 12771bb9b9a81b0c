import { ByteReader } from '@fos/core';
import { HandshakeType } from '../constants.js';
import { beginHandshake } from './handshake-framing.js';
import { expectEnd, readU16, readVector } from './tls-reader.js';
import { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4.4.3 CertificateVerify. */
export interface CertificateVerify {
  readonly scheme: number;
  readonly signature: Uint8Array;
}

export function encodeCertificateVerify(cv: CertificateVerify): Uint8Array {
  const w = new TlsWriter(8 + cv.signature.length);
  beginHandshake(w, HandshakeType.certificate_verify);
  w.u16(cv.scheme).vector(2, cv.signature);
  return w.end().finish();
}

export function parseCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new ByteReader(body);
  const scheme = readU16(r, 'CertificateVerify.algorithm');
  const signature = readVector(r, 2, 0, 0xffff, 'CertificateVerify.signature');
  expectEnd(r, 'CertificateVerify');
  return { scheme, signature };
}
