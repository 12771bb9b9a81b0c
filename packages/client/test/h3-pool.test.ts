// The HTTP/3 connection pool through the client: reuse, MAX_STREAMS queueing, GOAWAY draining, idle close,
// resumption with 0-RTT and cancellation — on the fake H3 session factory in virtual time.
import { describe, expect, it } from 'vitest';
import { ClientErrorCode, H3ErrorCode } from '../src/index.js';
import { scenario } from './support/scenario.js';

const ORIGIN = 'https://h3.test';

describe('connection reuse and stream limits', () => {
  it('100 sequential fetches share one connection', async () => {
    const s = scenario({ client: { protocol: 'h3' } });
    for (let i = 0; i < 100; i++) {
      const { res, text } = await s.get(`${ORIGIN}/${i}`);
      expect(text).toBe('h3 ok');
      expect(res.info.reusedConnection).toBe(i > 0);
    }
    expect(s.h3.connects).toHaveLength(1);
    expect(s.h3.requests.map((r) => r.streamId)).toEqual(Array.from({ length: 100 }, (_, i) => i * 4));
    await s.client.close();
  });

  it('200 concurrent fetches honour MAX_STREAMS (10) and are served in order', async () => {
    const s = scenario({
      client: { protocol: 'h3' },
      h3: { maxStreams: 10, creditDelayMs: 3, handler: (r) => ({ delayMs: 7, body: r.path }) },
    });
    const pending = Array.from({ length: 200 }, (_, i) => s.client.fetch(`${ORIGIN}/${i}`));
    let peakQueued = 0;
    const all = Promise.all(pending);
    const probe = s.clock.createTimer(() => {
      peakQueued = Math.max(peakQueued, s.client.h3Stats()[0]?.queued ?? 0);
      probe.set(s.clock.now() + 1);
    });
    probe.set(s.clock.now() + 1);
    const responses = await s.settle(all);
    probe.clear();
    const bodies = await s.settle(Promise.all(responses.map((r) => r.text())));
    expect(bodies).toEqual(Array.from({ length: 200 }, (_, i) => `/${i}`));
    expect(s.h3.connects).toHaveLength(1);
    const session = s.h3.sessions[0];
    expect(session.maxConcurrent).toBe(10);
    expect(peakQueued).toBeGreaterThan(100);
    // FIFO: the server saw the requests in the order they were made.
    expect(s.h3.requests.map((r) => r.path)).toEqual(Array.from({ length: 200 }, (_, i) => `/${i}`));
    await s.client.close();
  });

  it('an idle connection is closed after the pool idle timeout', async () => {
    const s = scenario({ client: { protocol: 'h3', pool: { idleTimeoutMs: 5000 } } });
    await s.get(`${ORIGIN}/`);
    const session = s.h3.sessions[0];
    s.clock.advance(4999);
    expect(session.closed).toBe(false);
    s.clock.advance(1);
    expect(session.closedByClientWith).toBe(H3ErrorCode.H3_NO_ERROR);
    expect(s.client.h3Stats()).toHaveLength(0);
    await s.get(`${ORIGIN}/`);
    expect(s.h3.connects).toHaveLength(2);
    await s.client.close();
  });
});

