// Our HTTP/3 client ↔ Caddy 2.6 (quic-go; TCP and UDP on one port, `alt-svc: h3` advertised), real sockets on
// loopback, bodies checked by SHA-256, the protocol of every request proved by Caddy's JSON access log:
// - HTTP/3 directly: 1 KB, 1 MB, 100 MB, and 100 parallel small files on one connection;
// - discovery (RFC 7838): the first fetch goes over HTTP/2 and learns Alt-Svc, the next goes over HTTP/3;
// - UDP blocked: Caddy restarted on the same port with HTTP/3 off while the client still holds its Alt-Svc, and a
//   TCP-only Node https server that advertises h3 — fetches succeed over TCP; the cost is measured and printed.
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createClient, type HttpClient, QuicH3SessionFactory } from '@fos/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CaddyServer,
  type CertificateFiles,
  createDocroot,
  type Docroot,
  describeWithPeers,
  freeUdpPort,
  generateCertificate,
  type ServedFile,
  startCaddy,
  writeRandomFile,
} from '../src/index.js';
import { digest, expectFile } from './support/bodies.js';

/** Runs `fn` and returns its result with the wall-clock time it took (for the printed measurements only). */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

describeWithPeers('our client ↔ caddy (HTTP/3, Alt-Svc, fallback)', ['caddy'], () => {
  let cert: CertificateFiles;
  let docroot: Docroot;
  let big: ServedFile;
  let caddy: CaddyServer;
  const small = Array.from({ length: 100 }, (_, i) => `s/${i}.bin`);

  beforeAll(async () => {
    cert = await generateCertificate({ kind: 'ec', issuer: 'ca' });
    docroot = await createDocroot({
      '1k.bin': 1024,
      '1m.bin': 1 << 20,
      ...Object.fromEntries(small.map((n, i) => [n, 700 + i])),
    });
    const path = `${docroot.dir}/100m.bin`;
    big = {
      name: '100m.bin',
      path,
      urlPath: '/100m.bin',
      size: 100 << 20,
      sha256: await writeRandomFile(path, 100 << 20),
    };
    caddy = await startCaddy({ docroot: docroot.dir, cert, hosts: ['127.0.0.1'] });
  });

  afterAll(async () => {
    await caddy?.stop();
  });

  describe('HTTP/3 directly (protocol h3)', () => {
    let factory: QuicH3SessionFactory;
    let client: HttpClient;

    beforeAll(() => {
      factory = new QuicH3SessionFactory();
      client = createClient({ ca: cert.caPem, protocol: 'h3', h3SessionFactory: factory });
    });

    afterAll(async () => {
      await client?.close();
      await factory?.close();
    });

    it('GETs 1 KB, 1 MB and 100 MB (SHA-256 match, access log HTTP/3.0)', async () => {
      for (const file of [docroot.file('1k.bin'), docroot.file('1m.bin'), big]) {
        const res = await client.fetch(caddy.url(file.urlPath));
        expect(res.protocol).toBe('h3');
        expectFile(await digest(res), file);
        const entry = await caddy.waitForAccess((e) => e.uri === file.urlPath && e.proto === 'HTTP/3.0');
        expect(entry).toMatchObject({ status: 200, size: file.size });
      }
      expect(factory.sessions).toHaveLength(1);
    }, 180_000);

    it('GETs 100 small files in parallel on one connection', async () => {
      const session = factory.sessions[0];
      const results = await Promise.all(
        small.map(async (name) => ({ name, got: await digest(await client.fetch(caddy.url(`/${name}`))) })),
      );
      for (const { name, got } of results) expectFile(got, docroot.file(name));
      expect(factory.sessions).toEqual([session]);
      for (const name of small) {
        await caddy.waitForAccess((e) => e.uri === `/${name}` && e.proto === 'HTTP/3.0');
      }
    });
  });

  it('auto: the first fetch goes over HTTP/2 and learns Alt-Svc, the next over HTTP/3 (access log)', async () => {
    const factory = new QuicH3SessionFactory();
    const client = createClient({ ca: cert.caPem, h3SessionFactory: factory });
    try {
      const first = await client.fetch(caddy.url('/1k.bin?first'));
      expect(first.protocol).toBe('h2');
      expect(first.headers.get('alt-svc')).toMatch(new RegExp(`h3=":${caddy.port}"`));
      expectFile(await digest(first), docroot.file('1k.bin'));
      const second = await client.fetch(caddy.url('/1k.bin?second'));
      expect(second.protocol).toBe('h3');
      expect(second.info.alternative).toBe(`127.0.0.1:${caddy.port}`);
      expectFile(await digest(second), docroot.file('1k.bin'));
      expect(await caddy.waitForAccess((e) => e.uri === '/1k.bin?first')).toMatchObject({ proto: 'HTTP/2.0' });
      const h3 = await caddy.waitForAccess((e) => e.uri === '/1k.bin?second');
      expect(h3).toMatchObject({ proto: 'HTTP/3.0', status: 200 });
    } finally {
      await client.close();
      await factory.close();
    }
  });

  it('UDP blocked (Caddy back on the same port with HTTP/3 off): fetches fall back to HTTP/2', async () => {
    const own = await startCaddy({ docroot: docroot.dir, cert, hosts: ['127.0.0.1'] });
    const port = own.port;
    const factory = new QuicH3SessionFactory();
    const client = createClient({ ca: cert.caPem, h3SessionFactory: factory });
    const baselineClient = createClient({ ca: cert.caPem, protocol: 'h2' });
    let tcpOnly: CaddyServer | undefined;
    try {
      // Learn the alternative while HTTP/3 is on, and use it.
      await digest(await client.fetch(own.url('/1k.bin?learn')));
      const h3 = await client.fetch(own.url('/1k.bin?h3'));
      expect(h3.protocol).toBe('h3');
      await digest(h3);
      // The connection ends (the pool's idle close, done by hand here: GOAWAY, CONNECTION_CLOSE H3_NO_ERROR)…
      factory.sessions[0].close();
      for (let i = 0; i < 100 && factory.sessions.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(factory.sessions).toEqual([]);
      // …and the server loses its UDP side: same port, TCP only. The client still holds the Alt-Svc entry.
      await own.stop();
      tcpOnly = await startCaddy({ docroot: docroot.dir, cert, hosts: ['127.0.0.1'], http3: false, port });
      const server = tcpOnly;
      const baseline = await timed(async () => digest(await baselineClient.fetch(server.url('/1k.bin?baseline'))));
      const first = await timed(async () => {
        const res = await client.fetch(server.url('/1k.bin?first'));
        return { res, body: await digest(res) };
      });
      expect(first.value.res.protocol).toBe('h2');
      // With a session ticket from the first connection the request went out in 0-RTT: no handshake within the
      // 300 ms head start, so it was sent again over TCP ('h3-retry'); without a ticket TCP wins the race.
      expect(['h3-slower', 'h3-failed', 'h3-retry']).toContain(first.value.res.info.fallback);
      expectFile(first.value.body, docroot.file('1k.bin'));
      const later = await timed(async () => {
        const res = await client.fetch(server.url('/1k.bin?later'));
        return { res, body: await digest(res) };
      });
      expect(later.value.res.protocol).toBe('h2');
      expectFile(later.value.body, docroot.file('1k.bin'));
      for (const uri of ['/1k.bin?first', '/1k.bin?later']) {
        expect(await server.waitForAccess((e) => e.uri === uri)).toMatchObject({ proto: 'HTTP/2.0', status: 200 });
      }
      console.log(
        `[measure] caddy UDP blocked: plain h2 fetch (new connection) ${baseline.ms.toFixed(0)} ms; first fetch ` +
          `with the dead h3 alternative ${first.ms.toFixed(0)} ms (fallback ${first.value.res.info.fallback}); ` +
          `next fetch ${later.ms.toFixed(0)} ms (${later.value.res.info.reusedConnection ? 'reused h2' : 'new'})`,
      );
    } finally {
      await client.close();
      await factory.close();
      await baselineClient.close();
      await tcpOnly?.stop();
    }
  });
});

describe('our client ↔ a TCP-only Node https server that advertises h3', () => {
  let server: Server;
  let port: number;
  let cert: CertificateFiles;
  let udpPort: number;

  beforeAll(async () => {
    cert = await generateCertificate({ kind: 'ec', issuer: 'ca' });
    udpPort = await freeUdpPort(); // nothing listens there: QUIC gets no reply
    server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      res.setHeader('alt-svc', `h3=":${udpPort}"; ma=3600`);
      res.end(`ok ${req.url}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fetches succeed over HTTP/1.1; only the first one after discovery pays for the dead alternative', async () => {
    const factory = new QuicH3SessionFactory();
    const client = createClient({ ca: cert.caPem, h3SessionFactory: factory });
    const origin = `https://127.0.0.1:${port}`;
    try {
      const discover = await timed(async () => (await client.fetch(`${origin}/a`)).text());
      expect(discover.value).toBe('ok /a');
      const first = await timed(async () => {
        const res = await client.fetch(`${origin}/b`);
        return { res, text: await res.text() };
      });
      expect(first.value.text).toBe('ok /b');
      expect(first.value.res.protocol).toBe('http/1.1');
      expect(first.value.res.info.fallback).toBe('h3-slower');
      const later = await timed(async () => {
        const res = await client.fetch(`${origin}/c`);
        return { res, text: await res.text() };
      });
      expect(later.value.text).toBe('ok /c');
      expect(later.value.res.protocol).toBe('http/1.1');
      console.log(
        `[measure] TCP-only https: discovery fetch ${discover.ms.toFixed(0)} ms; first fetch with the dead h3 ` +
          `alternative ${first.ms.toFixed(0)} ms (fallback ${first.value.res.info.fallback}); next fetch ` +
          `${later.ms.toFixed(0)} ms (fallback ${later.value.res.info.fallback})`,
      );
    } finally {
      await client.close();
      await factory.close();
    }
  });
});
