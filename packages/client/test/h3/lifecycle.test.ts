// Connection lifecycle of the real HTTP/3 path: GOAWAY (RFC 9114 §5.2), resumption with 0-RTT (RFC 9001 §4.6,
// RFC 8470), rejected 0-RTT, connection loss, idle timeout and closing the client.
import { describe, expect, it } from 'vitest';
import { ClientClosedError, MemorySessionTicketCache, NetworkError } from '../../src/index.js';
import { H3World, readBody } from '../support/h3-world.js';
import { patternBytes } from '../support/servers.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('HTTP/3 over QUIC: connection lifecycle', () => {
  it('GOAWAY: requests below the limit finish, later ones use a fresh connection', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        if (ex.path === '/slow') await server.sleep(100);
        ex.respond(200);
        await ex.write(text(`${ex.path} on connection ${server.connections.indexOf(ex.conn)}`), true);
      },
    });
    const { client } = await world.client();
    const first = await world.drive(client.fetch('https://localhost/a'));
    expect((await readBody(world, first)).toString()).toBe('/a on connection 0');
    const slow = client.fetch('https://localhost/slow');
    await world.advance(30); // the request reached the server (stream 4)
    server.connections[0].goaway(8); // RFC 9114 §5.2: streams below 8 will be processed
    await world.advance(30);
    const next = await world.drive(client.fetch('https://localhost/b'));
    expect((await readBody(world, next)).toString()).toBe('/b on connection 1');
    expect((await readBody(world, await world.drive(slow))).toString()).toBe('/slow on connection 0');
    // The old connection closes once its last request is done (graceful, H3_NO_ERROR).
    const old = server.connections[0].quic;
    const info = await world.drive(old.closed);
    expect(info).toMatchObject({ isApplication: true, errorCode: 0x100 });
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('a request above the GOAWAY limit is rejected by the server and sent again on a new connection', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: async (ex) => {
        if (server.connections.indexOf(ex.conn) === 0) {
          ex.conn.goaway(0); // not even stream 0 will be processed: H3_REQUEST_REJECTED
          return;
        }
        await ex.whenEnded();
        ex.respond(200);
        await ex.write(text('retried'), true);
      },
    });
    const { client } = await world.client();
    const res = await world.drive(client.fetch('https://localhost/x'));
    expect((await readBody(world, res)).toString()).toBe('retried');
    expect(server.connections).toHaveLength(2);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('resumes with 0-RTT: a GET goes in early data, a POST waits for the handshake', async () => {
    const world = new H3World();
    const server = await world.server({ enableEarlyData: true });
    const sessionCache = new MemorySessionTicketCache();
    const { client } = await world.client({ sessionCache, pool: { idleTimeoutMs: 1_000 } });
    const first = await world.drive(client.fetch('https://localhost/one'));
    await readBody(world, first);
    expect(first.info).toMatchObject({ resumed: false, earlyData: false });
    await world.advance(2_000); // the ticket arrived; the idle connection closed
    expect(sessionCache.size).toBeGreaterThan(0);
    expect(client.h3Stats()).toEqual([]);

    const second = await world.drive(client.fetch('https://localhost/two'));
    expect((await readBody(world, second)).toString()).toBe('hello /two');
    expect(second.info).toMatchObject({ protocol: 'h3', resumed: true, earlyData: true });
    expect(server.connections).toHaveLength(2);
    expect(server.connections[1].quic.earlyData).toBe(true);
    expect(server.requests[1]).toMatchObject({ early: true });
    await world.advance(2_000);

    // RFC 8470 §4 / RFC 9001 §4.6.1: an unsafe request never goes in 0-RTT.
    const post = await world.drive(client.fetch('https://localhost/three', { method: 'POST', body: 'x' }));
    await readBody(world, post);
    expect(post.info).toMatchObject({ resumed: true, earlyData: false });
    expect(server.requests[2]).toMatchObject({ early: false, method: 'POST' });
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('0-RTT rejected by a restarted server (unknown ticket): the request is sent again and succeeds', async () => {
    const world = new H3World();
    const first = await world.server({ enableEarlyData: true });
    const sessionCache = new MemorySessionTicketCache();
    const { client } = await world.client({ sessionCache, pool: { idleTimeoutMs: 1_000 } });
    await readBody(world, await world.drive(client.fetch('https://localhost/one')));
    await world.advance(2_000);
    expect(sessionCache.size).toBeGreaterThan(0);
    await world.drive(first.close());
    const second = await world.server({ enableEarlyData: true }); // new ticket keys
    const res = await world.drive(client.fetch('https://localhost/two'));
    expect((await readBody(world, res)).toString()).toBe('hello /two');
    expect(res.info).toMatchObject({ resumed: false, earlyData: false });
    expect(second.requests).toHaveLength(1);
    expect(second.requests[0].early).toBe(false);
    await world.drive(client.close());
    await world.drive(second.close());
  });

  it('a connection lost under a response fails its body with NetworkError (CONNECTION_RESET)', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        ex.respond(200);
        await ex.write(patternBytes(5_000, 2));
        await server.sleep(50);
        void ex.conn.quic.close(0x102, 'server crashed'); // H3_INTERNAL_ERROR
      },
    });
    const { client } = await world.client();
    const res = await world.drive(client.fetch('https://localhost/x'));
    const err = await world.driveError(res.arrayBuffer());
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: 'CONNECTION_RESET' });
    // The next request opens a new connection.
    server.handler = async (ex) => {
      await ex.whenEnded();
      ex.respond(200, [], true);
    };
    const again = await world.drive(client.fetch('https://localhost/y'));
    expect(again.status).toBe(200);
    expect(server.connections).toHaveLength(2);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('an idle timeout closes the connection cleanly; the next request reconnects', async () => {
    const world = new H3World();
    const server = await world.server({ transport: { maxIdleTimeoutMs: 2_000 } });
    const { client, factory } = await world.client();
    await readBody(world, await world.drive(client.fetch('https://localhost/a')));
    const session = factory.sessions[0];
    const events: string[] = [];
    session.events$.subscribe((e) => events.push(e.type === 'closed' ? `closed:${e.error === undefined}` : e.type));
    await world.advance(5_000);
    expect(session.closed).toBe(true);
    expect(events).toContain('closed:true');
    expect(factory.sessions).toEqual([]);
    await readBody(world, await world.drive(client.fetch('https://localhost/b')));
    expect(server.connections).toHaveLength(2);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('close(): pending requests fail with ClientClosedError, the sessions close, later fetches fail', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: () => {
        // never answers
      },
    });
    const { client, factory } = await world.client();
    const pending = client.fetch('https://localhost/hang');
    pending.catch(() => {});
    await world.advance(200);
    expect(factory.sessions).toHaveLength(1);
    const session = factory.sessions[0];
    await world.drive(client.close());
    expect(await world.driveError(pending)).toBeInstanceOf(ClientClosedError);
    // The pool closes gracefully: GOAWAY, then CONNECTION_CLOSE once it is acknowledged (RFC 9114 §5.2).
    expect(session.goingAway).toBe(true);
    await world.advance(200);
    expect(session.closed).toBe(true);
    await world.drive(factory.close());
    expect(factory.sessions).toEqual([]);
    expect(await world.driveError(client.fetch('https://localhost/later'))).toBeInstanceOf(ClientClosedError);
    // The server saw the connection close with H3_NO_ERROR.
    const info = await world.drive(server.connections[0].quic.closed);
    expect(info).toMatchObject({ initiator: 'remote', isApplication: true, errorCode: 0x100 });
    await world.drive(server.close());
  });
});
