import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransportErrorCode } from '@fos/core';
import { H3ErrorCode, H3UsageError, H3UsageErrorKind } from '@fos/http3';
import { HandshakeFailedError } from '@fos/quic';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from '../src/access-log.js';
import type { Http3Session } from '../src/session.js';
import { type H3TestClient, requestHeaders, str } from './support/h3-client.js';
import { TARGET, World } from './support/world.js';

describe('multiplexing (issue 6 acceptance)', () => {
  it('2000 small files over one connection whose initial bidi stream limit is 100: MAX_STREAMS flows', async () => {
    const world = await World.create({ link: { delayMs: 5 } });
    const sessions: Http3Session[] = [];
    let highestStreamId = -1;
    const server = await world.server({
      limits: { maxConcurrentRequests: 100 },
      handler: (req, res) => {
        highestStreamId = Math.max(highestStreamId, req.streamId);
        void res.end(`file ${req.pathname}`);
      },
    });
    server.sessions$.subscribe((s) => sessions.push(s));
    const client = await world.client();
    const all = Array.from({ length: 2000 }, (_, i) => client.get(`/f/${i}`));
    const results = await world.drive(Promise.all(all), 120_000);
    expect(results.every((r, i) => r.status === 200 && str(r.body) === `file /f/${i}`)).toBe(true);
    expect(sessions.length).toBe(1);
    expect(sessions[0].requestCount).toBe(2000);
    expect(server.stats.requests).toBe(2000);
    // the client opened request streams 0, 4, … 7996: 20× the initial limit, so MAX_STREAMS was raised
    expect(client.quic.connection.peerTransportParameters?.initialMaxStreamsBidi).toBe(100);
    expect(highestStreamId).toBe(4 * 1999);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });
});

