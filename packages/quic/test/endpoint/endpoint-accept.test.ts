import { TransportErrorCode } from '@fos/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointConnection } from '../../src/endpoint/endpoint-connection.js';
import { HeaderStatus, PacketHeader, parsePacketHeader } from '../../src/wire/packet-header.js';
import { PacketType } from '../../src/wire/packet-type.js';
import { readSupportedVersions } from '../../src/wire/version-negotiation.js';
import { isReservedVersion, QUIC_VERSION_1, QUIC_VERSION_2 } from '../../src/wire/versions.js';
import { type TestTls, testTls } from '../support/tls.js';
import { CLIENT, clientAt, EndpointNet, type Node, type Packet, SERVER } from './support/endpoint-net.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

function established(h: EndpointConnection | undefined): boolean {
  return h?.connection.connectionState === 'established' && h.connection.isHandshakeComplete;
}

function connect(net: EndpointNet, client: Node, version?: number): EndpointConnection {
  return client.endpoint.connect(net.now, {
    remote: SERVER,
    alpnProtocols: ['test'],
    serverName: 'localhost',
    version,
  });
}

function header(data: Uint8Array, cidLength = 8): PacketHeader {
  const h = new PacketHeader();
  parsePacketHeader(data, 0, data.length, cidLength, h);
  return h;
}

/** A long header with an unknown version (the invariant fields only, RFC 8999 §5.1), padded to `size`. */
function unknownVersionDatagram(size: number): Uint8Array {
  const d = new Uint8Array(size);
  d[0] = 0xc0;
  d.set([0x1a, 0x2b, 0x3c, 0x4d], 1); // an unknown, non-reserved version
  d[5] = 8;
  d.set([1, 2, 3, 4, 5, 6, 7, 8], 6);
  d[14] = 4;
  d.set([9, 9, 9, 9], 15);
  return d;
}

describe('Version Negotiation (RFC 9000 §6)', () => {
  it('answers an unknown version in a ≥ 1200-byte datagram with our versions and a greased one', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'] } });
    server.endpoint.handleDatagram(0, unknownVersionDatagram(1200), CLIENT);
    const out = new Uint8Array(2048);
    const n = server.endpoint.pollTransmit(0, out);
    expect(n).toBeGreaterThan(0);
    expect(server.endpoint.transmitRemote).toEqual(CLIENT);
    const h = header(out.subarray(0, n));
    expect(h.status).toBe(HeaderStatus.OK);
    expect(h.type).toBe(PacketType.VERSION_NEGOTIATION);
    // §17.2.1: the IDs are echoed swapped.
    expect([...h.dcid]).toEqual([9, 9, 9, 9]);
    expect([...h.scid]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const versions: number[] = [];
    readSupportedVersions(h, versions);
    expect(versions).toContain(QUIC_VERSION_1);
    expect(versions).toContain(QUIC_VERSION_2);
    expect(versions.filter(isReservedVersion)).toHaveLength(1);
    expect(server.endpoint.stats.versionNegotiationsSent).toBe(1);
    expect(server.endpoint.connectionCount).toBe(0);
  });

  it('does not answer an unknown version in a datagram under 1200 bytes, nor as a client-only endpoint', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'] } });
    const client = net.add(CLIENT, { role: 'client' });
    server.endpoint.handleDatagram(0, unknownVersionDatagram(1199), CLIENT);
    client.endpoint.handleDatagram(0, unknownVersionDatagram(1300), SERVER);
    const out = new Uint8Array(2048);
    expect(server.endpoint.pollTransmit(0, out)).toBe(0);
    expect(client.endpoint.pollTransmit(0, out)).toBe(0);
    expect(server.endpoint.stats.datagramsDropped).toBe(1);
    expect(client.endpoint.stats.datagramsDropped).toBe(1);
  });

  it('a client whose version the server does not speak gets VN and fails with VERSION_NEGOTIATION_ERROR', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, {
      role: 'server',
      supportedVersions: [QUIC_VERSION_1],
      server: { alpnProtocols: ['test'] },
    });
    const client = net.add(CLIENT, { role: 'client', supportedVersions: [QUIC_VERSION_2] });
    const c = connect(net, client);
    expect(net.run(() => c.isRemoved, 5000)).toBe(true);
    expect(server.endpoint.stats.versionNegotiationsSent).toBe(1);
    expect(server.endpoint.connectionCount).toBe(0);
    expect(c.connection.closeReason).toMatchObject({ errorCode: TransportErrorCode.VERSION_NEGOTIATION_ERROR });
  });

  it('both endpoints speaking v2 complete a v2 handshake', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'] } });
    const client = net.add(CLIENT, { role: 'client' });
    const c = connect(net, client, QUIC_VERSION_2);
    expect(net.run(() => established(c) && established(server.incoming[0]), 5000)).toBe(true);
    expect(c.connection.version).toBe(QUIC_VERSION_2);
    expect(server.incoming[0].connection.version).toBe(QUIC_VERSION_2);
  });
});

