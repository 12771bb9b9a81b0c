import { FosError } from '@fos/core';
import { AlertDescription } from '../tls/constants.js';

/** Why a peer certificate chain was refused. */
export const CertificateErrorCode = {
  /** A certificate's notAfter is in the past. */
  expired: 'expired',
  /** A certificate's notBefore is in the future. */
  notYetValid: 'not-yet-valid',
  /** The end-entity certificate does not cover the host name / IP address (RFC 6125). */
  hostnameMismatch: 'hostname-mismatch',
  /** No path from the end-entity certificate to a trust anchor. */
  unknownCa: 'unknown-ca',
  /** A signature in the chain does not verify with its issuer's key. */
  badSignature: 'bad-signature',
  /** An issuer is not a CA (RFC 5280 §4.2.1.9 basicConstraints cA), or may not sign certificates (keyCertSign). */
  notCa: 'not-a-ca',
  /** An issuer's pathLenConstraint is exceeded (RFC 5280 §4.2.1.9). */
  pathLength: 'path-length-exceeded',
  /** keyUsage / extendedKeyUsage forbid the use (RFC 5280 §4.2.1.3, §4.2.1.12; RFC 8446 §4.4.2.2). */
  keyUsage: 'key-usage',
  /** A certificate could not be parsed, or carries a critical extension this verifier does not know. */
  malformed: 'malformed',
  /** A link is signed with MD5 or SHA-1 (RFC 8446 §4.4.2.4). */
  weakSignature: 'weak-signature',
  /** The end-entity public key matches none of the pinned SPKI hashes. */
  pinMismatch: 'pin-mismatch',
  /** No certificate was presented. */
  noCertificate: 'no-certificate',
} as const;
export type CertificateErrorCode = (typeof CertificateErrorCode)[keyof typeof CertificateErrorCode];

const ALERTS: Readonly<Record<CertificateErrorCode, AlertDescription>> = {
  expired: AlertDescription.certificate_expired,
  'not-yet-valid': AlertDescription.certificate_expired,
  'hostname-mismatch': AlertDescription.bad_certificate,
  'unknown-ca': AlertDescription.unknown_ca,
  'bad-signature': AlertDescription.bad_certificate,
  'not-a-ca': AlertDescription.bad_certificate,
  'path-length-exceeded': AlertDescription.bad_certificate,
  'key-usage': AlertDescription.unsupported_certificate,
  malformed: AlertDescription.bad_certificate,
  'weak-signature': AlertDescription.bad_certificate,
  'pin-mismatch': AlertDescription.bad_certificate,
  'no-certificate': AlertDescription.certificate_required,
};

/**
 * A certificate chain was refused. `message` reads like `expired`, `hostname mismatch: localhost vs example.org` or
 * `unknown CA`; `code` is machine-readable and `alert` is the TLS alert the handshake fails with (RFC 8446 §6.2).
 */
export class CertificateError extends FosError {
  readonly code: CertificateErrorCode;
  readonly alert: AlertDescription;
  /** Position in the presented chain (0 = end-entity), when one certificate is to blame. */
  readonly certificateIndex: number | undefined;

  constructor(code: CertificateErrorCode, message: string, options?: { certificateIndex?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.alert = ALERTS[code];
    this.certificateIndex = options?.certificateIndex;
  }
}
