// Discovery (Alt-Svc), racing and fallback, in virtual time with the fake HTTP/3 factory and fake TCP transport.
// Times asserted here are virtual-clock values: exact and deterministic, not measurements.
import { describe, expect, it } from 'vitest';
import {
  alternativeKey,
  BodyNotReplayableError,
  ClientErrorCode,
  H3ConnectError,
  H3ErrorCode,
  TimeoutError,
} from '../src/index.js';
import { scenario } from './support/scenario.js';

const ORIGIN = 'https://example.test';
const ALT = 'h3="alt.example.test:8443"; ma=3600';
const altKey = alternativeKey('example.test', { protocolId: 'h3', host: 'alt.example.test', port: 8443 });

/** A scenario whose TCP responses advertise `alt` (default: HTTP/3 on alt.example.test:8443). */
function advertising(alt = ALT, extra: Parameters<typeof scenario>[0] = {}) {
  return scenario({
    ...extra,
    tcp: { handler: () => ({ status: 200, headers: [['alt-svc', alt]], body: 'via tcp' }), ...extra.tcp },
  });
}

describe('discovery through Alt-Svc', () => {
  it('first request over TCP learns Alt-Svc; the next goes over HTTP/3 to the alternative', async () => {
    const s = advertising();
    const first = await s.get(`${ORIGIN}/one`);
    expect(first.res.protocol).toBe('h2');
    expect(first.text).toBe('via tcp');
    expect(first.res.info.fallback).toBeUndefined();
    expect(s.h3.connects).toHaveLength(0);
    const cached = s.client.altSvc.lookup(ORIGIN, s.clock.now(), 'h3');
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatchObject({ host: 'alt.example.test', port: 8443, maxAgeSeconds: 3600 });

    const second = await s.get(`${ORIGIN}/two?q=1`);
    expect(second.res.protocol).toBe('h3');
    expect(second.text).toBe('h3 ok');
    expect(second.res.info.alternative).toBe('alt.example.test:8443');
    expect(s.h3.connects).toHaveLength(1);
    // RFC 7838 §2.1 / RFC 9114 §3.1: connect to the alternative, authenticate as the origin.
    expect(s.h3.connects[0].target).toEqual({
      host: 'alt.example.test',
      port: 8443,
      serverName: 'example.test',
      origin: ORIGIN,
    });
    const req = s.h3.requests[0];
    expect(req).toMatchObject({ method: 'GET', authority: 'example.test', path: '/two?q=1', earlyData: false });
    // RFC 7838 §5 Alt-Used names the alternative.
    expect(req.headers).toContainEqual(['alt-used', 'alt.example.test:8443']);

    const third = await s.get(`${ORIGIN}/three`);
    expect(third.res.protocol).toBe('h3');
    expect(third.res.info.reusedConnection).toBe(true);
    expect(s.h3.connects).toHaveLength(1);
    expect(s.tcp.connects).toHaveLength(1);
    await s.client.close();
  });

  it('passes TLS settings, the session cache and the DI services to the H3 factory', async () => {
    const pins = ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='];
    const s = advertising(ALT, {
      client: { pins, rejectUnauthorized: false, qlogDir: '/tmp/q', keylogPath: undefined },
    });
    await s.get(`${ORIGIN}/`);
    await s.get(`${ORIGIN}/`);
    const options = s.h3.connects[0].options;
    expect(options.tls).toEqual({ ca: undefined, rejectUnauthorized: false, spkiPins: pins });
    expect(options.qlogDir).toBe('/tmp/q');
    expect(options.enableEarlyData).toBe(true);
    expect(options.services.clock).toBe(s.clock);
    expect(options.services.allocator.bufferSize).toBeGreaterThan(0);
    expect(typeof options.sessionCache.take).toBe('function');
    await s.client.close();
  });

  it('Alt-Svc "clear" and expiry (ma) send requests back to TCP', async () => {
    // ma shorter than the pool's 30 s idle timeout, so the connection outlives the advertisement.
    let alt = 'h3=":443"; ma=20';
    const s = scenario({ tcp: { handler: () => ({ status: 200, headers: [['alt-svc', alt]] }) } });
    await s.get(`${ORIGIN}/`);
    expect((await s.get(`${ORIGIN}/`)).res.protocol).toBe('h3');
    s.clock.advance(21_000);
    // The HTTP/3 connection still exists (RFC 7838 §2.2: expiry limits new connections only)…
    expect((await s.get(`${ORIGIN}/`)).res.protocol).toBe('h3');
    await s.client.close();

    const t = scenario({ tcp: { handler: () => ({ status: 200, headers: [['alt-svc', alt]] }) } });
    t.h3.handler = () => ({ status: 200, headers: [['alt-svc', alt]] });
    await t.get(`${ORIGIN}/`);
    t.clock.advance(21_000);
    // …but without one, an expired alternative is not used (this TCP response advertises it again).
    expect((await t.get(`${ORIGIN}/`)).res.protocol).toBe('h2');
    alt = 'clear';
    // An alternative may clear itself (RFC 7838 §2.4: it is treated as the origin).
    expect((await t.get(`${ORIGIN}/`)).res.protocol).toBe('h3');
    expect(t.client.altSvc.lookup(ORIGIN, t.clock.now())).toHaveLength(0);
    expect((await t.get(`${ORIGIN}/`)).res.protocol).toBe('h2');
    expect(t.h3.connects).toHaveLength(1);
    await t.client.close();
  });

  it('ignores Alt-Svc from http: origins, from 421 responses and malformed values', async () => {
    const s = scenario({
      tcp: {
        handler: (r) =>
          r.url.pathname === '/421'
            ? { status: 421, headers: [['alt-svc', 'h3=":443"']] }
            : { status: 200, headers: [['alt-svc', r.url.pathname === '/bad' ? 'h3=443' : 'h3=":443"']] },
      },
    });
    await s.get('http://example.test/');
    expect(s.client.altSvc.size).toBe(0);
    await s.get(`${ORIGIN}/421`);
    expect(s.client.altSvc.size).toBe(0);
    await s.get(`${ORIGIN}/bad`);
    expect(s.client.altSvc.size).toBe(0);
    await s.client.close();
  });

  it('with HTTP/3 disabled (h3SessionFactory: null), auto stays on TCP and protocol "h3" fails with H3_UNAVAILABLE', async () => {
    const s = scenario({ withoutH3: true, tcp: { handler: () => ({ headers: [['alt-svc', 'h3=":443"']] }) } });
    await s.get(`${ORIGIN}/`);
    expect((await s.get(`${ORIGIN}/`)).res.protocol).toBe('h2');
    const error = await s.settleError(s.client.fetch(`${ORIGIN}/`, { protocol: 'h3' }));
    expect(error).toMatchObject({ code: ClientErrorCode.H3_UNAVAILABLE });
    await s.client.close();
  });
});

