// The real HTTP/3 path (QuicH3SessionFactory over @fos/quic) against @fos/server on loopback UDP, beside the client's
// HTTP/2 over TCP to node:http2 as a baseline. Client and server share this process (and its CPU): compare rows of
// one run. Run: npx vitest bench --run --project client packages/client/bench/h3.bench.ts
import { generateSelfSignedCertificate } from '@fos/crypto';
import { createHttp3Server } from '@fos/server';
import { afterAll, bench, describe } from 'vitest';
import { createClient, QuicH3SessionFactory } from '../src/index.js';
import { createPki } from '../test/support/pki.js';
import { startServer } from '../test/support/servers.js';

const MIB = 1 << 20;
const payload = new Uint8Array(8 * MIB).fill(7);
const cert = await generateSelfSignedCertificate();
const h3server = await createHttp3Server({
  host: '127.0.0.1',
  port: 0,
  certificate: { cert: cert.certPem, key: cert.keyPem },
  handler: async (req, res) => {
    if (req.path === '/big') await res.send(payload);
    else await res.send('ok');
  },
});
const factory = new QuicH3SessionFactory();
const h3 = createClient({ ca: cert.certPem, protocol: 'h3', h3SessionFactory: factory });
const h3origin = `https://localhost:${h3server.address.port}`;
const pki = await createPki();
const h2server = await startServer('h2-only', pki.leaf);
const h2 = createClient({ ca: pki.ca.certPem, protocol: 'h2' });

afterAll(async () => {
  await Promise.all([h3.close(), h2.close()]);
  await factory.close();
  await Promise.all([h3server.close(), h2server.close()]);
});

describe('100 concurrent small GETs on one warm connection', () => {
  bench('fos h3 (QUIC, @fos/server)', async () => {
    await Promise.all(Array.from({ length: 100 }, async () => (await h3.fetch(`${h3origin}/small`)).arrayBuffer()));
  });
  bench('fos h2 (TLS, node:http2 server) — baseline', async () => {
    await Promise.all(
      Array.from({ length: 100 }, async () => (await h2.fetch(`${h2server.origin}/echo`)).arrayBuffer()),
    );
  });
});

describe('8 MiB download', () => {
  bench(
    'fos h3 (QUIC, @fos/server)',
    async () => {
      await (await h3.fetch(`${h3origin}/big`)).arrayBuffer();
    },
    { iterations: 5, time: 0 },
  );
  bench(
    'fos h2 (TLS, node:http2 server) — baseline',
    async () => {
      await (await h2.fetch(`${h2server.origin}/bytes?n=${8 * MIB}`)).arrayBuffer();
    },
    { iterations: 5, time: 0 },
  );
});
