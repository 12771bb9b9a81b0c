import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type CertificateFiles, generateCertificate, type KeyKind } from './certs.js';
import { cleanupAll } from './lifecycle.js';
import { findPeer } from './peers.js';

afterAll(() => cleanupAll());

const openssl = findPeer('openssl');

function spkiOf(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

function checkLeaf(files: CertificateFiles, kind: KeyKind): X509Certificate {
  const leaf = new X509Certificate(readFileSync(files.certPath));
  expect(leaf.ca).toBe(false);
  expect(leaf.checkHost('localhost')).toBe('localhost');
  expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(leaf.checkIP('::1')).toBe('::1');
  expect(leaf.checkHost('example.com')).toBeUndefined();
  expect(leaf.keyUsage ?? []).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth (node lists EKU OIDs here)
  const key = createPrivateKey(readFileSync(files.keyPath));
  expect(leaf.checkPrivateKey(key)).toBe(true);
  if (kind === 'ec') {
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  } else {
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  }
  expect(files.spkiSha256).toBe(spkiOf(files.certPem));
  expect(Date.parse(leaf.validFrom)).toBeLessThan(Date.now());
  expect(Date.parse(leaf.validTo)).toBeGreaterThan(Date.now() + 86_400_000);
  return leaf;
}

describe.each(['ec', 'rsa'] as const)('generateCertificate (%s)', (kind) => {
  it('self-signed leaf: SANs, key type, matching key, SPKI pin', async () => {
    const files = await generateCertificate({ kind });
    const leaf = checkLeaf(files, kind);
    expect(leaf.verify(leaf.publicKey)).toBe(true);
    expect(files.caPath).toBeUndefined();
    expect(readFileSync(files.chainPath, 'utf8')).toBe(files.certPem);
  });

  it('CA + leaf: the leaf verifies under the CA, which is a CA', async () => {
    const files = await generateCertificate({ kind, issuer: 'ca' });
    const leaf = checkLeaf(files, kind);
    const ca = new X509Certificate(readFileSync(files.caPath as string));
    expect(ca.ca).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.verify(leaf.publicKey)).toBe(false);
    expect(files.caSpkiSha256).toBe(spkiOf(files.caPem as string));
    expect(readFileSync(files.chainPath, 'utf8')).toBe(files.certPem + files.caPem);
  });
});

describe.skipIf(!openssl)(`generateCertificate vs openssl${openssl ? '' : ' [skipped: openssl not found]'}`, () => {
  it('openssl verifies the chain for purpose sslserver and computes the same SPKI pin', async () => {
    const files = await generateCertificate({ kind: 'ec', issuer: 'ca' });
    execFileSync(openssl as string, [
      'verify',
      '-purpose',
      'sslserver',
      '-CAfile',
      files.caPath as string,
      files.certPath,
    ]);
    const pub = execFileSync(openssl as string, ['x509', '-in', files.certPath, '-pubkey', '-noout']);
    const der = execFileSync(openssl as string, ['pkey', '-pubin', '-outform', 'der'], { input: pub });
    expect(createHash('sha256').update(der).digest('base64')).toBe(files.spkiSha256);
  });

  it('openssl refuses the leaf under an unrelated CA (the check can fail)', async () => {
    const a = await generateCertificate({ kind: 'ec', issuer: 'ca' });
    const b = await generateCertificate({ kind: 'ec', issuer: 'ca' });
    expect(() =>
      execFileSync(openssl as string, ['verify', '-CAfile', b.caPath as string, a.certPath], { stdio: 'pipe' }),
    ).toThrow();
  });
});
