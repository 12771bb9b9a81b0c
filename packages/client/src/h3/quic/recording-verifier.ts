import { X509Certificate } from 'node:crypto';
import {
  type CertificateError,
  CertificateErrorCode,
  type CertificateVerifier,
  type CertificateVerifyRequest,
  ChainVerifier,
} from '@fos/crypto';
import type { TlsFailureReason } from '../../errors.js';
import type { H3TlsOptions } from '../h3-session.js';

/** Hosts whose last refusal is remembered (bounded: one entry per host, oldest dropped first). */
const MAX_REMEMBERED = 64;

/** A refused certificate chain, as the client reports it. */
export interface CertificateRefusal {
  readonly reason: TlsFailureReason;
  /** The verifier's code (`CertificateErrorCode`). */
  readonly detail: string;
  readonly error: CertificateError;
}

/**
 * The QUIC TLS engine's certificate verifier: @fos/crypto's `ChainVerifier` with the client's settings (trust
 * anchors, `rejectUnauthorized`, SPKI pins — RFC 7838 §9.2: pins apply to alternatives too), remembering why a
 * host's chain was refused. The TLS engine turns a refusal into an alert (RFC 8446 §6.2, RFC 9001 §4.8) whose
 * QUIC close reason is text; this keeps the typed verdict so the client can report `TlsVerificationError` with
 * its reason.
 */
export class RecordingVerifier implements CertificateVerifier {
  private readonly inner: ChainVerifier;
  private readonly refusals = new Map<string, CertificateRefusal>();

  constructor(tls: H3TlsOptions) {
    this.inner = new ChainVerifier({
      ca: tls.ca === undefined ? undefined : [...tls.ca],
      rejectUnauthorized: tls.rejectUnauthorized,
      pinnedPublicKeys: tls.spkiPins,
    });
  }

  verify(chain: readonly Uint8Array[], request: CertificateVerifyRequest): void {
    const host = request.host ?? '';
    try {
      this.inner.verify(chain, request);
      this.refusals.delete(host);
    } catch (e) {
      const error = e as CertificateError;
      if (typeof error?.code === 'string') {
        this.refusals.delete(host);
        this.refusals.set(host, { reason: failureReason(error, chain), detail: error.code, error });
        if (this.refusals.size > MAX_REMEMBERED) this.refusals.delete(this.refusals.keys().next().value!);
      }
      throw e;
    }
  }

  /** Why the last chain presented for `host` was refused (taken: each refusal is reported once). */
  takeRefusal(host: string): CertificateRefusal | undefined {
    const r = this.refusals.get(host);
    this.refusals.delete(host);
    return r;
  }
}

/** The client's stable reason for a verifier code (the same vocabulary the TCP path derives from OpenSSL's). */
function failureReason(error: CertificateError, chain: readonly Uint8Array[]): TlsFailureReason {
  switch (error.code) {
    case CertificateErrorCode.expired:
      return 'expired';
    case CertificateErrorCode.notYetValid:
      return 'not-yet-valid';
    case CertificateErrorCode.hostnameMismatch:
      return 'hostname-mismatch';
    case CertificateErrorCode.pinMismatch:
      return 'pin-mismatch';
    case CertificateErrorCode.unknownCa:
      return chain.length === 1 && selfIssued(chain[0]) ? 'self-signed' : 'unknown-ca';
    default:
      return 'invalid-certificate';
  }
}

function selfIssued(der: Uint8Array): boolean {
  try {
    const cert = new X509Certificate(der);
    return cert.subject === cert.issuer;
  } catch {
    return false;
  }
}
