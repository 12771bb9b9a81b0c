import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointConnection } from '../../src/endpoint/endpoint-connection.js';
import { type TestTls, testTls } from '../support/tls.js';
import { clientAt, EndpointNet, type Node, SERVER } from './support/endpoint-net.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

function established(h: EndpointConnection | undefined): boolean {
  return h?.connection.connectionState === 'established' && h.connection.isHandshakeComplete;
}

function setup(n: number) {
  const net = new EndpointNet(tls);
  const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'] } });
  const clients: { node: Node; h: EndpointConnection }[] = [];
  for (let i = 0; i < n; i++) {
    const node = net.add(clientAt(45_000 + i), { role: 'client' });
    clients.push({
      node,
      h: node.endpoint.connect(net.now, { remote: SERVER, alpnProtocols: ['test'], serverName: 'localhost' }),
    });
  }
  return { net, server, clients };
}

describe('Endpoint output scheduling', () => {
  it('round-robins datagrams across connections that have data (fairness)', () => {
    const { net, server, clients } = setup(3);
    expect(net.run(() => clients.every((c) => established(c.h)) && server.incoming.length === 3, 5000)).toBe(true);
    net.advance(500); // quiet: handshake confirmed, CIDs exchanged, ACKs done
    for (const s of server.incoming) {
      const id = s.connection.openStream(false)!;
      s.connection.writeStream(id, new Uint8Array(200_000), true);
      server.endpoint.touch(s);
    }
    const order: EndpointConnection[] = [];
    const out = new Uint8Array(2048);
    for (let i = 0; i < 30; i++) {
      if (server.endpoint.pollTransmit(net.now, out) === 0) break;
      order.push(server.endpoint.transmitConnection!);
    }
    expect(order.length).toBeGreaterThanOrEqual(9);
    // While all three have something to send, no connection sends twice before the others had their turn.
    for (let i = 0; i + 3 <= 9; i += 3) expect(new Set(order.slice(i, i + 3)).size).toBe(3);
    const counts = server.incoming.map((s) => order.filter((o) => o === s).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('pollTimeout is the earliest deadline of all connections (heap kept current)', () => {
    const { net, server, clients } = setup(20);
    const check = () => {
      for (const node of [server, ...clients.map((c) => c.node)]) {
        let min: number | undefined;
        for (const h of node.endpoint.connections()) {
          let t = h.connection.pollTimeout();
          // (A deadline its own timeout did not move is retried 1 ms later, not at once.)
          if (t !== undefined && t <= h.timedOutAt) t = h.timedOutAt + 1;
          if (t !== undefined && (min === undefined || t < min)) min = t;
        }
        expect(node.endpoint.pollTimeout()).toBe(min);
      }
    };
    // Check at many points of the handshakes, transfers and closes.
    for (let step = 0; step < 60; step++) {
      net.advance(7);
      check();
      if (step === 20) {
        for (const { node, h } of clients.slice(0, 5)) {
          const id = h.connection.openStream(true);
          if (id !== undefined) h.connection.writeStream(id, new Uint8Array(30_000), true);
          node.endpoint.touch(h);
        }
      }
      if (step === 40) {
        for (const { node, h } of clients.slice(5, 10)) {
          h.connection.close(net.now, 0, 'done');
          node.endpoint.touch(h);
        }
      }
    }
    net.advance(5000);
    check();
    expect(server.endpoint.connectionCount).toBe(15);
  });
});
