import { AEAD_TAG_LENGTH, CipherSuite, QuicVersion } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NullPacketProtection } from './null-packet-protection.js';

const protection = new NullPacketProtection();

/** A short-header packet: first byte (pn length 2), 8-byte DCID, 2-byte packet number, then the payload. */
function packet(payload: Uint8Array): { buf: Uint8Array; pnOffset: number; payloadEnd: number } {
  const buf = new Uint8Array(1 + 8 + 2 + payload.length + AEAD_TAG_LENGTH + 8);
  buf[0] = 0x40 | 0x01;
  buf.fill(0xcd, 1, 9);
  buf[9] = 0x12;
  buf[10] = 0x34;
  buf.set(payload, 11);
  return { buf, pnOffset: 9, payloadEnd: 11 + payload.length };
}

describe('NullPacketProtection (lab only)', () => {
  it('supports QUIC v1 and v2 and has no usage limits', () => {
    expect(protection.supportsVersion(QuicVersion.V1)).toBe(true);
    expect(protection.supportsVersion(QuicVersion.V2)).toBe(true);
    expect(protection.supportsVersion(0x1a2a_3a4a)).toBe(false);
    expect(protection.aeadLimits(CipherSuite.TLS_AES_128_GCM_SHA256).confidentialityLimit).toBe(Infinity);
  });

  it('round-trips: protect appends a zero tag, unprotectHeader reads the pn length, decrypt strips the tag', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 18, maxLength: 1100 }), (payload) => {
        const { write, read } = protection.initial(QuicVersion.V1, new Uint8Array(8), 'client');
        const { buf, pnOffset, payloadEnd } = packet(payload);
        const end = write.protect(buf, 0, pnOffset, 2, 0x1234, payloadEnd);
        expect(end).toBe(payloadEnd + AEAD_TAG_LENGTH);
        expect(read.unprotectHeader(buf, 0, pnOffset, end)).toBe(2);
        expect(read.decrypt(buf, 0, pnOffset + 2, end, 0x1234)).toBe(payloadEnd);
        expect(buf.subarray(pnOffset + 2, payloadEnd)).toEqual(payload);
      }),
    );
  });

  it('discards packets too short for a header-protection sample, and every truncation of the tag', () => {
    const { read, write } = protection.initial(QuicVersion.V1, new Uint8Array(8), 'server');
    const { buf, pnOffset, payloadEnd } = packet(new Uint8Array(40).fill(7));
    const end = write.protect(buf, 0, pnOffset, 2, 1, payloadEnd);
    for (let cut = pnOffset; cut < pnOffset + 20; cut++) expect(read.unprotectHeader(buf, 0, pnOffset, cut)).toBe(-1);
    // A packet shorter than its tag cannot open.
    expect(read.decrypt(buf, 0, pnOffset + 2, pnOffset + 2 + AEAD_TAG_LENGTH - 1, 1)).toBe(-1);
    // A truncated packet's last 16 bytes are payload, not a zero tag.
    for (let cut = end - AEAD_TAG_LENGTH; cut < end; cut++) expect(read.decrypt(buf, 0, pnOffset + 2, cut, 1)).toBe(-1);
  });

  it('rejects a packet whose tag is not all zeros (a stray or corrupted datagram)', () => {
    const p = protection.fromSecret(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, new Uint8Array(32));
    const { buf, pnOffset, payloadEnd } = packet(new Uint8Array(30));
    const end = p.protect(buf, 0, pnOffset, 2, 5, payloadEnd);
    buf[end - 1] = 1;
    expect(p.decrypt(buf, 0, pnOffset + 2, end, 5)).toBe(-1);
  });

  it('refuses to protect a packet without room for a sample (a caller bug)', () => {
    const p = protection.fromSecret(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, new Uint8Array(32));
    const buf = new Uint8Array(64);
    expect(() => p.protect(buf, 0, 9, 1, 0, 11)).toThrow(RangeError);
  });

  it('counts protected packets and keeps counting per key generation', () => {
    const p = protection.fromSecret(QuicVersion.V2, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, new Uint8Array(32));
    const { buf, pnOffset, payloadEnd } = packet(new Uint8Array(30));
    p.protect(buf, 0, pnOffset, 2, 0, payloadEnd);
    expect(p.protectedPackets).toBe(1);
    const next = p.nextGeneration();
    expect(next.generation).toBe(1);
    expect(next.protectedPackets).toBe(0);
    expect(next.version).toBe(QuicVersion.V2);
  });

  it('accepts a Retry only with its (zero) integrity tag', () => {
    const tag = protection.retryIntegrityTag(QuicVersion.V1, new Uint8Array(8), new Uint8Array(20));
    expect(tag).toEqual(new Uint8Array(AEAD_TAG_LENGTH));
    const retry = new Uint8Array(40);
    expect(protection.verifyRetryIntegrity(QuicVersion.V1, new Uint8Array(8), retry)).toBe(true);
    retry[39] = 1;
    expect(protection.verifyRetryIntegrity(QuicVersion.V1, new Uint8Array(8), retry)).toBe(false);
    expect(protection.verifyRetryIntegrity(QuicVersion.V1, new Uint8Array(8), new Uint8Array(3))).toBe(false);
  });
});
