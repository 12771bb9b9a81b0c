// The example of README.md, kept runnable: a client and a server H3Connection over the in-memory transport pair.

import { expect, it } from 'vitest';
import { H3Connection } from '../src/index.js';
import { FakePair } from './support/fake-transport.js';

it('README example', () => {
  const log: string[] = [];
  // --- README example start ---
  const pair = new FakePair(); // two in-memory H3Transports (test/support/fake-transport.ts)
  const client = new H3Connection({ transport: pair.client });
  const server = new H3Connection({ transport: pair.server });
  pair.attach(client, server); // the pair delivers transport events to handleStreamReadable & co.
  client.start(); // control + QPACK streams, SETTINGS
  server.start();

  client.request(
    [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':authority', 'example.com'],
      [':path', '/hello'],
    ],
    { endStream: true },
  );

  for (let busy = true; busy; ) {
    busy = pair.step(); // deliver one piece of in-flight stream data
    for (let e = server.pollEvent(); e; e = server.pollEvent(), busy = true) {
      if (e.type === 'request') {
        server.respond(e.streamId, [
          [':status', '200'],
          ['content-type', 'text/plain'],
        ]);
        server.writeBody(e.streamId, new TextEncoder().encode(`hello from ${e.info.path}`), true);
      }
    }
    for (let e = client.pollEvent(); e; e = client.pollEvent(), busy = true) {
      if (e.type === 'response') log.push(`status ${e.status}`);
      else if (e.type === 'data') log.push(new TextDecoder().decode(e.data));
      else if (e.type === 'end') log.push('end');
    }
  }
  // log: ['status 200', 'hello from /hello', 'end']
  // --- README example end ---
  expect(log).toEqual(['status 200', 'hello from /hello', 'end']);
});
