// Test-only: find the quic_transport_parameters extension (0x39, RFC 9001 §8.2) in a TLS ClientHello or
// EncryptedExtensions message, to feed real-world transport parameters to the decoder.

function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

function findInExtensions(b: Uint8Array, start: number, end: number, type: number): Uint8Array | undefined {
  let p = start;
  while (p + 4 <= end) {
    const t = u16(b, p);
    const len = u16(b, p + 2);
    if (t === type) return b.subarray(p + 4, p + 4 + len);
    p += 4 + len;
  }
  return undefined;
}

/** The value of extension `type` in a ClientHello (handshake type 1) or EncryptedExtensions (type 8). */
export function tlsExtension(message: Uint8Array, type = 0x39): Uint8Array | undefined {
  const msgType = message[0];
  let p = 4; // handshake header
  if (msgType === 1) {
    p += 2 + 32; // legacy_version, random
    p += 1 + message[p]; // legacy_session_id
    p += 2 + u16(message, p); // cipher_suites
    p += 1 + message[p]; // legacy_compression_methods
  } else if (msgType !== 8) {
    throw new Error(`handshake type ${msgType} has no extensions here`);
  }
  const extLen = u16(message, p);
  return findInExtensions(message, p + 2, p + 2 + extLen, type);
}
