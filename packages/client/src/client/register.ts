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
import { AltSvcCache } from '../alt-svc/alt-svc-cache.js';
import { parseAltSvc } from '../alt-svc/alt-svc-parser.js';
import type { H3Connection } from '../h3/h3-connection.js';
import { H3SessionFactory } from '../h3/h3-session.js';
import { MemorySessionTicketCache } from '../h3/session-ticket-cache.js';
import { ConnectionPool } from '../pool/connection-pool.js';
import { KeylogWriter } from '../tcp/keylog-writer.js';
import { NodeTcpTransport, TcpTransport } from '../tcp/tcp-transport.js';
import { ClientConfig, type ClientOptions, normalizeOptions } from './client-options.js';
import { Dispatcher } from './dispatcher.js';
import { FetchClient, HttpClient } from './http-client.js';

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
  registerValue(container, H3SessionFactory, options.h3SessionFactory);
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
  const shutdown = new AbortController();
  const dispatcher = new Dispatcher({
    clock,
    altSvc,
    tcp,
    h3Factory: tryResolve(c, H3SessionFactory),
    h3Pool,
    h3ConnectOptions: {
      tls: { ca: config.ca, rejectUnauthorized: config.rejectUnauthorized, spkiPins: config.pins },
      sessionCache: resolve(c, QuicTlsSessionCache),
      enableEarlyData: config.enableEarlyData,
      qlogDir: config.qlogDir,
      keylogPath: config.keylogPath,
      lookup: config.lookup,
      services: {
        clock,
        allocator: resolve(c, BufferAllocator),
        qlog: resolve(c, QlogSink),
        congestionControllerFactory: tryResolve(c, CongestionControllerFactory),
        cryptoProvider: tryResolve(c, CryptoProvider),
      },
    },
    raceDelayMs: config.raceDelayMs,
    h3ConnectTimeoutMs: config.h3ConnectTimeoutMs,
    shutdown: shutdown.signal,
  });
  return new FetchClient({ config, clock, altSvc, dispatcher, tcp, h3Pool, keylog, shutdown });
}