describe('Server accept (RFC 9000 §5.2.2, §14.1)', () => {
  it('drops an Initial in a datagram under 1200 bytes (no connection, no reply)', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'] } });
    const client = net.add(CLIENT, { role: 'client' });
    // Truncate the client's first datagram below 1200 bytes on the way.
    net.hook = (p) => (p.from === CLIENT && p.data.length >= 1200 ? { data: p.data.subarray(0, 1199) } : undefined);
    connect(net, client);
    net.advance(50);
    expect(server.endpoint.connectionCount).toBe(0);
    expect(server.sent).toHaveLength(0);
    expect(server.endpoint.stats.datagramsDropped).toBeGreaterThan(0);
  });

  it('drops an Initial whose DCID is shorter than 8 bytes (RFC 9000 §7.2)', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'] } });
    const d = new Uint8Array(1200);
    d[0] = 0xc0; // Initial, v1
    d.set([0, 0, 0, 1], 1);
    d[5] = 4;
    d.set([1, 2, 3, 4], 6);
    d[10] = 0;
    d[11] = 0; // token length
    d[12] = 0x44; // length (2-byte varint) ...
    d[13] = 0xa0;
    server.endpoint.handleDatagram(0, d, CLIENT);
    expect(server.endpoint.connectionCount).toBe(0);
    expect(server.endpoint.pollTransmit(0, new Uint8Array(2048))).toBe(0);
  });

  it('refuses new connections beyond maxHandshakes with CONNECTION_REFUSED in an Initial', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'], maxHandshakes: 1 } });
    const a = net.add(clientAt(40_001), { role: 'client' });
    const b = net.add(clientAt(40_002), { role: 'client' });
    const ca = connect(net, a);
    const cb = connect(net, b);
    expect(net.run(() => established(ca) && cb.connection.connectionState !== 'handshaking', 5000)).toBe(true);
    expect(server.endpoint.stats.connectionsRefused).toBe(1);
    expect(cb.connection.closeReason).toMatchObject({
      initiator: 'remote',
      isApplication: false,
      errorCode: TransportErrorCode.CONNECTION_REFUSED,
    });
    // Once the first handshake is over, a new client gets in.
    const c = net.add(clientAt(40_003), { role: 'client' });
    const cc = connect(net, c);
    expect(net.run(() => established(cc), 5000)).toBe(true);
    expect(server.endpoint.connectionCount).toBe(2);
  });

  it('refuses new connections beyond maxConnections', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'], maxConnections: 2 } });
    const conns = [1, 2, 3].map((i) => connect(net, net.add(clientAt(41_000 + i), { role: 'client' })));
    net.run(() => conns.every((c) => c.connection.connectionState !== 'handshaking'), 5000);
    expect(conns.filter((c) => established(c))).toHaveLength(2);
    expect(server.endpoint.connectionCount).toBe(2);
    expect(server.endpoint.stats.connectionsRefused).toBe(1);
  });

  it('never throws and stays bounded on random and mutated datagrams', async () => {
    const fc = (await import('fast-check')).default;
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'], maxHandshakes: 8 } });
    const client = net.add(CLIENT, { role: 'client' });
    connect(net, client);
    net.flush();
    const first = client.sent[0].data;
    const out = new Uint8Array(2048);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 1500 }),
          fc.tuple(fc.nat(first.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
            const d = first.slice();
            d[i] ^= x;
            return d;
          }),
        ),
        fc.nat(65_535),
        (data, port) => {
          server.endpoint.handleDatagram(net.now, data, clientAt(port + 1, '10.9.9.9'));
          for (let i = 0; i < 100 && server.endpoint.pollTransmit(net.now, out) > 0; i++);
          expect(server.endpoint.handshakeCount).toBeLessThanOrEqual(8);
        },
      ),
      { numRuns: 300 },
    );
    server.endpoint.handleTimeout(net.now + 60_000);
    expect(server.endpoint.connectionCount).toBe(0);
  });
});

