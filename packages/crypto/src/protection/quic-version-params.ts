// Per-version constants of QUIC packet protection: RFC 9001 (v1) and RFC 9369 (v2).
import { QuicVersion } from '@fos/core';

/** What differs between QUIC versions in packet protection. */
export interface QuicVersionParams {
  readonly version: QuicVersion;
  /** HKDF-Extract salt of the Initial secret. */
  readonly initialSalt: Uint8Array;
  /** HKDF-Expand-Label labels for the AEAD key, IV, header-protection key and key update. */
  readonly keyLabel: string;
  readonly ivLabel: string;
  readonly hpLabel: string;
  readonly kuLabel: string;
  /** AEAD_AES_128_GCM key and nonce of the Retry Integrity Tag. */
  readonly retryKey: Uint8Array;
  readonly retryNonce: Uint8Array;
}

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

const V1: QuicVersionParams = {
  version: QuicVersion.V1,
  // RFC 9001 §5.2
  initialSalt: hex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'),
  // RFC 9001 §5.1, §6.1
  keyLabel: 'quic key',
  ivLabel: 'quic iv',
  hpLabel: 'quic hp',
  kuLabel: 'quic ku',
  // RFC 9001 §5.8 (HKDF-Expand-Label of the published secret with "quic key" / "quic iv")
  retryKey: hex('be0c690b9f66575a1d766b54e368c84e'),
  retryNonce: hex('461599d35d632bf2239825bb'),
};

const V2: QuicVersionParams = {
  version: QuicVersion.V2,
  // RFC 9369 §3.3.1
  initialSalt: hex('0dede3def700a6db819381be6e269dcbf9bd2ed9'),
  // RFC 9369 §3.3.2
  keyLabel: 'quicv2 key',
  ivLabel: 'quicv2 iv',
  hpLabel: 'quicv2 hp',
  kuLabel: 'quicv2 ku',
  // RFC 9369 §3.3.3
  retryKey: hex('8fb4b01b56ac48e260fbcbcead7ccc92'),
  retryNonce: hex('d86969bc2d7c6d9990efb04a'),
};

/** Parameters of a supported version, or undefined. */
export function quicVersionParams(version: number): QuicVersionParams | undefined {
  if (version === QuicVersion.V1) return V1;
  if (version === QuicVersion.V2) return V2;
  return undefined;
}
