// The README's example, with port 0, a temporary ./public and the generated certificate, against a client.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerNewReno } from '@fos/congestion-newreno';
import { Clock, createContainer, registerCore, resolve } from '@fos/core';
import { registerCrypto } from '@fos/crypto';
import { createQuicEndpoint, registerQuic } from '@fos/quic';
import { registerUdp } from '@fos/udp';
import { expect, it } from 'vitest';
import { createHttp3Server, formatAccessLogLine, serveStatic } from '../src/index.js';
import { H3TestClient, str } from './support/h3-client.js';

it('the README example serves /hello with a push and static files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fos-readme-'));
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'style.css'), 'body{}');
  const lines: string[] = [];
  // --- as in the README (port 0 instead of 4433, no certificate: generated) ---
  const files = serveStatic(join(dir, 'public'));
  const server = await createHttp3Server({
    host: '127.0.0.1',
    port: 0,
    handler: async (req, res) => {
      if (req.pathname !== '/hello') return files(req, res);
      res.push('/style.css', { dispatch: true });
      res.setHeader('content-type', 'text/plain');
      await res.end(`hello over ${req.earlyData ? '0-RTT' : 'HTTP/3'}\n`);
    },
    accessLog: (e) => lines.push(formatAccessLogLine(e)),
  });
  // ---
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
      { maxPushId: 8 },
    );
    const r = await client.get('/hello');
    expect(str(r.body)).toBe('hello over HTTP/3\n');
    expect(str((await client.pushes.get(0)!.response).body)).toBe('body{}');
    await server.close();
    expect(lines.some((l) => l.includes('"GET /hello HTTP/3" 200 18'))).toBe(true);
    expect(lines.some((l) => l.includes('"GET /style.css HTTP/3" 200 6') && l.includes('push=0'))).toBe(true);
  } finally {
    await endpoint.close();
    await server.close({ graceMs: 0 });
    rmSync(dir, { recursive: true, force: true });
  }
});
