import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { defaultCongestionControllerFactory } from '@fos/congestion-cubic';
import {
  BufferAllocator,
  type CipherSuite,
  Clock,
  CongestionControllerFactory,
  CryptoProvider,
  createContainer,
  DatagramSocket,
  type DependencyContainer,
  type NamedGroup,
  QlogSink,
  type QuicTlsSessionCache,
  QuicVersion,
  tryResolve,
} from '@fos/core';
import { createKeyLogFileWriter, type KeyLogFile, NodeCryptoProvider, registerCrypto } from '@fos/crypto';
import type { H3ConnectionOptions } from '@fos/http3';
import { createQuicEndpoint, type QuicConnection, type QuicEndpoint, type TransportConfig } from '@fos/quic';
import { registerUdp } from '@fos/udp';
import { H3ConnectError } from '../../errors.js';
import { raceSignal } from '../../fetch/request-context.js';
import { H3ErrorCode } from '../../protocol.js';
import type { H3ConnectOptions, H3ConnectTarget, H3SessionFactory } from '../h3-session.js';
import { type ConnectTargetInfo, dnsError, mapConnectError } from './connect-errors.js';
import { QuicH3Session, type SessionOwner } from './quic-h3-session.js';
import { RecordingVerifier } from './recording-verifier.js';

/** Options of {@link QuicH3SessionFactory}. All optional: `new QuicH3SessionFactory()` speaks HTTP/3 over UDP. */
export interface QuicH3SessionFactoryOptions {
  /**
   * Parent of the endpoints' DI containers: a `DatagramSocket` registered there (e.g. `registerMemoryNetwork`) is
   * used instead of real UDP, a `CryptoProvider` or `CongestionControllerFactory` there is used when the client
   * passes none. The client's `registerClient` passes its own container.
   */
  readonly container?: DependencyContainer;
  /** QUIC transport settings of our connections (idle timeout, flow-control windows, …), over the defaults below. */
  readonly transport?: TransportConfig;
  /** TLS choices beyond verification (which comes from the client's `ca` / `rejectUnauthorized` / `pins`). */
  readonly tls?: {
    /** Cipher suites offered, in preference order (RFC 8446 §4.1.2; default AES-128-GCM, AES-256-GCM, ChaCha20). */
    readonly cipherSuites?: readonly CipherSuite[];
    /** Key-exchange groups, in preference order (default x25519, secp256r1, secp384r1). */
    readonly groups?: readonly NamedGroup[];
    /** Groups to send key shares for in the first ClientHello (default: the first of `groups`). */
    readonly keyShareGroups?: readonly NamedGroup[];
  };
  /** QUIC versions by preference (default v1 then v2); after a Version Negotiation the others are tried. */
  readonly versions?: readonly number[];
  /** HTTP/3 settings (QPACK table and blocked streams, field-section size, grease …). */
  readonly h3?: Omit<H3ConnectionOptions, 'transport' | 'resumedPeerSettings'>;
  /** Local addresses to bind per family (default `0.0.0.0` and `::`, ephemeral ports). */
  readonly bind?: { readonly ipv4?: string; readonly ipv6?: string };
  /** RFC 8305 §5 "Connection Attempt Delay" between attempts to a host's addresses. Default 250 ms. */
  readonly connectionAttemptDelayMs?: number;
  /**
   * Keep the Node process alive while a connection attempt or a request is in progress (the UDP sockets and timers
   * never keep it alive on their own, so an idle client does not hold the process). Default true.
   */
  readonly keepProcessAlive?: boolean;
  /** Datagrams sent per event-loop turn before yielding (QUIC endpoint option). */
  readonly maxDatagramsPerTurn?: number;
  /** With `enablePush`: pushes outstanding at most per connection (RFC 9114 §7.2.7 MAX_PUSH_ID). Default 16. */
  readonly pushWindow?: number;
}

/**
 * Client transport defaults: no server-initiated bidirectional streams (RFC 9114 §6.1 forbids them), room for the
 * server's control, QPACK and push streams (§6.2: at least 3).
 */
const CLIENT_TRANSPORT: TransportConfig = { initialMaxStreamsBidi: 0, initialMaxStreamsUni: 100 };

/** Addresses of one host tried at most (RFC 8305 §4 interleaves families). */
const MAX_ADDRESSES = 4;

interface ClientEndpoint {
  readonly endpoint: QuicEndpoint;
  readonly verifier: RecordingVerifier;
  readonly versions: readonly number[];
}

