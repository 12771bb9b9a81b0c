import { createHash, X509Certificate } from 'node:crypto';

/**
 * SHA-256 of a certificate's DER SubjectPublicKeyInfo, base64: the pin format of RFC 7469 §2.4 (`pin-sha256`) and
 * curl's `--pinnedpubkey sha256//…`. Pass these strings as the client's `pins` option.
 */
export function spkiSha256(certificate: Uint8Array | string): string {
  const cert = new X509Certificate(typeof certificate === 'string' ? certificate : Buffer.from(certificate));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Whether the leaf certificate (DER) matches one of the pins; an empty pin list always matches. */
export function matchesPins(leafDer: Uint8Array | undefined, pins: readonly string[]): boolean {
  if (pins.length === 0) return true;
  if (leafDer === undefined || leafDer.byteLength === 0) return false;
  const actual = spkiSha256(leafDer);
  return pins.includes(actual);
}
