// 0-RTT rejected by a server whose limits shrank since the ticket (RFC 9001 §4.6.2, RFC 9000 §7.4.1): what the
// client sent under the remembered limits must not be replayed beyond the new ones.
import { describe, expect, it } from 'vitest';
import type { QuicServerOptions } from '../../src/api/options.js';
import { createQuicEndpoint } from '../../src/api/quic-endpoint.js';
import { echo, readAll, SERVER_HOST, World } from './support/world.js';

const TARGET = { address: SERVER_HOST, port: 443, alpn: 'echo', serverName: 'localhost' } as const;

async function rejectedByShrunkLimits(second: QuicServerOptions['transport'], payloadBytes: number, streams = 1) {
  const world = await World.create();
  const container = world.container(SERVER_HOST, 'server');
  const roomy = { initialMaxData: 1 << 20, initialMaxStreamData: 1 << 20, initialMaxStreamsBidi: 100 };
  const server1 = await createQuicEndpoint(container, {
    bind: { port: 443 },
    server: { alpn: 'echo', enableEarlyData: true, transport: roomy },
  });
  echo(server1);
  const client = await world.client();
  const first = await world.drive(client.connect(TARGET));
  await world.until(() => false, 300); // the NewSessionTicket arrives
  await world.drive(first.close());
  await server1.close();
  const server2 = await createQuicEndpoint(container, {
    bind: { port: 443 },
    server: { alpn: 'echo', enableEarlyData: true, transport: { ...roomy, ...second } },
  });
  echo(server2);
  const conn = await client.connect({ ...TARGET, earlyData: true });
  expect(conn.state).toBe('handshaking');
  const payload = new Uint8Array(payloadBytes).map((_, i) => i % 251);
  const echoes: Promise<Uint8Array>[] = [];
  for (let i = 0; i < streams; i++) {
    const s = await conn.openBidirectionalStream();
    void s.end(payload);
    echoes.push(readAll(s));
  }
  const results = await world.drive(Promise.all(echoes), 20_000);
  expect(conn.earlyData).toBe(false); // rejected: the server's limits shrank (RFC 9000 §7.4.1)
  expect(conn.state).not.toBe('closed');
  for (const r of results) expect(Buffer.from(r).equals(Buffer.from(payload))).toBe(true);
  await world.drive(Promise.all([client.close(), server2.close()]));
}

describe('0-RTT rejected because the server lowered its limits', () => {
  it('connection flow control: data sent in 0-RTT under a 1 MiB remembered limit goes again within 4 KiB', async () => {
    await rejectedByShrunkLimits({ initialMaxData: 4096 }, 64 * 1024);
  });

  it('stream flow control: a stream limit of 4 KiB is respected by the replay', async () => {
    await rejectedByShrunkLimits({ initialMaxStreamData: 4096 }, 32 * 1024);
  });

  it('stream count: streams opened in 0-RTT beyond the new limit wait for MAX_STREAMS', async () => {
    await rejectedByShrunkLimits({ initialMaxStreamsBidi: 2 }, 1000, 5);
  });
});