describe('Retry (RFC 9000 §8.1.2, §17.2.5)', () => {
  it('sends a Retry, validates the token, and the handshake completes with retry_source_connection_id checked', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'], retry: true } });
    const client = net.add(CLIENT, { role: 'client' });
    const c = connect(net, client);
    expect(net.run(() => established(c) && established(server.incoming[0]), 5000)).toBe(true);
    expect(server.endpoint.stats.retriesSent).toBe(1);
    expect(server.endpoint.connectionCount).toBe(1);
    const retry = server.sent.map((p) => header(p.data)).find((h) => h.type === PacketType.RETRY);
    expect(retry).toBeDefined();
    const firstInitial = header(client.sent[0].data);
    const params = c.connection.peerTransportParameters!;
    // The client verified these against what it saw (else it would have closed with TRANSPORT_PARAMETER_ERROR).
    expect(Buffer.from(params.retrySourceConnectionId!)).toEqual(Buffer.from(retry!.scid));
    expect(Buffer.from(params.originalDestinationConnectionId!)).toEqual(Buffer.from(firstInitial.dcid));
    // The second Initial carried the token and the Retry's SCID as DCID.
    const second = client.sent.map((p) => header(p.data)).filter((h) => h.type === PacketType.INITIAL)[1];
    expect(second.tokenLength).toBeGreaterThan(0);
    expect(Buffer.from(second.dcid)).toEqual(Buffer.from(retry!.scid));
    // A validated address: no anti-amplification limit on the server connection.
    expect(server.incoming[0].connection.stats.packetsReceived).toBeGreaterThan(0);
  });

  it('closes with INVALID_TOKEN when the Retry token is no longer valid', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, {
      role: 'server',
      server: { alpnProtocols: ['test'], retry: true, retryTokenLifetimeMs: 5 },
    });
    const client = net.add(CLIENT, { role: 'client' });
    const c = connect(net, client);
    expect(net.run(() => c.connection.connectionState !== 'handshaking', 5000)).toBe(true);
    expect(server.endpoint.stats.retriesSent).toBe(1);
    expect(server.endpoint.stats.invalidTokens).toBe(1);
    expect(server.endpoint.connectionCount).toBe(0);
    expect(c.connection.closeReason).toMatchObject({ errorCode: TransportErrorCode.INVALID_TOKEN });
  });

  it('a Retry token presented from another port is rejected', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'], retry: true } });
    const client = net.add(CLIENT, { role: 'client' });
    // Rewrite the source port of every client datagram after the first (the token is bound to the first one's).
    let seen = 0;
    const moved = clientAt(CLIENT.port + 1);
    net.hook = (p: Packet) => (p.from === CLIENT && seen++ > 0 ? { from: moved } : undefined);
    connect(net, client);
    net.advance(200);
    expect(server.endpoint.stats.invalidTokens).toBe(1);
    expect(server.endpoint.connectionCount).toBe(0);
  });

  it('a NEW_TOKEN token from the first connection lets the next one skip the Retry', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', server: { alpnProtocols: ['test'], retry: true } });
    const client = net.add(CLIENT, { role: 'client' });
    const first = connect(net, client);
    net.run(() => net.eventsOf(client, first).some((e) => e.type === 'new-token'), 5000);
    const e = net.eventsOf(client, first).find((x) => x.type === 'new-token');
    expect(e).toBeDefined();
    const token = e!.type === 'new-token' ? e!.token : new Uint8Array(0);
    const second = client.endpoint.connect(net.now, {
      remote: SERVER,
      alpnProtocols: ['test'],
      serverName: 'localhost',
      token,
    });
    expect(net.run(() => established(second), 5000)).toBe(true);
    expect(server.endpoint.stats.retriesSent).toBe(1); // only for the first connection
  });
});
