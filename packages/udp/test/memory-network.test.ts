import {
  type SocketAddress,
  SocketError,
  type SocketEvent,
  SystemClock,
  VirtualClock,
  VirtualClockRunawayError,
} from '@fos/core';
import { describe, expect, it } from 'vitest';
import { EPHEMERAL_PORT_FIRST, MemoryNetwork, SocketErrorCode } from '../src/index.js';
import { collect, collectErrors, simulation } from './support/helpers.js';

const A = '10.0.0.1';
const B = '10.0.0.2';

async function pair(sim = simulation()) {
  const a = sim.network.createSocket(A);
  const b = sim.network.createSocket(B);
  const aAddr = await a.bind();
  const bAddr = await b.bind({ port: 4433 });
  return { ...sim, a, b, aAddr, bAddr };
}

describe('MemoryNetwork: binding', () => {
  it('hands out ephemeral ports from 49152 up, per host, and explicit ports as asked', async () => {
    const { network } = simulation();
    const s1 = network.createSocket(A);
    const s2 = network.createSocket(A);
    const s3 = network.createSocket(B);
    const s4 = network.createSocket(A);
    expect(s1.localAddress).toBeUndefined();
    expect(await s1.bind()).toEqual({ address: A, port: EPHEMERAL_PORT_FIRST, family: 'IPv4' });
    expect((await s2.bind({ port: 0 })).port).toBe(EPHEMERAL_PORT_FIRST + 1);
    expect((await s3.bind()).port).toBe(EPHEMERAL_PORT_FIRST);
    expect(await s4.bind({ port: 443, address: '0.0.0.0' })).toEqual({ address: A, port: 443, family: 'IPv4' });
    expect(s4.localAddress?.port).toBe(443);
  });

  it('rejects a taken port with EADDRINUSE, on the promise and on events$', async () => {
    const { network } = simulation();
    await network.createSocket(A).bind({ port: 4433 });
    const second = network.createSocket(A);
    const errors = collectErrors(second);
    const err = await second.bind({ port: 4433 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).code).toBe(SocketErrorCode.EADDRINUSE);
    expect((err as SocketError).operation).toBe('bind');
    expect(errors.map((e) => e.code)).toEqual([SocketErrorCode.EADDRINUSE]);
    // The same port on another host is free, and the failed socket can still bind elsewhere.
    expect((await network.createSocket(B).bind({ port: 4433 })).port).toBe(4433);
    expect((await second.bind({ port: 4434 })).port).toBe(4434);
  });

  it('skips ports in use when picking an ephemeral one', async () => {
    const { network } = simulation();
    await network.createSocket(A).bind({ port: EPHEMERAL_PORT_FIRST });
    expect((await network.createSocket(A).bind()).port).toBe(EPHEMERAL_PORT_FIRST + 1);
  });

  it.each([
    [{ address: '10.9.9.9' }, SocketErrorCode.EADDRNOTAVAIL],
    [{ family: 'IPv6' as const }, SocketErrorCode.EAFNOSUPPORT],
    [{ port: 70_000 }, SocketErrorCode.BAD_PORT],
    [{ port: -1 }, SocketErrorCode.BAD_PORT],
  ])('rejects bind(%o) with %s', async (options, code) => {
    const { network } = simulation();
    await expect(network.createSocket(A).bind(options)).rejects.toMatchObject({ code, operation: 'bind' });
  });

  it('rejects a second bind and a bind after close', async () => {
    const { network } = simulation();
    const s = network.createSocket(A);
    await s.bind();
    await expect(s.bind()).rejects.toMatchObject({ code: SocketErrorCode.ALREADY_BOUND });
    await s.close();
    await expect(s.bind()).rejects.toMatchObject({ code: SocketErrorCode.NOT_RUNNING });
  });

  it('emits listening on bind', async () => {
    const { network } = simulation();
    const s = network.createSocket('fd00::1');
    const events: SocketEvent[] = [];
    s.events$.subscribe((e) => events.push(e));
    const addr = await s.bind({ port: 5000 });
    expect(addr).toEqual({ address: 'fd00::1', port: 5000, family: 'IPv6' });
    expect(events).toEqual([{ type: 'listening', address: addr }]);
  });
});

