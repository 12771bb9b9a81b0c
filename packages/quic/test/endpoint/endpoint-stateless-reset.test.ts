import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointConnection } from '../../src/endpoint/endpoint-connection.js';
import { type TestTls, testTls } from '../support/tls.js';
import { CLIENT, EndpointNet, SERVER } from './support/endpoint-net.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

const KEY = new Uint8Array(32).fill(0x5a);

function established(h: EndpointConnection | undefined): boolean {
  return h?.connection.connectionState === 'established' && h.connection.isHandshakeComplete;
}

/** A short-header datagram of `size` bytes for DCID `cid`. */
function shortPacket(cid: Uint8Array, size: number): Uint8Array {
  const d = new Uint8Array(size);
  for (let i = 0; i < size; i++) d[i] = (i * 37 + 11) & 0xff;
  d[0] = 0x40 | (d[0] & 0x3f);
  d.set(cid, 1);
  return d;
}

describe('Stateless reset (RFC 9000 §10.3)', () => {
  it('answers an unknown short-header packet with a smaller reset carrying HMAC(key, DCID)[0..16]', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', statelessResetKey: KEY, server: { alpnProtocols: ['test'] } });
    const cid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const out = new Uint8Array(2048);
    for (const size of [22, 30, 43, 44, 100, 1200]) {
      server.endpoint.handleDatagram(net.now, shortPacket(cid, size), CLIENT);
      const n = server.endpoint.pollTransmit(net.now, out);
      // §10.3: smaller than the trigger (no loops), at least 21 bytes, at most 43 here.
      expect(n).toBeLessThan(size);
      expect(n).toBeGreaterThanOrEqual(21);
      expect(n).toBeLessThanOrEqual(43);
      // Looks like a short header: form bit 0, fixed bit 1.
      expect(out[0] & 0xc0).toBe(0x40);
      const expected = tls.provider.hmac('sha256', KEY, cid).subarray(0, 16);
      expect(Buffer.from(out.subarray(n - 16, n))).toEqual(Buffer.from(expected));
      expect(server.endpoint.cids.resetToken(cid)).toEqual(new Uint8Array(expected));
    }
  });

  it('sends nothing for packets too small to answer with a smaller reset, and respects the rate limit', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, {
      role: 'server',
      statelessResets: { ratePerSecond: 10, burst: 3 },
      server: { alpnProtocols: ['test'] },
    });
    const cid = Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1);
    const out = new Uint8Array(2048);
    server.endpoint.handleDatagram(net.now, shortPacket(cid, 21), CLIENT);
    expect(server.endpoint.pollTransmit(net.now, out)).toBe(0);
    let sent = 0;
    for (let i = 0; i < 20; i++) {
      server.endpoint.handleDatagram(net.now, shortPacket(cid, 100), CLIENT);
      while (server.endpoint.pollTransmit(net.now, out) > 0) sent++;
    }
    expect(sent).toBe(3); // the burst
    // 10 per second: after 200 ms two more are allowed.
    for (let i = 0; i < 20; i++) {
      server.endpoint.handleDatagram(net.now + 200, shortPacket(cid, 100), CLIENT);
      while (server.endpoint.pollTransmit(net.now + 200, out) > 0) sent++;
    }
    expect(sent).toBe(5);
  });

  it('a client detects the reset of a restarted server that kept its static key', () => {
    const net = new EndpointNet(tls);
    const serverOptions = { role: 'server' as const, statelessResetKey: KEY, server: { alpnProtocols: ['test'] } };
    const server = net.add(SERVER, serverOptions);
    const client = net.add(CLIENT, { role: 'client' });
    const c = client.endpoint.connect(net.now, { remote: SERVER, alpnProtocols: ['test'], serverName: 'localhost' });
    expect(net.run(() => established(c) && established(server.incoming[0]), 5000)).toBe(true);
    net.advance(300);
    // The server process restarts: every connection is gone, the key is the same.
    net.restart(server, serverOptions);
    c.connection.ping();
    client.endpoint.touch(c);
    expect(net.run(() => c.isRemoved, 5000)).toBe(true);
    expect(server.endpoint.stats.statelessResetsSent).toBeGreaterThan(0);
    expect(c.connection.closeReason?.initiator).toBe('stateless-reset');
    expect(client.endpoint.connectionCount).toBe(0);
  });

  // RFC 9000 §10.1: the idle period is three times the un-backed-off PTO, so probing a silent peer ends.
  it('a restarted server with a different key resets nothing the client recognises (the client times out)', () => {
    const net = new EndpointNet(tls);
    const server = net.add(SERVER, { role: 'server', statelessResetKey: KEY, server: { alpnProtocols: ['test'] } });
    const client = net.add(CLIENT, { role: 'client', transport: { maxIdleTimeoutMs: 2000 } });
    const c = client.endpoint.connect(net.now, { remote: SERVER, alpnProtocols: ['test'], serverName: 'localhost' });
    net.run(() => established(c) && established(server.incoming[0]), 5000);
    net.advance(300);
    net.restart(server, {
      role: 'server',
      statelessResetKey: new Uint8Array(32).fill(1),
      server: { alpnProtocols: ['test'] },
    });
    c.connection.ping();
    client.endpoint.touch(c);
    // (The idle period is at least three PTOs, which back off while nothing is acknowledged: RFC 9000 §10.1.)
    expect(net.run(() => c.isRemoved, 120_000)).toBe(true);
    expect(c.connection.closeReason?.initiator).toBe('idle-timeout');
    expect(server.endpoint.stats.statelessResetsSent).toBeGreaterThan(0);
  });
});
