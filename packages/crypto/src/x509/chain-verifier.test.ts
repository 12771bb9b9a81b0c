// Path validation: chains through intermediates in any order, and each refusal with its typed code and TLS alert.
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, createIntermediate, createLeaf, createSelfSignedLeaf, type Issuer } from '../../test/support/pki.js';
import { AlertDescription } from '../tls/constants.js';
import { CertificateError, type CertificateErrorCode } from './certificate-error.js';
import { ChainVerifier } from './chain-verifier.js';
import { spkiPin } from './spki-pin.js';
import { parseX509 } from './x509-certificate.js';

const NOW = Date.now();
const DAY = 86_400_000;
const server = (host = 'localhost') => ({ host, epochMs: NOW, purpose: 'server' as const });

function refusal(f: () => void): CertificateError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CertificateError);
    return e as CertificateError;
  }
  throw new Error('expected a CertificateError');
}

function expectCode(f: () => void, code: CertificateErrorCode, alert?: number): CertificateError {
  const e = refusal(f);
  expect(e.code).toBe(code);
  if (alert !== undefined) expect(e.alert).toBe(alert);
  return e;
}

let root: Issuer;
let inter: Issuer;
let otherRoot: Issuer;

beforeAll(async () => {
  root = await createCa('Root CA');
  inter = await createIntermediate(root, 'Intermediate CA');
  otherRoot = await createCa('Another Root');
});

