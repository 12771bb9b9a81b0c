// Server push through the fetch client (RFC 9114 §4.6): with `h3: { push: true }` the client sends MAX_PUSH_ID and
// delivers pushed responses on `client.pushes$`; without it the server cannot push; pushes for another authority,
// and pushes nobody listens to, are declined.
import { describe, expect, it } from 'vitest';
import type { PushedResponse } from '../../src/index.js';
import { H3World, readBody } from '../support/h3-world.js';

describe('HTTP/3 server push through the fetch client', () => {
  it('delivers a pushed response on client.pushes$', async () => {
    const world = new H3World();
    const pushIds: Array<number | undefined> = [];
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        pushIds.push(ex.push('/style.css', 'body { color: red }'));
        ex.respond(200);
        await ex.write(new TextEncoder().encode('<html>'), true);
      },
    });
    const { client } = await world.client({ h3: { push: true } });
    const pushed: PushedResponse[] = [];
    client.pushes$.subscribe((p) => pushed.push(p));
    const res = await world.drive(client.fetch('https://localhost/index.html'));
    expect((await readBody(world, res)).toString()).toBe('<html>');
    await world.advance(50);
    expect(pushIds).toEqual([0]);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ url: 'https://localhost/style.css', method: 'GET', pushId: 0 });
    const pushedRes = await world.drive(pushed[0].response);
    expect(pushedRes.status).toBe(200);
    expect(pushedRes.protocol).toBe('h3');
    expect(pushedRes.headers.get('content-type')).toBe('text/plain');
    expect((await readBody(world, pushedRes)).toString()).toBe('body { color: red }');
    // The window moves on: more pushes are allowed on later requests.
    const res2 = await world.drive(client.fetch('https://localhost/again'));
    await readBody(world, res2);
    await world.advance(50);
    expect(pushIds).toEqual([0, 1]);
    expect(pushed).toHaveLength(2);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('without h3.push the server is not allowed to push (no MAX_PUSH_ID)', async () => {
    const world = new H3World();
    const pushIds: Array<number | undefined> = [];
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        pushIds.push(ex.push('/style.css', 'x'));
        ex.respond(200, [], true);
      },
    });
    const { client } = await world.client();
    const pushed: PushedResponse[] = [];
    client.pushes$.subscribe((p) => pushed.push(p));
    expect((await world.drive(client.fetch('https://localhost/'))).status).toBe(200);
    expect(pushIds).toEqual([undefined]);
    expect(pushed).toEqual([]);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('declines pushes for another authority, and pushes nobody subscribed to', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        ex.push('/a.css', 'a', ex.path === '/foreign' ? 'evil.example' : 'localhost');
        ex.respond(200, [], true);
      },
    });
    const { client, factory } = await world.client({ h3: { push: true } });
    const pushed: PushedResponse[] = [];
    const sub = client.pushes$.subscribe((p) => pushed.push(p));
    expect((await world.drive(client.fetch('https://localhost/foreign'))).status).toBe(200);
    await world.advance(50);
    expect(pushed).toEqual([]);
    sub.unsubscribe();
    expect((await world.drive(client.fetch('https://localhost/unwanted'))).status).toBe(200);
    await world.advance(50);
    expect(pushed).toEqual([]);
    // Both were cancelled, so the connection has no push in flight and stays healthy.
    expect(factory.sessions[0].activeRequests).toBe(0);
    await world.drive(client.close());
    await world.drive(server.close());
  });
});
