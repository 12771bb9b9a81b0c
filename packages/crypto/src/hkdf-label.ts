// RFC 8446 §7.1: HKDF-Expand-Label and Derive-Secret, shared by the TLS key schedule and QUIC key derivation
// (RFC 9001 §5.1 uses HKDF-Expand-Label with a zero-length context for every QUIC key).
import type { CryptoProvider, HashAlgorithm } from '@fos/core';

/** RFC 8446 §7.1: every label is prefixed with "tls13 " (6 bytes). */
const LABEL_PREFIX = 'tls13 ';
const LABEL_PREFIX_LENGTH = 6;
/** `opaque label<7..255>`: the prefix plus 1..249 label bytes. */
const MAX_LABEL_LENGTH = 255 - LABEL_PREFIX_LENGTH;
/** `opaque context<0..255>`. */
const MAX_CONTEXT_LENGTH = 255;
const EMPTY = new Uint8Array(0);

/**
 * Encodes the RFC 8446 §7.1 `HkdfLabel` structure:
 * `struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }`.
 *
 * `label` is ASCII without the "tls13 " prefix (RFC 9001 §5.1: no quotes, no trailing NUL).
 * Throws RangeError for a label or context outside the lengths the structure allows, or a length ≥ 2^16.
 */
export function encodeHkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const labelLength = label.length;
  if (labelLength < 1 || labelLength > MAX_LABEL_LENGTH) {
    throw new RangeError(`HKDF label must be 1..${MAX_LABEL_LENGTH} bytes, got ${labelLength}`);
  }
  if (context.length > MAX_CONTEXT_LENGTH) {
    throw new RangeError(`HKDF context must be at most ${MAX_CONTEXT_LENGTH} bytes, got ${context.length}`);
  }
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) {
    throw new RangeError(`HKDF-Expand-Label length must be a uint16, got ${length}`);
  }
  const fullLabelLength = LABEL_PREFIX_LENGTH + labelLength;
  const out = new Uint8Array(2 + 1 + fullLabelLength + 1 + context.length);
  out[0] = length >>> 8;
  out[1] = length & 0xff;
  out[2] = fullLabelLength;
  let p = 3;
  for (let i = 0; i < LABEL_PREFIX_LENGTH; i++) out[p++] = LABEL_PREFIX.charCodeAt(i);
  for (let i = 0; i < labelLength; i++) {
    const c = label.charCodeAt(i);
    if (c > 0x7f) throw new RangeError(`HKDF label must be ASCII: ${JSON.stringify(label)}`);
    out[p++] = c;
  }
  out[p++] = context.length;
  out.set(context, p);
  return out;
}

/**
 * RFC 8446 §7.1: `HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length)`.
 *
 * @param provider supplies HKDF-Expand (any `CryptoProvider`).
 * @param hash the cipher suite's hash (SHA-256 for QUIC Initial secrets, RFC 9001 §5.2).
 * @param secret the PRK / traffic secret.
 * @param label the label without the "tls13 " prefix, e.g. `"quic key"` or `"c hs traffic"`.
 * @param context the context (a transcript hash, or empty: RFC 9001 §5.1 uses a zero-length context).
 * @param length output length in bytes.
 */
export function hkdfExpandLabel(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return provider.hkdfExpand(hash, secret, encodeHkdfLabel(label, context, length), length);
}

/**
 * RFC 8446 §7.1: `Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label,
 * Transcript-Hash(Messages), Hash.length)`.
 *
 * The caller passes `transcriptHash` = Transcript-Hash(Messages) (the engine keeps the running hash); for the
 * empty message list use {@link emptyTranscriptHash}.
 */
export function deriveSecret(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(provider, hash, secret, label, transcriptHash, provider.hashLength(hash));
}

/** Transcript-Hash of the empty message list, i.e. Hash("") (RFC 8446 §7.1, e.g. `Derive-Secret(., "derived", "")`). */
export function emptyTranscriptHash(provider: CryptoProvider, hash: HashAlgorithm): Uint8Array {
  return provider.digest(hash, EMPTY);
}