describe('ChainVerifier', () => {
  it('accepts leaf → intermediate → root, with the intermediates in any order or with extras', async () => {
    const leaf = await createLeaf(inter, 'p256', { names: ['localhost'] });
    const other = await createIntermediate(root, 'Unrelated CA');
    const v = new ChainVerifier({ ca: root.pem });
    v.verify([leaf.der, inter.der], server());
    v.verify([leaf.der, other.der, inter.der, root.der], server());
    expectCode(() => v.verify([leaf.der], server()), 'unknown-ca', AlertDescription.unknown_ca);
  });

  it('unknown CA: messages read "unknown CA"', async () => {
    const leaf = await createLeaf(inter, 'p256', { names: ['localhost'] });
    const e = expectCode(
      () => new ChainVerifier({ ca: otherRoot.pem }).verify([leaf.der, inter.der], server()),
      'unknown-ca',
    );
    expect(e.message.startsWith('unknown CA')).toBe(true);
  });

  it('hostname mismatch: "hostname mismatch: localhost vs example.org"', async () => {
    const leaf = await createLeaf(root, 'p256', { names: ['example.org'] });
    const e = expectCode(
      () => new ChainVerifier({ ca: root.pem }).verify([leaf.der], server('localhost')),
      'hostname-mismatch',
      AlertDescription.bad_certificate,
    );
    expect(e.message).toBe('hostname mismatch: localhost vs example.org');
    new ChainVerifier({ ca: root.pem }).verify([leaf.der], { epochMs: NOW, purpose: 'server' });
  });

  it('expired and not-yet-valid, for the leaf and for an intermediate → certificate_expired', async () => {
    const v = new ChainVerifier({ ca: root.pem });
    const old = await createLeaf(root, 'p256', {
      names: ['localhost'],
      notBefore: new Date(NOW - 3 * DAY),
      notAfter: new Date(NOW - DAY),
    });
    const e = expectCode(() => v.verify([old.der], server()), 'expired', AlertDescription.certificate_expired);
    expect(e.message.startsWith('expired')).toBe(true);
    const future = await createLeaf(root, 'p256', {
      names: ['localhost'],
      notBefore: new Date(NOW + DAY),
      notAfter: new Date(NOW + 3 * DAY),
    });
    expectCode(() => v.verify([future.der], server()), 'not-yet-valid', AlertDescription.certificate_expired);
    // Time comes from the caller: a certificate is fine at a time inside its (and its issuer's) validity.
    const oldRoot = await createCa('Old Root', 'p256', { notBefore: new Date(NOW - 10 * DAY) });
    const older = await createLeaf(oldRoot, 'p256', {
      names: ['localhost'],
      notBefore: new Date(NOW - 3 * DAY),
      notAfter: new Date(NOW - DAY),
    });
    new ChainVerifier({ ca: oldRoot.pem }).verify([older.der], {
      host: 'localhost',
      epochMs: NOW - 2 * DAY,
      purpose: 'server',
    });
    expectCode(() => new ChainVerifier({ ca: oldRoot.pem }).verify([older.der], server()), 'expired');
    // An anchor outside its validity fails too.
    expectCode(
      () =>
        new ChainVerifier({ ca: oldRoot.pem }).verify([older.der], {
          host: 'localhost',
          epochMs: NOW - 11 * DAY,
          purpose: 'server',
        }),
      'not-yet-valid',
    );
    const oldInter = await createIntermediate(root, 'Old Intermediate', {
      notBefore: new Date(NOW - 3 * DAY),
      notAfter: new Date(NOW - DAY),
    });
    const leaf = await createLeaf(oldInter, 'p256', { names: ['localhost'] });
    expectCode(() => v.verify([leaf.der, oldInter.der], server()), 'expired');
  });

  it('an issuer without cA (or without basicConstraints) is not a CA', async () => {
    const notCa = await createIntermediate(root, 'Not A CA', { ca: false });
    const leaf = await createLeaf(notCa, 'p256', { names: ['localhost'] });
    expectCode(() => new ChainVerifier({ ca: root.pem }).verify([leaf.der, notCa.der], server()), 'not-a-ca');
    const noBc = await createIntermediate(root, 'No BC', {
      noBasicConstraints: true,
      keyUsage: x509.KeyUsageFlags.keyCertSign,
    });
    const leaf2 = await createLeaf(noBc, 'p256', { names: ['localhost'] });
    expectCode(() => new ChainVerifier({ ca: root.pem }).verify([leaf2.der, noBc.der], server()), 'not-a-ca');
  });

  it('an issuer whose keyUsage lacks keyCertSign is not a CA', async () => {
    const noSign = await createIntermediate(root, 'No keyCertSign', { keyUsage: x509.KeyUsageFlags.cRLSign });
    const leaf = await createLeaf(noSign, 'p256', { names: ['localhost'] });
    expectCode(() => new ChainVerifier({ ca: root.pem }).verify([leaf.der, noSign.der], server()), 'not-a-ca');
  });

  it('pathLenConstraint (RFC 5280 §4.2.1.9)', async () => {
    const zero = await createIntermediate(root, 'PathLen 0', { pathLength: 0 });
    const below = await createIntermediate(zero, 'Below PathLen 0');
    const leaf = await createLeaf(below, 'p256', { names: ['localhost'] });
    const v = new ChainVerifier({ ca: root.pem });
    expectCode(
      () => v.verify([leaf.der, below.der, zero.der], server()),
      'path-length-exceeded',
      AlertDescription.bad_certificate,
    );
    const direct = await createLeaf(zero, 'p256', { names: ['localhost'] });
    v.verify([direct.der, zero.der], server());
  });

  it('end-entity keyUsage without digitalSignature, or extKeyUsage without serverAuth → unsupported_certificate', async () => {
    const v = new ChainVerifier({ ca: root.pem });
    const ku = await createLeaf(root, 'p256', { names: ['localhost'], keyUsage: x509.KeyUsageFlags.keyEncipherment });
    expectCode(() => v.verify([ku.der], server()), 'key-usage', AlertDescription.unsupported_certificate);
    const eku = await createLeaf(root, 'p256', { names: ['localhost'], extKeyUsage: ['1.3.6.1.5.5.7.3.2'] });
    expectCode(() => v.verify([eku.der], server()), 'key-usage');
    v.verify([eku.der], { epochMs: NOW, purpose: 'client' });
  });

  it('a signature that does not verify → bad_certificate', async () => {
    const impostor = await createCa('Root CA');
    const forged = await createLeaf(impostor, 'p256', { names: ['localhost'] });
    expectCode(
      () => new ChainVerifier({ ca: root.pem }).verify([forged.der], server()),
      'bad-signature',
      AlertDescription.bad_certificate,
    );
  });

  it('a self-signed end-entity certificate is trusted when listed, and only then', async () => {
    const self = await createSelfSignedLeaf('ed25519', { names: ['localhost'] });
    new ChainVerifier({ ca: self.pem }).verify([self.der], server());
    expectCode(() => new ChainVerifier({ ca: root.pem }).verify([self.der], server()), 'unknown-ca');
  });

  it('an empty chain and malformed DER are refused', () => {
    const v = new ChainVerifier({ ca: root.pem });
    expectCode(() => v.verify([], server()), 'no-certificate');
    expectCode(
      () => v.verify([Uint8Array.of(0x30, 0x03, 1, 2)], server()),
      'malformed',
      AlertDescription.bad_certificate,
    );
  });

  it('SPKI pins (curl --pinnedpubkey format), enforced even with rejectUnauthorized: false', async () => {
    const leaf = await createLeaf(root, 'p256', { names: ['localhost'] });
    const pin = spkiPin(parseX509(leaf.der).spki);
    expect(pin).toMatch(/^sha256\/\/[A-Za-z0-9+/]{43}=$/);
    new ChainVerifier({ ca: root.pem, pinnedPublicKeys: [pin] }).verify([leaf.der], server());
    new ChainVerifier({ rejectUnauthorized: false, pinnedPublicKeys: [pin.slice(8)] }).verify(
      [leaf.der],
      server('wrong.name'),
    );
    expectCode(
      () =>
        new ChainVerifier({
          rejectUnauthorized: false,
          pinnedPublicKeys: ['sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
        }).verify([leaf.der], server()),
      'pin-mismatch',
    );
  });

  it("uses Node's root store by default (a bundled root is trusted as itself; a private CA is unknown)", async () => {
    const { rootCertificates } = await import('node:tls');
    const { toDerCertificates } = await import('./pem.js');
    const v = new ChainVerifier();
    // A bundled root whose key usage would also allow it as an end-entity certificate.
    const usable = rootCertificates
      .map((pem) => toDerCertificates(pem)[0])
      .map((der) => ({ der, c: parseX509(der) }))
      .find(
        ({ c }) =>
          c.keyUsage !== undefined && (c.keyUsage & 1) !== 0 && c.extKeyUsage === undefined && c.notAfterMs > NOW,
      );
    expect(usable).toBeDefined();
    v.verify([usable!.der], { epochMs: NOW, purpose: 'server' });
    expectCode(
      () => new ChainVerifier({ ca: root.pem }).verify([usable!.der], { epochMs: NOW, purpose: 'server' }),
      'unknown-ca',
    );
    const leaf = await createLeaf(root, 'p256', { names: ['localhost'] });
    expectCode(() => v.verify([leaf.der], server()), 'unknown-ca');
  });
});