describe('MemoryNetwork: delivery', () => {
  it('delivers after the one-way delay, with the sender address and the arrival time', async () => {
    const sim = simulation({ defaultLink: { delayMs: 10 } });
    const { clock, a, b, aAddr, bAddr } = await pair(sim);
    const got = collect(b);
    clock.advance(5);
    a.send(Uint8Array.of(1, 2, 3), bAddr);
    clock.advance(9.999);
    expect(got).toHaveLength(0);
    clock.advance(0.001);
    expect(got).toHaveLength(1);
    expect(got[0].data).toEqual(Uint8Array.of(1, 2, 3));
    expect(got[0].remote).toEqual(aAddr);
    expect(got[0].receivedAt).toBe(15);
    expect(a.stats()).toMatchObject({ datagramsSent: 1, bytesSent: 3 });
    expect(b.stats()).toMatchObject({ datagramsReceived: 1, bytesReceived: 3 });
    expect(sim.network.linkStats(A, B)).toMatchObject({ sent: 1, delivered: 1, bytesSent: 3, bytesDelivered: 3 });
  });

  it('copies on send(): the caller may reuse its buffer at once', async () => {
    const { clock, a, b, bAddr } = await pair();
    const got = collect(b);
    const mine = Uint8Array.of(7, 7, 7);
    a.send(mine, bAddr);
    mine.fill(0);
    clock.advance(0);
    expect(got[0].data).toEqual(Uint8Array.of(7, 7, 7));
  });

  it('sendPooled passes the buffer through without a copy and releases it after the emission', async () => {
    const { clock, allocator, a, b, bAddr } = await pair();
    const buffer = a.allocator.acquire();
    buffer.set([9, 8, 7, 6]);
    let sameMemory = false;
    let inUseDuringEmission = -1;
    let bytes: number[] = [];
    b.datagrams$.subscribe((d) => {
      sameMemory = d.data.buffer === buffer.buffer && d.data.byteOffset === buffer.byteOffset;
      inUseDuringEmission = allocator.stats().inUse;
      bytes = Array.from(d.data);
    });
    a.sendPooled(buffer, 4, bAddr);
    expect(allocator.stats().inUse).toBe(1);
    clock.advance(0);
    expect(sameMemory).toBe(true);
    expect(bytes).toEqual([9, 8, 7, 6]);
    expect(inUseDuringEmission).toBe(1);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('releases send() copies too, delivered or not', async () => {
    const { clock, allocator, network, a, bAddr } = await pair(simulation({ defaultLink: { lossRate: 0.5 } }));
    for (let i = 0; i < 100; i++) a.send(new Uint8Array(100), bAddr);
    clock.advance(0);
    expect(network.linkStats(A, B).drops.loss).toBeGreaterThan(0);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('delivers datagrams larger than the pool buffers in their own memory and counts them', async () => {
    const { clock, allocator, a, b, bAddr } = await pair(simulation({ bufferSize: 64 }));
    const got = collect(b);
    const big = new Uint8Array(1000).fill(5);
    a.send(big, bAddr);
    clock.advance(0);
    expect(got[0].data).toEqual(big);
    expect(b.stats().oversizeReceived).toBe(1);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('counts and drops datagrams to a port nobody is bound to', async () => {
    const { clock, allocator, network, trace, a } = await pair();
    a.send(new Uint8Array(10), { address: B, port: 9999, family: 'IPv4' });
    a.send(new Uint8Array(10), { address: '10.0.0.99', port: 1, family: 'IPv4' });
    clock.advance(0);
    expect(network.linkStats(A, B).drops.unbound).toBe(1);
    expect(network.linkStats(A, '10.0.0.99').drops.unbound).toBe(1);
    expect(trace.filter((e) => e.fate === 'unbound')).toHaveLength(2);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('orders same-time deliveries by send order', async () => {
    const { clock, a, b, bAddr } = await pair();
    const got = collect(b);
    for (let i = 0; i < 50; i++) a.send(Uint8Array.of(i), bAddr);
    clock.advance(0);
    expect(got.map((g) => g.data[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('runs every delivery on one clock timer', async () => {
    const { clock, a, bAddr, network } = await pair(simulation({ defaultLink: { delayMs: 5, jitterMs: 50 } }));
    for (let i = 0; i < 200; i++) {
      a.send(new Uint8Array(20), bAddr);
      clock.advance(0.1);
    }
    expect(network.pendingDeliveries).toBeGreaterThan(100);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextDeadline).toBe(network.nextDeliveryAt);
    clock.runAll();
    expect(network.pendingDeliveries).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not spin inside one timer callback on a zero-delay echo loop', async () => {
    const clock = new VirtualClock({ maxEventsPerRun: 1000 });
    const network = new MemoryNetwork({ clock, seed: 1 });
    const a = network.createSocket(A);
    const b = network.createSocket(B);
    await a.bind();
    await b.bind();
    let bounces = 0;
    const echo = (s: typeof a) =>
      s.datagrams$.subscribe((d) => {
        bounces++;
        s.send(d.data, d.remote);
      });
    echo(a);
    echo(b);
    a.send(Uint8Array.of(1), b.localAddress!);
    // Each bounce is its own timer firing, so the clock's runaway guard trips instead of a hang.
    expect(() => clock.advance(0)).toThrow(VirtualClockRunawayError);
    expect(bounces).toBeGreaterThan(900);
    await network.close();
  });

  it('works between IPv6 hosts', async () => {
    const { network, clock, trace } = simulation();
    const a = network.createSocket('fd00::1');
    const b = network.createSocket('fd00::2');
    await a.bind();
    const bAddr = await b.bind({ port: 443 });
    const got = collect(b);
    a.send(Uint8Array.of(42), bAddr);
    clock.advance(0);
    expect(got[0].remote).toEqual({ address: 'fd00::1', port: EPHEMERAL_PORT_FIRST, family: 'IPv6' });
    expect(trace[0]).toMatchObject({ from: `[fd00::1]:${EPHEMERAL_PORT_FIRST}`, to: '[fd00::2]:443' });
  });

  it('runs in real time on a SystemClock', async () => {
    const clock = new SystemClock();
    const network = new MemoryNetwork({ clock, seed: 3, defaultLink: { delayMs: 5 } });
    const a = network.createSocket(A);
    const b = network.createSocket(B);
    await a.bind();
    const bAddr = await b.bind();
    const arrived = new Promise<{ at: number; data: number }>((resolve) =>
      b.datagrams$.subscribe((d) => resolve({ at: d.receivedAt, data: d.data[0] })),
    );
    const sentAt = clock.now();
    a.send(Uint8Array.of(99), bAddr);
    const { at, data } = await arrived;
    expect(data).toBe(99);
    expect(at - sentAt).toBeGreaterThanOrEqual(5);
    await network.close();
  });
});

describe('MemoryNetwork: errors and close', () => {
  const dest: SocketAddress = { address: B, port: 4433, family: 'IPv4' };

  it('reports a send before bind', () => {
    const { network, allocator } = simulation();
    const s = network.createSocket(A);
    const errors = collectErrors(s);
    s.send(Uint8Array.of(1), dest);
    s.sendPooled(s.allocator.acquire(), 1, dest);
    expect(errors.map((e) => [e.operation, e.code])).toEqual([
      ['send', SocketErrorCode.NOT_BOUND],
      ['send', SocketErrorCode.NOT_BOUND],
    ]);
    expect(s.stats().sendErrors).toBe(2);
    expect(allocator.stats().inUse).toBe(0);
  });

  it.each([
    ['an oversize datagram', new Uint8Array(65_508), dest, SocketErrorCode.EMSGSIZE],
    ['port 0', new Uint8Array(1), { ...dest, port: 0 }, SocketErrorCode.BAD_PORT],
    ['port 65536', new Uint8Array(1), { ...dest, port: 65_536 }, SocketErrorCode.BAD_PORT],
    [
      'an IPv6 destination from IPv4',
      new Uint8Array(1),
      { address: 'fd00::2', port: 1, family: 'IPv6' } as const,
      SocketErrorCode.EAFNOSUPPORT,
    ],
  ])('reports %s as a send error', async (_name, data, remote, code) => {
    const { network, allocator } = simulation();
    const s = network.createSocket(A);
    await s.bind();
    const errors = collectErrors(s);
    s.send(data, remote);
    expect(errors.map((e) => e.code)).toEqual([code]);
    expect(network.linkStats(A, B).sent).toBe(0);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('accepts the largest UDP payload (65 507 bytes over IPv4) and 65 527 over IPv6', async () => {
    const { network, clock } = simulation();
    const a = network.createSocket(A);
    const b = network.createSocket(B);
    await a.bind();
    const got = collect(b);
    a.send(new Uint8Array(65_507), await b.bind());
    const a6 = network.createSocket('fd00::1');
    const b6 = network.createSocket('fd00::2');
    await a6.bind();
    const got6 = collect(b6);
    a6.send(new Uint8Array(65_527), await b6.bind());
    const errors = collectErrors(a6);
    a6.send(new Uint8Array(65_528), b6.localAddress!);
    clock.advance(0);
    expect(got[0].data.length).toBe(65_507);
    expect(got6[0].data.length).toBe(65_527);
    expect(errors.map((e) => e.code)).toEqual([SocketErrorCode.EMSGSIZE]);
  });

  it('rejects a sendPooled buffer that is not from the allocator, and a length beyond it', async () => {
    const { network, allocator } = simulation();
    const s = network.createSocket(A);
    await s.bind();
    const errors = collectErrors(s);
    s.sendPooled(new Uint8Array(100), 10, dest);
    const pooled = s.allocator.acquire();
    s.sendPooled(pooled, pooled.length + 1, dest);
    expect(errors.map((e) => e.code)).toEqual([SocketErrorCode.INVALID_BUFFER, SocketErrorCode.INVALID_BUFFER]);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('close is idempotent, completes both streams, and reports sends after it', async () => {
    const { network, allocator } = simulation();
    const s = network.createSocket(A);
    await s.bind({ port: 1000 });
    const events: SocketEvent[] = [];
    let datagramsDone = false;
    let eventsDone = false;
    s.events$.subscribe({ next: (e) => events.push(e), complete: () => (eventsDone = true) });
    s.datagrams$.subscribe({ complete: () => (datagramsDone = true) });
    const p1 = s.close();
    expect(s.close()).toBe(p1);
    expect(s.closed).toBe(true);
    // While the close completes, a send is reported as an error event and its buffer released.
    s.sendPooled(s.allocator.acquire(), 10, dest);
    await p1;
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual([
      SocketErrorCode.NOT_RUNNING,
      'closed',
    ]);
    expect(datagramsDone && eventsDone).toBe(true);
    // After the streams completed, a send is still refused, counted, and its buffer released.
    s.sendPooled(s.allocator.acquire(), 10, dest);
    expect(s.stats().sendErrors).toBe(2);
    expect(allocator.stats().inUse).toBe(0);
    // The port is free again.
    expect((await network.createSocket(A).bind({ port: 1000 })).port).toBe(1000);
  });

  it('drops datagrams that arrive after the receiver closed', async () => {
    const { clock, network, allocator, a, b, bAddr } = await pair(simulation({ defaultLink: { delayMs: 10 } }));
    a.send(new Uint8Array(10), bAddr);
    await b.close();
    clock.advance(20);
    expect(network.linkStats(A, B).drops.unbound).toBe(1);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('network.close() releases every datagram in flight and closes the sockets', async () => {
    const { clock, network, allocator, a, b, bAddr } = await pair(simulation({ defaultLink: { delayMs: 10 } }));
    for (let i = 0; i < 20; i++) a.send(new Uint8Array(10), bAddr);
    expect(allocator.stats().inUse).toBe(20);
    await network.close();
    expect(allocator.stats().inUse).toBe(0);
    expect(a.closed && b.closed).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    expect(() => network.createSocket(A)).toThrow(SocketError);
  });
});

describe('MemoryNetwork: rebinding', () => {
  it('moves a socket to a new port: the peer sees the new source, replies reach it, the old port is gone', async () => {
    const { clock, network, a, b, aAddr, bAddr } = await pair(simulation({ defaultLink: { delayMs: 1 } }));
    const atB = collect(b);
    const atA = collect(a);
    a.send(Uint8Array.of(1), bAddr);
    clock.advance(1);
    const moved = a.rebind({ port: 50_000 });
    expect(moved).toEqual({ address: A, port: 50_000, family: 'IPv4' });
    expect(a.localAddress).toEqual(moved);
    a.send(Uint8Array.of(2), bAddr);
    b.send(Uint8Array.of(3), aAddr); // to the old mapping
    b.send(Uint8Array.of(4), moved);
    clock.advance(1);
    expect(atB.map((d) => d.remote.port)).toEqual([aAddr.port, 50_000]);
    expect(atA.map((d) => d.data[0])).toEqual([4]);
    expect(network.linkStats(B, A).drops.unbound).toBe(1);
  });

  it('keeps the old binding when asked, and picks an ephemeral port by default', async () => {
    const { clock, a, b, aAddr } = await pair();
    const moved = a.rebind({ keepOldBinding: true });
    expect(moved.port).not.toBe(aAddr.port);
    const atA = collect(a);
    b.send(Uint8Array.of(1), aAddr);
    b.send(Uint8Array.of(2), moved);
    clock.advance(0);
    expect(atA.map((d) => d.data[0])).toEqual([1, 2]);
  });

  it('migrates to another host address, and refuses a taken port or an unbound socket', async () => {
    const { clock, network, a, b, bAddr } = await pair();
    const atB = collect(b);
    const moved = a.rebind({ host: '10.0.0.3', port: 7000 });
    a.send(Uint8Array.of(1), bAddr);
    clock.advance(0);
    expect(atB[0].remote).toEqual({ address: '10.0.0.3', port: 7000, family: 'IPv4' });
    expect(network.linkStats('10.0.0.3', B).delivered).toBe(1);
    expect(moved.address).toBe('10.0.0.3');
    expect(() => b.rebind({ port: 4433 })).toThrow(expect.objectContaining({ code: SocketErrorCode.EADDRINUSE }));
    expect(() => network.createSocket(A).rebind()).toThrow(
      expect.objectContaining({ code: SocketErrorCode.NOT_BOUND }),
    );
    expect(() => a.rebind({ host: 'fd00::9' })).toThrow(
      expect.objectContaining({ code: SocketErrorCode.EAFNOSUPPORT }),
    );
  });
});

describe('MemoryNetwork: trace and stats', () => {
  it('traces every send and arrival, on onTrace and trace$', async () => {
    const sim = simulation({ defaultLink: { delayMs: 2 } });
    const { clock, network, trace, a, b, aAddr, bAddr } = await pair(sim);
    const viaRx: unknown[] = [];
    const sub = network.trace$.subscribe((e) => viaRx.push(e));
    collect(b);
    network.setLink(A, B, { mtu: 100 });
    a.send(new Uint8Array(50), bAddr);
    a.send(new Uint8Array(150), bAddr);
    clock.advance(2);
    sub.unsubscribe();
    const from = `${A}:${aAddr.port}`;
    const to = `${B}:4433`;
    const common = { from, to, queueDelayMs: 0, duplicate: false, reordered: false, corrupted: false };
    expect(trace).toEqual([
      { ...common, time: 0, id: 0, size: 50, fate: 'scheduled', deliverAt: 2 },
      { ...common, time: 0, id: 1, size: 150, fate: 'mtu', deliverAt: undefined },
      { ...common, time: 2, id: 0, size: 50, fate: 'delivered', deliverAt: 2 },
    ]);
    expect(viaRx).toEqual(trace);
    expect(network.stats().map((s) => [s.from, s.to, s.sent, s.dropped, s.drops.mtu])).toEqual([[A, B, 2, 1, 1]]);
  });
});
