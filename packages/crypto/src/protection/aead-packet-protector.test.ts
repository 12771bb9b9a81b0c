import { CipherSuite, decodePacketNumber, type PacketProtector, QuicVersion, readPacketNumber } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from '../provider/node-crypto-provider.js';
import { CryptoPacketProtection } from './crypto-packet-protection.js';

const provider = new NodeCryptoProvider();
const protection = new CryptoPacketProtection(provider);
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

const SUITES = [
  { suite: CipherSuite.TLS_AES_128_GCM_SHA256, hashLength: 32 },
  { suite: CipherSuite.TLS_AES_256_GCM_SHA384, hashLength: 48 },
  { suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, hashLength: 32 },
] as const;
const VERSIONS = [QuicVersion.V1, QuicVersion.V2] as const;

/** A packet layout: header bytes (first byte carries the pn length), payload, packet number. */
interface Plain {
  long: boolean;
  headerBody: Uint8Array;
  pnLength: 1 | 2 | 3 | 4;
  packetNumber: number;
  payload: Uint8Array;
  firstByteBits: number;
}

const plainArb: fc.Arbitrary<Plain> = fc
  .record({
    long: fc.boolean(),
    headerBody: fc.uint8Array({ minLength: 0, maxLength: 40 }),
    pnLength: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const),
    packetNumber: fc.oneof(fc.nat(300), fc.nat(), fc.maxSafeNat()),
    payload: fc.uint8Array({ minLength: 3, maxLength: 200 }),
    firstByteBits: fc.nat(0x3f),
  })
  .filter((p) => p.pnLength + p.payload.length >= 4);

/** Builds the unprotected packet in a buffer with room for the tag; returns the layout. */
function build(p: Plain, lead = 0) {
  // first byte: form bit, fixed bit, then type/spin/reserved/key-phase bits, pn length in the low 2 bits
  const first = (p.long ? 0xc0 : 0x40) | (p.firstByteBits & (p.long ? 0x3c : 0x3c)) | (p.pnLength - 1);
  const headerOffset = lead;
  const pnOffset = headerOffset + 1 + p.headerBody.length;
  const payloadOffset = pnOffset + p.pnLength;
  const payloadEnd = payloadOffset + p.payload.length;
  const buf = new Uint8Array(payloadEnd + 16 + 5);
  buf[headerOffset] = first;
  buf.set(p.headerBody, headerOffset + 1);
  const truncated = p.packetNumber % 2 ** (8 * p.pnLength);
  for (let i = 0; i < p.pnLength; i++)
    buf[pnOffset + i] = Math.floor(truncated / 2 ** (8 * (p.pnLength - 1 - i))) & 0xff;
  buf.set(p.payload, payloadOffset);
  return { buf, headerOffset, pnOffset, payloadOffset, payloadEnd, packetEnd: payloadEnd + 16 };
}

/** The receive path: unprotect the header, recover the packet number (largest seen = pn - 1), decrypt. */
function receive(
  read: PacketProtector,
  buf: Uint8Array,
  headerOffset: number,
  pnOffset: number,
  packetEnd: number,
  expectedPn: number,
) {
  const pnLength = read.unprotectHeader(buf, headerOffset, pnOffset, packetEnd);
  if (pnLength < 0) return { pnLength, pn: -1, end: -1 };
  const truncated = readPacketNumber(buf, pnOffset, pnLength as 1 | 2 | 3 | 4);
  const pn = decodePacketNumber(expectedPn - 1, truncated, (pnLength * 8) as 8 | 16 | 24 | 32);
  const end = read.decrypt(buf, headerOffset, pnOffset + pnLength, packetEnd, pn);
  return { pnLength, pn, end };
}

