// Our HTTP/3 client (@fos/client over @fos/quic + @fos/http3) ↔ gtlsserver (ngtcp2 0.12 / nghttp3, GnuTLS), real
// UDP on loopback, every body checked by SHA-256: 1 KB, 1 MB, 100 MB; 100 parallel small files on one connection;
// 100 sequential fetches on one connection; 200 concurrent fetches within the server's stream limit; and, after the
// connection closed, a resumed connection that sends its request in 0-RTT — proved by gtlsserver's own log.
import { readFileSync } from 'node:fs';
import { createClient, type HttpClient, MemorySessionTicketCache, QuicH3SessionFactory } from '@fos/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CertificateFiles,
  createDocroot,
  type Docroot,
  describeWithPeers,
  type GtlsServer,
  generateCertificate,
  type ServedFile,
  startGtlsServer,
  writeRandomFile,
} from '../src/index.js';
import { digest, expectFile } from './support/bodies.js';

function ourClient(
  cert: CertificateFiles,
  factory: QuicH3SessionFactory,
  extra: Parameters<typeof createClient>[0] = {},
) {
  return createClient({ ca: cert.certPem, protocol: 'h3', h3SessionFactory: factory, ...extra });
}

/** Polls `predicate` every 20 ms until it holds (at most `ms`). */
async function until(predicate: () => boolean, ms = 5_000): Promise<boolean> {
  for (const end = Date.now() + ms; !predicate(); ) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describeWithPeers('our client ↔ gtlsserver (HTTP/3)', ['gtlsserver'], () => {
  let cert: CertificateFiles;
  let docroot: Docroot;
  let big: ServedFile;
  let server: GtlsServer;
  let factory: QuicH3SessionFactory;
  let client: HttpClient;
  const small = Array.from({ length: 100 }, (_, i) => `s/${i}.bin`);

  beforeAll(async () => {
    cert = await generateCertificate({ kind: 'ec' });
    docroot = await createDocroot({
      '1k.bin': 1024,
      '1m.bin': 1 << 20,
      ...Object.fromEntries(small.map((n, i) => [n, 500 + i])),
    });
    const path = `${docroot.dir}/100m.bin`;
    big = {
      name: '100m.bin',
      path,
      urlPath: '/100m.bin',
      size: 100 << 20,
      sha256: await writeRandomFile(path, 100 << 20),
    };
    server = await startGtlsServer({ docroot: docroot.dir, cert });
    factory = new QuicH3SessionFactory();
    client = ourClient(cert, factory);
  });

  afterAll(async () => {
    await client?.close();
    await factory?.close();
  });

  it('GETs 1 KB, 1 MB and 100 MB (SHA-256 match)', async () => {
    for (const file of [docroot.file('1k.bin'), docroot.file('1m.bin'), big]) {
      const res = await client.fetch(server.url(file.urlPath));
      expect(res.status).toBe(200);
      expect(res.protocol).toBe('h3');
      expectFile(await digest(res), file);
    }
    expect(factory.sessions).toHaveLength(1);
  }, 180_000);

  it('GETs 100 small files in parallel on one connection', async () => {
    const before = factory.sessions[0];
    const results = await Promise.all(
      small.map(async (name) => ({ name, got: await digest(await client.fetch(server.url(`/${name}`))) })),
    );
    for (const { name, got } of results) expectFile(got, docroot.file(name));
    expect(factory.sessions).toEqual([before]);
  });

  it('100 sequential fetches reuse one connection', async () => {
    const f = new QuicH3SessionFactory();
    const c = ourClient(cert, f);
    try {
      for (let i = 0; i < 100; i++) {
        const res = await c.fetch(server.url('/1k.bin'));
        expect(res.info.reusedConnection).toBe(i > 0);
        expectFile(await digest(res), docroot.file('1k.bin'));
      }
      expect(f.sessions).toHaveLength(1);
      expect(f.sessions[0].requestCount).toBe(100);
    } finally {
      await c.close();
      await f.close();
    }
  });

  it("200 concurrent fetches complete within the server's stream limit (--max-streams-bidi=50)", async () => {
    const limited = await startGtlsServer({ docroot: docroot.dir, cert, extraArgs: ['--max-streams-bidi=50'] });
    const f = new QuicH3SessionFactory();
    const c = ourClient(cert, f);
    let maxActive = 0;
    const sample = setInterval(() => {
      for (const s of f.sessions) maxActive = Math.max(maxActive, s.activeRequests);
    }, 1);
    try {
      const names = Array.from({ length: 200 }, (_, i) => small[i % small.length]);
      const results = await Promise.all(
        names.map(async (name) => {
          const res = await c.fetch(limited.url(`/${name}`));
          for (const s of f.sessions) maxActive = Math.max(maxActive, s.activeRequests);
          return { name, got: await digest(res) };
        }),
      );
      for (const { name, got } of results) expectFile(got, docroot.file(name));
      // ngtcp2 closes a connection that opens more streams than allowed (STREAM_LIMIT_ERROR, RFC 9000 §4.6): one
      // connection served all 200, and never more than 50 were open at once.
      expect(f.sessions).toHaveLength(1);
      expect(f.sessions[0].requestCount).toBe(200);
      expect(maxActive).toBeLessThanOrEqual(50);
      expect(maxActive).toBeGreaterThan(10);
    } finally {
      clearInterval(sample);
      await c.close();
      await f.close();
      await limited.stop();
    }
  });

  it('after the connection closed, the next fetch resumes and sends its request in 0-RTT (server log)', async () => {
    const verbose = await startGtlsServer({ docroot: docroot.dir, cert, verboseLog: true });
    const f = new QuicH3SessionFactory();
    const sessionCache = new MemorySessionTicketCache();
    const c = ourClient(cert, f, { sessionCache, pool: { idleTimeoutMs: 300 } });
    try {
      const first = await c.fetch(verbose.url('/1k.bin'));
      expectFile(await digest(first), docroot.file('1k.bin'));
      expect(first.info).toMatchObject({ resumed: false, earlyData: false });
      // The idle connection closes (GOAWAY, then CONNECTION_CLOSE H3_NO_ERROR); the session ticket stays.
      expect(await until(() => f.sessions.length === 0)).toBe(true);
      expect(sessionCache.size).toBeGreaterThan(0);

      const second = await c.fetch(verbose.url('/1m.bin'));
      expectFile(await digest(second), docroot.file('1m.bin'));
      expect(second.info).toMatchObject({ protocol: 'h3', resumed: true, earlyData: true });
      // gtlsserver decrypted a 0-RTT packet carrying our request stream (stream 0 of the new connection) and
      // answered it (RFC 9001 §4.6.1).
      const log = readFileSync(verbose.logFile as string, 'utf8');
      const zeroRtt = /frm rx \d+ 0RTT STREAM\(0x0[8-f]\) id=0x0 fin=1 /;
      expect(log).toMatch(zeroRtt);
      // …on the second connection (the first one never had 0-RTT keys), for the request we sent.
      const second0Rtt = log.slice(log.search(zeroRtt));
      expect(second0Rtt).toMatch(/http: stream 0x0 \[:path: \/1m\.bin\]/);
    } finally {
      await c.close();
      await f.close();
      await verbose.stop();
    }
  });
});