interface ResolvedAddress {
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
}

let nextCacheId = 1;
const cacheIds = new WeakMap<object, number>();

function cacheId(cache: QuicTlsSessionCache): number {
  let id = cacheIds.get(cache);
  if (id === undefined) {
    id = nextCacheId++;
    cacheIds.set(cache, id);
  }
  return id;
}

/**
 * The real {@link H3SessionFactory}: HTTP/3 (RFC 9114) over @fos/quic. One QUIC endpoint (one UDP socket) per
 * address family and client configuration, shared by every connection the client makes; sessions are a
 * `QuicConnection` with an `H3Connection` on top ({@link QuicH3Session}).
 *
 * - Certificates are verified with the client's trust anchors, `rejectUnauthorized` and SPKI pins (RFC 7838 §2.1:
 *   against the origin's name, also for an alternative); a refusal becomes `TlsVerificationError` with the reason.
 * - Session tickets go to and come from the client's `QuicTlsSessionCache` (the endpoint stores every ticket the
 *   server sends, RFC 8446 §4.6.1) and resumption offers 0-RTT when the client allows it (RFC 9001 §4.6.1).
 * - Names resolve with the client's `lookup`; several addresses are raced RFC 8305-style.
 * - Congestion control: the client's controller, else the container's, else CUBIC (RFC 9438). Crypto: the client's
 *   provider, else the container's, else node:crypto. qlog files and the key log follow the client's options.
 */
export class QuicH3SessionFactory implements H3SessionFactory {
  private readonly options: QuicH3SessionFactoryOptions;
  private readonly endpoints = new Map<string, Promise<ClientEndpoint>>();
  private readonly live = new Set<QuicH3Session>();
  private readonly keyLogs = new Map<string, KeyLogFile>();
  private keepAlive: ReturnType<typeof setInterval> | undefined = undefined;
  private busyCount = 0;
  private isClosed = false;
  private readonly owner: SessionOwner = {
    busy: (delta) => this.busy(delta),
    closed: (session) => {
      this.live.delete(session);
    },
  };

  constructor(options: QuicH3SessionFactoryOptions = {}) {
    this.options = options;
  }

  /** The open sessions (diagnostics, tests, tools such as a key update). */
  get sessions(): readonly QuicH3Session[] {
    return [...this.live];
  }

  async connect(target: H3ConnectTarget, options: H3ConnectOptions): Promise<QuicH3Session> {
    const signal = options.signal;
    signal.throwIfAborted();
    if (this.isClosed) throw new H3ConnectError('closed', 'the HTTP/3 session factory is closed');
    this.busy(1);
    try {
      // The seam's contract: an abort rejects at once, also while the name is being resolved.
      const addresses = await raceSignal(this.resolve(target, options), signal);
      const clock = options.services.clock;
      const startedAtMs = clock.now();
      const quic = await this.race(addresses, target, options);
      const info: ConnectTargetInfo = {
        where: where(quic.remoteAddress.address, target.port),
        serverName: target.serverName,
      };
      const session = new QuicH3Session({
        quic,
        clock,
        startedAtMs,
        target: info,
        h3: this.options.h3 ?? {},
        owner: this.owner,
        pushWindow: options.enablePush === true ? (this.options.pushWindow ?? 16) : undefined,
      });
      if (this.isClosed) {
        session.close(H3ErrorCode.H3_NO_ERROR);
        throw new H3ConnectError('closed', 'the HTTP/3 session factory is closed');
      }
      if (!session.closed) this.live.add(session);
      return session;
    } finally {
      this.busy(-1);
    }
  }

