import type {
  CongestionControllerFactory,
  CryptoProvider,
  QlogSink,
  QuicPacketProtection,
  QuicTls,
  QuicTlsSessionTicket,
  SocketAddress,
} from '@fos/core';
import type { TransportConfig } from '../connection/config.js';

/** What a server endpoint accepts and how (RFC 9000 §5.2.2, §8). */
export interface EndpointServerOptions {
  /** ALPN protocols the server speaks, by preference (RFC 9001 §8.1: a connection without a match fails). */
  readonly alpnProtocols: readonly string[];
  /** Accept 0-RTT from resuming clients (RFC 9001 §4.6). Default false. */
  readonly enableEarlyData?: boolean;
  /** Application bytes bound into session tickets; 0-RTT needs {@link acceptEarlyDataContext} to accept them. */
  readonly earlyDataContext?: Uint8Array;
  /** Whether a ticket's stored context still allows 0-RTT. Default: byte equality. */
  readonly acceptEarlyDataContext?: (remembered: Uint8Array) => boolean;
  /**
   * Validate every new client's address with a Retry first (RFC 9000 §8.1.2) unless its Initial carries a valid
   * token. Costs one round trip; protects against spoofed-source floods. Default false.
   */
  readonly retry?: boolean;
  /** 16-byte key of the Retry / NEW_TOKEN tokens (share it across a fleet). Default: random per endpoint. */
  readonly tokenKey?: Uint8Array;
  /** Retry token lifetime, ms (default 10 000). */
  readonly retryTokenLifetimeMs?: number;
  /** NEW_TOKEN token lifetime, ms (default 24 h). */
  readonly newTokenLifetimeMs?: number;
  /** Send a NEW_TOKEN frame when a handshake completes (RFC 9000 §8.1.3). Default true. */
  readonly issueNewTokens?: boolean;
  /** Most handshakes in progress at once; more new clients are refused (CONNECTION_REFUSED). Default 256. */
  readonly maxHandshakes?: number;
  /** Most connections at once; more new clients are refused (CONNECTION_REFUSED). Default 10 000. */
  readonly maxConnections?: number;
  /** Transport settings of server connections (merged over the endpoint's `transport`). */
  readonly transport?: TransportConfig;
}

/** Options of a sans-I/O {@link Endpoint}: plugins, settings and time base. */
export interface EndpointOptions {
  readonly tls: QuicTls;
  readonly protection: QuicPacketProtection;
  readonly crypto: CryptoProvider;
  readonly congestion: CongestionControllerFactory;
  /** `Clock.epochMs() - Clock.now()`: turns the `now` the endpoint is given into wall-clock time (TLS, tokens). */
  readonly epochOffsetMs: number;
  /** qlog traces, one per connection (default: none). */
  readonly qlog?: QlogSink;
  /** Transport settings of every connection (RFC 9000 §18.2 parameters and behaviour). */
  readonly transport?: TransportConfig;
  /** Length of the connection IDs this endpoint issues, 4-20 (default 8). Short headers carry no length. */
  readonly cidLength?: number;
  /** Static key of the stateless reset tokens (RFC 9000 §10.3.2), ≥ 16 bytes. Default: random per endpoint. */
  readonly statelessResetKey?: Uint8Array;
  /**
   * Stateless Resets sent in reply to packets for unknown connections (RFC 9000 §10.3): a token bucket, or false
   * to never send them. Default `{ ratePerSecond: 100, burst: 20 }`.
   */
  readonly statelessResets?: { readonly ratePerSecond: number; readonly burst: number } | false;
  /** QUIC versions, by preference (default v1 then v2). The first is what clients start with. */
  readonly supportedVersions?: readonly number[];
  /** Accept connections (server role). Omit for a client-only endpoint. */
  readonly server?: EndpointServerOptions;
  /** Stateless packets (VN, Retry, resets, refusals) waiting to be sent; more are dropped. Default 64. */
  readonly maxQueuedStatelessPackets?: number;
}

/** A client connection attempt (the sans-I/O part of `connect`). */
export interface EndpointConnectOptions {
  /** The server's address (an IP literal and port; resolve names before). */
  readonly remote: SocketAddress;
  /** ALPN protocols to offer, by preference (RFC 9001 §8.1). */
  readonly alpnProtocols: readonly string[];
  /** SNI (omit for IP literals). */
  readonly serverName?: string;
  /** Name or IP the certificate must match (default `serverName`). */
  readonly verifyHost?: string;
  /** A session ticket to resume with (RFC 8446 §4.6.1). */
  readonly resumeSession?: QuicTlsSessionTicket;
  /** Send 0-RTT when the ticket allows it (RFC 9001 §4.6.1). */
  readonly enableEarlyData?: boolean;
  /** A NEW_TOKEN token from an earlier connection to this server (RFC 9000 §8.1.3). */
  readonly token?: Uint8Array;
  /** Version to start with (default the endpoint's first supported version). */
  readonly version?: number;
  /** Transport settings of this connection (merged over the endpoint's `transport`). */
  readonly transport?: TransportConfig;
}

/** Counters of an endpoint (what happened to traffic that no connection owned, mostly). */
export interface EndpointStats {
  datagramsReceived: number;
  /** Datagrams that reached no connection and got no reply. */
  datagramsDropped: number;
  connectionsCreated: number;
  versionNegotiationsSent: number;
  retriesSent: number;
  statelessResetsSent: number;
  /** Initials refused with CONNECTION_REFUSED (limits). */
  connectionsRefused: number;
  /** Initials whose Retry token was invalid (answered with INVALID_TOKEN). */
  invalidTokens: number;
  /** Stateless packets dropped because the queue was full or the rate limit was reached. */
  statelessDropped: number;
}
