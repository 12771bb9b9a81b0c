import { createCipheriv } from 'node:crypto';
import { ByteWriter } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderStatus, PacketHeader, parsePacketHeader } from './packet-header.js';
import {
  type RetryIntegrityTagFunction,
  retryIntegrityTag,
  retryPacketWithoutTag,
  retryPseudoPacket,
  verifyRetry,
  writeRetry,
} from './retry.js';
import { hex, readFixture, toHex } from './test-support/vectors.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from './versions.js';

interface RetrySet {
  retry_integrity: { key: string; nonce: string };
  retry: { original_destination_connection_id: string; retry_packet: string; retry_token_hex: string };
}
const fx = readFixture<{ rfc9001: RetrySet; rfc9369: RetrySet }>('wire-rfc-vectors.json');

/**
 * Test-only Retry tag (RFC 9001 §5.8 / RFC 9369 §3.3.3): AES-128-GCM with the fixed key and nonce, empty plaintext,
 * the pseudo-packet as associated data. The real one lives in @fos/crypto; this proves our pseudo-packet layout.
 */
const tagFn: RetryIntegrityTagFunction = (version, odcid, retryWithoutTag) => {
  const v = version === QUIC_VERSION_2 ? fx.rfc9369 : fx.rfc9001;
  const cipher = createCipheriv('aes-128-gcm', hex(v.retry_integrity.key), hex(v.retry_integrity.nonce));
  cipher.setAAD(retryPseudoPacket(odcid, retryWithoutTag));
  cipher.final();
  return new Uint8Array(cipher.getAuthTag());
};

describe.each([
  ['RFC 9001 A.4 (v1)', fx.rfc9001, QUIC_VERSION_1],
  ['RFC 9369 A.4 (v2)', fx.rfc9369, QUIC_VERSION_2],
] as const)('%s Retry', (_name, v, version) => {
  const odcid = hex(v.retry.original_destination_connection_id);

  it('the tag over our pseudo-packet equals the RFC tag, and verifyRetry accepts it', () => {
    const packet = hex(v.retry.retry_packet);
    const out = new PacketHeader();
    expect(parsePacketHeader(packet, 0, packet.length, 8, out)).toBe(HeaderStatus.OK);
    expect(out.version).toBe(version);
    expect(toHex(tagFn(version, odcid, retryPacketWithoutTag(out)))).toBe(toHex(retryIntegrityTag(out)));
    expect(verifyRetry(out, odcid, tagFn)).toBe(true);
    // Any other original DCID (what an off-path attacker would not know) fails.
    expect(verifyRetry(out, hex('8394c8f03e515709'), tagFn)).toBe(false);
  });

  it('writeRetry rebuilds the RFC packet byte for byte', () => {
    const packet = hex(v.retry.retry_packet);
    const parsed = new PacketHeader();
    parsePacketHeader(packet, 0, packet.length, 8, parsed);
    const w = new ByteWriter(new Uint8Array(100));
    const n = writeRetry(w, version, parsed.dcid, parsed.scid, parsed.token, odcid, tagFn, packet[0] & 0x0f);
    expect(toHex(w.buf.subarray(0, n))).toBe(v.retry.retry_packet);
  });

  it('a corrupted Retry fails verification (fast-check)', () => {
    const packet = hex(v.retry.retry_packet);
    fc.assert(
      fc.property(fc.integer({ min: 5, max: packet.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const p = packet.slice();
        p[at] ^= x;
        const out = new PacketHeader();
        if (parsePacketHeader(p, 0, p.length, 8, out) !== HeaderStatus.OK) return;
        expect(verifyRetry(out, odcid, tagFn)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Retry rules', () => {
  it('a client discards a Retry whose SCID equals the DCID it sent (RFC 9000 §17.2.5.1)', () => {
    const odcid = hex('0102030405060708');
    const w = new ByteWriter(new Uint8Array(100));
    const n = writeRetry(w, QUIC_VERSION_1, hex('aa'), odcid, hex('746f6b656e'), odcid, tagFn);
    const out = new PacketHeader();
    expect(parsePacketHeader(w.buf, 0, n, 1, out)).toBe(HeaderStatus.OK);
    expect(verifyRetry(out, odcid, tagFn)).toBe(false);
  });

  it('refuses to write an empty token', () => {
    const w = new ByteWriter(new Uint8Array(100));
    expect(() => writeRetry(w, QUIC_VERSION_1, hex('aa'), hex('bb'), new Uint8Array(0), hex('cc'), tagFn)).toThrow(
      RangeError,
    );
  });

  it('the pseudo-packet is ODCID Length, ODCID, Retry without tag (RFC 9001 §5.8)', () => {
    expect(toHex(retryPseudoPacket(hex('0a0b'), hex('ff00')))).toBe('020a0bff00');
  });
});
