import { FosError } from '@fos/core';

/** What kind of algorithm or key a provider was asked for and does not support. */
export type UnsupportedAlgorithmKind = 'aead' | 'header-protection' | 'hash' | 'group' | 'signature-scheme' | 'key';

/**
 * The provider cannot do what it was asked (an unknown named group, a key type it cannot sign with, a signature
 * scheme a key does not support). This is a configuration or negotiation error, not bad peer input: peer input
 * errors are reported as `TransportError` with the TLS alert (RFC 9001 §4.8).
 */
export class UnsupportedAlgorithmError extends FosError {
  constructor(
    readonly kind: UnsupportedAlgorithmKind,
    readonly value: string | number,
    detail?: string,
  ) {
    super(
      `unsupported ${kind}: ${typeof value === 'number' ? `0x${value.toString(16)}` : value}${detail ? ` (${detail})` : ''}`,
    );
  }
}
