import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointConnection } from '../../src/endpoint/endpoint-connection.js';
import { type TestTls, testTls } from '../support/tls.js';
import { CLIENT, clientAt, EndpointNet, type Node, SERVER } from './support/endpoint-net.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

function setup(serverOptions: Record<string, unknown> = {}) {
  const net = new EndpointNet(tls);
  const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'], ...serverOptions } });
  const client = net.add(CLIENT, { role: 'client' });
  return { net, server, client };
}

function connect(net: EndpointNet, client: Node): EndpointConnection {
  const h = client.endpoint.connect(net.now, { remote: SERVER, alpnProtocols: ['test'], serverName: 'localhost' });
  return h;
}

function established(h: EndpointConnection | undefined): boolean {
  return h?.connection.connectionState === 'established' && h.connection.isHandshakeComplete;
}

describe('Endpoint routing (RFC 9000 §5.2)', () => {
  it('accepts a client, completes the handshake and routes every issued CID to its connection', () => {
    const { net, server, client } = setup();
    const c = connect(net, client);
    expect(net.run(() => established(c) && established(server.incoming[0]), 5000)).toBe(true);
    const s = server.incoming[0];
    expect(server.endpoint.connectionCount).toBe(1);
    expect(server.endpoint.handshakeCount).toBe(0);
    // Let NEW_CONNECTION_ID frames flow, then every active CID of each side routes to it.
    net.advance(200);
    const serverCids = s.connection.activeLocalCids();
    const clientCids = c.connection.activeLocalCids();
    expect(serverCids.length).toBeGreaterThan(1);
    expect(clientCids.length).toBeGreaterThan(1);
    for (const cid of serverCids) expect(server.endpoint.lookup(cid)).toBe(s);
    for (const cid of clientCids) expect(client.endpoint.lookup(cid)).toBe(c);
    // Our CIDs all have the endpoint's length (short headers carry none).
    for (const cid of serverCids) expect(cid.length).toBe(8);
    // The server also routes the client's original DCID (its first Initials go there).
    const firstInitial = client.sent[0].data;
    const odcid = firstInitial.subarray(6, 6 + firstInitial[5]);
    expect(server.endpoint.lookup(odcid)).toBe(s);
    const events = net.eventsOf(server, s).map((e) => e.type);
    expect(events).toContain('handshake-complete');
    expect(events.filter((e) => e === 'cid-issued').length).toBe(serverCids.length - 1);
  });

  it('routes many connections from different client ports to their own server connection', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'] } });
    const clients: { node: Node; h: EndpointConnection }[] = [];
    for (let i = 0; i < 12; i++) {
      const node = net.add(clientAt(40_000 + i), { role: 'client' });
      clients.push({
        node,
        h: node.endpoint.connect(net.now, { remote: SERVER, alpnProtocols: ['test'], serverName: 'localhost' }),
      });
    }
    expect(net.run(() => clients.every((c) => established(c.h)), 10_000)).toBe(true);
    expect(server.endpoint.connectionCount).toBe(12);
    // Each client's stream data arrives on the server connection for that client's address only.
    for (const [i, { node, h }] of clients.entries()) {
      const id = h.connection.openStream(true)!;
      h.connection.writeStream(id, new TextEncoder().encode(`client ${i}`), true);
      node.endpoint.touch(h);
    }
    net.advance(500);
    for (const s of server.incoming) {
      const opened = net.eventsOf(server, s).find((e) => e.type === 'stream-opened');
      expect(opened).toBeDefined();
      const data = s.connection.readStream(0);
      const port = s.connection.remoteAddress.port;
      expect(new TextDecoder().decode(data as Uint8Array)).toBe(`client ${port - 40_000}`);
    }
  });

  it('unroutes a CID the peer retired (RETIRE_CONNECTION_ID after client migration)', () => {
    const { net, server, client } = setup();
    const c = connect(net, client);
    net.run(() => established(c) && established(server.incoming[0]));
    net.advance(300); // handshake confirmed, NEW_CONNECTION_ID exchanged
    const s = server.incoming[0];
    const before = s.connection.activeLocalCids();
    // The client moves to the next CID the server issued and retires the one it used (RFC 9000 §9.5).
    const used = c.connection.activeLocalCids(); // (client side, unchanged)
    expect(used.length).toBeGreaterThan(0);
    expect(c.connection.migrate(net.now)).toBe(true);
    client.endpoint.touch(c);
    net.advance(500);
    const retired = net.eventsOf(server, s).filter((e) => e.type === 'cid-retired');
    expect(retired.length).toBeGreaterThan(0);
    for (const e of retired) {
      if (e.type !== 'cid-retired') continue;
      expect(before.some((cid) => Buffer.compare(cid, e.cid) === 0)).toBe(true);
      expect(server.endpoint.lookup(e.cid)).toBeUndefined();
    }
    // The connection is still routed by its other CIDs, and a replacement CID was issued and routed.
    for (const cid of s.connection.activeLocalCids()) expect(server.endpoint.lookup(cid)).toBe(s);
    expect(established(s)).toBe(true);
  });

  it('releases a closed connection: no routes, no heap entry, later packets to it get a stateless reset', () => {
    const { net, server, client } = setup();
    const c = connect(net, client);
    net.run(() => established(c) && established(server.incoming[0]));
    net.advance(200);
    const s = server.incoming[0];
    const cids = s.connection.activeLocalCids();
    c.connection.close(net.now, 7, 'bye');
    client.endpoint.touch(c);
    expect(net.run(() => server.endpoint.connectionCount === 0 && client.endpoint.connectionCount === 0, 10_000)).toBe(
      true,
    );
    expect(s.isRemoved).toBe(true);
    expect(c.isRemoved).toBe(true);
    for (const cid of cids) expect(server.endpoint.lookup(cid)).toBeUndefined();
    expect(server.endpoint.pollTimeout()).toBeUndefined();
    expect(client.endpoint.pollTimeout()).toBeUndefined();
    const closed = net.eventsOf(server, s).find((e) => e.type === 'closed');
    expect(closed).toMatchObject({ info: { initiator: 'remote', isApplication: true, errorCode: 7, reason: 'bye' } });
    // A late short-header packet to one of its CIDs: the server no longer knows it and answers with a reset.
    const late = new Uint8Array(60);
    late[0] = 0x40;
    late.set(cids[0], 1);
    const resetsBefore = server.endpoint.stats.statelessResetsSent;
    server.endpoint.handleDatagram(net.now, late, CLIENT);
    expect(server.endpoint.stats.statelessResetsSent).toBe(resetsBefore + 1);
  });
});
