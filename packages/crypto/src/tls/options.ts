import type { CipherSuite, CryptoProvider, NamedGroup, SignatureScheme } from '@fos/core';
import type { CertificateVerifier } from '../x509/certificate-verifier.js';
import type { CertificateVerifierOptions } from '../x509/chain-verifier.js';

/** A certificate chain and its private key (server authentication, or a client certificate). */
export interface TlsCertificateConfig {
  /** The chain, end-entity first: PEM text (one or more certificates) and/or DER certificates. */
  readonly chain: string | Uint8Array | readonly (string | Uint8Array)[];
  /** The end-entity private key: PKCS#8 PEM text or DER. */
  readonly key: string | Uint8Array;
}

/** NewSessionTicket issuance and 0-RTT anti-replay (server side, RFC 8446 §4.6.1, §8). */
export interface TlsTicketOptions {
  /** Tickets issued automatically when a handshake completes (default 1; 0 disables resumption). */
  readonly ticketsPerConnection?: number;
  /** ticket_lifetime in seconds (default 86 400; RFC 8446 §4.6.1 caps it at 604 800). */
  readonly lifetimeSeconds?: number;
  /** A fresh ticket-encryption key every `rotationMs` (default 12 h); old keys decrypt until their tickets expire. */
  readonly rotationMs?: number;
  /**
   * Fixed 32-byte ticket keys (the first encrypts; all decrypt) to share tickets across servers. When given, no
   * automatic rotation happens.
   */
  readonly keys?: readonly Uint8Array[];
  /** max_early_data_size for TLS over TCP (QUIC always uses 0xffffffff, RFC 9001 §4.6.1). Default 16 384. */
  readonly maxEarlyDataSize?: number;
  /** RFC 8446 §8.3 freshness window for 0-RTT: how far the client's ticket age may be off (default 10 000 ms). */
  readonly freshnessWindowMs?: number;
  /** Tickets remembered as used for 0-RTT (single-use anti-replay, RFC 8446 §8.1); default 100 000. */
  readonly antiReplayCapacity?: number;
}

/**
 * The TLS configuration a user builds once and hands to the transport as a `QuicTls` (see `TlsContext`). Everything
 * is optional except the provider; the defaults follow RFC 8446 §9.1 and RFC 9001.
 */
export interface TlsContextOptions {
  /** The primitives (default in the composition root: `NodeCryptoProvider`). */
  readonly provider: CryptoProvider;
  /** Cipher suites in preference order (default AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305). */
  readonly cipherSuites?: readonly CipherSuite[];
  /** (EC)DHE groups in preference order (default x25519, secp256r1, secp384r1). */
  readonly groups?: readonly NamedGroup[];
  /** Client: groups to send key shares for in the first ClientHello (default: the first of `groups`). */
  readonly keyShareGroups?: readonly NamedGroup[];
  /**
   * Server: when the client supports a more preferred group than any it sent a key share for, ask for it with a
   * HelloRetryRequest instead of using a share it sent (default false: a HelloRetryRequest only when needed).
   */
  readonly preferGroupOverRoundTrip?: boolean;
  /** Signature schemes accepted in CertificateVerify, in preference order (default: every scheme the engine signs with). */
  readonly signatureSchemes?: readonly SignatureScheme[];
  /**
   * Server: the chains to authenticate with (chosen by SNI and the client's signature_algorithms). Client: the
   * certificate sent when the server asks for one.
   */
  readonly certificates?: readonly TlsCertificateConfig[];
  /** How the peer's certificate is checked (a custom verifier, or options for the built-in chain verifier). */
  readonly verify?: CertificateVerifier | CertificateVerifierOptions;
  /** Server: ask for a client certificate (`request`) or refuse clients without one (`require`). Default `none`. */
  readonly clientAuth?: 'none' | 'request' | 'require';
  /** SSLKEYLOGFILE lines (for Wireshark): called with one line per secret. */
  readonly keyLog?: (line: string) => void;
  readonly tickets?: TlsTicketOptions;
  /** Largest handshake message accepted (bounds buffering per encryption level). Default 65 536 bytes. */
  readonly maxHandshakeMessageBytes?: number;
}
