// The Quickstart demo (`npm start`): HTTP/3 on loopback, in pure TypeScript.
//  1. A fresh self-signed certificate is generated in-process (@fos/crypto, no openssl).
//  2. The bundled HTTP/3 server (@fos/server) listens on 127.0.0.1 (UDP, an ephemeral port), 0-RTT enabled.
//  3. The fetch client (@fos/client) talks to it over HTTP/3: one GET, parallel GETs on the same connection, an
//     upload; then the connection closes, and a second connection resumes the TLS session and sends its GET in
//     0-RTT. What happened is printed from both sides.
// The process exits 0 only if every check holds (HTTP/3 used, bodies intact, one connection for the parallel
// requests, the resumed request really travelled in 0-RTT and the server saw it so).
import { createHash } from 'node:crypto';
import {
  type ClientResponse,
  createClient,
  MemorySessionTicketCache,
  QuicH3SessionFactory,
  spkiSha256,
} from '@fos/client';
import { generateSelfSignedCertificate } from '@fos/crypto';
import { type AccessLogEntry, createHttp3Server, fetchHandler } from '@fos/server';

const PARALLEL = 20;
const CHUNK_BYTES = 64 * 1024;
const UPLOAD_BYTES = 1024 * 1024;

/** Deterministic bytes (so both sides can check content without shipping it twice). */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const checks: Array<{ what: string; ok: boolean }> = [];
function check(what: string, ok: boolean): boolean {
  checks.push({ what, ok });
  return ok;
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : `${v.toFixed(1)} ms`;
}

async function bytesOf(res: ClientResponse): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