describe('AeadPacketProtector properties', () => {
  it('protect → unprotectHeader → decrypt round-trips for random headers, payloads, packet numbers, suites and versions', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SUITES),
        fc.constantFrom(...VERSIONS),
        fc.uint8Array({ minLength: 48, maxLength: 48 }),
        plainArb,
        fc.nat(7),
        ({ suite, hashLength }, version, secretBytes, p, lead) => {
          const secret = secretBytes.subarray(0, hashLength);
          const write = protection.fromSecret(version, suite, secret);
          const read = protection.fromSecret(version, suite, secret);
          const pkt = build(p, lead);
          const original = Uint8Array.from(pkt.buf);
          const end = write.protect(
            pkt.buf,
            pkt.headerOffset,
            pkt.pnOffset,
            p.pnLength,
            p.packetNumber,
            pkt.payloadEnd,
          );
          expect(end).toBe(pkt.packetEnd);
          expect(write.protectedPackets).toBe(1);
          const r = receive(read, pkt.buf, pkt.headerOffset, pkt.pnOffset, pkt.packetEnd, p.packetNumber);
          expect(r.pnLength).toBe(p.pnLength);
          expect(r.pn).toBe(p.packetNumber);
          expect(r.end).toBe(pkt.payloadEnd);
          expect(toHex(pkt.buf.subarray(0, pkt.payloadEnd))).toBe(toHex(original.subarray(0, pkt.payloadEnd)));
          expect(read.failedDecryptions).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any single flipped bit makes decrypt return -1 (header bits also change the recovered header), never throws', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SUITES),
        fc.constantFrom(...VERSIONS),
        plainArb,
        fc.nat(),
        ({ suite, hashLength }, version, p, bitSeed) => {
          const secret = new Uint8Array(hashLength).fill(7);
          const write = protection.fromSecret(version, suite, secret);
          const read = protection.fromSecret(version, suite, secret);
          const pkt = build(p);
          const original = Uint8Array.from(pkt.buf.subarray(0, pkt.payloadOffset));
          write.protect(pkt.buf, pkt.headerOffset, pkt.pnOffset, p.pnLength, p.packetNumber, pkt.payloadEnd);
          const bit = bitSeed % (pkt.packetEnd * 8);
          pkt.buf[bit >> 3] ^= 1 << (bit & 7);
          const r = receive(read, pkt.buf, pkt.headerOffset, pkt.pnOffset, pkt.packetEnd, p.packetNumber);
          expect(r.end).toBe(-1);
          expect(read.failedDecryptions).toBe(1);
          if (bit >> 3 < pkt.payloadOffset) {
            // the flip hit the header: whatever was recovered differs from the original header or packet number
            const recovered = pkt.buf.subarray(0, pkt.pnOffset + r.pnLength);
            expect(r.pn !== p.packetNumber || toHex(recovered) !== toHex(original)).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('random bytes fed to unprotectHeader and decrypt never throw', () => {
    const read = protection.fromSecret(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, new Uint8Array(32));
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.nat(30),
        fc.integer({ min: -5, max: 130 }),
        (bytes, pnOffset, end) => {
          const buf = Uint8Array.from(bytes);
          const pnLength = read.unprotectHeader(buf, 0, pnOffset, end);
          expect(pnLength === -1 || (pnLength >= 1 && pnLength <= 4)).toBe(true);
          const r = read.decrypt(buf, 0, pnOffset + Math.max(pnLength, 1), end, 5);
          expect(r).toBe(-1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('AeadPacketProtector edge cases', () => {
  const secret = new Uint8Array(32).fill(1);
  const make = () => protection.fromSecret(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, secret);

  it('unprotectHeader returns -1 and leaves the packet untouched when the sample does not fit (RFC 9001 §5.4.2)', () => {
    const p = make();
    const buf = new Uint8Array(40).fill(0x41);
    // pnOffset 5: the sample needs bytes 9..24, so packetEnd 24 is one short and 25 is enough
    expect(p.unprotectHeader(buf, 0, 5, 24)).toBe(-1);
    expect(buf.every((b) => b === 0x41)).toBe(true);
    expect(p.unprotectHeader(buf, 0, 5, 25)).toBeGreaterThan(0);
    expect(p.unprotectHeader(buf, 0, 5, 41)).toBe(-1); // end beyond the buffer
    expect(p.unprotectHeader(buf, 3, 3, 40)).toBe(-1); // no header byte
  });

  it('a minimal packet (pn + payload = 4 bytes) protects and unprotects', () => {
    const w = make();
    const r = make();
    const buf = new Uint8Array(1 + 1 + 3 + 16);
    buf[0] = 0x40; // short header, 1-byte packet number
    buf[1] = 9;
    buf.set([1, 2, 3], 2);
    expect(w.protect(buf, 0, 1, 1, 9, 5)).toBe(21);
    const out = receive(r, buf, 0, 1, 21, 9);
    expect(out).toEqual({ pnLength: 1, pn: 9, end: 5 });
    expect(Array.from(buf.subarray(2, 5))).toEqual([1, 2, 3]);
  });

  it('protect refuses a packet with no room for the sample or the tag, or a mismatched pn length (caller bugs)', () => {
    const p = make();
    const buf = new Uint8Array(64);
    buf[0] = 0x40; // pn length 1
    expect(() => p.protect(buf, 0, 1, 1, 0, 4)).toThrow(RangeError); // pn + payload = 3 bytes
    expect(() => p.protect(buf, 0, 1, 2, 0, 10)).toThrow(RangeError); // first byte says 1
    expect(() => p.protect(buf, 0, 1, 1, 0, 60)).toThrow(RangeError); // tag does not fit
    expect(() => p.protect(buf, 0, 1, 1, -1, 10)).toThrow(RangeError);
    expect(() => p.protect(buf, 0, 1, 1, 2 ** 62, 10)).toThrow(RangeError);
    expect(p.protectedPackets).toBe(0);
  });

  it('decrypt of a too-short or out-of-range packet returns -1 and counts a failure', () => {
    const p = make();
    const buf = new Uint8Array(64);
    expect(p.decrypt(buf, 0, 5, 20, 0)).toBe(-1); // 15 bytes < tag
    expect(p.decrypt(buf, 0, 5, 65, 0)).toBe(-1); // beyond the buffer
    expect(p.decrypt(buf, 0, 5, 40, 2 ** 62)).toBe(-1);
    expect(p.decrypt(buf, 0, 5, 40, 1.5)).toBe(-1);
    expect(p.decrypt(buf, 0, 5, 40, 0)).toBe(-1); // authentication failure
    expect(p.failedDecryptions).toBe(5);
  });

  it('packet numbers above 2^32 enter the nonce (RFC 9001 §5.3: 62 bits)', () => {
    const w = make();
    const build1 = () => {
      const buf = new Uint8Array(1 + 4 + 20 + 16);
      buf[0] = 0x43;
      buf.fill(0x55, 5, 25);
      return buf;
    };
    const a = build1();
    const b = build1();
    w.protect(a, 0, 1, 4, 2 ** 40 + 5, 25);
    w.protect(b, 0, 1, 4, 5, 25); // same truncated packet number, different full one
    expect(toHex(a.subarray(5))).not.toBe(toHex(b.subarray(5)));
    const r = make();
    expect(r.unprotectHeader(a, 0, 1, a.length)).toBe(4);
    expect(r.decrypt(Uint8Array.from(a), 0, 5, a.length, 5)).toBe(-1);
    expect(r.decrypt(a, 0, 5, a.length, 2 ** 40 + 5)).toBe(25);
  });

  it('secrets of the wrong length and unsupported versions or suites are refused', () => {
    expect(() => protection.fromSecret(QuicVersion.V1, CipherSuite.TLS_AES_256_GCM_SHA384, new Uint8Array(32))).toThrow(
      RangeError,
    );
    expect(() => protection.fromSecret(0xff00001d as QuicVersion, CipherSuite.TLS_AES_128_GCM_SHA256, secret)).toThrow(
      RangeError,
    );
    expect(() => protection.fromSecret(QuicVersion.V1, 0x1304 as CipherSuite, secret)).toThrow(RangeError);
    expect(() => protection.initial(0 as QuicVersion, new Uint8Array(8), 'client')).toThrow(RangeError);
    expect(protection.supportsVersion(0)).toBe(false);
    expect(protection.supportsVersion(0xff00001d)).toBe(false);
    expect(protection.verifyRetryIntegrity(0 as QuicVersion, new Uint8Array(8), new Uint8Array(40))).toBe(false);
  });

  it('Initial keys pair up: what the client writes the server reads, and the other way round', () => {
    for (const version of VERSIONS) {
      const dcid = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
      const client = protection.initial(version, dcid, 'client');
      const server = protection.initial(version, dcid, 'server');
      for (const [w, r] of [
        [client.write, server.read],
        [server.write, client.read],
      ]) {
        const buf = new Uint8Array(1 + 2 + 30 + 16);
        buf[0] = 0xc1;
        buf[2] = 77; // 2-byte packet number 77
        buf.fill(9, 3, 33);
        w.protect(buf, 0, 1, 2, 77, 33);
        expect(receive(r, buf, 0, 1, buf.length, 77).end).toBe(33);
      }
      const wrongSide = new Uint8Array(1 + 2 + 30 + 16);
      wrongSide[0] = 0xc1;
      wrongSide[2] = 77;
      client.write.protect(wrongSide, 0, 1, 2, 77, 33);
      expect(receive(client.read, wrongSide, 0, 1, wrongSide.length, 77).end).toBe(-1);
      expect(client.write.cipherSuite).toBe(CipherSuite.TLS_AES_128_GCM_SHA256);
    }
  });

  it('exposes the RFC 9001 §6.6 limits and the tag overhead', () => {
    expect(protection.aeadLimits(CipherSuite.TLS_AES_128_GCM_SHA256)).toEqual({
      confidentialityLimit: 2 ** 23,
      integrityLimit: 2 ** 52,
    });
    expect(protection.aeadLimits(CipherSuite.TLS_AES_256_GCM_SHA384).confidentialityLimit).toBe(2 ** 23);
    expect(protection.aeadLimits(CipherSuite.TLS_CHACHA20_POLY1305_SHA256)).toEqual({
      confidentialityLimit: Number.POSITIVE_INFINITY,
      integrityLimit: 2 ** 36,
    });
    const p = protection.fromSecret(QuicVersion.V2, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, secret);
    expect(p.sealOverhead).toBe(16);
    expect(p.limits.integrityLimit).toBe(2 ** 36);
    expect(p.generation).toBe(0);
  });

  it('key updates chain: generation n+1 of the writer matches generation n+1 of the reader only', () => {
    const w0 = make();
    const r0 = make();
    const w2 = w0.nextGeneration().nextGeneration();
    const r1 = r0.nextGeneration();
    const r2 = r1.nextGeneration();
    const pkt = () => {
      const buf = new Uint8Array(1 + 1 + 20 + 16);
      buf[0] = 0x44; // key phase bit set, 1-byte pn
      buf[1] = 3;
      return buf;
    };
    const a = pkt();
    w2.protect(a, 0, 1, 1, 3, 22);
    expect(receive(r1, Uint8Array.from(a), 0, 1, a.length, 3).end).toBe(-1);
    expect(receive(r2, a, 0, 1, a.length, 3).end).toBe(22);
    expect(w2.protectedPackets).toBe(1);
    expect(w0.protectedPackets).toBe(0); // counters are per key
  });
});
