import { token } from '@fos/core';
import type { H3ConnectionDefaults, H3Transport } from '@fos/http3';
import type { TransportConfig } from '@fos/quic';
import type { AccessLogEntry } from './access-log.js';
import type { Http3Handler } from './handler.js';

/**
 * The server's certificate: PEM text or DER bytes in memory, or PEM files read when the server is composed.
 * Without one, `createHttp3Server` generates a self-signed certificate (see `Http3Server.certificate`).
 */
export type ServerCertificate =
  | {
      /** The chain, end-entity first: PEM text (one or more certificates) or DER. */
      readonly cert: string | Uint8Array;
      /** The end-entity private key: PKCS#8 PEM text or DER. */
      readonly key: string | Uint8Array;
    }
  | {
      /** Path of a PEM file with the chain, end-entity first. */
      readonly certFile: string;
      /** Path of a PEM file with the PKCS#8 private key. */
      readonly keyFile: string;
    };

/** How early data (0-RTT, RFC 9001 §4.6; RFC 9114 §10.9; RFC 8470) is handled. */
export interface EarlyDataOptions {
  /** Accept 0-RTT from resuming clients. Default false. */
  readonly enabled: boolean;
  /**
   * Methods a request received in early data may have and still be processed while the handshake is incomplete
   * (RFC 8470 §2.1: only requests that are safe to replay). Default `['GET', 'HEAD', 'OPTIONS']`. Other early
   * requests wait for the handshake to complete (RFC 8470 §3), which proves they are not replays.
   */
  readonly safeMethods?: readonly string[];
}

/** Limits that keep one client from exhausting the server. */
export interface ServerLimits {
  /** Concurrent connections (QUIC refuses more with CONNECTION_REFUSED). Default 10 000. */
  readonly maxConnections?: number;
  /** Handshakes in progress at once. Default 256. */
  readonly maxHandshakes?: number;
  /**
   * Concurrent requests per connection: the QUIC initial_max_streams_bidi (RFC 9000 §4.6); the transport raises
   * MAX_STREAMS as requests finish. Default 100.
   */
  readonly maxConcurrentRequests?: number;
  /** Largest request header section accepted (SETTINGS_MAX_FIELD_SECTION_SIZE, RFC 9114 §4.2.2). Default 65 536. */
  readonly maxFieldSectionSize?: number;
  /**
   * Largest request body accepted, bytes: a larger Content-Length gets 413; a body that grows beyond it fails the
   * request's body stream and the client is asked to stop sending (RFC 9114 §4.1). Default unlimited.
   */
  readonly maxRequestBodyBytes?: number;
  /** Request body bytes buffered ahead of the handler before the stream is paused (backpressure). Default 64 KiB. */
  readonly requestBodyHighWaterMarkBytes?: number;
}

/** Options of an HTTP/3 server (`createHttp3Server`, `registerServer`). */
export interface Http3ServerOptions {
  /** Answers every request (see `Http3Handler`; `fetchHandler` adapts a fetch-style function). */
  readonly handler: Http3Handler;
  /** Address to bind. Default `0.0.0.0`. */
  readonly host?: string;
  /** UDP port. Default 0 (any free port; read it from `Http3Server.address`). */
  readonly port?: number;
  /** The TLS certificate and key. Default: a generated self-signed certificate for localhost. */
  readonly certificate?: ServerCertificate;
  /** 0-RTT acceptance (default disabled). `true` = `{ enabled: true }`. */
  readonly earlyData?: boolean | EarlyDataOptions;
  /** Validate client addresses with a Retry first (RFC 9000 §8.1.2). Default false. */
  readonly retry?: boolean;
  /** Allow server push (RFC 9114 §4.6) when the client enables it with MAX_PUSH_ID. Default true. */
  readonly push?: boolean;
  /** Resource limits. */
  readonly limits?: ServerLimits;
  /** Write one qlog file per connection into this directory. */
  readonly qlogDir?: string;
  /** Append TLS secrets to this file in NSS key log format (for Wireshark). Never in production. */
  readonly keyLogFile?: string;
  /** Or receive the key log lines yourself. */
  readonly keyLog?: (line: string) => void;
  /** Called once per finished request (see `formatAccessLogLine`). */
  readonly accessLog?: (entry: AccessLogEntry) => void;
  /** Errors thrown by the handler (after the 500 / stream reset was sent) and other failures. Default: none. */
  readonly onError?: (error: unknown, context: ServerErrorContext) => void;
  /** Added to every response unless the handler set it (e.g. `fos-h3`). Default none. */
  readonly serverHeader?: string;
  /** Send a `date` header (RFC 9110 §6.6.1) unless the handler set one. Default true. */
  readonly dateHeader?: boolean;
  /** QUIC transport settings of server connections (idle timeout, windows …) over the server's defaults. */
  readonly transport?: TransportConfig;
  /** HTTP/3 connection settings (QPACK table capacity, blocked streams …). */
  readonly http3?: H3ConnectionDefaults;
  /** Grace period of `close()` before the remaining connections are closed, ms. Default 5 000. */
  readonly shutdownGraceMs?: number;
  /**
   * Instrumentation: wraps the HTTP/3 layer's view of each QUIC connection (e.g. to count bytes or inspect
   * frames in tests). The wrapper must forward every call.
   */
  readonly wrapTransport?: (transport: H3Transport) => H3Transport;
}

/** Where an error reported to `onError` happened. */
export interface ServerErrorContext {
  readonly phase: 'handler' | 'response' | 'session' | 'accept';
  readonly method?: string;
  readonly path?: string;
  readonly streamId?: number;
}

/** DI token of the server options registered by `registerServer`. */
export const Http3ServerOptions = token<Http3ServerOptions>('fos.server.Http3ServerOptions');

/** Defaults of the options above. */
export const SERVER_DEFAULTS = {
  host: '0.0.0.0',
  port: 0,
  maxConnections: 10_000,
  maxHandshakes: 256,
  maxConcurrentRequests: 100,
  maxFieldSectionSize: 65_536,
  requestBodyHighWaterMarkBytes: 64 * 1024,
  shutdownGraceMs: 5_000,
  safeMethods: ['GET', 'HEAD', 'OPTIONS'] as readonly string[],
} as const;

/** The early-data settings with defaults filled in. */
export function resolveEarlyData(option: boolean | EarlyDataOptions | undefined): Required<EarlyDataOptions> {
  if (option === undefined || option === false) return { enabled: false, safeMethods: SERVER_DEFAULTS.safeMethods };
  if (option === true) return { enabled: true, safeMethods: SERVER_DEFAULTS.safeMethods };
  return { enabled: option.enabled, safeMethods: option.safeMethods ?? SERVER_DEFAULTS.safeMethods };
}