async function main(): Promise<number> {
  const started = performance.now();
  console.log(
    'fos demo: HTTP/3 (RFC 9114) over QUIC (RFC 9000) on loopback, pure TypeScript on node:dgram + node:crypto\n',
  );

  // 1. A self-signed certificate for localhost / 127.0.0.1, made in-process.
  const cert = await generateSelfSignedCertificate();
  const pin = spkiSha256(cert.certPem);

  // 2. The bundled HTTP/3 server: a small app on a fetch-style handler; the access log feeds the report.
  const served: AccessLogEntry[] = [];
  const server = await createHttp3Server({
    host: '127.0.0.1',
    port: 0,
    certificate: { cert: cert.certPem, key: cert.keyPem },
    earlyData: true, // RFC 9001 §4.6: accept 0-RTT for safe methods (RFC 8470)
    accessLog: (entry) => served.push(entry),
    handler: fetchHandler(async (req, { request }) => {
      const url = new URL(req.url);
      if (url.pathname === '/hello') {
        return new Response(`hello over HTTP/3${request.earlyData ? ' (your request came in 0-RTT)' : ''}\n`, {
          headers: { 'content-type': 'text/plain', 'x-early-data': request.earlyData ? '1' : '0' },
        });
      }
      if (url.pathname.startsWith('/data/')) {
        return new Response(pattern(CHUNK_BYTES, Number(url.pathname.slice(6)) + 1), {
          headers: { 'content-type': 'application/octet-stream' },
        });
      }
      if (url.pathname === '/upload' && req.method === 'POST') {
        const body = new Uint8Array(await req.arrayBuffer());
        return new Response(JSON.stringify({ bytes: body.length, sha256: sha256(body) }), {
          headers: { 'content-type': 'application/json' },
        });
      }
      return new Response('not found\n', { status: 404 });
    }),
  });
  const origin = `https://127.0.0.1:${server.address.port}`;
  console.log(`server   ${origin}  (UDP; self-signed certificate generated just now, SPKI pin sha256//${pin})`);

  // 3. The client: trusts that certificate, speaks HTTP/3 directly (no Alt-Svc round), keeps session tickets.
  const factory = new QuicH3SessionFactory();
  const sessionCache = new MemorySessionTicketCache();
  const client = createClient({ ca: cert.certPem, protocol: 'h3', h3SessionFactory: factory, sessionCache });
  try {
    // a. One GET: a new QUIC connection (1-RTT handshake).
    const hello = await client.fetch(`${origin}/hello`);
    const helloText = await hello.text();
    check('GET /hello answered 200 over HTTP/3', hello.status === 200 && hello.protocol === 'h3');
    console.log(
      `\n1. GET /hello             → ${hello.status} over ${hello.protocol}: "${helloText.trim()}"\n` +
        `   new QUIC connection, handshake ${ms(hello.info.handshakeMs)}, time to first byte ${ms(hello.info.ttfbMs)}`,
    );

    // b. Parallel GETs: one stream each, all on the same connection.
    const t0 = performance.now();
    const bodies = await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const res = await client.fetch(`${origin}/data/${i}`);
        return { i, res, body: await bytesOf(res) };
      }),
    );
    const elapsed = performance.now() - t0;
    const intact = bodies.every(({ i, body }) => sha256(body) === sha256(pattern(CHUNK_BYTES, i + 1)));
    const reused = bodies.every(({ res }) => res.protocol === 'h3' && res.info.reusedConnection);
    const session = factory.sessions[0];
    check(`${PARALLEL} parallel GETs intact`, intact);
    check(`${PARALLEL} parallel GETs on the first connection`, reused && factory.sessions.length === 1);
    const total = bodies.reduce((n, b) => n + b.body.length, 0);
    console.log(
      `2. ${PARALLEL} parallel GET /data/* → ${total} bytes in ${ms(elapsed)}, SHA-256 ${intact ? 'ok' : 'MISMATCH'}; ` +
        `one connection, ${session?.requestCount ?? 0} request streams so far`,
    );

    // c. An upload with a streamed request body.
    const upload = pattern(UPLOAD_BYTES, 99);
    const posted = await client.fetch(`${origin}/upload`, { method: 'POST', body: upload });
    const receipt = (await posted.json()) as { bytes: number; sha256: string };
    check('upload received intact', receipt.bytes === UPLOAD_BYTES && receipt.sha256 === sha256(upload));
    console.log(
      `3. POST /upload 1 MiB      → server received ${receipt.bytes} bytes, SHA-256 ${receipt.sha256 === sha256(upload) ? 'ok' : 'MISMATCH'}`,
    );

    // d. The connection goes away gracefully (GOAWAY, then CONNECTION_CLOSE with H3_NO_ERROR, RFC 9114 §5.2)…
    const stats = session.quic.stats;
    session.close();
    for (let i = 0; i < 200 && factory.sessions.length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    check('first connection closed cleanly', factory.sessions.length === 0);
    check('a session ticket was kept', sessionCache.size > 0);
    console.log(
      `   connection closed cleanly after ${stats.packetsSent} packets sent / ${stats.packetsReceived} received, ` +
        `${stats.packetsLost} lost; ${sessionCache.size} session ticket(s) kept`,
    );

    // …and the next request resumes the TLS session and goes out in 0-RTT (RFC 9001 §4.6.1).
    const again = await client.fetch(`${origin}/hello`);
    const againText = await again.text();
    const serverSaw0Rtt = again.headers.get('x-early-data') === '1';
    check('second connection resumed the TLS session', again.info.resumed);
    check('resumed GET sent in 0-RTT and accepted', again.info.earlyData);
    check('the server processed it as 0-RTT', serverSaw0Rtt);
    console.log(
      `4. GET /hello (reconnect)  → ${again.status} over ${again.protocol}: "${againText.trim()}"\n` +
        `   TLS resumed: ${again.info.resumed ? 'yes' : 'NO'}, request in 0-RTT: ${again.info.earlyData ? 'yes' : 'NO'}` +
        ` (server says ${serverSaw0Rtt ? 'yes' : 'NO'}), time to first byte ${ms(again.info.ttfbMs)}`,
    );
  } finally {
    await client.close();
    await factory.close();
    await server.close();
  }

  const early = served.filter((e) => e.earlyData).length;
  console.log(
    `\nserver access log: ${served.length} requests, ${early} in 0-RTT, ` +
      `${served.reduce((n, e) => n + e.bytesSent, 0)} bytes sent, ${served.reduce((n, e) => n + e.bytesReceived, 0)} received`,
  );
  const failed = checks.filter((c) => !c.ok);
  console.log(
    failed.length === 0
      ? `all ${checks.length} checks passed in ${ms(performance.now() - started)}`
      : `FAILED: ${failed.map((c) => c.what).join('; ')}`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error('demo failed:', e);
    process.exitCode = 1;
  },
);
