// Certificate generation with @peculiar/x509 over WebCrypto: self-signed certificates for a local server (the
// Quickstart demo, `fos-h3 serve` without --cert), and CAs, intermediates and leaves for tests and interop runs.
import { X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { normalizePin, spkiPin } from './spki-pin.js';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;
type KeyGenParams = webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams | Algorithm;

let providerSet = false;
function useWebCrypto(): void {
  if (!providerSet) {
    x509.cryptoProvider.set(webcrypto as never);
    providerSet = true;
  }
}

export type KeyKind = 'p256' | 'p384' | 'rsa' | 'ed25519';

const KEY_ALGORITHMS: Record<KeyKind, { generate: KeyGenParams; sign: Algorithm | EcdsaParams }> = {
  p256: { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
  p384: { generate: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams },
  rsa: {
    generate: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
  ed25519: { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
};

export interface Issuer {
  readonly cert: x509.X509Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly keys: CryptoKeyPair;
  readonly kind: KeyKind;
}

export interface Leaf {
  readonly der: Uint8Array;
  readonly pem: string;
  /** PKCS#8 DER private key. */
  readonly key: Uint8Array;
  readonly kind: KeyKind;
}

export interface CertOptions {
  readonly names?: readonly string[];
  readonly ips?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly ca?: boolean;
  readonly pathLength?: number;
  readonly keyUsage?: x509.KeyUsageFlags;
  readonly extKeyUsage?: readonly string[];
  /** Omit basicConstraints (for "not a CA" tests). */
  readonly noBasicConstraints?: boolean;
  readonly subject?: string;
}

const DAY = 86_400_000;
let serial = 1;

async function generate(kind: KeyKind): Promise<CryptoKeyPair> {
  useWebCrypto();
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHMS[kind].generate as never, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

function extensions(o: CertOptions): x509.Extension[] {
  const out: x509.Extension[] = [];
  if (!o.noBasicConstraints) out.push(new x509.BasicConstraintsExtension(o.ca ?? false, o.pathLength, true));
  const usage =
    o.keyUsage ??
    (o.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature);
  out.push(new x509.KeyUsagesExtension(usage, true));
  if (!o.ca)
    out.push(
      new x509.ExtendedKeyUsageExtension((o.extKeyUsage ?? ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']) as string[]),
    );
  const san = [
    ...(o.names ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(o.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (san.length > 0) out.push(new x509.SubjectAlternativeNameExtension(san));
  return out;
}

function toDer(cert: x509.X509Certificate): Uint8Array {
  return new Uint8Array(cert.rawData);
}

/** A self-signed CA. */
export async function createCa(name = 'Test CA', kind: KeyKind = 'p256', o: CertOptions = {}): Promise<Issuer> {
  const keys = await generate(kind);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    notBefore: o.notBefore ?? new Date(Date.now() - DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: KEY_ALGORITHMS[kind].sign,
    keys,
    extensions: extensions({ ...o, ca: true }),
  });
  return { cert, der: toDer(cert), pem: cert.toString('pem'), keys, kind };
}

/** An intermediate CA signed by `issuer`. */
export async function createIntermediate(
  issuer: Issuer,
  name: string,
  o: CertOptions = {},
  kind: KeyKind = 'p256',
): Promise<Issuer> {
  const keys = await generate(kind);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${name}`,
    issuer: issuer.cert.subject,
    notBefore: o.notBefore ?? new Date(Date.now() - DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: KEY_ALGORITHMS[issuer.kind].sign,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: extensions({ ca: true, ...o }),
  });
  return { cert, der: toDer(cert), pem: cert.toString('pem'), keys, kind };
}

/** An end-entity certificate for `names` signed by `issuer`. */
export async function createLeaf(issuer: Issuer, kind: KeyKind, o: CertOptions = {}): Promise<Leaf> {
  const keys = await generate(kind);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: o.subject ?? `CN=${o.names?.[0] ?? 'leaf'}`,
    issuer: issuer.cert.subject,
    notBefore: o.notBefore ?? new Date(Date.now() - DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 30 * DAY),
    signingAlgorithm: KEY_ALGORITHMS[issuer.kind].sign,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: extensions(o),
  });
  const key = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { der: toDer(cert), pem: cert.toString('pem'), key, kind };
}

/** A self-signed end-entity certificate (trusted by listing it as a CA). */
export async function createSelfSignedLeaf(kind: KeyKind, o: CertOptions = {}): Promise<Leaf> {
  const keys = await generate(kind);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: o.subject ?? `CN=${o.names?.[0] ?? 'leaf'}`,
    notBefore: o.notBefore ?? new Date(Date.now() - DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 30 * DAY),
    signingAlgorithm: KEY_ALGORITHMS[kind].sign,
    keys,
    extensions: extensions(o),
  });
  const key = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { der: toDer(cert), pem: cert.toString('pem'), key, kind };
}

export function keyPem(key: Uint8Array): string {
  const b64 = Buffer.from(key)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

/** A certificate and its private key, in the forms servers and clients take. */
export interface GeneratedCertificate {
  readonly certPem: string;
  readonly certDer: Uint8Array;
  /** PKCS#8 private key. */
  readonly keyPem: string;
  readonly keyDer: Uint8Array;
  /** base64 SHA-256 of the SubjectPublicKeyInfo (for SPKI pinning, as curl's --pinnedpubkey). */
  readonly spkiSha256: string;
}

export interface SelfSignedOptions {
  /** DNS names (default ['localhost']). */
  readonly names?: readonly string[];
  /** IP addresses (default ['127.0.0.1', '::1']). */
  readonly ips?: readonly string[];
  /** Key type (default 'p256'). */
  readonly keyType?: KeyKind;
  /** Validity in days from now (default 30). */
  readonly validityDays?: number;
}

/**
 * A fresh self-signed certificate for a local server (the client trusts it by listing `certPem` as a CA, or by
 * pinning `spkiSha256`). Generated in-process; nothing is written to disk.
 */
export async function generateSelfSignedCertificate(options: SelfSignedOptions = {}): Promise<GeneratedCertificate> {
  const names = options.names ?? ['localhost'];
  const leaf = await createSelfSignedLeaf(options.keyType ?? 'p256', {
    names,
    ips: options.ips ?? ['127.0.0.1', '::1'],
    notAfter: new Date(Date.now() + (options.validityDays ?? 30) * DAY),
    subject: `CN=${names[0] ?? 'localhost'}`,
  });
  return {
    certPem: leaf.pem,
    certDer: leaf.der,
    keyPem: keyPem(leaf.key),
    keyDer: leaf.key,
    spkiSha256: spkiSha256(leaf.der),
  };
}

/** base64 SHA-256 of a DER certificate's SubjectPublicKeyInfo (the pin without its `sha256//` prefix). */
export function spkiSha256(certDer: Uint8Array): string {
  const spki = new NodeX509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return normalizePin(spkiPin(spki));
}
