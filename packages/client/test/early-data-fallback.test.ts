// A resumed HTTP/3 connection sends safe requests in 0-RTT before it has heard from the server (RFC 9001 §4.6.1).
// When the alternative stopped answering UDP since the ticket was issued, the handshake never completes: the
// request is sent again over TCP after the head start, and the alternative is marked broken so later requests go
// straight to TCP. Virtual time: the asserted times are exact clock values, not measurements.
import { describe, expect, it } from 'vitest';
import { alternativeKey } from '../src/index.js';
import { scenario } from './support/scenario.js';

const ORIGIN = 'https://example.test';
const key = alternativeKey('example.test', { protocolId: 'h3', host: '', port: 443 });

describe('0-RTT on a dead alternative', () => {
  it('falls back to TCP after the 300 ms head start, then skips HTTP/3 until the handshake completes', async () => {
    const s = scenario({
      tcp: { handler: () => ({ status: 200, headers: [['alt-svc', 'h3=":443"']], body: 'via tcp' }) },
    });
    expect((await s.get(`${ORIGIN}/learn`)).res.protocol).toBe('h2');
    const h3 = await s.get(`${ORIGIN}/h3`);
    expect(h3.res.protocol).toBe('h3');
    // The connection goes away; its session ticket stays in the client's cache.
    s.h3.sessions[0].closeFromPeer(new Error('gone'));
    // The next attempt resumes (0-RTT) but nothing answers: the handshake would only fail after 5 s.
    s.h3.nextConnect({ kind: 'ok', handshakeMs: 5_000, failHandshake: 'no-response' });
    const t0 = s.clock.now();
    const first = await s.get(`${ORIGIN}/first`);
    expect(first.res.protocol).toBe('h2');
    expect(first.res.info.fallback).toBe('h3-retry');
    expect(s.h3.requests.at(-1)).toMatchObject({ path: '/first', earlyData: true, cancelledWith: 0x10c });
    expect(s.clock.now() - t0).toBe(300); // the head start; the TCP connection already exists
    expect(s.client.altSvc.isBroken(key, s.clock.now())).toBe(true);
    const t1 = s.clock.now();
    const later = await s.get(`${ORIGIN}/later`);
    expect(later.res.protocol).toBe('h2');
    expect(later.res.info.fallback).toBe('h3-broken');
    expect(s.clock.now()).toBe(t1);
    expect(s.h3.requests.filter((r) => r.path === '/later')).toEqual([]);
    await s.client.close();
  });

  it('a slow but live alternative (handshake after the head start) is confirmed again', async () => {
    const s = scenario({
      tcp: { handler: () => ({ status: 200, headers: [['alt-svc', 'h3=":443"']], body: 'via tcp' }) },
      // A real server's answer to a 0-RTT request is readable only with the handshake's 1-RTT keys.
      h3: { handshakeMs: 10, handler: (r) => ({ status: 200, body: 'h3', delayMs: r.path === '/first' ? 1_000 : 0 }) },
    });
    await s.get(`${ORIGIN}/learn`);
    await s.get(`${ORIGIN}/h3`);
    s.h3.sessions[0].closeFromPeer(new Error('gone'));
    s.h3.nextConnect({ kind: 'ok', handshakeMs: 1_000 });
    const first = await s.get(`${ORIGIN}/first`);
    expect(first.res.protocol).toBe('h2');
    expect(s.client.altSvc.isBroken(key, s.clock.now())).toBe(true);
    await s.settle(s.h3.sessions[1].handshake);
    expect(s.client.altSvc.isBroken(key, s.clock.now())).toBe(false);
    expect((await s.get(`${ORIGIN}/again`)).res.protocol).toBe('h3');
    await s.client.close();
  });

  it('with protocol h3 (no fallback) a 0-RTT request waits for the handshake', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { handshakeMs: 10 } });
    await s.get(`${ORIGIN}/one`);
    s.h3.sessions[0].closeFromPeer(new Error('gone'));
    s.h3.nextConnect({ kind: 'ok', handshakeMs: 2_000 });
    const res = await s.get(`${ORIGIN}/two`);
    expect(res.res.protocol).toBe('h3');
    expect(res.res.info.earlyData).toBe(true);
    await s.client.close();
  });
});
