// The real HTTP/3 path (QuicH3SessionFactory over @fos/quic + @fos/http3) against the hand-driven H3 test server,
// on a MemoryNetwork in virtual time: requests and responses, bodies both ways, trailers, null-body responses.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { H3World, readBody } from '../support/h3-world.js';
import { patternBytes } from '../support/servers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('HTTP/3 over QUIC: requests and responses', () => {
  it('GETs over h3 on one connection and reports how (protocol, handshake time, reuse)', async () => {
    const world = new H3World();
    const server = await world.server();
    const { client } = await world.client();
    const res = await world.drive(client.fetch('https://localhost/a', { headers: { 'x-test': 'one' } }));
    expect(res.status).toBe(200);
    expect(res.protocol).toBe('h3');
    expect(res.info.reusedConnection).toBe(false);
    // Two round trips of 20 ms on the simulated link: the handshake takes at least one.
    expect(res.info.handshakeMs).toBeGreaterThanOrEqual(20);
    expect(res.headers.get('content-length')).toBe('8');
    expect((await readBody(world, res)).toString()).toBe('hello /a');
    const res2 = await world.drive(client.fetch('https://localhost/b'));
    expect((await readBody(world, res2)).toString()).toBe('hello /b');
    expect(res2.info.reusedConnection).toBe(true);
    expect(server.connections).toHaveLength(1);
    const first = server.requests[0];
    // RFC 9114 §4.3.1 pseudo-headers, then the regular fields (lowercase).
    expect(first.headers.slice(0, 4)).toEqual([
      [':method', 'GET'],
      [':scheme', 'https'],
      [':authority', 'localhost'],
      [':path', '/a'],
    ]);
    expect(first.header('x-test')).toBe('one');
    expect(first.header('user-agent')).toBe('fos-client');
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('downloads 4 MB intact and uploads 1 MB (bytes body) intact', async () => {
    const world = new H3World();
    const big = patternBytes(4 << 20, 7);
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        if (ex.method === 'POST') {
          const digest = sha(ex.body);
          ex.respond(200, [['x-sha', digest]]);
          await ex.write(new TextEncoder().encode(String(ex.received)), true);
          return;
        }
        ex.respond(200, [['content-length', String(big.length)]]);
        for (let o = 0; o < big.length; o += 64 << 10) await ex.write(big.subarray(o, o + (64 << 10)));
        ex.end();
      },
    });
    const { client } = await world.client();
    const res = await world.drive(client.fetch('https://localhost/big'));
    const body = await readBody(world, res);
    expect(body.length).toBe(big.length);
    expect(sha(body)).toBe(sha(big));
    const upload = patternBytes(1 << 20, 3);
    const posted = await world.drive(client.fetch('https://localhost/up', { method: 'POST', body: upload }));
    expect(posted.headers.get('x-sha')).toBe(sha(upload));
    expect((await readBody(world, posted)).toString()).toBe(String(upload.length));
    expect(server.requests[1].header('content-length')).toBe(String(upload.length));
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('streams a request body from an async iterable (no content-length) to the end', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        ex.respond(200);
        await ex.write(new TextEncoder().encode(`${ex.received} ${sha(ex.body)}`), true);
      },
    });
    const { client } = await world.client();
    const parts = Array.from({ length: 40 }, (_, i) => patternBytes(10_000, i + 1));
    async function* gen(): AsyncGenerator<Uint8Array> {
      for (const p of parts) yield p;
    }
    const res = await world.drive(client.fetch('https://localhost/stream', { method: 'PUT', body: gen() }));
    expect((await readBody(world, res)).toString()).toBe(`400000 ${sha(Buffer.concat(parts))}`);
    expect(server.requests[0].header('content-length')).toBeUndefined();
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('delivers trailers (RFC 9114 §4.1) on res.trailers, and an empty Headers when there are none', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        ex.respond(200, [['trailer', 'x-checksum']]);
        await ex.write(new TextEncoder().encode('payload'));
        if (ex.path === '/with') ex.end([['x-checksum', 'abc123']]);
        else ex.end();
      },
    });
    const { client } = await world.client();
    const res = await world.drive(client.fetch('https://localhost/with', { headers: { te: 'trailers' } }));
    expect((await readBody(world, res)).toString()).toBe('payload');
    expect((await res.trailers).get('x-checksum')).toBe('abc123');
    expect(server.requests[0].header('te')).toBe('trailers');
    const res2 = await world.drive(client.fetch('https://localhost/without'));
    await readBody(world, res2);
    expect([...(await res2.trailers).keys()]).toEqual([]);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('handles HEAD, 204 and interim 103 responses (RFC 9114 §4.1)', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        if (ex.path === '/hints') {
          ex.respond(103, [['link', '</style.css>; rel=preload']]);
          ex.respond(200, [['content-length', '2']]);
          await ex.write(new TextEncoder().encode('ok'), true);
        } else if (ex.method === 'HEAD') {
          ex.respond(200, [['content-length', '1000']], true);
        } else {
          ex.respond(204, [], true);
        }
      },
    });
    const { client } = await world.client();
    const head = await world.drive(client.fetch('https://localhost/x', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    expect(head.body).toBeNull();
    const empty = await world.drive(client.fetch('https://localhost/none', { method: 'DELETE' }));
    expect(empty.status).toBe(204);
    const hinted = await world.drive(client.fetch('https://localhost/hints'));
    expect(hinted.status).toBe(200);
    expect((await readBody(world, hinted)).toString()).toBe('ok');
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('maps a server reset to StreamResetError, and retries H3_REQUEST_REJECTED (not processed)', async () => {
    const world = new H3World();
    let rejected = 0;
    const server = await world.server({
      handler: async (ex) => {
        if (ex.path === '/reset') {
          ex.reset(0x102); // H3_INTERNAL_ERROR
          return;
        }
        if (ex.path === '/reject' && rejected++ === 0) {
          ex.reset(0x10b); // H3_REQUEST_REJECTED: RFC 9114 §4.1.1, safe to retry
          return;
        }
        await ex.whenEnded();
        ex.respond(200);
        await ex.write(new TextEncoder().encode('second try'), true);
      },
    });
    const { client } = await world.client();
    const err = await world.driveError(client.fetch('https://localhost/reset'));
    expect(err).toMatchObject({ code: 'STREAM_RESET', protocol: 'h3', errorCode: 0x102, retryable: false });
    const res = await world.drive(client.fetch('https://localhost/reject'));
    expect((await readBody(world, res)).toString()).toBe('second try');
    expect(server.requests.filter((r) => r.path === '/reject')).toHaveLength(2);
    await world.drive(client.close());
    await world.drive(server.close());
  });
});
