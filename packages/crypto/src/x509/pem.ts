import { FosError } from '@fos/core';

/** Text that should hold PEM certificates holds none (or garbage). */
export class PemError extends FosError {}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Every `CERTIFICATE` block of a PEM text (RFC 7468 §5) as DER. */
export function pemCertificates(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(PEM_CERTIFICATE)) {
    const b64 = m[1].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new PemError('PEM: invalid base64 in a CERTIFICATE block');
    out.push(Uint8Array.from(Buffer.from(b64, 'base64')));
  }
  if (out.length === 0) throw new PemError('PEM: no CERTIFICATE block found');
  return out;
}

/** Certificates given as PEM text and/or DER bytes, flattened to DER in order. */
export function toDerCertificates(input: string | Uint8Array | readonly (string | Uint8Array)[]): Uint8Array[] {
  const items = typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
  const out: Uint8Array[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push(...pemCertificates(item));
    else out.push(item);
  }
  return out;
}