describe('racing HTTP/3 against TCP', () => {
  it('QUIC that connects within the head start carries the request; TCP is not tried', async () => {
    const s = advertising(ALT, { h3: { handshakeMs: 120 } });
    await s.get(`${ORIGIN}/`);
    const tcpBefore = s.tcp.connects.length;
    const t0 = s.clock.now();
    const { res } = await s.get(`${ORIGIN}/`);
    expect(res.protocol).toBe('h3');
    expect(s.clock.now() - t0).toBe(120);
    expect(res.info.handshakeMs).toBe(120);
    expect(s.tcp.connects.length).toBe(tcpBefore);
    await s.client.close();
  });

  it('UDP black hole: TCP starts after 300 ms and wins; QUIC times out and is marked broken; later requests pay nothing', async () => {
    const s = advertising(ALT, { client: { h3: { connectTimeoutMs: 1000 } } });
    await s.get(`${ORIGIN}/`);
    s.tcp.dropConnections();
    s.h3.nextConnect({ kind: 'blackhole' });
    const t0 = s.clock.now();
    const first = await s.get(`${ORIGIN}/a`);
    expect(first.res.protocol).toBe('h2');
    expect(first.res.info.fallback).toBe('h3-slower');
    const tcpStart = s.tcp.connects.at(-1)!.atMs;
    expect(tcpStart - t0).toBe(300);
    // The first fallback costs the head start plus a TCP handshake (20 ms here): well under a second.
    expect(s.clock.now() - t0).toBe(320);

    // A request while the QUIC attempt is still pending does not wait again.
    const t1 = s.clock.now();
    const during = await s.get(`${ORIGIN}/b`);
    expect(during.res.protocol).toBe('h2');
    expect(s.clock.now() - t1).toBe(0);
    expect(s.h3.connects).toHaveLength(1);

    // The attempt times out at t0 + 1000 and marks the alternative broken.
    await s.clock.runUntil(() => s.h3.connects[0].error !== undefined, 2000);
    expect(s.h3.connects[0].error).toBeInstanceOf(TimeoutError);
    expect(s.clock.now() - t0).toBe(1000);
    expect(s.client.altSvc.isBroken(altKey, s.clock.now())).toBe(true);

    const t2 = s.clock.now();
    const later = await s.get(`${ORIGIN}/c`);
    expect(later.res.protocol).toBe('h2');
    expect(later.res.info.fallback).toBe('h3-broken');
    expect(s.clock.now() - t2).toBe(0);
    expect(s.h3.connects).toHaveLength(1);
    await s.client.close();
  });

  it('a fast QUIC failure (version negotiation) starts TCP at once', async () => {
    const s = advertising();
    await s.get(`${ORIGIN}/`);
    s.tcp.dropConnections();
    s.h3.nextConnect({ kind: 'fail', afterMs: 15, failure: 'version-negotiation' });
    const t0 = s.clock.now();
    const { res } = await s.get(`${ORIGIN}/`);
    expect(res.protocol).toBe('h2');
    expect(res.info.fallback).toBe('h3-failed');
    expect(s.tcp.connects.at(-1)!.atMs - t0).toBe(15);
    expect(s.h3.connects[0].error).toBeInstanceOf(H3ConnectError);
    expect(s.client.altSvc.isBroken(altKey, s.clock.now())).toBe(true);
    await s.client.close();
  });

  it('QUIC slower than TCP: TCP carries this request, the late QUIC connection serves the next', async () => {
    const s = advertising(ALT, { h3: { handshakeMs: 800 } });
    await s.get(`${ORIGIN}/`);
    s.tcp.dropConnections();
    const first = await s.get(`${ORIGIN}/`);
    expect(first.res.protocol).toBe('h2');
    expect(first.res.info.fallback).toBe('h3-slower');
    await s.clock.runUntil(() => s.h3.sessions[0]?.handshakeComplete === true, 2000);
    const next = await s.get(`${ORIGIN}/`);
    expect(next.res.protocol).toBe('h3');
    expect(next.res.info.reusedConnection).toBe(false);
    expect(s.h3.connects).toHaveLength(1);
    expect(s.client.altSvc.isBroken(altKey, s.clock.now())).toBe(false);
    await s.client.close();
  });

  it('a broken alternative is retried after its back-off (5 min, then 10 min)', async () => {
    const s = advertising(ALT, { client: { h3: { connectTimeoutMs: 1000 } } });
    await s.get(`${ORIGIN}/`);
    s.h3.nextConnect({ kind: 'fail', failure: 'handshake-failed' }, { kind: 'fail', failure: 'handshake-failed' });
    const { res } = await s.get(`${ORIGIN}/`);
    expect(res.info.fallback).toBe('h3-failed');
    const firstUntil = s.client.altSvc.brokenUntil(altKey)!;
    expect(firstUntil - s.clock.now()).toBe(5 * 60_000);
    s.clock.advance(5 * 60_000 - 1);
    expect((await s.get(`${ORIGIN}/`)).res.info.fallback).toBe('h3-broken');
    s.clock.advance(1);
    expect((await s.get(`${ORIGIN}/`)).res.info.fallback).toBe('h3-failed');
    expect(s.h3.connects).toHaveLength(2);
    expect(s.client.altSvc.brokenUntil(altKey)! - s.clock.now()).toBe(10 * 60_000);
    s.clock.advance(10 * 60_000);
    expect((await s.get(`${ORIGIN}/`)).res.protocol).toBe('h3');
    expect(s.client.altSvc.brokenUntil(altKey)).toBeUndefined();
    await s.client.close();
  });

  it('an abort while racing rejects with AbortError', async () => {
    const s = advertising();
    await s.get(`${ORIGIN}/`);
    s.h3.nextConnect({ kind: 'blackhole' });
    s.tcp.dropConnections();
    s.tcp.connectMs = 10_000;
    const ac = new AbortController();
    const pending = s.client.fetch(`${ORIGIN}/`, { signal: ac.signal });
    s.clock.createTimer(() => ac.abort()).set(s.clock.now() + 500);
    expect(await s.settleError(pending)).toMatchObject({ code: ClientErrorCode.ABORTED });
    await s.client.close();
  });
});

