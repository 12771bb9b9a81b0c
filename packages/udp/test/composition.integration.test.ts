import {
  BufferAllocator,
  Clock,
  createContainer,
  DatagramSocket,
  type DependencyContainer,
  PoolAllocator,
  registerCore,
  resolve,
  SystemClock,
  VirtualClock,
} from '@fos/core';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork, MemorySocket, NodeUdpSocket, registerMemoryNetwork, registerUdp } from '../src/index.js';

/** Lets the transport make progress: run due simulated timers, or yield to the event loop for real sockets. */
async function pump(container: DependencyContainer): Promise<void> {
  const clock = resolve(container, Clock);
  if (clock instanceof VirtualClock) clock.runAll();
  else await new Promise((r) => setTimeout(r, 1));
}

/** The code under test: knows only the container and the DatagramSocket contract. */
async function pingPong(container: DependencyContainer, host: string, rounds: number): Promise<string[]> {
  const server = resolve(container, DatagramSocket);
  const client = resolve(container, DatagramSocket);
  expect(client).not.toBe(server); // a new socket per resolve
  const serverAddr = await server.bind({ address: host });
  await client.bind({ address: host });
  server.datagrams$.subscribe((d) =>
    server.send(new TextEncoder().encode(`pong ${new TextDecoder().decode(d.data)}`), d.remote),
  );
  const replies: string[] = [];
  client.datagrams$.subscribe((d) => replies.push(new TextDecoder().decode(d.data)));
  for (let i = 0; i < rounds; i++) {
    const allocator = resolve(container, BufferAllocator);
    const buffer = allocator.acquire();
    const n = new TextEncoder().encodeInto(`ping ${i}`, buffer).written;
    client.sendPooled(buffer, n, serverAddr);
    for (let turns = 0; replies.length <= i && turns < 1000; turns++) await pump(container);
  }
  await Promise.all([client.close(), server.close()]);
  return replies;
}

const expected = Array.from({ length: 5 }, (_, i) => `pong ping ${i}`);

describe('composition', () => {
  it('(a) NodeUdpSocket + PoolAllocator + SystemClock through registerCore + registerUdp, on loopback', async () => {
    const allocator = new PoolAllocator({ strict: true });
    const container = createContainer();
    registerCore(container, { allocator });
    registerUdp(container, { recvBufferSize: 1 << 20 });

    expect(resolve(container, DatagramSocket)).toBeInstanceOf(NodeUdpSocket);
    expect(resolve(container, Clock)).toBeInstanceOf(SystemClock);
    expect(await pingPong(container, '127.0.0.1', 5)).toEqual(expected);
    expect(allocator.stats().inUse).toBe(0);
  });

  it('(b) the same code on MemoryNetwork + VirtualClock, changing only the registration lines', async () => {
    const allocator = new PoolAllocator({ strict: true });
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, seed: 1, allocator, defaultLink: { delayMs: 20 } });
    const container = createContainer();
    registerCore(container, { clock, allocator });
    registerMemoryNetwork(container, { network, host: '127.0.0.1' });

    expect(resolve(container, DatagramSocket)).toBeInstanceOf(MemorySocket);
    expect(await pingPong(container, '127.0.0.1', 5)).toEqual(expected);
    expect(clock.now()).toBe(5 * 40); // five round trips of 2 × 20 ms, in no real time
    expect(allocator.stats().inUse).toBe(0);
  });

  it('registerMemoryNetwork makes the container share the network’s clock and allocator', () => {
    const network = new MemoryNetwork({ clock: new VirtualClock() });
    const container = registerMemoryNetwork(registerCore(createContainer()), { network, host: '10.0.0.1' });
    expect(resolve(container, Clock)).toBe(network.clock);
    expect(resolve(container, BufferAllocator)).toBe(network.allocator);
    const s = resolve(container, DatagramSocket) as MemorySocket;
    expect(s.host).toBe('10.0.0.1');
  });

  it('child containers stay independent', () => {
    const parent = registerUdp(registerCore(createContainer()));
    const child = createContainer(parent);
    const network = new MemoryNetwork({ clock: new VirtualClock() });
    registerMemoryNetwork(child, { network, host: '10.0.0.1' });
    expect(resolve(child, DatagramSocket)).toBeInstanceOf(MemorySocket);
    expect(resolve(parent, DatagramSocket)).toBeInstanceOf(NodeUdpSocket);
  });
});