describe('graceful shutdown (RFC 9114 §5.2)', () => {
  it('under load: GOAWAY, every request in flight completes, new requests are refused, close with H3_NO_ERROR', async () => {
    const world = await World.create({ link: { delayMs: 10 } });
    let started = 0;
    const server = await world.server({
      handler: async (req, res) => {
        started++;
        // a slow response: 20 chunks, 25 ms apart (virtual time)
        for (let i = 0; i < 20; i++) {
          await res.write(new Uint8Array(4096));
          await new Promise<void>((r) => {
            const t = world.clock.createTimer(r);
            t.set(world.clock.now() + 25);
          });
        }
        await res.end(req.path);
      },
    });
    const client = await world.client();
    const session = await world.drive(firstValueFrom(server.sessions$));
    const inFlight = Array.from({ length: 50 }, (_, i) => client.get(`/slow/${i}`));
    await world.until(() => started === 50);
    const closing = server.close({ graceMs: 5000 });
    await world.until(() => client.goaways.length > 0);
    // RFC 9114 §5.2: no new request after a GOAWAY
    let refused: unknown;
    try {
      client.h3.request(requestHeaders('GET', '/late'), { endStream: true });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(H3UsageError);
    expect((refused as H3UsageError).kind).toBe(H3UsageErrorKind.GOING_AWAY);
    const results = await world.drive(Promise.all(inFlight));
    expect(
      results.every(
        (r, i) => r.status === 200 && r.error === undefined && r.body.length === 20 * 4096 + `/slow/${i}`.length,
      ),
    ).toBe(true);
    // the client, told GOAWAY and done, may close first: either way with H3_NO_ERROR (RFC 9114 §5.2)
    const closed = await world.drive(client.closed);
    expect(closed.code).toBe(H3ErrorCode.H3_NO_ERROR);
    expect((await world.drive(session.closed)).code).toBe(H3ErrorCode.H3_NO_ERROR);
    // the first GOAWAY announced the shutdown, the second named the first request not processed (RFC 9114 §5.2)
    expect(client.goaways.length).toBe(2);
    expect(client.goaways[1]).toBe(200);
    expect(client.goaways[0]).toBeGreaterThan(client.goaways[1]);
    await world.drive(closing);
    expect(server.stats.openConnections).toBe(0);
    await world.closeClients();
  });

  it('the grace period ends: connections still busy are closed', async () => {
    const world = await World.create();
    const server = await world.server({
      handler: async (_req, res) => {
        await res.write('never ends');
      },
    });
    const client = await world.client();
    const r = client.get('/stuck');
    await world.until(() => server.stats.openConnections === 1 && [...server.sessions][0].activeRequests === 1);
    const t0 = world.clock.now();
    await world.drive(server.close({ graceMs: 500 }));
    expect(world.clock.now() - t0).toBeGreaterThanOrEqual(500);
    const res = await world.drive(r);
    expect(res.error).toBeDefined();
    await world.closeClients();
  });
});

describe('limits', () => {
  it('connections beyond maxConnections are refused (CONNECTION_REFUSED)', async () => {
    const world = await World.create();
    const server = await world.server({ limits: { maxConnections: 2 }, handler: (_q, r) => void r.end('ok') });
    const clients: H3TestClient[] = [];
    for (let i = 0; i < 2; i++)
      clients.push(await world.client({}, await world.clientEndpoint(world.clientContainer(`10.0.1.${i + 1}`))));
    const third = await world.clientEndpoint(world.clientContainer('10.0.1.9'));
    const err = await world.drive(third.connect({ ...TARGET, alpn: 'h3' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeFailedError);
    expect((err as HandshakeFailedError).code).toBe(TransportErrorCode.CONNECTION_REFUSED);
    const ok = await world.drive(clients[1].get('/'));
    expect(ok.status).toBe(200);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('a client may open only maxConcurrentRequests request streams at once', async () => {
    const world = await World.create();
    let concurrent = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const server = await world.server({
      limits: { maxConcurrentRequests: 8 },
      handler: async (_req, res) => {
        concurrent++;
        peak = Math.max(peak, concurrent);
        await new Promise<void>((r) => release.push(r));
        concurrent--;
        await res.end('x');
      },
    });
    const client = await world.client();
    const all = Array.from({ length: 30 }, (_, i) => client.get(`/${i}`));
    await world.run(500);
    expect(peak).toBe(8);
    // from now on, release every waiting handler each virtual millisecond
    const drainer = world.clock.createTimer(function tick() {
      for (const r of release.splice(0)) r();
      drainer.set(world.clock.now() + 1);
    });
    drainer.set(world.clock.now());
    const done = await world.drive(Promise.all(all));
    drainer.clear();
    expect(done.map((r) => r.status)).toEqual(done.map(() => 200));
    expect(peak).toBe(8);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });
});

describe('0-RTT, Retry, qlog and key log', () => {
  it('accepts 0-RTT from a resuming client: the request arrives in early data and is answered', async () => {
    const world = await World.create();
    const log: AccessLogEntry[] = [];
    const server = await world.server({
      earlyData: true,
      accessLog: (e) => log.push(e),
      handler: (req, res) => void res.end(`early=${req.earlyData}`),
    });
    // With 0-RTT enabled, sessions start as soon as the connection exists, before its handshake completed.
    const sessions: Http3Session[] = [];
    const startedHandshaking: boolean[] = [];
    server.sessions$.subscribe((s) => {
      sessions.push(s);
      startedHandshaking.push(!s.quic.handshakeComplete);
    });
    const endpoint = await world.clientEndpoint();
    const first = await world.client({}, endpoint);
    expect(str((await world.drive(first.get('/one'))).body)).toBe('early=false');
    await world.run(200); // the session ticket arrives
    first.close();
    await world.drive(first.closed);

    const second = await world.client({}, endpoint, { earlyData: true });
    const t0 = world.clock.now();
    const r = second.get('/two');
    expect(second.quic.state).toBe('handshaking'); // the request goes out in 0-RTT packets
    const res = await world.drive(r);
    // RFC 9001 §4.1.1: answered in 0.5-RTT, one round trip (2 × 10 ms) after it left, not after the handshake.
    expect(world.clock.now() - t0).toBeLessThan(30);
    expect(str(res.body)).toBe('early=true');
    expect(second.quic.resumed).toBe(true);
    expect(second.quic.earlyData).toBe(true);
    expect(startedHandshaking).toEqual([true, true]);
    expect(sessions.map((s) => s.quic.earlyData === true)).toEqual([false, true]);
    expect(log.map((e) => [e.path, e.earlyData])).toEqual([
      ['/one', false],
      ['/two', true],
    ]);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('without earlyData the tickets do not allow 0-RTT: the resumed request goes in 1-RTT', async () => {
    const world = await World.create();
    const server = await world.server({ handler: (req, res) => void res.end(`early=${req.earlyData}`) });
    const endpoint = await world.clientEndpoint();
    const first = await world.client({}, endpoint);
    await world.drive(first.get('/'));
    await world.run(200);
    first.close();
    const second = await world.client({}, endpoint, { earlyData: true });
    const res = await world.drive(second.get('/'));
    expect(str(res.body)).toBe('early=false');
    // the ticket did not allow early data (max_early_data_size absent, RFC 8446 §4.6.1): none was attempted
    expect(second.quic.earlyData).toBeUndefined();
    expect(second.quic.resumed).toBe(true);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('retry: true validates the client address with a Retry first (RFC 9000 §8.1.2)', async () => {
    const world = await World.create();
    const server = await world.server({ retry: true, handler: (_q, r) => void r.end('ok') });
    const client = await world.client();
    expect((await world.drive(client.get('/'))).status).toBe(200);
    expect(server.endpoint.stats.retriesSent).toBe(1);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('wrapTransport sees every stream write of the HTTP/3 layer (instrumentation)', async () => {
    const world = await World.create();
    let written = 0;
    const server = await world.server({
      handler: (_q, r) => void r.end(new Uint8Array(5000)),
      wrapTransport: (t) =>
        new Proxy(t, {
          get(target, prop, receiver) {
            if (prop === 'write') {
              return (id: number, data: Uint8Array, fin: boolean) => {
                written += data.length;
                return target.write(id, data, fin);
              };
            }
            const v = Reflect.get(target, prop, receiver);
            return typeof v === 'function' ? v.bind(target) : v;
          },
        }),
    });
    const client = await world.client();
    expect((await world.drive(client.get('/'))).body.length).toBe(5000);
    expect(written).toBeGreaterThan(5000); // the body plus frame headers, SETTINGS, QPACK instructions
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('qlogDir writes one qlog file per connection; keyLogFile the TLS secrets', async () => {
    const world = await World.create();
    const dir = mkdtempSync(join(tmpdir(), 'fos-server-'));
    try {
      const keyLogFile = join(dir, 'keys.log');
      const lines: string[] = [];
      const server = await world.server({
        qlogDir: join(dir, 'qlog'),
        keyLogFile,
        keyLog: (l) => lines.push(l),
        handler: (_q, r) => void r.end('ok'),
      });
      const client = await world.client();
      await world.drive(client.get('/'));
      await world.drive(server.close({ graceMs: 0 }));
      await world.closeClients();
      const files = readdirSync(join(dir, 'qlog'));
      expect(files.filter((f) => f.endsWith('_server.sqlog')).length).toBe(1);
      expect(existsSync(keyLogFile)).toBe(true);
      const labels = readFileSync(keyLogFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]);
      expect(labels).toContain('SERVER_HANDSHAKE_TRAFFIC_SECRET');
      expect(labels).toContain('CLIENT_TRAFFIC_SECRET_0');
      expect(lines.length).toBe(labels.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