describe('GOAWAY', () => {
  it('drains the old connection and opens a fresh one for new requests', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { handler: () => ({ delayMs: 100, body: 'slow' }) } });
    const early = [s.client.fetch(`${ORIGIN}/a`), s.client.fetch(`${ORIGIN}/b`)];
    await s.clock.runUntil(() => s.h3.requests.length === 2, 1000);
    const old = s.h3.sessions[0];
    old.sendGoaway(); // RFC 9114 §5.2: the two open requests are below the limit and complete
    const late = s.client.fetch(`${ORIGIN}/c`);
    const [a, b, c] = await s.settle(Promise.all([...early, late]));
    expect(await s.settle(Promise.all([a.text(), b.text(), c.text()]))).toEqual(['slow', 'slow', 'slow']);
    expect(s.h3.connects).toHaveLength(2);
    expect(s.h3.requests.map((r) => r.session === old)).toEqual([true, true, false]);
    expect(old.closedByClientWith).toBe(H3ErrorCode.H3_NO_ERROR);
    expect(s.h3.sessions[1].closed).toBe(false);
    await s.client.close();
  });

  it('requests above the GOAWAY limit are retried on the new connection', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { handler: () => ({ delayMs: 100, body: 'ok' }) } });
    const pending = [s.client.fetch(`${ORIGIN}/a`), s.client.fetch(`${ORIGIN}/b`)];
    await s.clock.runUntil(() => s.h3.requests.length === 2, 1000);
    s.h3.sessions[0].sendGoaway(4); // stream 4 (/b) was not processed
    const [a, b] = await s.settle(Promise.all(pending));
    expect(await s.settle(Promise.all([a.text(), b.text()]))).toEqual(['ok', 'ok']);
    expect(b.info.reusedConnection).toBe(false);
    expect(s.h3.requests.map((r) => [r.path, s.h3.sessions.indexOf(r.session)])).toEqual([
      ['/a', 0],
      ['/b', 0],
      ['/b', 1],
    ]);
    await s.client.close();
  });

  it('a connection lost under a GET in auto mode is retried over TCP', async () => {
    const s = scenario({ tcp: { handler: () => ({ headers: [['alt-svc', 'h3=":443"']], body: 'tcp' }) } });
    await s.get(`${ORIGIN}/`);
    s.h3.handler = (r) => {
      r.session.closeFromPeer();
      return { hang: true };
    };
    const { res, text } = await s.get(`${ORIGIN}/`);
    expect(res.protocol).toBe('h2');
    expect(res.info.fallback).toBe('h3-retry');
    expect(text).toBe('tcp');
    const post = await s.settleError(s.client.fetch(`${ORIGIN}/`, { method: 'POST', body: 'once' }));
    expect(post).toMatchObject({ code: ClientErrorCode.CONNECTION_RESET });
    await s.client.close();
  });
});

describe('session resumption and 0-RTT', () => {
  it('after the connection closes, the next GET resumes and goes out as 0-RTT', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { handshakeMs: 50 } });
    const first = await s.get(`${ORIGIN}/1`);
    expect(first.res.info).toMatchObject({ resumed: false, earlyData: false, handshakeMs: 50 });
    s.h3.sessions[0].closeFromPeer();
    const t0 = s.clock.now();
    const second = await s.get(`${ORIGIN}/2`);
    expect(s.h3.connects).toHaveLength(2);
    expect(s.h3.connects[1].resumed).toBe(true);
    expect(s.h3.requests[1].earlyData).toBe(true);
    expect(second.res.info.earlyData).toBe(true);
    expect(second.res.info.resumed).toBe(true);
    // 0-RTT: the response did not wait for the handshake.
    expect(s.clock.now() - t0).toBe(0);
    await s.client.close();
  });

  it('only GET/HEAD without content use 0-RTT; a POST waits for the handshake', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { handshakeMs: 50 } });
    await s.get(`${ORIGIN}/`);
    s.h3.sessions[0].closeFromPeer();
    const t0 = s.clock.now();
    const post = s.client.fetch(`${ORIGIN}/p`, { method: 'POST', body: 'x' });
    const head = s.client.fetch(`${ORIGIN}/h`, { method: 'HEAD' });
    const [p, h] = await s.settle(Promise.all([post, head]));
    expect(h.info.earlyData).toBe(true);
    expect(p.info.earlyData).toBe(false);
    expect(s.h3.requests.find((r) => r.path === '/p')?.earlyData).toBe(false);
    expect(s.clock.now() - t0).toBe(50);
    await s.client.close();
  });

  it('0-RTT disabled by option: resumed but 1-RTT', async () => {
    const s = scenario({ client: { protocol: 'h3', h3: { enableEarlyData: false } } });
    await s.get(`${ORIGIN}/`);
    s.h3.sessions[0].closeFromPeer();
    const { res } = await s.get(`${ORIGIN}/`);
    expect(res.info.earlyData).toBe(false);
    expect(s.h3.connects[1].resumed).toBe(true);
    await s.client.close();
  });

  it('rejected 0-RTT: the GET is sent again after the handshake', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { acceptEarlyData: false } });
    await s.get(`${ORIGIN}/`);
    s.h3.sessions[0].closeFromPeer();
    const { res, text } = await s.get(`${ORIGIN}/again`);
    expect(text).toBe('h3 ok');
    expect(res.info.earlyData).toBe(false);
    expect(s.h3.requests.slice(1).map((r) => r.earlyData)).toEqual([true, false]);
    await s.client.close();
  });

  it('a handshake that fails after 0-RTT (auto mode) falls back to TCP and marks the alternative broken', async () => {
    const s = scenario({ tcp: { handler: () => ({ headers: [['alt-svc', 'h3=":443"']], body: 'tcp' }) } });
    await s.get(`${ORIGIN}/`);
    await s.get(`${ORIGIN}/`);
    s.h3.sessions[0].closeFromPeer();
    s.h3.nextConnect({ kind: 'ok', failHandshake: 'handshake-failed' });
    const { res, text } = await s.get(`${ORIGIN}/`);
    expect(s.h3.requests.at(-1)?.earlyData).toBe(true);
    expect(res.protocol).toBe('h2');
    expect(text).toBe('tcp');
    expect(s.client.altSvc.brokenUntil('h3|h3.test|443')).toBeGreaterThan(s.clock.now());
    await s.client.close();
  });
});

