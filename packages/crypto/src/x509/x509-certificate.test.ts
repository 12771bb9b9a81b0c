// The DER certificate reader: the RFC 8448 certificate parses, every truncation throws DerError, and generated
// certificates read the same as node:crypto's X509Certificate sees them.
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import vectors from '../../test/fixtures/rfc8448.json' with { type: 'json' };
import { createCa, createLeaf, type Issuer, type KeyKind } from '../../test/support/pki.js';
import { parseCertificate } from '../tls/wire/certificate.js';
import { splitHandshake } from '../tls/wire/handshake-framing.js';
import { DerError, DerTag, decodeOid, decodeTime } from './der.js';
import { KeyUsageBit, parseX509 } from './x509-certificate.js';

const rfcCert = parseCertificate(
  splitHandshake(Uint8Array.from(Buffer.from(vectors.simple_1rtt_handshake.summary.certificate, 'hex'))).body,
).entries[0].data;

describe('parseX509', () => {
  it('reads the RFC 8448 server certificate like node:crypto does', () => {
    const c = parseX509(rfcCert);
    const n = new X509Certificate(rfcCert);
    expect(c.version).toBe(3);
    expect(c.notBeforeMs).toBe(Date.parse(n.validFrom));
    expect(c.notAfterMs).toBe(Date.parse(n.validTo));
    expect(Buffer.from(c.spki).equals(n.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(c.signatureAlgorithm).toBe('1.2.840.113549.1.1.11'); // sha256WithRSAEncryption
    expect(c.weakSignature).toBe(false);
  });

  it('every truncation is a DerError', () => {
    for (let n = 0; n < rfcCert.length; n++) expect(() => parseX509(rfcCert.subarray(0, n))).toThrow(DerError);
    expect(() => parseX509(Uint8Array.from([...rfcCert, 0]))).toThrow(DerError);
  });

  it('random bytes never throw anything but DerError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (junk, at, bit) => {
        for (const input of [
          junk,
          Uint8Array.from(rfcCert).map((b, i) => (i === at % rfcCert.length ? b ^ (1 << bit) : b)),
        ]) {
          try {
            parseX509(input);
          } catch (e) {
            expect(e).toBeInstanceOf(DerError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodes OIDs and both time forms (RFC 5280 §4.1.2.5)', () => {
    expect(decodeOid(Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b))).toBe(
      '1.2.840.113549.1.1.11',
    );
    expect(decodeOid(Uint8Array.of(0x55, 0x1d, 0x13))).toBe('2.5.29.19');
    expect(() => decodeOid(Uint8Array.of(0x86))).toThrow(DerError);
    const t = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
    expect(decodeTime(DerTag.utcTime, t('491231235959Z'))).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(decodeTime(DerTag.utcTime, t('500101000000Z'))).toBe(Date.UTC(1950, 0, 1));
    expect(decodeTime(DerTag.generalizedTime, t('20500101000000Z'))).toBe(Date.UTC(2050, 0, 1));
    expect(() => decodeTime(DerTag.utcTime, t('5001010000Z'))).toThrow(DerError);
    expect(() => decodeTime(DerTag.generalizedTime, t('20501301000000Z'))).toThrow(DerError);
  });
});

describe('generated certificates', () => {
  let ca: Issuer;
  beforeAll(async () => {
    ca = await createCa('Parse CA', 'p384', { pathLength: 2 });
  });

  it.each(['p256', 'p384', 'rsa', 'ed25519'] as KeyKind[])('a %s leaf reads like node:crypto sees it', async (kind) => {
    const leaf = await createLeaf(ca, kind, { names: ['a.example', '*.b.example'], ips: ['192.0.2.7', '2001:db8::1'] });
    const c = parseX509(leaf.der);
    const n = new X509Certificate(leaf.der);
    expect(c.dnsNames).toEqual(['a.example', '*.b.example']);
    expect(c.ipAddresses.map((a) => a.length)).toEqual([4, 16]);
    expect(Array.from(c.ipAddresses[0])).toEqual([192, 0, 2, 7]);
    expect(c.basicConstraints).toEqual({ ca: false, pathLength: undefined });
    expect(c.keyUsage! & (1 << KeyUsageBit.digitalSignature)).not.toBe(0);
    expect(c.extKeyUsage).toEqual(n.keyUsage);
    expect(Buffer.from(c.spki).equals(n.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(Buffer.from(c.issuer).equals(Buffer.from(parseX509(ca.der).subject))).toBe(true);
    expect(c.notAfterMs).toBe(Date.parse(n.validTo));
    expect(c.unknownCriticalExtensions).toEqual([]);
  });

  it('reads the CA flag, pathLenConstraint and keyCertSign', () => {
    const c = parseX509(ca.der);
    expect(c.basicConstraints).toEqual({ ca: true, pathLength: 2 });
    expect(c.keyUsage! & (1 << KeyUsageBit.keyCertSign)).not.toBe(0);
    expect(c.keyUsage! & (1 << KeyUsageBit.digitalSignature)).toBe(0);
  });
});
