// The client's plugins reach QUIC through the DI container: congestion controller (CUBIC by default), crypto
// provider, qlog directory, key log; `createClient()` registers the real HTTP/3 factory by default.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CubicFactory } from '@fos/congestion-cubic';
import { type CongestionControllerFactory, type CryptoProvider, createContainer, resolve } from '@fos/core';
import { NodeCryptoProvider, parseKeyLog } from '@fos/crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, H3SessionFactory, QuicH3SessionFactory, registerClient } from '../../src/index.js';
import { H3World, readBody } from '../support/h3-world.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fos-client-h3-'));
  dirs.push(d);
  return d;
}

describe('HTTP/3 over QUIC: plugins through DI', () => {
  it('createClient() registers a QuicH3SessionFactory; a given factory replaces it', () => {
    const c = registerClient(createContainer());
    expect(resolve(c, H3SessionFactory)).toBeInstanceOf(QuicH3SessionFactory);
    const mine = new QuicH3SessionFactory();
    const c2 = registerClient(createContainer(), { h3SessionFactory: mine });
    expect(resolve(c2, H3SessionFactory)).toBe(mine);
  });

  it('uses the given congestion controller and crypto provider for QUIC', async () => {
    const world = new H3World();
    const server = await world.server();
    const created: string[] = [];
    const cubic = new CubicFactory();
    const congestion: CongestionControllerFactory = {
      name: 'recording-cubic',
      create: (o) => {
        created.push('cc');
        return cubic.create(o);
      },
    };
    const node = new NodeCryptoProvider();
    let calls = 0;
    const crypto = new Proxy(node, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls++;
          return v.apply(target, args);
        };
      },
    }) as CryptoProvider;
    const { client } = await world.client({ congestionController: congestion, cryptoProvider: crypto });
    await readBody(world, await world.drive(client.fetch('https://localhost/')));
    expect(created).toEqual(['cc']);
    expect(calls).toBeGreaterThan(10);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('writes one qlog file per connection into qlogDir, and TLS secrets into the key log', async () => {
    const qlogDir = tempDir();
    const keylogPath = join(tempDir(), 'keys.log');
    const world = new H3World();
    const server = await world.server();
    const { client, factory } = await world.client({ qlogDir, keylogPath });
    await readBody(world, await world.drive(client.fetch('https://localhost/')));
    await world.drive(client.close());
    await world.drive(factory.close()); // the endpoint finishes its qlog files
    await world.drive(server.close());
    const files = readdirSync(qlogDir);
    expect(files.filter((f) => f.endsWith('_client.sqlog'))).toHaveLength(1);
    const qlog = readFileSync(join(qlogDir, files[0]), 'utf8');
    expect(qlog).toContain('transport:packet_sent');
    const entries = parseKeyLog(readFileSync(keylogPath, 'utf8'));
    const labels = new Set(entries.map((e) => e.label));
    // RFC 9001 §5.1 secrets of the Handshake and 1-RTT levels, in NSS key log format.
    expect(labels).toContain('CLIENT_HANDSHAKE_TRAFFIC_SECRET');
    expect(labels).toContain('SERVER_TRAFFIC_SECRET_0');
  });

  it('a client created without a container uses real UDP and closes its sockets (no handle keeps Node alive)', async () => {
    const udp = (): number => process.getActiveResourcesInfo().filter((r) => r === 'UDPWRAP').length;
    const before = udp();
    const client = createClient({ protocol: 'h3', timeouts: { connectMs: 300 } });
    // Nothing listens on this port: the attempt times out, which needs the socket and the timers only.
    const err = await client.fetch('https://127.0.0.1:9/').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', phase: 'connect' });
    expect(udp()).toBe(before); // the endpoint's socket exists but is unref'd: it does not count as active
    await client.close();
    expect(udp()).toBe(before);
  });
});
