// Request throughput of the client over local TCP servers, with Node's own fetch (undici) as the baseline on the
// cleartext server. Run: npx vitest bench --run --project client
import { SystemClock } from '@fos/core';
import { afterAll, bench, describe } from 'vitest';
import { createClient } from '../src/index.js';
import { FakeH3SessionFactory } from '../src/testing/index.js';
import { createPki } from '../test/support/pki.js';
import { startServer } from '../test/support/servers.js';

const pki = await createPki();
// HTTP/1.1 over TLS is measured against node:https: node:http2's allowHTTP1 compatibility path is itself slow.
const [h2, https1, http] = await Promise.all([
  startServer('h2-only', pki.leaf),
  startServer('https', pki.leaf),
  startServer('http'),
]);
const client = createClient({ ca: pki.ca.certPem });
const h1Client = createClient({ ca: pki.ca.certPem, protocol: 'http/1.1' });

afterAll(async () => {
  await Promise.all([client.close(), h1Client.close(), h2.close(), https1.close(), http.close()]);
});

describe('GET /echo, sequential', () => {
  bench('fos h2 (TLS, pooled session)', async () => {
    await (await client.fetch(`${h2.origin}/echo`)).arrayBuffer();
  });
  bench('fos http/1.1 (TLS, keep-alive)', async () => {
    await (await h1Client.fetch(`${https1.origin}/echo`)).arrayBuffer();
  });
  bench('fos http/1.1 (cleartext, keep-alive)', async () => {
    await (await client.fetch(`${http.origin}/echo`)).arrayBuffer();
  });
  bench('node fetch http/1.1 (cleartext, keep-alive) — baseline', async () => {
    await (await fetch(`${http.origin}/echo`)).arrayBuffer();
  });
});

describe('1 MiB download', () => {
  bench('fos h2', async () => {
    await (await client.fetch(`${h2.origin}/bytes?n=1048576`)).arrayBuffer();
  });
  bench('fos http/1.1 (TLS)', async () => {
    await (await h1Client.fetch(`${https1.origin}/bytes?n=1048576`)).arrayBuffer();
  });
  bench('fos http/1.1 cleartext', async () => {
    await (await client.fetch(`${http.origin}/bytes?n=1048576`)).arrayBuffer();
  });
  bench('node fetch http/1.1 cleartext — baseline', async () => {
    await (await fetch(`${http.origin}/bytes?n=1048576`)).arrayBuffer();
  });
});

// What the HTTP/3 → TCP fallback costs in real time: the origin advertises h3, UDP is black-holed (the fake H3
// factory never answers). First request: QUIC's 300 ms head start + a TCP/TLS handshake. Once the attempt timed out
// and the alternative is marked broken, requests go straight to TCP.
function blackholedClient(connectTimeoutMs?: number) {
  const clock = new SystemClock({ unrefTimers: true });
  const h3 = new FakeH3SessionFactory({ clock });
  h3.defaultBehavior = { kind: 'blackhole' };
  const c = createClient({ ca: pki.ca.certPem, clock, h3SessionFactory: h3, h3: { connectTimeoutMs } });
  const alternative = { protocolId: 'h3', host: '', port: h2.port, maxAgeSeconds: 60, persist: false };
  c.altSvc.update(h2.origin, { clear: false, alternatives: [alternative] }, clock.now());
  return c;
}

describe('fallback cost with UDP black-holed', () => {
  const once = { time: 0, iterations: 5, warmupTime: 0, warmupIterations: 0 };
  bench(
    'first fetch (race: 300 ms head start, then TCP)',
    async () => {
      const c = blackholedClient();
      await (await c.fetch(`${h2.origin}/echo`)).arrayBuffer();
      await c.close();
    },
    once,
  );
  bench(
    'first fetch without Alt-Svc (plain TCP, for comparison)',
    async () => {
      const c = createClient({ ca: pki.ca.certPem });
      await (await c.fetch(`${h2.origin}/echo`)).arrayBuffer();
      await c.close();
    },
    once,
  );
  bench(
    'fetch after the alternative was marked broken (first fetch + broken one, both new TCP)',
    async () => {
      const c = blackholedClient(1);
      // QUIC times out after 1 ms here, so the alternative is broken before the second request.
      await (await c.fetch(`${h2.origin}/echo`)).arrayBuffer();
      await new Promise((r) => setTimeout(r, 5));
      await (await c.fetch(`${h2.origin}/echo`)).arrayBuffer();
      await c.close();
    },
    once,
  );
});