describe("protocol 'h3' (HTTP/3 only)", () => {
  it('connects over QUIC to the origin itself, without Alt-Svc', async () => {
    const s = scenario();
    const { res, text } = await s.get('https://h3only.test:4433/x', { protocol: 'h3' });
    expect(res.protocol).toBe('h3');
    expect(text).toBe('h3 ok');
    expect(s.h3.connects[0].target).toMatchObject({ host: 'h3only.test', port: 4433, serverName: 'h3only.test' });
    expect(s.tcp.connects).toHaveLength(0);
    expect(s.h3.requests[0].headers.find(([n]) => n === 'alt-used')).toBeUndefined();
    await s.client.close();
  });

  it('does not fall back: handshake failures and timeouts are the caller’s errors', async () => {
    const s = scenario({ client: { protocol: 'h3', timeouts: { connectMs: 2000 } } });
    s.h3.nextConnect({ kind: 'fail', failure: 'handshake-failed' });
    const failed = await s.settleError(s.client.fetch(`${ORIGIN}/`));
    expect(failed).toBeInstanceOf(H3ConnectError);
    expect(failed).toMatchObject({ code: ClientErrorCode.H3_CONNECT_FAILED, failure: 'handshake-failed' });
    s.h3.nextConnect({ kind: 'blackhole' });
    const t0 = s.clock.now();
    const timedOut = await s.settleError(s.client.fetch(`${ORIGIN}/`));
    expect(timedOut).toMatchObject({ code: ClientErrorCode.TIMEOUT, phase: 'connect' });
    expect(s.clock.now() - t0).toBe(2000);
    expect(s.tcp.connects).toHaveLength(0);
    await s.client.close();
  });
});