  /** Closes every session at once (H3_NO_ERROR) and the endpoints; later connects fail. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const s of [...this.live]) s.closeNow('client closed');
    const endpoints = await Promise.allSettled([...this.endpoints.values()]);
    this.endpoints.clear();
    await Promise.all(
      endpoints.map((r) =>
        r.status === 'fulfilled' ? r.value.endpoint.close({ errorCode: H3ErrorCode.H3_NO_ERROR }) : undefined,
      ),
    );
    for (const k of this.keyLogs.values()) k.close();
    this.keyLogs.clear();
    this.live.clear();
    this.busyCount = 0;
    this.busy(0);
  }

  // ------------------------------------------------------------------------------------------------ internals

  private busy(delta: number): void {
    this.busyCount += delta;
    if (this.options.keepProcessAlive === false) return;
    if (this.busyCount > 0 && this.keepAlive === undefined && !this.isClosed) {
      // A ref'd handle while work is in progress; sockets and timers are unref'd.
      this.keepAlive = setInterval(() => {}, 1 << 30);
    } else if ((this.busyCount <= 0 || this.isClosed) && this.keepAlive !== undefined) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }

  /** The target's addresses: an IP literal as is, a name through the client's resolver (families interleaved). */
  private async resolve(target: H3ConnectTarget, options: H3ConnectOptions): Promise<ResolvedAddress[]> {
    const family = isIP(target.host);
    if (family !== 0) return [{ address: target.host, family: family === 6 ? 'IPv6' : 'IPv4' }];
    const lookup = options.lookup ?? dnsLookup;
    let found: LookupAddress[];
    try {
      found = await new Promise<LookupAddress[]>((resolve, reject) => {
        lookup(target.host, { all: true }, (err, addresses) => {
          if (err) reject(err);
          else resolve(Array.isArray(addresses) ? addresses : [{ address: addresses as string, family: 4 }]);
        });
      });
    } catch (e) {
      throw dnsError(e, target.host);
    }
    // RFC 8305 §4: alternate families, starting with the resolver's first choice.
    const v6 = found.filter((a) => a.family === 6);
    const v4 = found.filter((a) => a.family !== 6);
    const [first, second] = found[0]?.family === 6 ? [v6, v4] : [v4, v6];
    const out: ResolvedAddress[] = [];
    for (let i = 0; out.length < MAX_ADDRESSES && (i < first.length || i < second.length); i++) {
      for (const a of [first[i], second[i]]) {
        if (a !== undefined && out.length < MAX_ADDRESSES) {
          out.push({ address: a.address, family: a.family === 6 ? 'IPv6' : 'IPv4' });
        }
      }
    }
    if (out.length === 0) throw dnsError(Object.assign(new Error('no address'), { code: 'ENODATA' }), target.host);
    return out;
  }

  /**
   * RFC 8305 §5: attempts to the addresses in order, each started `connectionAttemptDelayMs` after the previous
   * one or as soon as it failed; the first connection wins, the others are abandoned.
   */
  private race(
    addresses: ResolvedAddress[],
    target: H3ConnectTarget,
    options: H3ConnectOptions,
  ): Promise<QuicConnection> {
    if (addresses.length === 1) return this.attempt(addresses[0], target, options, options.signal);
    const clock = options.services.clock;
    const delayMs = this.options.connectionAttemptDelayMs ?? 250;
    const outer = options.signal;
    return new Promise<QuicConnection>((resolve, reject) => {
      const controllers: AbortController[] = [];
      const errors: unknown[] = [];
      let started = 0;
      let settled = false;
      const timer = clock.createTimer(() => startNext());
      const finish = (conn: QuicConnection | undefined, error?: unknown): void => {
        if (settled) return;
        settled = true;
        timer.clear();
        outer.removeEventListener('abort', onAbort);
        for (const c of controllers) if (!c.signal.aborted) c.abort(new Error('another address connected first'));
        if (conn !== undefined) resolve(conn);
        else reject(error);
      };
      const onAbort = (): void => finish(undefined, outer.reason);
      const startNext = (): void => {
        if (settled || started >= addresses.length) return;
        const controller = new AbortController();
        controllers.push(controller);
        const address = addresses[started++];
        this.attempt(address, target, options, controller.signal).then(
          (conn) => {
            if (settled) void conn.close(H3ErrorCode.H3_NO_ERROR);
            else finish(conn);
          },
          (e: unknown) => {
            if (settled) return;
            errors.push(e);
            if (errors.length === addresses.length) finish(undefined, mostTelling(errors));
            else startNext();
          },
        );
        if (started < addresses.length) timer.set(clock.now() + delayMs);
      };
      outer.addEventListener('abort', onAbort, { once: true });
      startNext();
    });
  }

