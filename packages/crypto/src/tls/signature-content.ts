import type { TlsRole } from '@fos/core';

const SERVER_CONTEXT = 'TLS 1.3, server CertificateVerify';
const CLIENT_CONTEXT = 'TLS 1.3, client CertificateVerify';

/**
 * RFC 8446 §4.4.3: the bytes a CertificateVerify signs — 64 × 0x20, the context string, a 0 byte, then
 * Transcript-Hash(Handshake Context, Certificate).
 */
export function certificateVerifyContent(signer: TlsRole, transcriptHash: Uint8Array): Uint8Array {
  const context = signer === 'server' ? SERVER_CONTEXT : CLIENT_CONTEXT;
  const out = new Uint8Array(64 + context.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  for (let i = 0; i < context.length; i++) out[64 + i] = context.charCodeAt(i);
  out[64 + context.length] = 0;
  out.set(transcriptHash, 64 + context.length + 1);
  return out;
}
