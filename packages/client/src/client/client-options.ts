import { X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import {
  type BufferAllocator,
  type Clock,
  type CongestionControllerFactory,
  type CryptoProvider,
  type DependencyContainer,
  type PoolAllocatorOptions,
  type QuicTlsSessionCache,
  token,
} from '@fos/core';
import type { AltSvcCacheOptions } from '../alt-svc/alt-svc-cache.js';
import type { H3SessionFactory } from '../h3/h3-session.js';
import type { ProtocolPreference } from '../protocol.js';
import type { TcpTransport } from '../tcp/tcp-transport.js';

/** Options of `createClient` / `registerClient`. Everything is optional: `createClient()` just works. */
export interface ClientOptions {
  /** Default protocol preference of every request (`auto`). */
  readonly protocol?: ProtocolPreference;
  /** Trusted CA certificates, PEM (one or several per string) or DER; replaces the default roots when set. */
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /** Verify server certificates (chain, host name). Default true. Pins are checked either way. */
  readonly rejectUnauthorized?: boolean;
  /** SPKI pins: base64 SHA-256 of the leaf certificate's SubjectPublicKeyInfo (see `spkiSha256`). */
  readonly pins?: readonly string[];
  readonly timeouts?: {
    /** TCP+TLS connect / QUIC handshake. Default 10 000 ms. */
    readonly connectMs?: number;
    /** No progress for this long fails the request. Default none. */
    readonly idleMs?: number;
    /** Whole exchange including the body. Default none. */
    readonly totalMs?: number;
  };
  readonly h3?: {
    /** QUIC's head start before TCP is raced against it. Default 300 ms. */
    readonly raceDelayMs?: number;
    /** QUIC handshake timeout. Default: `timeouts.connectMs`. */
    readonly connectTimeoutMs?: number;
    /** Send GET/HEAD as 0-RTT on resumed connections. Default true. */
    readonly enableEarlyData?: boolean;
    /**
     * Accept server push (RFC 9114 §4.6): pushed responses appear on `client.pushes$`. Default false (the server
     * cannot push).
     */
    readonly push?: boolean;
  };
  /** Alt-Svc cache bounds and the broken-alternative back-off. */
  readonly altSvc?: AltSvcCacheOptions;
  readonly pool?: {
    /** Idle connections (H3, H2 sessions, HTTP/1.1 sockets) close after this long. Default 30 000 ms. */
    readonly idleTimeoutMs?: number;
    /** HTTP/1.1 connections per origin. Default 6. */
    readonly maxSocketsPerOrigin?: number;
  };
  /** Directory for one qlog file per QUIC connection (passed to the H3 session factory). */
  readonly qlogDir?: string;
  /** File to append TLS secrets to, NSS key log format (TCP connections, and passed to the H3 factory). */
  readonly keylogPath?: string;
  /** QUIC congestion controller (registered as `CongestionControllerFactory`). */
  readonly congestionController?: CongestionControllerFactory;
  /** QUIC packet buffers (registered as `BufferAllocator`). */
  readonly allocator?: BufferAllocator | PoolAllocatorOptions;
  /** QUIC crypto (registered as `CryptoProvider`). */
  readonly cryptoProvider?: CryptoProvider;
  /** TLS session tickets for QUIC resumption / 0-RTT (registered as `QuicTlsSessionCache`). Default in memory. */
  readonly sessionCache?: QuicTlsSessionCache;
  /**
   * The HTTP/3 implementation (registered as `H3SessionFactory`). Default: a `QuicH3SessionFactory` (HTTP/3 over
   * @fos/quic) unless the container already has one; `null` disables HTTP/3 (only TCP is used).
   */
  readonly h3SessionFactory?: H3SessionFactory | null;
  /** Replaces the node:http2/node:https transport (registered as `TcpTransport`; tests use fakes). */
  readonly tcpTransport?: TcpTransport;
  /** Time source for timeouts, the race and caches. Default a SystemClock with unref'd timers. */
  readonly clock?: Clock;
  /** Name resolution override (node:dns lookup signature). */
  readonly lookup?: LookupFunction;
  /** `user-agent` sent when the request has none; null sends none. Default `fos-client`. */
  readonly userAgent?: string | null;
  /** Parent for the client's DI child container. */
  readonly container?: DependencyContainer;
}

/** The options after defaults, as the client uses them. */
export interface ClientConfig {
  readonly protocol: ProtocolPreference;
  /** One PEM certificate per entry. */
  readonly ca: readonly string[] | undefined;
  readonly rejectUnauthorized: boolean;
  readonly pins: readonly string[];
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number | undefined;
  readonly totalTimeoutMs: number | undefined;
  readonly raceDelayMs: number;
  readonly h3ConnectTimeoutMs: number | undefined;
  readonly enableEarlyData: boolean;
  readonly enablePush: boolean;
  readonly altSvc: AltSvcCacheOptions;
  readonly poolIdleTimeoutMs: number;
  readonly maxSocketsPerOrigin: number;
  readonly qlogDir: string | undefined;
  readonly keylogPath: string | undefined;
  readonly lookup: LookupFunction | undefined;
  readonly userAgent: string | undefined;
  /** `h3SessionFactory: null`: HTTP/3 is off for this client. */
  readonly h3Disabled: boolean;
}
export const ClientConfig = token<ClientConfig>('fos.client.ClientConfig');

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** CA input (PEM bundles or DER) as one PEM string per certificate. */
export function normalizeCa(ca: ClientOptions['ca']): string[] | undefined {
  if (ca === undefined) return undefined;
  const list = typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : ca;
  const out: string[] = [];
  for (const item of list) {
    if (typeof item === 'string') {
      const certs = item.match(PEM_CERT);
      if (certs === null) throw new TypeError('ca: no PEM certificate found');
      out.push(...certs.map((c) => `${c}\n`));
    } else {
      out.push(new X509Certificate(Buffer.from(item.buffer, item.byteOffset, item.byteLength)).toString());
    }
  }
  return out;
}

function nonNegative(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number of ms`);
  return value;
}

export function normalizeOptions(options: ClientOptions): ClientConfig {
  return {
    protocol: options.protocol ?? 'auto',
    ca: normalizeCa(options.ca),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    pins: [...(options.pins ?? [])],
    connectTimeoutMs: nonNegative('timeouts.connectMs', options.timeouts?.connectMs) ?? 10_000,
    idleTimeoutMs: nonNegative('timeouts.idleMs', options.timeouts?.idleMs),
    totalTimeoutMs: nonNegative('timeouts.totalMs', options.timeouts?.totalMs),
    raceDelayMs: nonNegative('h3.raceDelayMs', options.h3?.raceDelayMs) ?? 300,
    h3ConnectTimeoutMs: nonNegative('h3.connectTimeoutMs', options.h3?.connectTimeoutMs),
    enableEarlyData: options.h3?.enableEarlyData ?? true,
    enablePush: options.h3?.push ?? false,
    altSvc: options.altSvc ?? {},
    poolIdleTimeoutMs: nonNegative('pool.idleTimeoutMs', options.pool?.idleTimeoutMs) ?? 30_000,
    maxSocketsPerOrigin: Math.max(1, options.pool?.maxSocketsPerOrigin ?? 6),
    qlogDir: options.qlogDir,
    keylogPath: options.keylogPath,
    lookup: options.lookup,
    userAgent: options.userAgent === null ? undefined : (options.userAgent ?? 'fos-client'),
    h3Disabled: options.h3SessionFactory === null,
  };
}