  /** One QUIC connection attempt (and, after a Version Negotiation, one more per other version, RFC 9368 §2.1). */
  private async attempt(
    address: ResolvedAddress,
    target: H3ConnectTarget,
    options: H3ConnectOptions,
    signal: AbortSignal,
  ): Promise<QuicConnection> {
    const { endpoint, verifier, versions } = await this.endpointFor(address.family, options);
    const info: ConnectTargetInfo = { where: where(address.address, target.port), serverName: target.serverName };
    let lastError: unknown;
    for (let i = 0; i < versions.length; i++) {
      try {
        return await endpoint.connect({
          address: address.address,
          port: target.port,
          alpn: 'h3', // RFC 9114 §3.1
          // RFC 7838 §2.1 / RFC 9114 §3.3: SNI and the certificate name are the origin's (no SNI for IP literals,
          // RFC 6066 §3 — the TLS engine leaves it out); tickets are kept under this name.
          serverName: target.serverName,
          verifyHost: target.serverName,
          earlyData: options.enableEarlyData,
          // RFC 9114 §7.2.4.2: the session stores the server's SETTINGS with the tickets (they may come after them).
          awaitTicketContext: true,
          version: i === 0 ? undefined : versions[i],
          signal,
        });
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        lastError = mapConnectError(e, info, verifier.takeRefusal(target.serverName));
        if (!(lastError instanceof H3ConnectError) || lastError.failure !== 'version-negotiation') throw lastError;
      }
    }
    throw lastError;
  }

  private endpointFor(family: 'IPv4' | 'IPv6', options: H3ConnectOptions): Promise<ClientEndpoint> {
    const key = [
      family,
      JSON.stringify(options.tls),
      cacheId(options.sessionCache),
      options.qlogDir ?? '',
      options.keylogPath ?? '',
    ].join('|');
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      endpoint = this.createEndpoint(family, options);
      this.endpoints.set(key, endpoint);
      endpoint.catch(() => {
        if (this.endpoints.get(key) === endpoint) this.endpoints.delete(key);
      });
    }
    return endpoint;
  }

  private async createEndpoint(family: 'IPv4' | 'IPv6', options: H3ConnectOptions): Promise<ClientEndpoint> {
    const s = options.services;
    const c = createContainer(this.options.container);
    c.register(Clock, { useValue: s.clock });
    c.register(BufferAllocator, { useValue: s.allocator });
    c.register(QlogSink, { useValue: s.qlog });
    c.register(CongestionControllerFactory, {
      useValue: s.congestionControllerFactory ?? defaultCongestionControllerFactory(c),
    });
    const verifier = new RecordingVerifier(options.tls);
    registerCrypto(c, {
      provider: s.cryptoProvider ?? tryResolve(c, CryptoProvider) ?? new NodeCryptoProvider(),
      tls: {
        ...this.options.tls,
        verify: verifier,
        keyLog: s.keyLog ?? this.keyLogFor(options.keylogPath),
      },
      // The client's ticket store: the endpoint takes tickets from it and stores the server's new ones.
      sessionCache: options.sessionCache,
    });
    const ownSocket = !c.isRegistered(DatagramSocket, true);
    // Idle clients must not hold the process: the socket is unref'd (see `keepProcessAlive`).
    if (ownSocket) registerUdp(c, { unref: true });
    const bindAddress = family === 'IPv6' ? (this.options.bind?.ipv6 ?? '::') : (this.options.bind?.ipv4 ?? '0.0.0.0');
    const versions = this.options.versions ?? [];
    const endpoint = await createQuicEndpoint(c, {
      bind: ownSocket || this.options.bind !== undefined ? { address: bindAddress, port: 0, family } : undefined,
      transport: { ...CLIENT_TRANSPORT, ...this.options.transport },
      supportedVersions: versions.length > 0 ? versions : undefined,
      qlogDir: options.qlogDir,
      maxDatagramsPerTurn: this.options.maxDatagramsPerTurn,
    });
    if (this.isClosed) {
      await endpoint.close();
      throw new H3ConnectError('closed', 'the HTTP/3 session factory is closed');
    }
    return { endpoint, verifier, versions: versions.length > 0 ? versions : [QuicVersion.V1, QuicVersion.V2] };
  }

  private keyLogFor(path: string | undefined): ((line: string) => void) | undefined {
    if (path === undefined) return undefined;
    let file = this.keyLogs.get(path);
    if (file === undefined) {
      file = createKeyLogFileWriter(path);
      this.keyLogs.set(path, file);
    }
    return file.write;
  }
}

function where(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Of several failed attempts, the error that says most (a certificate verdict over "no reply"). */
function mostTelling(errors: readonly unknown[]): unknown {
  return (
    errors.find((e) => !(e instanceof H3ConnectError)) ??
    errors.find((e) => e instanceof H3ConnectError && e.failure !== 'no-response') ??
    errors[0]
  );
}
