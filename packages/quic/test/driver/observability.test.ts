import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QlogSink, resolve } from '@fos/core';
import { parseKeyLog } from '@fos/crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createQuicEndpoint } from '../../src/api/quic-endpoint.js';
import { FileQlogSink } from '../../src/qlog/file-qlog-sink.js';
import { CLIENT_HOST, echo, readAll, SERVER_HOST, text, World } from './support/world.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('observability', () => {
  it('registerQuic({ qlogDir }) writes a qvis-loadable JSON-SEQ trace per connection and side', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fos-qlog-e2e-'));
    dirs.push(dir);
    const world = await World.create();
    const serverContainer = world.container(SERVER_HOST, 'server', { qlogDir: dir });
    const clientContainer = world.container(CLIENT_HOST, 'client', { qlogDir: dir });
    expect(resolve(serverContainer, QlogSink)).toBeInstanceOf(FileQlogSink);
    const server = await createQuicEndpoint(serverContainer, { bind: { port: 443 }, server: { alpn: 'echo' } });
    echo(server);
    const client = await createQuicEndpoint(clientContainer);
    const conn = await world.drive(
      client.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' }),
    );
    const s = await conn.openBidirectionalStream();
    await s.end(text('traced'));
    await world.drive(readAll(s));
    await world.drive(conn.close(0, 'done'));
    await world.until(() => server.connectionCount === 0, 5000);
    await Promise.all([client.close(), server.close()]);
    await (resolve(serverContainer, QlogSink) as FileQlogSink).close();
    await (resolve(clientContainer, QlogSink) as FileQlogSink).close();

    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^[0-9a-f]{16}_client\.sqlog$/);
    expect(files[1]).toBe(files[0].replace('_client', '_server'));
    for (const f of files) {
      const recs = readFileSync(join(dir, f), 'utf8')
        .split('\u001e')
        .slice(1)
        .map((r) => JSON.parse(r));
      expect(recs[0].qlog_format).toBe('JSON-SEQ');
      const names = new Set(recs.slice(1).map((r: { name: string }) => r.name));
      for (const n of [
        'transport:connection_started',
        'transport:packet_sent',
        'transport:packet_received',
        'transport:connection_state_updated',
        'transport:connection_closed',
      ]) {
        expect(names).toContain(n);
      }
    }
  });

  it('the TLS key-log callback receives SSLKEYLOGFILE lines for every secret (both sides)', async () => {
    const lines: string[] = [];
    const world = await World.create({ keyLog: (l) => lines.push(l) });
    const server = await world.server();
    const client = await world.client();
    await world.drive(client.connect({ address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' }));
    await world.drive(Promise.all([client.close(), server.close()]));
    const labels = new Set(parseKeyLog(lines.join('\n')).map((e) => e.label));
    for (const l of [
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'SERVER_TRAFFIC_SECRET_0',
    ]) {
      expect(labels).toContain(l);
    }
  });
});
