// DI wiring: registerClient / createClient register the client's services in a child container, keep what a parent
// provides, and hand the QUIC plugins to the H3 session factory.
import {
  BufferAllocator,
  Clock,
  CongestionControllerFactory,
  CryptoProvider,
  createContainer,
  QuicTlsSessionCache,
  resolve,
  VirtualClock,
} from '@fos/core';
import { describe, expect, it } from 'vitest';
import {
  ClientConfig,
  H3SessionFactory,
  HttpClient,
  MemorySessionTicketCache,
  QuicH3SessionFactory,
  registerClient,
} from '../src/index.js';
import { FakeH3SessionFactory, FakeTcpTransport } from '../src/testing/index.js';
import { track } from './support/helpers.js';

describe('registerClient', () => {
  it('registers defaults and one HttpClient per container', () => {
    const c = registerClient(createContainer());
    expect(resolve(c, HttpClient)).toBe(resolve(c, HttpClient));
    expect(resolve(c, QuicTlsSessionCache)).toBeInstanceOf(MemorySessionTicketCache);
    expect(resolve(c, BufferAllocator).bufferSize).toBe(2048);
    expect(resolve(c, ClientConfig)).toMatchObject({ protocol: 'auto', connectTimeoutMs: 10_000, raceDelayMs: 300 });
    // HTTP/3 over @fos/quic by default; `h3SessionFactory: null` turns it off.
    expect(resolve(c, H3SessionFactory)).toBeInstanceOf(QuicH3SessionFactory);
    const off = registerClient(createContainer(), { h3SessionFactory: null });
    expect(off.isRegistered(H3SessionFactory)).toBe(false);
    const other = registerClient(createContainer());
    expect(resolve(other, HttpClient)).not.toBe(resolve(c, HttpClient));
  });

  it('keeps what a parent container provides unless an option replaces it', () => {
    const parent = createContainer();
    const clock = new VirtualClock();
    parent.register(Clock, { useValue: clock });
    const child = registerClient(createContainer(parent));
    expect(resolve(child, Clock)).toBe(clock);
    const replaced = new VirtualClock();
    const overridden = registerClient(createContainer(parent), { clock: replaced });
    expect(resolve(overridden, Clock)).toBe(replaced);
    expect(
      resolve(registerClient(createContainer(), { allocator: { bufferSize: 1500 } }), BufferAllocator).bufferSize,
    ).toBe(1500);
  });

  it('passes the QUIC plugins and client-owned session cache to the H3 session factory', async () => {
    const clock = new VirtualClock();
    const congestion = { name: 'test-cc', create: () => ({}) } as unknown as CongestionControllerFactory;
    const crypto = { name: 'test-crypto' } as unknown as CryptoProvider;
    const sessionCache = new MemorySessionTicketCache();
    const h3 = new FakeH3SessionFactory({ clock });
    const c = registerClient(createContainer(), {
      clock,
      congestionController: congestion,
      cryptoProvider: crypto,
      sessionCache,
      h3SessionFactory: h3,
      tcpTransport: new FakeTcpTransport({ clock }),
      protocol: 'h3',
      keylogPath: '/tmp/never-written.keylog',
    });
    expect(resolve(c, CongestionControllerFactory)).toBe(congestion);
    expect(resolve(c, CryptoProvider)).toBe(crypto);
    const pending = track(resolve(c, HttpClient).fetch('https://di.test/'));
    await clock.runUntil(() => pending.settled, 1000);
    expect(pending.error).toBeUndefined();
    const options = h3.connects[0].options;
    expect(options.services.congestionControllerFactory).toBe(congestion);
    expect(options.services.cryptoProvider).toBe(crypto);
    expect(options.services.clock).toBe(clock);
    expect(options.sessionCache).toBe(sessionCache);
    expect(options.keylogPath).toBe('/tmp/never-written.keylog');
    expect(sessionCache.size).toBe(1);
    await resolve(c, HttpClient).close();
  });

  it('validates options', () => {
    expect(() => registerClient(createContainer(), { timeouts: { connectMs: -1 } })).toThrow(RangeError);
    expect(() => registerClient(createContainer(), { ca: 'not a certificate' })).toThrow(TypeError);
  });
});
