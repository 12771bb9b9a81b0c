// Test certificates generated at test time with @peculiar/x509 (WebCrypto, ECDSA P-256): a CA and leaves signed by
// it. Nothing is committed; every run makes fresh keys.
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as never);

const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const GEN = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY = 86_400_000;
let serial = 1;

export interface TestCa {
  readonly certPem: string;
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

export interface TestLeaf {
  readonly certPem: string;
  readonly keyPem: string;
  /** DER of the certificate (for SPKI pins). */
  readonly der: Uint8Array;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(GEN, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

export async function createCa(name = 'fos client test CA'): Promise<TestCa> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    signingAlgorithm: SIGN,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { certPem: cert.toString('pem'), cert, keys };
}

export async function createLeaf(
  ca: TestCa,
  names: { dns?: string[]; ips?: string[] },
  validity: { notBefore?: Date; notAfter?: Date } = {},
): Promise<TestLeaf> {
  const keys = await keyPair();
  const san = [
    ...(names.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(names.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${names.dns?.[0] ?? names.ips?.[0] ?? 'leaf'}`,
    issuer: ca.cert.subject,
    notBefore: validity.notBefore ?? new Date(Date.now() - DAY),
    notAfter: validity.notAfter ?? new Date(Date.now() + 30 * DAY),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
      new x509.SubjectAlternativeNameExtension(san),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey), der: new Uint8Array(cert.rawData) };
}

export interface TestPki {
  readonly ca: TestCa;
  /** Valid for localhost and 127.0.0.1. */
  readonly leaf: TestLeaf;
  /** Valid only for other.example (hostname mismatch). */
  readonly otherHost: TestLeaf;
  /** A second, untrusted CA's leaf for localhost / 127.0.0.1 (unknown CA). */
  readonly untrusted: TestLeaf;
  /** Expired leaf for localhost / 127.0.0.1. */
  readonly expired: TestLeaf;
}

export async function createPki(): Promise<TestPki> {
  const ca = await createCa();
  const rogue = await createCa('rogue CA');
  const names = { dns: ['localhost'], ips: ['127.0.0.1'] };
  return {
    ca,
    leaf: await createLeaf(ca, names),
    otherHost: await createLeaf(ca, { dns: ['other.example'] }),
    untrusted: await createLeaf(rogue, names),
    expired: await createLeaf(ca, names, {
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
    }),
  };
}
