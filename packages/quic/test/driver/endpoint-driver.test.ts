import { NewRenoFactory } from '@fos/congestion-newreno';
import { VirtualClock } from '@fos/core';
import { CryptoPacketProtection, NodeCryptoProvider, TlsContext } from '@fos/crypto';
import { MemoryNetwork, type MemorySocket } from '@fos/udp';
import { describe, expect, it } from 'vitest';
import { EndpointDriver } from '../../src/driver/endpoint-driver.js';
import { Endpoint } from '../../src/endpoint/endpoint.js';
import type { EndpointEvent } from '../../src/endpoint/endpoint-connection.js';
import { echo, World } from './support/world.js';

function unknownVersionDatagram(i: number): Uint8Array {
  const d = new Uint8Array(1200);
  d[0] = 0xc0;
  d.set([0x1a, 0x2b, 0x3c, 0x4d], 1);
  d[5] = 8;
  d.set([1, 2, 3, 4, 5, 6, 7, i & 0xff], 6);
  d[14] = 0;
  return d;
}

async function rig(maxDatagramsPerTurn: number) {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, seed: 3 });
  const socket = network.createSocket('10.0.0.2');
  await socket.bind({ port: 443 });
  const peer = network.createSocket('10.0.0.1');
  const peerAddress = await peer.bind({ port: 5000 });
  const provider = new NodeCryptoProvider();
  const endpoint = new Endpoint({
    tls: new TlsContext({ provider }),
    protection: new CryptoPacketProtection(provider),
    crypto: provider,
    congestion: new NewRenoFactory(),
    epochOffsetMs: 0,
    maxQueuedStatelessPackets: 1000,
    server: { alpnProtocols: ['x'] },
  });
  const events: EndpointEvent[] = [];
  const driver = new EndpointDriver({
    endpoint,
    socket,
    clock,
    allocator: network.allocator,
    maxDatagramsPerTurn,
    onEvent: (e) => events.push(e),
  });
  return { clock, network, socket, peer, peerAddress, endpoint, driver, events };
}

describe('EndpointDriver', () => {
  it('sends at most maxDatagramsPerTurn per flush, continues on the next turn, and leaks no buffers', async () => {
    const { clock, network, socket, peerAddress, endpoint, driver } = await rig(8);
    // 20 unknown-version Initials queue 20 Version Negotiation packets.
    for (let i = 0; i < 20; i++) endpoint.handleDatagram(clock.now(), unknownVersionDatagram(i), peerAddress);
    const sent = () => (socket as MemorySocket).stats().datagramsSent;
    driver.flush();
    expect(sent()).toBe(8);
    await new Promise((r) => setImmediate(r));
    expect(sent()).toBe(16);
    await clock.runUntil(() => sent() === 20, 100);
    expect(sent()).toBe(20);
    await clock.runUntil(() => false, 100);
    await driver.close();
    expect(network.allocator.stats().inUse).toBe(0);
  });

  it('feeds received datagrams to the endpoint and reports its events', async () => {
    const { clock, peer, endpoint, driver } = await rig(32);
    const before = endpoint.stats.datagramsReceived;
    peer.send(unknownVersionDatagram(1), { address: '10.0.0.2', port: 443, family: 'IPv4' });
    const replies: number[] = [];
    peer.datagrams$.subscribe((d) => replies.push(d.data.length));
    await clock.runUntil(() => replies.length === 1, 1000);
    expect(endpoint.stats.datagramsReceived).toBe(before + 1);
    expect(endpoint.stats.versionNegotiationsSent).toBe(1);
    await driver.close();
  });

  it('keeps ONE timer per endpoint whatever the number of connections', async () => {
    const world = await World.create();
    const server = await world.server();
    echo(server);
    const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => world.client({}, `10.0.2.${i + 1}`)));
    await world.drive(
      Promise.all(
        clients.map((c) => c.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' })),
      ),
    );
    expect(server.connectionCount).toBe(10);
    // 11 endpoints (each with its driver timer) + the network's delivery timer, at most.
    expect(world.clock.pendingTimers).toBeLessThanOrEqual(12);
    await world.drive(Promise.all([...clients.map((c) => c.close()), server.close()]));
    await world.until(() => false, 100);
    expect(world.clock.pendingTimers).toBe(0);
  });
});
