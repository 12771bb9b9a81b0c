import { type BindOptions, token } from '@fos/core';
import type { TransportConfig } from '../connection/config.js';

/** Server side of a {@link QuicEndpoint}: what it accepts (RFC 9000 §5.2.2, §8). */
export interface QuicServerOptions {
  /** ALPN protocol(s) the server speaks, by preference (RFC 9001 §8.1). */
  readonly alpn: string | readonly string[];
  /** Accept 0-RTT from resuming clients (RFC 9001 §4.6). Default false. */
  readonly enableEarlyData?: boolean;
  /**
   * Bytes an application protocol binds into the session tickets this server issues (RFC 9114 §7.2.4.2: HTTP/3
   * settings). A ticket's 0-RTT is accepted only when {@link acceptEarlyDataContext} (default: byte equality)
   * accepts the context stored in it, besides our transport parameters (RFC 9000 §7.4.1).
   */
  readonly earlyDataContext?: Uint8Array;
  /** Whether a ticket's stored context still allows 0-RTT under the current one. Default: byte equality. */
  readonly acceptEarlyDataContext?: (remembered: Uint8Array) => boolean;
  /**
   * When `connections$` hands over an incoming connection. `'handshake'` (default): once its handshake completed.
   * `'early'`: as soon as the connection exists — to `connections$` subscribers synchronously, before any of its
   * events — so that streams the client opened in 0-RTT are seen as they arrive and can be answered at once with
   * 0.5-RTT data (RFC 9001 §4.1.1, §4.6.1) instead of a round trip later (quic-go's `ListenEarly`). The application
   * must then expect `handshakeComplete` to be false (watch `state$`), a client not yet authenticated, and 0-RTT
   * requests that may be replays (RFC 9001 §9.2). A connection whose handshake fails closes like any other.
   */
  readonly handover?: 'handshake' | 'early';
  /** Validate client addresses with a Retry first (RFC 9000 §8.1.2). Default false. */
  readonly retry?: boolean;
  /** 16-byte key of Retry / NEW_TOKEN tokens (default random per endpoint). */
  readonly tokenKey?: Uint8Array;
  /** Send NEW_TOKEN after the handshake (RFC 9000 §8.1.3). Default true. */
  readonly issueNewTokens?: boolean;
  /** Most handshakes in progress at once (default 256); more are refused with CONNECTION_REFUSED. */
  readonly maxHandshakes?: number;
  /** Most connections at once (default 10 000); more are refused with CONNECTION_REFUSED. */
  readonly maxConnections?: number;
  /** Transport settings of server connections (over the endpoint's `transport`). */
  readonly transport?: TransportConfig;
}

/**
 * Options of a {@link QuicEndpoint} (one socket, client and/or server connections). Registered in a container with
 * `registerQuic(container, options)`; `createQuicEndpoint(container, options)` merges its own over them.
 */
export interface QuicEndpointOptions {
  /** Where to bind the socket (default: an ephemeral port on 0.0.0.0). */
  readonly bind?: BindOptions;
  /** Accept connections (server role). */
  readonly server?: QuicServerOptions;
  /** Transport settings of every connection (idle timeout, windows, stream limits, datagrams …). */
  readonly transport?: TransportConfig;
  /** Length of our connection IDs, 4-20 (default 8). */
  readonly cidLength?: number;
  /** Static stateless-reset key (≥ 16 bytes; keep it across restarts so old peers get reset). Default random. */
  readonly statelessResetKey?: Uint8Array;
  /** Stateless Resets we send (rate limit), or false for none. Default 100/s, burst 20. */
  readonly statelessResets?: { readonly ratePerSecond: number; readonly burst: number } | false;
  /** QUIC versions by preference (default v1, v2). */
  readonly supportedVersions?: readonly number[];
  /** Datagrams sent per event-loop turn before yielding (default 32). */
  readonly maxDatagramsPerTurn?: number;
  /** Write one qlog file per connection into this directory (registerQuic registers a `FileQlogSink`). */
  readonly qlogDir?: string;
}

/** DI token of the endpoint options (registered by `registerQuic`). */
export const QuicEndpointOptions = token<QuicEndpointOptions>('fos.quic.QuicEndpointOptions');

/** A client connection attempt. */
export interface QuicConnectOptions {
  /** Server IP address (literal). Either this or `host`. */
  readonly address?: string;
  /** Server host name or IP literal (names are resolved with the system resolver). */
  readonly host?: string;
  readonly port: number;
  /** ALPN protocol(s) to offer, by preference (RFC 9001 §8.1). */
  readonly alpn: string | readonly string[];
  /** SNI and certificate name (default `host` when it is a name). */
  readonly serverName?: string;
  /** Name or IP the certificate must match (default `serverName`, else the address). */
  readonly verifyHost?: string;
  /** Resume from a stored session ticket when one is available (default true). */
  readonly resume?: boolean;
  /** Send 0-RTT when resuming, and resolve `connect` as soon as 0-RTT data can be sent (RFC 9001 §4.6.1). */
  readonly earlyData?: boolean;
  /**
   * Hold the session tickets this connection receives until `QuicConnection.setTicketContext` gives the bytes to
   * store with them (or the connection closes: then they are stored without). For an application protocol whose
   * state to remember arrives after the server's NewSessionTicket (RFC 9114 §7.2.4.2: HTTP/3 SETTINGS). At most a
   * few tickets are held; an older one is stored without the context when more arrive. Default false: tickets are
   * stored as they arrive.
   */
  readonly awaitTicketContext?: boolean;
  /** Handshake timeout, ms (default the transport's `handshakeTimeoutMs`, 10 s). */
  readonly timeoutMs?: number;
  /** Transport settings of this connection (over the endpoint's). */
  readonly transport?: TransportConfig;
  /** QUIC version to start with (default the endpoint's first). */
  readonly version?: number;
  /** Abandons the attempt (the connection is closed and `connect` rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}
