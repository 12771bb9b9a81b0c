import type {
  CongestionControllerFactory,
  CryptoProvider,
  QlogTrace,
  QuicPacketProtection,
  QuicTls,
  QuicTlsSessionTicket,
  SocketAddress,
} from '@fos/core';
import type { TransportConfig } from './config.js';

/** What the client asks TLS for (the rest of the TLS configuration lives in the `QuicTls` implementation). */
export interface ClientTlsOptions {
  /** ALPN protocols in preference order (RFC 9001 §8.1: required). */
  readonly alpnProtocols: readonly string[];
  /** SNI; omit for IP literals. */
  readonly serverName?: string;
  /** Host the certificate must match (default `serverName`). */
  readonly verifyHost?: string;
  /** A session to resume (from the session cache). Its applicationData holds the server's transport parameters. */
  readonly resumeSession?: QuicTlsSessionTicket;
  /** Send 0-RTT when `resumeSession` allows it (RFC 9001 §4.6). */
  readonly enableEarlyData?: boolean;
}

export interface ServerTlsOptions {
  readonly alpnProtocols: readonly string[];
  /** Accept 0-RTT (RFC 9001 §4.6). Default false. */
  readonly enableEarlyData?: boolean;
  /** Application bytes stored in our session tickets beside our transport parameters (RFC 9114 §7.2.4.2). */
  readonly earlyDataContext?: Uint8Array;
  /** Whether a ticket's stored application bytes still allow 0-RTT. Default: byte equality. */
  readonly acceptEarlyDataContext?: (remembered: Uint8Array) => boolean;
}

/** Everything a {@link Connection} needs; the endpoint builds it. Sans-I/O: no socket, no timer. */
export interface ConnectionOptions {
  readonly role: 'client' | 'server';
  /** The QUIC version the connection starts with (v1 or v2). */
  readonly version: number;
  /** `Clock.now()` at creation. */
  readonly nowMs: number;
  /** `Clock.epochMs()` at creation (TLS needs wall-clock time for certificates and ticket ages). */
  readonly epochMs: number;
  readonly remote: SocketAddress;
  /** Our source connection ID (sequence 0). Its length is the length of every CID we issue. */
  readonly localCid: Uint8Array;
  /**
   * Client: the random Destination CID of its first Initial. Server: the client's Source CID (the DCID we send to).
   */
  readonly remoteCid: Uint8Array;
  /** Server: the DCID of the client's first Initial (original_destination_connection_id, RFC 9000 §7.3). */
  readonly originalDestinationCid?: Uint8Array;
  /** Server: the SCID of the Retry it sent, when the client's token proved it (retry_source_connection_id). */
  readonly retrySourceCid?: Uint8Array;
  /** Server: the client address was validated by a token (RFC 9000 §8.1): no amplification limit. */
  readonly addressValidated?: boolean;
  /** Client: a NEW_TOKEN token from an earlier connection to this server (RFC 9000 §8.1.3). */
  readonly token?: Uint8Array;
  /** Makes a fresh connection ID of our CID length and its stateless reset token (the endpoint derives it). */
  readonly generateCid: () => { cid: Uint8Array; resetToken: Uint8Array };
  /** Server: the stateless reset token of `localCid` (sent in the stateless_reset_token parameter). */
  readonly localResetToken?: Uint8Array;
  readonly tls: QuicTls;
  readonly clientTls?: ClientTlsOptions;
  readonly serverTls?: ServerTlsOptions;
  readonly protection: QuicPacketProtection;
  readonly crypto: CryptoProvider;
  readonly congestion: CongestionControllerFactory;
  readonly transport?: TransportConfig;
  /** Versions this endpoint supports, by preference (RFC 9368 version_information). Default [v1, v2]. */
  readonly supportedVersions?: readonly number[];
  /**
   * Server: the versions it would rather use, best first. When the client's first Initial is in another version that
   * is compatible with one of these (RFC 9368 §2.3, RFC 9369 §4: v1 ↔ v2) and the client lists it in its
   * version_information, the server switches to it. Default: no preference (the client's version is kept).
   */
  readonly preferredVersions?: readonly number[];
  readonly qlog?: QlogTrace;
  /** Server: called when the handshake completes, to mint a NEW_TOKEN token for the client (RFC 9000 §8.1.3). */
  readonly mintNewToken?: (remote: SocketAddress) => Uint8Array | undefined;
}
