import { createHash } from 'node:crypto';

/**
 * The SPKI pin of a public key as curl's --pinnedpubkey takes it: base64(SHA-256(DER SubjectPublicKeyInfo)), with
 * the `sha256//` prefix.
 */
export function spkiPin(spki: Uint8Array): string {
  return `sha256//${createHash('sha256').update(spki).digest('base64')}`;
}

/** Normalises a pin to the bare base64 hash (accepts `sha256//…` or bare base64). */
export function normalizePin(pin: string): string {
  const p = pin.trim();
  return p.startsWith('sha256//') ? p.slice('sha256//'.length) : p;
}
