import {
  BufferAllocator,
  Clock,
  CongestionControllerFactory,
  CryptoProvider,
  createContainer,
  type DependencyContainer,
  instanceCachingFactory,
  NullQlogSink,
  PoolAllocator,
  QlogSink,
  QuicTlsSessionCache,
  resolve,
  SystemClock,
  type Token,
  tryResolve,
} from '@fos/core';
import { Subject } from 'rxjs';
import { AltSvcCache } from '../alt-svc/alt-svc-cache.js';
import { parseAltSvc } from '../alt-svc/alt-svc-parser.js';
import { type PushedResponse, pushedResponse } from '../fetch/pushed-response.js';
import type { H3Connection } from '../h3/h3-connection.js';
import { H3SessionFactory } from '../h3/h3-session.js';
import { QuicH3SessionFactory } from '../h3/quic/quic-h3-session-factory.js';
import { MemorySessionTicketCache } from '../h3/session-ticket-cache.js';
import { ConnectionPool } from '../pool/connection-pool.js';
import { H3ErrorCode } from '../protocol.js';
import { KeylogWriter } from '../tcp/keylog-writer.js';
import { NodeTcpTransport, TcpTransport } from '../tcp/tcp-transport.js';
import { ClientConfig, type ClientOptions, normalizeOptions } from './client-options.js';
import { Dispatcher } from './dispatcher.js';
import { FetchClient, HttpClient } from './http-client.js';

/** Factories `registerClient` created: the client closes them with itself (a caller's own factory is the caller's). */
const ownedFactories = new WeakSet<H3SessionFactory>();

function isAllocator(v: NonNullable<ClientOptions['allocator']>): v is BufferAllocator {
  return typeof (v as BufferAllocator).acquire === 'function';
}

function registerValue<T>(container: DependencyContainer, t: Token<T>, value: T | undefined): void {
  if (value !== undefined) container.register(t, { useValue: value });
}

function registerDefault<T>(container: DependencyContainer, t: Token<T>, make: () => T): void {
  if (!container.isRegistered(t, true)) container.register(t, { useValue: make() });
}

/**
 * Registers an `HttpClient` and what it needs in `container` (a child container of the caller's):
 * `ClientConfig`, `Clock`, `BufferAllocator`, `QlogSink`, `QuicTlsSessionCache`, `TcpTransport`, and — when given
 * in `options` — `H3SessionFactory`, `CongestionControllerFactory`, `CryptoProvider`. Registrations already present
 * (here or in a parent) are kept unless `options` names a replacement. Resolve `HttpClient` afterwards.
 */
export function registerClient(container: DependencyContainer, options: ClientOptions = {}): DependencyContainer {
  const config = normalizeOptions(options);
  container.register(ClientConfig, { useValue: config });
  registerValue(container, Clock, options.clock);
  registerDefault(container, Clock, () => new SystemClock({ unrefTimers: true }));
  const allocator = options.allocator;
  if (allocator !== undefined) {
    registerValue(container, BufferAllocator, isAllocator(allocator) ? allocator : new PoolAllocator(allocator));
  }
  registerDefault(container, BufferAllocator, () => new PoolAllocator());
  registerDefault(container, QlogSink, () => new NullQlogSink());
  registerValue(container, QuicTlsSessionCache, options.sessionCache);
  registerDefault(container, QuicTlsSessionCache, () => new MemorySessionTicketCache());
  registerValue(container, CongestionControllerFactory, options.congestionController);
  registerValue(container, CryptoProvider, options.cryptoProvider);
  if (options.h3SessionFactory !== null) registerValue(container, H3SessionFactory, options.h3SessionFactory);
  // HTTP/3 over @fos/quic unless the caller plugged in another implementation (or a fake) or disabled it (null).
  if (options.h3SessionFactory === undefined && !container.isRegistered(H3SessionFactory, true)) {
    container.register(H3SessionFactory, {
      useFactory: instanceCachingFactory<H3SessionFactory>(() => {
        const factory = new QuicH3SessionFactory({ container });
        ownedFactories.add(factory);
        return factory;
      }),
    });
  }
  registerValue(container, TcpTransport, options.tcpTransport);

  container.register(HttpClient, {
    useFactory: instanceCachingFactory<HttpClient>((c) => buildClient(c)),
  });
  return container;
}

/** A ready client in its own child container: `const res = await createClient().fetch(url)`. */
export function createClient(options: ClientOptions = {}): HttpClient {
  const container = registerClient(createContainer(options.container), options);
  return resolve(container, HttpClient);
}

function buildClient(c: DependencyContainer): HttpClient {
  const config = resolve(c, ClientConfig);
  const clock = resolve(c, Clock);
  const altSvc = new AltSvcCache(config.altSvc);
  const keylog = config.keylogPath !== undefined ? new KeylogWriter(config.keylogPath) : undefined;
  const tls = {
    ca: config.ca,
    rejectUnauthorized: config.rejectUnauthorized,
    spkiPins: config.pins,
    keylog,
    lookup: config.lookup,
  };
  const tcp =
    tryResolve(c, TcpTransport) ??
    new NodeTcpTransport({
      clock,
      tls,
      idleTimeoutMs: config.poolIdleTimeoutMs,
      maxSocketsPerOrigin: config.maxSocketsPerOrigin,
      connectTimeoutMs: config.connectTimeoutMs,
      onAltSvc: (origin, value) => {
        const parsed = parseAltSvc(value);
        if (parsed !== undefined) altSvc.update(origin, parsed, clock.now());
      },
    });
  const h3Pool = new ConnectionPool<H3Connection>({ clock, idleTimeoutMs: config.poolIdleTimeoutMs });
  const h3Factory = config.h3Disabled ? undefined : tryResolve(c, H3SessionFactory);
  const shutdown = new AbortController();
  const pushes = new Subject<PushedResponse>();
  const dispatcher = new Dispatcher({
    clock,
    altSvc,
    tcp,
    h3Factory,
    h3Pool,
    h3ConnectOptions: {
      tls: { ca: config.ca, rejectUnauthorized: config.rejectUnauthorized, spkiPins: config.pins },
      sessionCache: resolve(c, QuicTlsSessionCache),
      enableEarlyData: config.enableEarlyData,
      enablePush: config.enablePush,
      qlogDir: config.qlogDir,
      keylogPath: config.keylogPath,
      lookup: config.lookup,
      services: {
        clock,
        allocator: resolve(c, BufferAllocator),
        qlog: resolve(c, QlogSink),
        congestionControllerFactory: tryResolve(c, CongestionControllerFactory),
        cryptoProvider: tryResolve(c, CryptoProvider),
        keyLog: keylog === undefined ? undefined : (line: string) => keylog.writeLine(line),
      },
    },
    raceDelayMs: config.raceDelayMs,
    h3ConnectTimeoutMs: config.h3ConnectTimeoutMs,
    shutdown: shutdown.signal,
    onPush: (promise, origin, session) => {
      if (!pushes.observed) {
        promise.exchange.cancel(H3ErrorCode.H3_REQUEST_CANCELLED);
        return;
      }
      const pushed = pushedResponse(promise, origin, session);
      if (pushed !== undefined) pushes.next(pushed);
    },
  });
  return new FetchClient({
    config,
    clock,
    altSvc,
    dispatcher,
    tcp,
    h3Pool,
    keylog,
    shutdown,
    pushes,
    h3Factory: h3Factory !== undefined && ownedFactories.has(h3Factory) ? h3Factory : undefined,
  });
}
