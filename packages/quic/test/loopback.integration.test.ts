import { createHash } from 'node:crypto';
import { registerNewReno } from '@fos/congestion-newreno';
import { createContainer, type DependencyContainer, registerCore, SystemClock } from '@fos/core';
import { generateSelfSignedCertificate, registerCrypto } from '@fos/crypto';
import { registerUdp } from '@fos/udp';
import { describe, expect, it } from 'vitest';
import { createQuicEndpoint } from '../src/api/quic-endpoint.js';
import type { QuicStream } from '../src/api/quic-stream.js';

// Real UDP on 127.0.0.1 (NodeUdpSocket + SystemClock): our client downloads from our server, sha256 checked.
// FOS_LOOPBACK_MB sets the size (default 100, issue 4's acceptance figure).
const MB = 1024 * 1024;
const SIZE = Number(process.env.FOS_LOOPBACK_MB ?? 100) * MB;

function payloadChunk(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function container(role: 'client' | 'server', certPem: string, keyPem: string): Promise<DependencyContainer> {
  const c = createContainer();
  registerCore(c, { clock: new SystemClock() });
  registerUdp(c);
  registerCrypto(c, {
    tls: role === 'server' ? { certificates: [{ chain: certPem, key: keyPem }] } : { verify: { ca: certPem } },
  });
  registerNewReno(c);
  return c;
}

describe('loopback UDP (integration)', () => {
  it(`our client downloads ${SIZE / MB} MB from our server, intact`, { timeout: 300_000 }, async () => {
    const cert = await generateSelfSignedCertificate();
    const server = await createQuicEndpoint(await container('server', cert.certPem, cert.keyPem), {
      bind: { address: '127.0.0.1', port: 0 },
      server: { alpn: 'fos-bulk' },
    });
    const client = await createQuicEndpoint(await container('client', cert.certPem, cert.keyPem), {
      bind: { address: '127.0.0.1', port: 0 },
    });
    // The server sends SIZE bytes of a deterministic pattern on every stream the client opens, then FIN.
    const chunk = payloadChunk(1 * MB, 42);
    const expected = createHash('sha256');
    for (let sent = 0; sent < SIZE; sent += chunk.length)
      expected.update(chunk.subarray(0, Math.min(chunk.length, SIZE - sent)));
    server.connections$.subscribe((conn) => {
      conn.incomingStreams$.subscribe((stream: QuicStream) => {
        void (async () => {
          await stream.read(); // the request
          for (let sent = 0; sent < SIZE; sent += chunk.length) {
            await stream.write(chunk.subarray(0, Math.min(chunk.length, SIZE - sent)));
          }
          await stream.end();
        })();
      });
    });
    const conn = await client.connect({
      address: '127.0.0.1',
      port: server.address.port,
      alpn: 'fos-bulk',
      serverName: 'localhost',
    });
    const stream = await conn.openBidirectionalStream();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await stream.end(new TextEncoder().encode('GET'));
    const hash = createHash('sha256');
    let received = 0;
    for await (const part of stream) {
      hash.update(part);
      received += part.length;
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    expect(received).toBe(SIZE);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    const s = conn.stats;
    console.log(
      `loopback: ${SIZE / MB} MB in ${ms.toFixed(0)} ms = ${(SIZE / MB / (ms / 1000)).toFixed(1)} MB/s; ` +
        `CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (both ends, one process); ` +
        `client: ${s.packetsReceived} packets received, ${s.packetsLost} lost, srtt ${s.smoothedRttMs.toFixed(2)} ms`,
    );
    await conn.close(0, 'done');
    await Promise.all([client.close(), server.close()]);
  });
});
