// The real HTTP/3 path on real UDP (loopback): createClient() as an application uses it, against the hand-driven
// H3 test server on a NodeUdpSocket.
import { createHash } from 'node:crypto';
import { createContainer, registerCore } from '@fos/core';
import { registerUdp } from '@fos/udp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type HttpClient, MemorySessionTicketCache } from '../../src/index.js';
import { H3TestServer } from '../support/h3-server.js';
import { testPki } from '../support/h3-world.js';
import { patternBytes } from '../support/servers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const big = patternBytes(2 << 20, 9);

describe('HTTP/3 over real UDP (loopback)', () => {
  let server: H3TestServer;
  let client: HttpClient;
  let origin: string;
  const sessionCache = new MemorySessionTicketCache();

  beforeAll(async () => {
    const pki = await testPki();
    server = await H3TestServer.start({
      container: registerUdp(registerCore(createContainer())),
      cert: pki.leaf,
      address: '127.0.0.1',
      port: 0,
      enableEarlyData: true,
      handler: async (ex) => {
        await ex.whenEnded();
        if (ex.path === '/big') {
          ex.respond(200, [['content-length', String(big.length)]]);
          for (let o = 0; o < big.length; o += 64 << 10) await ex.write(big.subarray(o, o + (64 << 10)));
          ex.end();
          return;
        }
        ex.respond(200);
        await ex.write(new TextEncoder().encode(ex.path), true);
      },
    });
    origin = `https://localhost:${server.port}`;
    client = createClient({
      ca: pki.ca.certPem,
      protocol: 'h3',
      sessionCache,
      pool: { idleTimeoutMs: 200 },
      lookup: (_host, options, cb) => {
        const callback = cb as unknown as (...args: unknown[]) => void;
        if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else callback(null, '127.0.0.1', 4);
      },
    });
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('downloads 2 MB intact, then 100 parallel requests on the same connection', async () => {
    const res = await client.fetch(`${origin}/big`);
    expect(res.protocol).toBe('h3');
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(big));
    const texts = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => (await client.fetch(`${origin}/small/${i}`)).text()),
    );
    expect(texts).toEqual(Array.from({ length: 100 }, (_, i) => `/small/${i}`));
    expect(server.connections).toHaveLength(1);
  });

  it('after the idle connection closed, resumes with 0-RTT', async () => {
    // The pool's idle timeout (200 ms) closes the connection gracefully; wait until it is gone.
    for (let i = 0; i < 200 && client.h3Stats().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(client.h3Stats()).toEqual([]);
    expect(sessionCache.size).toBeGreaterThan(0);
    const res = await client.fetch(`${origin}/again`);
    expect(await res.text()).toBe('/again');
    expect(res.info).toMatchObject({ resumed: true, earlyData: true });
    expect(server.requests.at(-1)?.early).toBe(true);
  });
});
