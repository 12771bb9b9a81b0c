import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSelfSignedCertificate, spkiSha256 } from './certificate-generator.js';

describe('generateSelfSignedCertificate', () => {
  it('makes a localhost certificate for 127.0.0.1 and ::1 with a matching key and SPKI pin', async () => {
    const cert = await generateSelfSignedCertificate();
    const x = new X509Certificate(cert.certPem);
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkIP('::1')).toBeDefined();
    expect(cert.keyPem).toContain('BEGIN PRIVATE KEY');
    expect(spkiSha256(cert.certDer)).toBe(cert.spkiSha256);
    expect(Buffer.from(cert.spkiSha256, 'base64').length).toBe(32);
  });
});
