import { token } from '@fos/core';
import type { H3ConnectionDefaults, H3Transport } from '@fos/http3';
import type { TransportConfig } from '@fos/quic';
import type { AccessLogEntry } from './access-log.js';
import { ServerError, ServerErrorCode } from './errors.js';
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

/**
 * Session tickets: what lets a returning client resume (RFC 8446 §2.2, §4.6.1; RFC 9001 §4.5) and send 0-RTT
 * (RFC 9001 §4.6). The server's part of TLS `TlsTicketOptions` (from `@fos/crypto`) that applies to HTTP/3.
 *
 * By default tickets are sealed under random keys made by this process: they do not survive a restart and another
 * process cannot open them. Give `keys` to share them (see the README, "Session tickets across processes").
 */
export interface ServerTicketOptions {
  /**
   * Ticket-encryption keys (AES-256-GCM), exactly 32 random bytes each (`crypto.randomBytes(32)`): the first seals
   * new tickets, every one opens them. Servers (processes, restarts) given the same keys resume each other's
   * sessions. Rotate by putting a new key first and keeping the old one after it until its tickets have expired
   * (`lifetimeSeconds`). With keys, no automatic rotation happens (`rotationMs` is ignored). Default: random keys
   * of this process, rotated every `rotationMs`.
   */
  readonly keys?: readonly Uint8Array[];
  /** ticket_lifetime, seconds: how long a client may resume with a ticket (1 … 604 800, RFC 8446 §4.6.1). Default 86 400. */
  readonly lifetimeSeconds?: number;
  /** Without `keys`: a new random key every `rotationMs` (old ones open tickets until they expire). Default 12 h. */
  readonly rotationMs?: number;
  /**
   * NewSessionTicket messages sent when a handshake completes (RFC 8446 §4.6.1; a client uses each once, RFC 8446
   * §C.4), 0 … 255. 0 disables resumption and 0-RTT. Default 1.
   */
  readonly ticketsPerConnection?: number;
  /**
   * 0-RTT freshness (RFC 8446 §8.3): how far the client's view of the ticket's age may differ from the server's
   * before its early data is refused (the handshake goes on in 1-RTT). Default 10 000 ms.
   */
  readonly freshnessWindowMs?: number;
  /**
   * Tickets this process remembers as used for 0-RTT (single use, RFC 8446 §8.1). When full, further 0-RTT is
   * refused until entries expire (fail safe: 1-RTT). Per process: not shared with other servers. Default 100 000.
   */
  readonly antiReplayCapacity?: number;
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
  /** Session tickets (resumption, 0-RTT): shared keys, lifetime, how many per connection. */
  readonly tickets?: ServerTicketOptions;
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

/** RFC 8446 §4.6.1: ticket_lifetime MUST NOT exceed 7 days. */
const MAX_TICKET_LIFETIME_SECONDS = 604_800;
/** Ticket keys are AES-256-GCM keys. */
const TICKET_KEY_BYTES = 32;

/**
 * Checks `tickets` and returns the TLS ticket options to compose with (the keys copied, so later changes to the
 * caller's arrays have no effect). Throws a `ServerError` (`INVALID_OPTION`) naming the first bad field.
 */
export function resolveTicketOptions(tickets: ServerTicketOptions | undefined): ServerTicketOptions | undefined {
  if (tickets === undefined) return undefined;
  const { keys, lifetimeSeconds, rotationMs, ticketsPerConnection, freshnessWindowMs, antiReplayCapacity } = tickets;
  let copied: Uint8Array[] | undefined;
  if (keys !== undefined) {
    // An empty list would silently fall back to per-process keys: refuse it rather than lose resumption unnoticed.
    if (keys.length === 0) invalid('tickets.keys is empty (omit it for per-process keys)');
    copied = keys.map((k, i) => {
      if (!(k instanceof Uint8Array) || k.byteLength !== TICKET_KEY_BYTES) {
        const got = k instanceof Uint8Array ? `${k.byteLength} bytes` : typeof k;
        invalid(`tickets.keys[${i}] is ${got}; a ticket key is exactly ${TICKET_KEY_BYTES} bytes`);
      }
      return k.slice();
    });
  }
  if (lifetimeSeconds !== undefined && !isIntegerIn(lifetimeSeconds, 1, MAX_TICKET_LIFETIME_SECONDS)) {
    invalid(`tickets.lifetimeSeconds must be an integer 1 … ${MAX_TICKET_LIFETIME_SECONDS} (RFC 8446 §4.6.1)`);
  }
  if (ticketsPerConnection !== undefined && !isIntegerIn(ticketsPerConnection, 0, 255)) {
    invalid('tickets.ticketsPerConnection must be an integer 0 … 255');
  }
  if (antiReplayCapacity !== undefined && !isIntegerIn(antiReplayCapacity, 0, Number.MAX_SAFE_INTEGER)) {
    invalid('tickets.antiReplayCapacity must be a non-negative integer');
  }
  if (rotationMs !== undefined && !(rotationMs > 0 && Number.isFinite(rotationMs))) {
    invalid('tickets.rotationMs must be a positive number of milliseconds');
  }
  if (freshnessWindowMs !== undefined && !(freshnessWindowMs >= 0 && Number.isFinite(freshnessWindowMs))) {
    invalid('tickets.freshnessWindowMs must be a non-negative number of milliseconds');
  }
  return { keys: copied, lifetimeSeconds, rotationMs, ticketsPerConnection, freshnessWindowMs, antiReplayCapacity };
}

function isIntegerIn(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

function invalid(message: string): never {
  throw new ServerError(ServerErrorCode.INVALID_OPTION, message);
}