describe('cancellation (RFC 9114 §4.1.1)', () => {
  it('abort before the response cancels the stream with H3_REQUEST_CANCELLED', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { handler: () => ({ hang: true }) } });
    const ac = new AbortController();
    const pending = s.client.fetch(`${ORIGIN}/`, { signal: ac.signal });
    await s.clock.runUntil(() => s.h3.requests.length === 1, 1000);
    ac.abort(new Error('user gave up'));
    const error = await s.settleError(pending);
    expect(error).toMatchObject({ code: ClientErrorCode.ABORTED, name: 'AbortError' });
    expect((error as Error).cause).toMatchObject({ message: 'user gave up' });
    expect(s.h3.requests[0].cancelledWith).toBe(H3ErrorCode.H3_REQUEST_CANCELLED);
    await s.client.close();
  });

  it('abort during the body errors the stream and cancels the request', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { handler: () => ({ body: ['part 1'], holdOpen: true }) } });
    const ac = new AbortController();
    const res = await s.settle(s.client.fetch(`${ORIGIN}/`, { signal: ac.signal }));
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await s.settle(reader.read())).value)).toBe('part 1');
    ac.abort();
    expect(await s.settleError(reader.read())).toMatchObject({ code: ClientErrorCode.ABORTED });
    expect(s.h3.requests[0].cancelledWith).toBe(H3ErrorCode.H3_REQUEST_CANCELLED);
    await s.client.close();
  });

  it('cancelling the body stream cancels the request; the stream slot is released', async () => {
    const s = scenario({
      client: { protocol: 'h3' },
      h3: { maxStreams: 1, handler: () => ({ body: ['x'], holdOpen: true }) },
    });
    const res = await s.settle(s.client.fetch(`${ORIGIN}/`));
    await s.settle(res.body!.cancel());
    expect(s.h3.requests[0].cancelledWith).toBe(H3ErrorCode.H3_REQUEST_CANCELLED);
    s.h3.handler = () => ({ body: 'next' });
    expect((await s.get(`${ORIGIN}/`)).text).toBe('next');
    await s.client.close();
  });

  it('idle timeout on an HTTP/3 response cancels the stream', async () => {
    const s = scenario({
      client: { protocol: 'h3', timeouts: { idleMs: 1000 } },
      h3: { handler: () => ({ hang: true }) },
    });
    const t0 = s.clock.now();
    const error = await s.settleError(s.client.fetch(`${ORIGIN}/`));
    expect(error).toMatchObject({ code: ClientErrorCode.TIMEOUT, phase: 'idle' });
    expect(s.clock.now() - t0).toBe(1010);
    expect(s.h3.requests[0].cancelledWith).toBe(H3ErrorCode.H3_REQUEST_CANCELLED);
    await s.client.close();
  });

  it('close() closes HTTP/3 connections and fails pending fetches', async () => {
    const s = scenario({ client: { protocol: 'h3' }, h3: { handler: () => ({ hang: true }) } });
    const pending = s.client.fetch(`${ORIGIN}/`);
    await s.clock.runUntil(() => s.h3.requests.length === 1, 1000);
    await s.client.close();
    expect(await s.settleError(pending)).toMatchObject({ code: ClientErrorCode.CLIENT_CLOSED });
    expect(s.h3.sessions[0].closed).toBe(true);
  });
});
