import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HarnessError, HarnessErrorCode } from './errors.js';
import { freePort, freeTcpPort, freeUdpPort, hasIpv6Loopback, withPortRetry } from './ports.js';

function bindUdpExclusive(host: string, port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', reject);
    s.bind({ address: host, port, exclusive: true }, () => resolve(() => new Promise<void>((r) => s.close(() => r()))));
  });
}

function listenTcp(host: string, port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host, port }, () => resolve(() => new Promise<void>((r) => s.close(() => r()))));
  });
}

describe('free ports', () => {
  it('freeUdpPort / freeTcpPort return a port that can then be bound', async () => {
    const u = await freeUdpPort();
    expect(u).toBeGreaterThan(0);
    await (await bindUdpExclusive('127.0.0.1', u))();
    const t = await freeTcpPort();
    await (await listenTcp('127.0.0.1', t))();
  });

  it('freePort finds one number free on UDP and TCP of every host asked for', async () => {
    const hosts = (await hasIpv6Loopback()) ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    const port = await freePort({ hosts, protocols: ['tcp', 'udp'] });
    const closers: (() => Promise<void>)[] = [];
    for (const h of hosts) {
      closers.push(await listenTcp(h, port));
      closers.push(await bindUdpExclusive(h, port));
    }
    for (const c of closers) await c();
  });

  it('freePort throws NO_FREE_PORT when no candidate works', async () => {
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is not a local address: every bind fails.
    await expect(freePort({ hosts: ['192.0.2.1'], attempts: 2 })).rejects.toMatchObject({
      code: HarnessErrorCode.NO_FREE_PORT,
    });
  });
});

describe('withPortRetry', () => {
  it('retries PORT_IN_USE on a newly allocated port', async () => {
    const ports = [1111, 2222, 3333];
    const tried: number[] = [];
    const result = await withPortRetry(
      async (port, attempt) => {
        tried.push(port);
        if (attempt < 3) throw new HarnessError(HarnessErrorCode.PORT_IN_USE, 'taken');
        return `ok on ${port}`;
      },
      { allocate: async () => ports.shift() as number },
    );
    expect(tried).toEqual([1111, 2222, 3333]);
    expect(result).toBe('ok on 3333');
  });

  it('passes other errors straight through, without retrying', async () => {
    let calls = 0;
    await expect(
      withPortRetry(async () => {
        calls++;
        throw new HarnessError(HarnessErrorCode.START_FAILED, 'crashed');
      }),
    ).rejects.toMatchObject({ code: HarnessErrorCode.START_FAILED });
    expect(calls).toBe(1);
  });

  it('gives up with NO_FREE_PORT after `attempts` conflicts', async () => {
    let calls = 0;
    await expect(
      withPortRetry(
        async () => {
          calls++;
          throw new HarnessError(HarnessErrorCode.PORT_IN_USE, 'taken');
        },
        { attempts: 3, allocate: async () => 4242 },
      ),
    ).rejects.toMatchObject({ code: HarnessErrorCode.NO_FREE_PORT });
    expect(calls).toBe(3);
  });
});
