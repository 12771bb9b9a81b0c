import type { CryptoProvider, SignatureScheme, SigningKey } from '@fos/core';
import { dnsNameMatches, parseIpAddress } from '../x509/hostname.js';
import { toDerCertificates } from '../x509/pem.js';
import { parseX509 } from '../x509/x509-certificate.js';
import type { TlsCertificateConfig } from './options.js';

/** A certificate chain ready to send (DER, end-entity first) with its signing key and the names it covers. */
export interface LocalCertificate {
  readonly chain: readonly Uint8Array[];
  readonly key: SigningKey;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly Uint8Array[];
}

/** Loads a configured chain and key (throws on unreadable input: a configuration error, not a handshake one). */
export function loadCertificate(provider: CryptoProvider, config: TlsCertificateConfig): LocalCertificate {
  const chain = toDerCertificates(config.chain);
  if (chain.length === 0) throw new Error('a certificate chain needs at least the end-entity certificate');
  const leaf = parseX509(chain[0]);
  return {
    chain,
    key: provider.importSigningKey(config.key),
    dnsNames: leaf.dnsNames,
    ipAddresses: leaf.ipAddresses,
  };
}

function covers(cert: LocalCertificate, serverName: string): boolean {
  const ip = parseIpAddress(serverName);
  if (ip !== undefined) return cert.ipAddresses.some((a) => a.length === ip.length && a.every((v, i) => v === ip[i]));
  return cert.dnsNames.some((n) => dnsNameMatches(n, serverName));
}

/**
 * RFC 8446 §4.4.2.2 / §4.4.3: picks a certificate whose key can sign with a scheme the peer offered, preferring one
 * that covers the SNI; returns it with the scheme (the first of the peer's schemes, in the peer's order, the key
 * supports), or undefined when no key fits.
 */
export function selectCertificate(
  certificates: readonly LocalCertificate[],
  peerSchemes: readonly number[],
  serverName: string | undefined,
): { certificate: LocalCertificate; scheme: SignatureScheme } | undefined {
  let fallback: { certificate: LocalCertificate; scheme: SignatureScheme } | undefined;
  for (const certificate of certificates) {
    const scheme = peerSchemes.find((s) => certificate.key.schemes.includes(s as SignatureScheme)) as
      | SignatureScheme
      | undefined;
    if (scheme === undefined) continue;
    if (serverName === undefined || covers(certificate, serverName)) return { certificate, scheme };
    fallback ??= { certificate, scheme };
  }
  return fallback;
}