describe('retries and replays', () => {
  it('421 from the alternative removes it and retries at the origin over TCP (RFC 7838 §6)', async () => {
    const s = advertising();
    s.h3.handler = () => ({ status: 421 });
    await s.get(`${ORIGIN}/`);
    const { res, text } = await s.get(`${ORIGIN}/`);
    expect(res.protocol).toBe('h2');
    expect(res.info.fallback).toBe('misdirected');
    expect(text).toBe('via tcp');
    // The TCP response re-advertised it; the 421'd alternative itself was dropped in between.
    expect(s.h3.requests).toHaveLength(1);
    await s.client.close();
  });

  it('H3_REQUEST_REJECTED is retried (replayable body); a consumed stream body fails clearly', async () => {
    const s = scenario({ client: { protocol: 'h3' } });
    let rejectNext = true;
    s.h3.handler = () => {
      if (rejectNext) {
        rejectNext = false;
        return { resetCode: H3ErrorCode.H3_REQUEST_REJECTED };
      }
      return { status: 201, body: 'created' };
    };
    const { res, text } = await s.get(`${ORIGIN}/`, { method: 'POST', body: 'payload' });
    expect(res.status).toBe(201);
    expect(text).toBe('created');
    expect(s.h3.requests).toHaveLength(2);
    expect(new TextDecoder().decode(await s.h3.requests[1].body)).toBe('payload');

    rejectNext = true;
    async function* oneShot(): AsyncGenerator<string> {
      yield 'only once';
    }
    const error = await s.settleError(s.client.fetch(`${ORIGIN}/`, { method: 'POST', body: oneShot() }));
    expect(error).toBeInstanceOf(BodyNotReplayableError);
    expect(error).toMatchObject({ code: ClientErrorCode.BODY_NOT_REPLAYABLE });
    await s.client.close();
  });

  it('H3_VERSION_FALLBACK sends the request again over HTTP/1.1 (RFC 9114 §8.1)', async () => {
    const s = advertising();
    await s.get(`${ORIGIN}/`);
    s.h3.handler = () => ({ resetCode: H3ErrorCode.H3_VERSION_FALLBACK });
    const { res } = await s.get(`${ORIGIN}/`, { method: 'PUT', body: 'x' });
    expect(res.protocol).toBe('http/1.1');
    expect(s.tcp.connects.at(-1)!.mode).toBe('http/1.1');
    expect(res.info.fallback).toBe('h3-retry');
    expect(new TextDecoder().decode(await s.tcp.requests.at(-1)!.body)).toBe('x');
    await s.client.close();
  });

  it('a non-retryable stream error reaches the caller', async () => {
    const s = scenario({ client: { protocol: 'h3' } });
    s.h3.handler = () => ({ resetCode: 0x0102 });
    const error = await s.settleError(s.client.fetch(`${ORIGIN}/`));
    expect(error).toMatchObject({ code: ClientErrorCode.STREAM_RESET, errorCode: 0x0102, retryable: false });
    await s.client.close();
  });
});
