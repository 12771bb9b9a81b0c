// Our client against our server (@fos/server) on real UDP: server push through the fetch client, 2000 requests on
// one connection whose server allows 500 streams at a time (MAX_STREAMS must flow, RFC 9000 §4.6), and 0-RTT
// accepted by the server (its access log says so).
import { generateSelfSignedCertificate } from '@fos/crypto';
import { type AccessLogEntry, createHttp3Server, type Http3Server } from '@fos/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  type HttpClient,
  MemorySessionTicketCache,
  type PushedResponse,
  QuicH3SessionFactory,
} from '../../src/index.js';

describe('our client ↔ @fos/server (real UDP)', () => {
  let server: Http3Server;
  let origin: string;
  let ca: string;
  const log: AccessLogEntry[] = [];

  beforeAll(async () => {
    const cert = await generateSelfSignedCertificate();
    ca = cert.certPem;
    server = await createHttp3Server({
      host: '127.0.0.1',
      port: 0,
      certificate: { cert: cert.certPem, key: cert.keyPem },
      earlyData: true,
      transport: { initialMaxStreamsBidi: 500 },
      accessLog: (e) => log.push(e),
      handler: async (req, res) => {
        if (req.path === '/page') {
          const pushed = res.push('/style.css');
          if (pushed !== undefined) await pushed.send('p { color: blue }', { headers: { 'content-type': 'text/css' } });
          await res.send('<p>page</p>', { headers: { 'content-type': 'text/html' } });
          return;
        }
        await res.send(`file ${req.path}`);
      },
    });
    origin = `https://localhost:${server.address.port}`;
  });

  afterAll(async () => {
    await server?.close();
  });

  function client(extra: Parameters<typeof createClient>[0] = {}): {
    client: HttpClient;
    factory: QuicH3SessionFactory;
  } {
    const factory = new QuicH3SessionFactory();
    return { factory, client: createClient({ ca, protocol: 'h3', h3SessionFactory: factory, ...extra }) };
  }

  it('receives a pushed response (RFC 9114 §4.6) on client.pushes$', async () => {
    const { client: c, factory } = client({ h3: { push: true } });
    try {
      const pushed = new Promise<PushedResponse>((resolve) => c.pushes$.subscribe(resolve));
      const page = await c.fetch(`${origin}/page`);
      expect(await page.text()).toBe('<p>page</p>');
      const push = await pushed;
      expect(push.url).toBe(`${origin}/style.css`);
      const res = await push.response;
      expect(res.headers.get('content-type')).toBe('text/css');
      expect(await res.text()).toBe('p { color: blue }');
    } finally {
      await c.close();
      await factory.close();
    }
  });

  it('2000 requests on one connection with a server stream limit of 500', async () => {
    const { client: c, factory } = client();
    try {
      const texts = await Promise.all(
        Array.from({ length: 2000 }, async (_, i) => (await c.fetch(`${origin}/f/${i}`)).text()),
      );
      expect(texts).toEqual(Array.from({ length: 2000 }, (_, i) => `file /f/${i}`));
      expect(factory.sessions).toHaveLength(1);
      expect(factory.sessions[0].requestCount).toBe(2000);
    } finally {
      await c.close();
      await factory.close();
    }
  });

  it('resumes with 0-RTT that the server accepts (access log)', async () => {
    const sessionCache = new MemorySessionTicketCache();
    const first = client({ sessionCache });
    await (await first.client.fetch(`${origin}/one`)).text();
    for (let i = 0; i < 100 && sessionCache.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await first.client.close();
    await first.factory.close();
    const second = client({ sessionCache });
    try {
      const res = await second.client.fetch(`${origin}/two`);
      expect(await res.text()).toBe('file /two');
      expect(res.info).toMatchObject({ resumed: true, earlyData: true });
      expect(log.find((e) => e.path === '/two')).toMatchObject({ earlyData: true, status: 200 });
    } finally {
      await second.client.close();
      await second.factory.close();
    }
  });
});
