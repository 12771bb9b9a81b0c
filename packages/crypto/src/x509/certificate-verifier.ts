/** What a TLS endpoint asks of a certificate verifier. */
export interface CertificateVerifyRequest {
  /**
   * The host (DNS name or IP literal) the end-entity certificate must cover, for server certificates
   * (RFC 6125). Undefined skips name checks (client certificates).
   */
  readonly host?: string;
  /** Unix epoch ms to check validity periods against (passed in: no clock inside). */
  readonly epochMs: number;
  /** Which extended key usage the end-entity certificate needs (RFC 5280 §4.2.1.12). */
  readonly purpose: 'server' | 'client';
}

/**
 * Checks a peer's certificate chain (DER, end-entity first, as the Certificate message carries it, RFC 8446
 * §4.4.2). Throws a `CertificateError` to refuse it. Implementations must be synchronous (the TLS engine is
 * sans-I/O).
 */
export interface CertificateVerifier {
  verify(chain: readonly Uint8Array[], request: CertificateVerifyRequest): void;
}
