// Real loopback UDP: createHttp3Server (generated certificate, node:dgram, CUBIC) and an H3 client endpoint.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerNewReno } from '@fos/congestion-newreno';
import { Clock, createContainer, registerCore, resolve } from '@fos/core';
import { registerCrypto } from '@fos/crypto';
import { createQuicEndpoint, registerQuic } from '@fos/quic';
import { registerUdp } from '@fos/udp';
import { describe, expect, it } from 'vitest';
import { createHttp3Server } from '../src/create-server.js';
import type { Http3Handler } from '../src/handler.js';
import { generatedBytes } from '../src/static/generated-bytes.js';
import { serveStatic } from '../src/static/serve-static.js';
import { H3TestClient, headerOf, str } from './support/h3-client.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('over real UDP (loopback)', () => {
  it('serves files, /bytes/N and a push to an HTTP/3 client; closes gracefully', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fos-udp-'));
    const file = new Uint8Array(1 << 20).map((_, i) => (i * 13) & 0xff);
    writeFileSync(join(dir, '1m.bin'), file);
    const files = serveStatic(dir);
    const handler: Http3Handler = async (req, res) => {
      if (req.path === '/page') {
        res.push('/1m.bin', { dispatch: true });
        await res.end('page');
        return;
      }
      await files(req, res);
    };
    const server = await createHttp3Server({ host: '127.0.0.1', port: 0, handler });
    expect(server.certificate?.generated).toBe(true);
    const c = createContainer();
    registerCore(c);
    registerUdp(c);
    registerCrypto(c, { tls: { verify: { ca: server.certificate!.certPem } } });
    registerNewReno(c);
    registerQuic(c);
    const endpoint = await createQuicEndpoint(c, { bind: { address: '127.0.0.1', port: 0 } });
    const clock = resolve(c, Clock);
    try {
      const client = await H3TestClient.connect(
        endpoint,
        { address: '127.0.0.1', port: server.address.port, serverName: 'localhost' },
        () => clock.now(),
        { maxPushId: 4 },
      );
      const [f, g, page] = await Promise.all([client.get('/1m.bin'), client.get('/bytes/300000'), client.get('/page')]);
      expect(f.status).toBe(200);
      expect(sha(f.body)).toBe(sha(file));
      expect(sha(g.body)).toBe(sha(generatedBytes(300_000)));
      expect(str(page.body)).toBe('page');
      const pushed = await client.pushes.get(0)!.response;
      expect(headerOf(pushed.headers, 'content-length')).toBe(String(file.length));
      expect(sha(pushed.body)).toBe(sha(file));
      await server.close({ graceMs: 1000 });
      const closed = await client.closed;
      expect(closed.code).toBe(0x100); // H3_NO_ERROR
    } finally {
      await endpoint.close();
      await server.close({ graceMs: 0 });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
