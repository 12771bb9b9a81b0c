import { describe, expect, it } from 'vitest';
import { fetchHandler } from '../src/fetch-handler.js';
import { headerOf, requestHeaders, str, text } from './support/h3-client.js';
import { World } from './support/world.js';

describe('fetchHandler (WHATWG Request → Response)', () => {
  it('passes method, URL, headers and a streaming body; sends status, headers, cookies and a streamed body', async () => {
    const world = await World.create();
    const server = await world.server({
      handler: fetchHandler(async (request, ctx) => {
        const body = await request.text();
        const url = new URL(request.url);
        const headers = new Headers({ 'content-type': 'text/plain', 'x-method': request.method });
        headers.append('set-cookie', 'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT');
        headers.append('set-cookie', 'b=2');
        ctx.earlyHints('</x.css>; rel=preload');
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(text(`${url.pathname}${url.search}|`));
            c.enqueue(text(`${request.headers.get('x-in')}|${body.toUpperCase()}`));
            c.close();
          },
        });
        return new Response(stream, { status: 201, headers });
      }),
    });
    const client = await world.client();
    const r = await world.drive(
      client.request(requestHeaders('POST', '/echo?q=1', [['x-in', 'yes']]), [text('ab'), text('cd')]).done,
    );
    expect(r.status).toBe(201);
    expect(r.informational.map((i) => i.status)).toEqual([103]);
    expect(str(r.body)).toBe('/echo?q=1|yes|ABCD');
    expect(headerOf(r.headers, 'x-method')).toBe('POST');
    expect(r.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v)).toEqual([
      'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT',
      'b=2',
    ]);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('a throwing fetch handler gets a 500', async () => {
    const world = await World.create();
    const server = await world.server({
      handler: fetchHandler(() => {
        throw new Error('nope');
      }),
    });
    const client = await world.client();
    expect((await world.drive(client.get('/'))).status).toBe(500);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });
});
