import { CipherSuite, type CryptoProvider, NamedGroup, SignatureScheme } from '@fos/core';
import type { KeyLogWriter } from '../keylog/key-log.js';
import type { CertificateVerifier } from '../x509/certificate-verifier.js';
import { ChainVerifier } from '../x509/chain-verifier.js';
import { AntiReplay } from './anti-replay.js';
import { type CipherSuiteInfo, cipherSuiteInfo } from './cipher-suites.js';
import { MAX_TICKET_LIFETIME_SECONDS } from './constants.js';
import { type LocalCertificate, loadCertificate } from './local-certificate.js';
import type { TlsContextOptions } from './options.js';
import { TicketProtector } from './ticket-protector.js';

/** Schemes the engine signs and verifies CertificateVerify with (RFC 8446 §4.2.3; never rsa_pkcs1 there). */
export const DEFAULT_SIGNATURE_SCHEMES: readonly SignatureScheme[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
];

/** Extra schemes accepted in certificate chains only (RFC 8446 §4.2.3 signature_algorithms_cert). */
const CERTIFICATE_ONLY_SCHEMES: readonly SignatureScheme[] = [
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

const DEFAULT_GROUPS: readonly NamedGroup[] = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
const DEFAULT_SUITES: readonly CipherSuite[] = [
  CipherSuite.TLS_AES_128_GCM_SHA256,
  CipherSuite.TLS_AES_256_GCM_SHA384,
  CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
];

/** {@link TlsContextOptions} with defaults applied and certificates loaded; shared by every session of a context. */
export interface TlsConfig {
  readonly provider: CryptoProvider;
  readonly cipherSuites: readonly CipherSuiteInfo[];
  readonly groups: readonly NamedGroup[];
  readonly keyShareGroups: readonly NamedGroup[];
  readonly preferGroupOverRoundTrip: boolean;
  readonly signatureSchemes: readonly SignatureScheme[];
  readonly certificateSignatureSchemes: readonly SignatureScheme[];
  readonly certificates: readonly LocalCertificate[];
  readonly verifier: CertificateVerifier;
  readonly clientAuth: 'none' | 'request' | 'require';
  readonly keyLog: KeyLogWriter | undefined;
  readonly ticketsPerConnection: number;
  readonly ticketLifetimeSeconds: number;
  readonly tcpMaxEarlyDataSize: number;
  readonly freshnessWindowMs: number;
  readonly tickets: TicketProtector;
  readonly antiReplay: AntiReplay;
  readonly maxHandshakeMessageBytes: number;
}

function isVerifier(v: TlsContextOptions['verify']): v is CertificateVerifier {
  return typeof (v as CertificateVerifier | undefined)?.verify === 'function';
}

/** Validates and resolves options (throws RangeError / Error on configuration mistakes). */
export function resolveConfig(options: TlsContextOptions): TlsConfig {
  const provider = options.provider;
  const cipherSuites = (options.cipherSuites ?? DEFAULT_SUITES).map((s) => {
    const info = cipherSuiteInfo(s);
    if (info === undefined) throw new RangeError(`unsupported cipher suite 0x${Number(s).toString(16)}`);
    if (!provider.aeadAlgorithms.includes(info.aead)) throw new RangeError(`provider lacks ${info.aead}`);
    return info;
  });
  if (cipherSuites.length === 0) throw new RangeError('no cipher suites');
  const groups = (options.groups ?? DEFAULT_GROUPS).filter((g) => provider.namedGroups.includes(g));
  if (groups.length === 0) throw new RangeError('no usable groups');
  const keyShareGroups = options.keyShareGroups ?? [groups[0]];
  for (const g of keyShareGroups) {
    if (!groups.includes(g)) throw new RangeError(`key share group 0x${g.toString(16)} is not in groups`);
  }
  const signatureSchemes = options.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES;
  const lifetime = options.tickets?.lifetimeSeconds ?? 86_400;
  if (lifetime < 1 || lifetime > MAX_TICKET_LIFETIME_SECONDS) {
    throw new RangeError(`ticket lifetime must be 1..${MAX_TICKET_LIFETIME_SECONDS} s (RFC 8446 §4.6.1)`);
  }
  const rotationMs = options.tickets?.rotationMs ?? 12 * 3600_000;
  return {
    provider,
    cipherSuites,
    groups,
    keyShareGroups,
    preferGroupOverRoundTrip: options.preferGroupOverRoundTrip ?? false,
    signatureSchemes,
    certificateSignatureSchemes: [...signatureSchemes, ...CERTIFICATE_ONLY_SCHEMES],
    certificates: (options.certificates ?? []).map((c) => loadCertificate(provider, c)),
    verifier: isVerifier(options.verify) ? options.verify : new ChainVerifier(options.verify ?? {}),
    clientAuth: options.clientAuth ?? 'none',
    keyLog: options.keyLog,
    ticketsPerConnection: options.tickets?.ticketsPerConnection ?? 1,
    ticketLifetimeSeconds: lifetime,
    tcpMaxEarlyDataSize: options.tickets?.maxEarlyDataSize ?? 16_384,
    freshnessWindowMs: options.tickets?.freshnessWindowMs ?? 10_000,
    tickets: new TicketProtector(provider, rotationMs, rotationMs + lifetime * 1000, options.tickets?.keys),
    antiReplay: new AntiReplay(options.tickets?.antiReplayCapacity ?? 100_000),
    maxHandshakeMessageBytes: options.maxHandshakeMessageBytes ?? 65_536,
  };
}
