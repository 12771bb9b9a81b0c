import { createHash, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './lifecycle.js';
import { x509 } from './x509.js';

/** Key algorithm of a generated certificate: ECDSA P-256 or RSA 2048. */
export type KeyKind = 'ec' | 'rsa';

/** Options of {@link generateCertificate}. */
export interface CertificateOptions {
  /** Key algorithm (default `ec`, ECDSA P-256 with SHA-256). */
  kind?: KeyKind;
  /** `self`: a self-signed leaf (default); `ca`: a test CA and a leaf it signed. */
  issuer?: 'self' | 'ca';
  /** Directory for the PEM files (default: a new tracked temp dir). */
  dir?: string;
  /** Subject CN of the leaf (default `localhost`). */
  commonName?: string;
  /** DNS SANs (default `['localhost']`). */
  dnsNames?: readonly string[];
  /** IP SANs (default `['127.0.0.1', '::1']`). */
  ipAddresses?: readonly string[];
  /** Validity from one hour ago (clock skew) to this many days ahead (default 30). */
  validDays?: number;
}

/** PEM files written by {@link generateCertificate}, and facts tests need about them. */
export interface CertificateFiles {
  kind: KeyKind;
  dir: string;
  /** The leaf certificate (PEM). */
  certPath: string;
  /** The leaf's private key (PKCS #8 PEM, unencrypted). */
  keyPath: string;
  /** Leaf followed by the CA certificate (same as `certPath` for a self-signed leaf). */
  chainPath: string;
  /** The CA certificate, when `issuer: 'ca'`. */
  caPath: string | undefined;
  certPem: string;
  keyPem: string;
  caPem: string | undefined;
  /** base64(SHA-256(leaf SubjectPublicKeyInfo DER)): the pin Chromium's --ignore-certificate-errors-spki-list takes. */
  spkiSha256: string;
  /** Same for the CA, when there is one. */
  caSpkiSha256: string | undefined;
}

const subtle = webcrypto.subtle;
const DAY_MS = 86_400_000;

type KeyGenParams = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams;

function algorithms(kind: KeyKind): { keyGen: KeyGenParams; signing: webcrypto.Algorithm } {
  if (kind === 'rsa') {
    const rsa = {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    };
    return { keyGen: rsa, signing: rsa };
  }
  const ec = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  return { keyGen: ec, signing: ec };
}

function spkiHash(cert: x509.X509Certificate): string {
  return createHash('sha256').update(new Uint8Array(cert.publicKey.rawData)).digest('base64');
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function randomSerial(): string {
  // Positive 16-byte serial (RFC 5280 §4.1.2.2: at most 20 octets, non-negative).
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  b[0] |= 0x01;
  return Buffer.from(b).toString('hex');
}

/**
 * Generates a server certificate in-process with @peculiar/x509 and writes PEM files: `cert.pem`, `key.pem`,
 * `chain.pem` and, for `issuer: 'ca'`, `ca.pem`. The leaf has SANs for localhost, 127.0.0.1 and ::1 by default,
 * serverAuth EKU, and is accepted by gtlsserver (GnuTLS) and Caddy.
 */
export async function generateCertificate(options: CertificateOptions = {}): Promise<CertificateFiles> {
  const kind = options.kind ?? 'ec';
  const dir = options.dir ?? makeTempDir(`cert-${kind}`);
  const { keyGen, signing } = algorithms(kind);
  const now = Date.now();
  const notBefore = new Date(now - 3_600_000);
  const notAfter = new Date(now + (options.validDays ?? 30) * DAY_MS);
  const sans: x509.JsonGeneralNames = [
    ...(options.dnsNames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? ['127.0.0.1', '::1']).map((value) => ({ type: 'ip' as const, value })),
  ];
  const leafKeys = (await subtle.generateKey(keyGen, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const leafUsage =
    kind === 'rsa'
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;
  const leafExtensions = async (): Promise<x509.Extension[]> => [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(leafUsage, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    new x509.SubjectAlternativeNameExtension(sans),
    await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey, false, webcrypto),
  ];
  const subject = `CN=${options.commonName ?? 'localhost'}, O=fos interop test`;

  let leaf: x509.X509Certificate;
  let ca: x509.X509Certificate | undefined;
  if (options.issuer === 'ca') {
    const caKeys = (await subtle.generateKey(keyGen, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    ca = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomSerial(),
        name: 'CN=fos interop test CA, O=fos interop test',
        notBefore,
        notAfter,
        keys: caKeys,
        signingAlgorithm: signing,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, webcrypto),
        ],
      },
      webcrypto,
    );
    leaf = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerial(),
        subject,
        issuer: ca.subject,
        notBefore,
        notAfter,
        publicKey: leafKeys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: signing,
        extensions: [
          ...(await leafExtensions()),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, webcrypto),
        ],
      },
      webcrypto,
    );
  } else {
    leaf = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomSerial(),
        name: subject,
        notBefore,
        notAfter,
        keys: leafKeys,
        signingAlgorithm: signing,
        extensions: await leafExtensions(),
      },
      webcrypto,
    );
  }

  const certPem = `${leaf.toString('pem')}\n`;
  const caPem = ca ? `${ca.toString('pem')}\n` : undefined;
  const files: CertificateFiles = {
    kind,
    dir,
    certPath: join(dir, 'cert.pem'),
    keyPath: join(dir, 'key.pem'),
    chainPath: join(dir, 'chain.pem'),
    caPath: ca ? join(dir, 'ca.pem') : undefined,
    certPem,
    keyPem: `${await keyPem(leafKeys.privateKey)}\n`,
    caPem,
    spkiSha256: spkiHash(leaf),
    caSpkiSha256: ca ? spkiHash(ca) : undefined,
  };
  writeFileSync(files.certPath, files.certPem);
  writeFileSync(files.keyPath, files.keyPem, { mode: 0o600 });
  writeFileSync(files.chainPath, caPem ? files.certPem + caPem : files.certPem);
  if (files.caPath && caPem) writeFileSync(files.caPath, caPem);
  return files;
}
