import { describe, expect, it } from 'vitest';
import type { QuicConnection } from '../../src/api/quic-connection.js';
import { echo, readAll, str, text, World } from './support/world.js';

describe('QuicEndpoint over MemoryNetwork (virtual time)', () => {
  it('handshakes, and echoes a bidirectional stream through WHATWG streams', async () => {
    const world = await World.create();
    const server = await world.server();
    echo(server);
    const client = await world.client();
    const conn = await world.drive(
      client.connect({ address: server.address.address, port: 443, alpn: 'echo', serverName: 'localhost' }),
    );
    expect(conn.state).toBe('established');
    expect(conn.alpnProtocol).toBe('echo');
    expect(conn.remoteAddress).toMatchObject({ address: '10.0.0.2', port: 443 });

    const stream = await conn.openBidirectionalStream();
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    await world.drive(writer.write(text('hello ')));
    await world.drive(writer.write(text('world')));
    await world.drive(writer.close());
    let got = '';
    for (;;) {
      const r = await world.drive(reader.read());
      if (r.done) break;
      got += str(r.value);
    }
    expect(got).toBe('hello world');
    await world.drive(stream.closed);
    await world.drive(Promise.all([client.close(), server.close()]));
  });

  it('echoes with async iteration and write()/end(), many chunks, intact', async () => {
    const world = await World.create();
    const server = await world.server();
    echo(server);
    const client = await world.client();
    const conn = await world.drive(
      client.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' }),
    );
    const stream = await conn.openBidirectionalStream();
    const payload = new Uint8Array(2_000_000).map((_, i) => (i * 7) & 0xff);
    const sent = (async () => {
      for (let o = 0; o < payload.length; o += 50_000) await stream.write(payload.subarray(o, o + 50_000));
      await stream.end();
    })();
    const echoed = await world.drive(readAll(stream), 60_000);
    await world.drive(sent);
    expect(Buffer.compare(Buffer.from(echoed), Buffer.from(payload))).toBe(0);
    await world.drive(client.close());
    await server.close();
  });

  it('runs 1000 concurrent bidirectional streams on one connection', async () => {
    const world = await World.create();
    const server = await world.server({ transport: { initialMaxStreamsBidi: 1000 } });
    echo(server);
    const client = await world.client();
    const conn = await world.drive(
      client.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' }),
    );
    const results = await world.drive(
      Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          const s = await conn.openBidirectionalStream();
          await s.end(text(`message ${i}`));
          return str(await readAll(s));
        }),
      ),
      60_000,
    );
    expect(results).toHaveLength(1000);
    expect(results).toEqual(results.map((_, i) => `message ${i}`));
    expect(conn.stats.packetsLost).toBe(0);
    await world.drive(client.close());
    await server.close();
  });

  it('waits for MAX_STREAMS credit when the peer limit is reached, then resumes', async () => {
    const world = await World.create();
    const server = await world.server({ transport: { initialMaxStreamsBidi: 2 } });
    const accepted: QuicConnection[] = [];
    server.connections$.subscribe((c) => accepted.push(c));
    const client = await world.client();
    const conn = await world.drive(
      client.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' }),
    );
    const a = await conn.openBidirectionalStream();
    const b = await conn.openBidirectionalStream();
    let third: unknown;
    const pending = conn.openBidirectionalStream().then((s) => {
      third = s;
      return s;
    });
    await a.end(text('a'));
    await b.end(text('b'));
    await world.until(() => false, 500);
    expect(third).toBeUndefined(); // blocked: the server allows 2 streams
    // The server reads and finishes both streams: they are released and MAX_STREAMS grants a new one.
    const serverConn = accepted[0];
    const streams = await world.drive(
      (async () => {
        const out = [];
        for (let i = 0; i < 2; i++) out.push((await serverConn.acceptStream())!);
        return out;
      })(),
    );
    for (const s of streams) {
      await world.drive(readAll(s));
      await s.end();
    }
    await world.drive(readAll(a));
    await world.drive(readAll(b));
    const c = await world.drive(pending, 5000);
    expect(c.id).toBe(8);
    expect(third).toBe(c);
    await world.drive(client.close());
    await server.close();
  });

  it('serves many connections on one server endpoint', async () => {
    const world = await World.create();
    const server = await world.server();
    echo(server);
    const clients = await Promise.all(Array.from({ length: 40 }, (_, i) => world.client({}, `10.0.1.${i + 1}`)));
    const replies = await world.drive(
      Promise.all(
        clients.map(async (client, i) => {
          const conn = await client.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' });
          const s = await conn.openBidirectionalStream();
          await s.end(text(`from ${i}`));
          return str(await readAll(s));
        }),
      ),
      30_000,
    );
    expect(replies).toEqual(replies.map((_, i) => `from ${i}`));
    expect(server.connectionCount).toBe(40);
    expect(server.endpoint.connectionCount).toBe(40);
    await world.drive(Promise.all(clients.map((c) => c.close())));
    await server.close();
  });

  it('delivers DATAGRAM frames both ways (RFC 9221)', async () => {
    const world = await World.create();
    const transport = { maxDatagramFrameSize: 1200 };
    const server = await world.server({ transport });
    server.connections$.subscribe((conn) => {
      conn.datagrams$.subscribe((d) => conn.sendDatagram(text(`echo:${str(d)}`)));
    });
    const client = await world.client({ transport });
    const conn = await world.drive(
      client.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' }),
    );
    expect(conn.maxDatagramPayload).toBeGreaterThan(1000);
    const got: string[] = [];
    conn.datagrams$.subscribe((d) => got.push(str(d)));
    await world.until(() => false, 100); // the server connection is accepted
    for (let i = 0; i < 5; i++) expect(conn.sendDatagram(text(`d${i}`))).toBe(true);
    expect(conn.sendDatagram(new Uint8Array(5000))).toBe(false); // larger than the peer accepts
    expect(await world.until(() => got.length === 5, 2000)).toBe(true);
    expect(got.sort()).toEqual(['echo:d0', 'echo:d1', 'echo:d2', 'echo:d3', 'echo:d4']);
    await world.drive(client.close());
    await server.close();
  });

  it('leaks no pooled buffers once everything is closed', async () => {
    const world = await World.create();
    const server = await world.server();
    echo(server);
    const client = await world.client();
    const conn = await world.drive(
      client.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' }),
    );
    const s = await conn.openBidirectionalStream();
    await s.end(new Uint8Array(100_000));
    await world.drive(readAll(s));
    await world.drive(conn.close(0, 'done'));
    await world.drive(Promise.all([client.close(), server.close()]));
    await world.until(() => false, 1000);
    expect(world.network.allocator.stats().inUse).toBe(0);
  });
});
