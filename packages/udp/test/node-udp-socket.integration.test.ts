import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import {
  type BufferAllocator,
  type Clock,
  type Datagram,
  PoolAllocator,
  type SocketAddress,
  SocketError,
  type SocketEvent,
  SystemClock,
  VirtualClock,
} from '@fos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeUdpSocket, SocketErrorCode, type UdpSocketOptions } from '../src/index.js';
import { checkSequenced, collect, collectErrors, sequencedPayload } from './support/helpers.js';

const sockets: NodeUdpSocket[] = [];
function socket(allocator: BufferAllocator, options: UdpSocketOptions = {}, clock: Clock = new SystemClock()) {
  const s = new NodeUdpSocket(allocator, clock, options);
  sockets.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});

async function canBind(address: string): Promise<boolean> {
  const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind({ address, port: 0 }, () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}
const hasIpv6Loopback = await canBind('::1');

async function until(predicate: () => boolean, what: string, maxTurns = 2000): Promise<void> {
  for (let i = 0; i < maxTurns && !predicate(); i++) await new Promise((r) => setTimeout(r, 1));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}

/**
 * Sends `count` self-checking datagrams (8..1199 bytes, alternating send and sendPooled) to an echo socket with at
 * most `window` outstanding — libuv reads ≤ 32 datagrams per socket per turn, so an unpaced burst would lose
 * some — and verifies every echo. Fails (rather than hangs) when no echo arrives for a second.
 */
async function echoRun(host: string, count: number, window = 16) {
  const allocator = new PoolAllocator({ strict: true });
  const server = socket(allocator);
  const client = socket(allocator);
  const serverAddr = await server.bind({ address: host });
  await client.bind({ address: host });
  server.datagrams$.subscribe((d) => server.send(d.data, d.remote));
  const seen = new Uint8Array(count);
  let received = 0;
  let damaged = 0;
  let duplicates = 0;
  let next = 0;
  const sendOne = () => {
    const i = next++;
    const size = 8 + ((i * 131) % 1192);
    const payload = sequencedPayload(i, size);
    if (i % 2 === 0) {
      client.send(payload, serverAddr);
    } else {
      const buffer = allocator.acquire();
      buffer.set(payload);
      client.sendPooled(buffer, size, serverAddr);
    }
  };
  const errors = collectErrors(client);
  await new Promise<void>((resolve, reject) => {
    let lastReceived = -1;
    const watchdog = setInterval(() => {
      if (received === lastReceived) {
        clearInterval(watchdog);
        reject(new Error(`stalled: ${count - received} of ${count} echoes missing`));
      }
      lastReceived = received;
    }, 1000);
    client.datagrams$.subscribe((d: Datagram) => {
      const seq = checkSequenced(d.data);
      if (seq < 0 || seq >= count) damaged++;
      else if (seen[seq]) duplicates++;
      else {
        seen[seq] = 1;
        received++;
      }
      if (next < count) sendOne();
      if (received === count) {
        clearInterval(watchdog);
        resolve();
      }
    });
    for (let i = 0; i < window; i++) sendOne();
  });
  const clientStats = client.stats();
  await Promise.all([client.close(), server.close()]);
  return { allocator, received, damaged, duplicates, errors, clientStats, serverStats: server.stats() };
}

describe('NodeUdpSocket on loopback', () => {
  it('echoes 10 000 datagrams over IPv4 intact, and leaves no pooled buffer behind', async () => {
    const r = await echoRun('127.0.0.1', 10_000);
    expect({ received: r.received, damaged: r.damaged, duplicates: r.duplicates }).toEqual({
      received: 10_000,
      damaged: 0,
      duplicates: 0,
    });
    expect(r.errors).toEqual([]);
    expect(r.clientStats).toMatchObject({ datagramsSent: 10_000, datagramsReceived: 10_000, sendErrors: 0 });
    expect(r.clientStats.bytesSent).toBe(r.clientStats.bytesReceived);
    expect(r.serverStats).toMatchObject({ datagramsSent: 10_000, datagramsReceived: 10_000, inFlightSends: 0 });
    expect(r.allocator.stats().inUse).toBe(0);
  });

  it.skipIf(!hasIpv6Loopback)('echoes 1 000 datagrams over IPv6 (::1) intact', async () => {
    const r = await echoRun('::1', 1000);
    expect([r.received, r.damaged, r.duplicates]).toEqual([1000, 0, 0]);
    expect(r.allocator.stats().inUse).toBe(0);
  });
  if (!hasIpv6Loopback) it.skip('IPv6 run skipped: this host cannot bind ::1', () => {});

  it('reports the sender address and stamps receivedAt from the injected clock', async () => {
    const allocator = new PoolAllocator({ strict: true });
    const clock = new VirtualClock({ startMs: 1234 });
    const a = socket(allocator, {}, clock);
    const b = socket(allocator, {}, clock);
    const aAddr = await a.bind({ address: '127.0.0.1' });
    const bAddr = await b.bind({ address: '127.0.0.1' });
    const got = collect(b);
    a.send(Uint8Array.of(1, 2, 3), bAddr);
    await until(() => got.length === 1, 'the datagram');
    expect(got[0]).toEqual({ data: Uint8Array.of(1, 2, 3), remote: aAddr, receivedAt: 1234 });
    expect(aAddr.family).toBe('IPv4');
  });

  it('emits listening, sets 4 MiB buffers by default (as far as the kernel allows) and honours options', async () => {
    const allocator = new PoolAllocator();
    const s = socket(allocator);
    const events: SocketEvent[] = [];
    s.events$.subscribe((e) => events.push(e));
    const addr = await s.bind({ address: '127.0.0.1' });
    expect(events).toEqual([{ type: 'listening', address: addr }]);
    expect(s.localAddress).toEqual(addr);
    const cap = (name: string) => {
      try {
        return Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8'));
      } catch {
        return Number.POSITIVE_INFINITY;
      }
    };
    // Linux reports twice the granted size; the grant is min(request, net.core.[rw]mem_max).
    expect(s.recvBufferSize).toBeGreaterThanOrEqual(Math.min(4 * 1024 * 1024, cap('rmem_max')));
    expect(s.sendBufferSize).toBeGreaterThanOrEqual(Math.min(4 * 1024 * 1024, cap('wmem_max')));
    const small = socket(allocator, { recvBufferSize: 65_536, sendBufferSize: 65_536 });
    await small.bind({ address: '127.0.0.1' });
    expect(small.recvBufferSize).toBeGreaterThanOrEqual(65_536);
    expect(small.recvBufferSize).toBeLessThan(s.recvBufferSize!);
  });

  it('delivers a datagram larger than the pool buffers in Node’s buffer and counts it', async () => {
    const allocator = new PoolAllocator({ strict: true, bufferSize: 256 });
    const a = socket(allocator);
    const b = socket(allocator);
    await a.bind({ address: '127.0.0.1' });
    const bAddr = await b.bind({ address: '127.0.0.1' });
    const got = collect(b);
    const big = sequencedPayload(7, 1000);
    a.send(big, bAddr); // larger than a pool buffer: sent from an unpooled copy
    a.send(sequencedPayload(8, 100), bAddr);
    await until(() => got.length === 2, 'both datagrams');
    expect(got.map((g) => checkSequenced(g.data))).toEqual([7, 8]);
    expect(b.stats().oversizeReceived).toBe(1);
    await Promise.all([a.close(), b.close()]);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('counts but does not copy datagrams nobody subscribed to', async () => {
    const allocator = new PoolAllocator({ strict: true });
    const a = socket(allocator);
    const b = socket(allocator);
    await a.bind({ address: '127.0.0.1' });
    const bAddr = await b.bind({ address: '127.0.0.1' });
    a.send(Uint8Array.of(1), bAddr);
    await until(() => b.stats().datagramsReceived === 1, 'the datagram');
    expect(allocator.stats().hits + allocator.stats().misses).toBe(1); // only the sender's copy
  });

  it('reaches IPv4 peers from a dual-stack IPv6 socket, and refuses them on an ipv6Only one', async () => {
    const allocator = new PoolAllocator({ strict: true });
    const v4 = socket(allocator);
    const v4Addr = await v4.bind({ address: '127.0.0.1' });
    const got = collect(v4);
    const dual = socket(allocator);
    await dual.bind({ family: 'IPv6' });
    dual.send(Uint8Array.of(4), v4Addr);
    await until(() => got.length === 1, 'the mapped datagram');
    expect(got[0].data).toEqual(Uint8Array.of(4));
    const only = socket(allocator, { ipv6Only: true });
    await only.bind({ family: 'IPv6' });
    const errors = collectErrors(only);
    only.send(Uint8Array.of(1), v4Addr);
    expect(errors.map((e) => e.code)).toEqual([SocketErrorCode.EAFNOSUPPORT]);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('resolves a host name to bind to', async () => {
    const s = socket(new PoolAllocator());
    const addr = await s.bind({ address: 'localhost' });
    expect(['127.0.0.1', '::1']).toContain(addr.address);
  });
});

describe('NodeUdpSocket errors', () => {
  it('rejects a bind to a port in use with EADDRINUSE, on the promise and on events$', async () => {
    const allocator = new PoolAllocator();
    const first = socket(allocator);
    const taken = await first.bind({ address: '127.0.0.1' });
    const second = socket(allocator);
    const errors = collectErrors(second);
    const err = await second.bind({ address: '127.0.0.1', port: taken.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).code).toBe(SocketErrorCode.EADDRINUSE);
    expect((err as SocketError).operation).toBe('bind');
    expect(errors.map((e) => [e.operation, e.code])).toEqual([['bind', SocketErrorCode.EADDRINUSE]]);
    // The socket is still usable: it can bind elsewhere.
    expect((await second.bind({ address: '127.0.0.1' })).port).not.toBe(taken.port);
  });

  it('rejects a second bind, a bind after close and a bad port', async () => {
    const s = socket(new PoolAllocator());
    await expect(s.bind({ port: 70_000 })).rejects.toMatchObject({ code: SocketErrorCode.BAD_PORT });
    await s.bind({ address: '127.0.0.1' });
    await expect(s.bind()).rejects.toMatchObject({ code: SocketErrorCode.ALREADY_BOUND });
    await s.close();
    await expect(s.bind()).rejects.toMatchObject({ code: SocketErrorCode.NOT_RUNNING });
  });

  it('reports EMSGSIZE for a datagram above the UDP maximum and keeps working', async () => {
    const allocator = new PoolAllocator({ strict: true });
    const a = socket(allocator);
    const b = socket(allocator);
    await a.bind({ address: '127.0.0.1' });
    const bAddr = await b.bind({ address: '127.0.0.1' });
    const got = collect(b);
    const errors = collectErrors(a);
    a.send(new Uint8Array(70_000), bAddr);
    a.send(Uint8Array.of(1), bAddr);
    await until(() => got.length === 1 && errors.length === 1, 'the error and the datagram');
    expect(errors.map((e) => [e.operation, e.code])).toEqual([['send', SocketErrorCode.EMSGSIZE]]);
    expect(a.stats()).toMatchObject({ sendErrors: 1, datagramsSent: 1, inFlightSends: 0 });
    expect(allocator.stats().inUse).toBe(0);
  });

  it('refuses sends it can tell are wrong before they reach the kernel, releasing their buffers', async () => {
    const allocator = new PoolAllocator({ strict: true });
    const s = socket(allocator);
    const errors = collectErrors(s);
    const dest: SocketAddress = { address: '127.0.0.1', port: 9, family: 'IPv4' };
    s.sendPooled(allocator.acquire(), 4, dest); // not bound yet
    await s.bind({ address: '127.0.0.1' });
    s.send(Uint8Array.of(1), { ...dest, address: 'example.invalid' });
    s.send(Uint8Array.of(1), { address: '::1', port: 9, family: 'IPv6' });
    s.send(Uint8Array.of(1), { ...dest, port: 0 });
    s.sendPooled(allocator.acquire(), 3000, dest);
    s.sendPooled(new Uint8Array(10), 4, dest);
    expect(errors.map((e) => [e.operation, e.code])).toEqual([
      ['send', SocketErrorCode.NOT_BOUND],
      ['send', SocketErrorCode.INVALID_ADDRESS],
      ['send', SocketErrorCode.EAFNOSUPPORT],
      ['send', SocketErrorCode.BAD_PORT],
      ['send', SocketErrorCode.INVALID_BUFFER],
      ['send', SocketErrorCode.INVALID_BUFFER],
    ]);
    expect(s.stats().sendErrors).toBe(6);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('turns a socket error event into a SocketError value instead of throwing', async () => {
    const s = socket(new PoolAllocator());
    await s.bind({ address: '127.0.0.1' });
    const errors = collectErrors(s);
    const cause = Object.assign(new Error('simulated'), { code: 'ECONNREFUSED' });
    // The underlying dgram socket is private; reach it to inject the kind of 'error' Node emits.
    (s as unknown as { socket: Socket }).socket.emit('error', cause);
    expect(errors.map((e) => [e.operation, e.code, e.cause])).toEqual([['receive', 'ECONNREFUSED', cause]]);
    expect(s.stats().receiveErrors).toBe(1);
  });
});

describe('NodeUdpSocket close', () => {
  it('is idempotent, waits for in-flight sends, releases their buffers and completes both streams', async () => {
    const allocator = new PoolAllocator({ strict: true });
    const a = socket(allocator);
    const b = socket(allocator);
    await a.bind({ address: '127.0.0.1' });
    const bAddr = await b.bind({ address: '127.0.0.1' });
    const events: string[] = [];
    let datagramsDone = false;
    a.events$.subscribe({
      next: (e) => events.push(e.type === 'error' ? e.error.code : e.type),
      complete: () => events.push('complete'),
    });
    a.datagrams$.subscribe({ complete: () => (datagramsDone = true) });
    for (let i = 0; i < 300; i++) {
      const buffer = allocator.acquire();
      buffer[0] = i;
      a.sendPooled(buffer, 100, bAddr);
    }
    const closing = a.close();
    expect(a.close()).toBe(closing);
    expect(a.closed).toBe(true);
    // A send while closing: refused with an event, buffer released at once.
    a.sendPooled(allocator.acquire(), 10, bAddr);
    await closing;
    expect(a.stats().inFlightSends).toBe(0);
    expect(a.stats().datagramsSent).toBe(300); // the queued sends went out, none cancelled
    expect(events).toEqual([SocketErrorCode.NOT_RUNNING, 'closed', 'complete']);
    expect(datagramsDone).toBe(true);
    // After close: still refused, counted, and released (the stream has completed, so no event).
    a.sendPooled(allocator.acquire(), 10, bAddr);
    expect(a.stats().sendErrors).toBe(2);
    await b.close();
    expect(allocator.stats().inUse).toBe(0);
  });

  it('closes an unbound socket at once', async () => {
    const s = socket(new PoolAllocator());
    let completed = false;
    s.events$.subscribe({ complete: () => (completed = true) });
    await s.close();
    expect(completed).toBe(true);
    await tick();
  });
});
