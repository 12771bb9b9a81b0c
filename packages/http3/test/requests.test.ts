// RFC 9114 §4.1: request/response exchanges between our client and our server over the in-memory transport pair.

import { describe, expect, it } from 'vitest';
import { H3ErrorCode, type H3Event, H3UsageError, H3UsageErrorKind } from '../src/index.js';
import { bodyOf, createHarness, get, ofType, str, text } from './support/harness.js';
import { concat } from './support/raw-peer.js';

const E = H3ErrorCode;

function usageKind(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof H3UsageError) return e.kind;
    throw e;
  }
  return undefined;
}

/** A server application that echoes request bodies back, with the request's x-tag header and trailers. */
function echoServer(h: ReturnType<typeof createHarness>): void {
  h.onServerEvent = (e) => {
    if (e.type === 'request') {
      const tag = e.headers.find(([n]) => n === 'x-tag')?.[1] ?? '';
      h.server.respond(e.streamId, [
        [':status', '200'],
        ['x-tag', tag],
      ]);
    } else if (e.type === 'data') {
      h.server.writeBody(e.streamId, e.data);
    } else if (e.type === 'trailers') {
      h.server.writeTrailers(e.streamId, e.headers);
    } else if (e.type === 'end') {
      h.server.end(e.streamId);
    }
  };
}

describe('requests and responses', () => {
  it('GET: request, response with body and trailers, events in order', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      expect(e.info).toMatchObject({ method: 'GET', path: '/index.html', authority: 'example.com' });
      h.server.respond(e.streamId, [
        [':status', '200'],
        ['content-type', 'text/html'],
        ['content-length', '11'],
      ]);
      h.server.writeBody(e.streamId, text('hello '));
      h.server.writeBody(e.streamId, text('world'));
      h.server.writeTrailers(e.streamId, [['x-checksum', 'abc']]);
    };
    const req = h.client.request(get('/index.html', 'example.com', [['accept', '*/*']]), { endStream: true });
    h.run();
    const mine = h.clientEvents.filter((e) => 'streamId' in e && e.streamId === req.streamId);
    expect(mine.map((e) => e.type)).toEqual(['response', 'data', 'data', 'trailers', 'end']);
    expect(ofType(h.clientEvents, 'response')[0].request).toBe(req);
    expect(ofType(h.clientEvents, 'response')[0]).toMatchObject({
      status: 200,
      headers: [
        [':status', '200'],
        ['content-type', 'text/html'],
        ['content-length', '11'],
      ],
    });
    expect(str(bodyOf(h.clientEvents, req.streamId))).toBe('hello world');
    expect(ofType(h.clientEvents, 'trailers')[0].headers).toEqual([['x-checksum', 'abc']]);
    expect(ofType(h.serverEvents, 'request')[0].headers).toEqual(
      get('/index.html', 'example.com', [['accept', '*/*']]),
    );
    // both sides exchanged SETTINGS with our QPACK limits
    expect(ofType(h.clientEvents, 'settings')[0].settings).toMatchObject({
      qpackMaxTableCapacity: 4096,
      qpackBlockedStreams: 16,
      maxFieldSectionSize: 65536,
    });
    expect(ofType(h.serverEvents, 'settings')[0].settings.unknown.length).toBe(1); // the grease setting
  });

  it('POST with a streaming request body and a streaming echoed response, randomly chunked and interleaved', () => {
    for (const seed of [1, 2, 3]) {
      const h = createHarness({ pair: { seed, randomChunks: true } });
      echoServer(h);
      const req = h.client.request([
        [':method', 'POST'],
        [':scheme', 'https'],
        [':authority', 'a.example'],
        [':path', '/upload'],
        ['x-tag', 'p'],
      ]);
      const parts = Array.from({ length: 20 }, (_, i) => text(`part-${i}-${'x'.repeat(i * 37)};`));
      for (const p of parts) {
        req.writeBody(p);
        h.run();
      }
      req.writeTrailers([['x-sum', String(parts.length)]]);
      h.run();
      expect(str(bodyOf(h.clientEvents, req.streamId))).toBe(str(concat(...parts)));
      expect(ofType(h.clientEvents, 'trailers')[0].headers).toEqual([['x-sum', '20']]);
      expect(ofType(h.clientEvents, 'response')[0].headers).toContainEqual(['x-tag', 'p']);
      expect(ofType(h.clientEvents, 'end')).toHaveLength(1);
    }
  });

  it('any number of interim (1xx) responses before the final one (§4.1)', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      h.server.respond(e.streamId, [[':status', '100']]);
      h.server.respond(e.streamId, [
        [':status', '103'],
        ['link', '</s.css>; rel=preload'],
      ]);
      h.server.respond(e.streamId, [
        [':status', '103'],
        ['link', '</a.js>; rel=preload'],
      ]);
      h.server.respond(e.streamId, [[':status', '201']]);
      expect(usageKind(() => h.server.respond(e.streamId, [[':status', '200']]))).toBe(H3UsageErrorKind.INVALID_STATE);
      h.server.end(e.streamId);
      // the exchange is over: the stream is forgotten
      expect(usageKind(() => h.server.respond(e.streamId, [[':status', '200']]))).toBe(H3UsageErrorKind.UNKNOWN_STREAM);
    };
    h.client.request(get(), { endStream: true });
    h.run();
    expect(h.clientEvents.filter((e) => e.type !== 'settings').map((e) => e.type)).toEqual([
      'informational',
      'informational',
      'informational',
      'response',
      'end',
    ]);
    expect(ofType(h.clientEvents, 'informational').map((e) => e.status)).toEqual([100, 103, 103]);
  });

  it('an interim response cannot end the stream or carry a body', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      expect(usageKind(() => h.server.respond(e.streamId, [[':status', '103']], { endStream: true }))).toBe(
        H3UsageErrorKind.INVALID_STATE,
      );
      h.server.respond(e.streamId, [[':status', '103']]);
      expect(usageKind(() => h.server.writeBody(e.streamId, text('x')))).toBe(H3UsageErrorKind.INVALID_STATE);
      expect(usageKind(() => h.server.end(e.streamId))).toBe(H3UsageErrorKind.INVALID_STATE);
      h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
    };
    h.client.request(get(), { endStream: true });
    h.run();
    expect(ofType(h.clientEvents, 'response')).toHaveLength(1);
  });

  it('HEAD, 204 and 304 responses carry no content even with a content-length', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      const status = e.info.method === 'HEAD' ? '200' : e.info.path === '/204' ? '204' : '304';
      h.server.respond(e.streamId, [
        [':status', status],
        ['content-length', '1234'],
      ]);
      expect(usageKind(() => h.server.writeBody(e.streamId, text('x')))).toBe(H3UsageErrorKind.INVALID_STATE);
      h.server.writeBody(e.streamId, new Uint8Array(0), true);
    };
    const head = h.client.request([[':method', 'HEAD'], ...get().slice(1)], { endStream: true });
    const r204 = h.client.request(get('/204'), { endStream: true });
    const r304 = h.client.request(get('/304'), { endStream: true });
    h.run();
    for (const r of [head, r204, r304]) {
      expect(h.clientEvents.filter((e) => 'request' in e && e.request === r).map((e) => e.type)).toEqual([
        'response',
        'end',
      ]);
    }
  });

  it('the sender refuses to break its declared content-length', () => {
    const h = createHarness();
    const req = h.client.request([[':method', 'PUT'], ...get().slice(1), ['content-length', '4']]);
    expect(usageKind(() => req.writeBody(text('12345')))).toBe(H3UsageErrorKind.CONTENT_LENGTH_MISMATCH);
    req.writeBody(text('12'));
    expect(usageKind(() => req.end())).toBe(H3UsageErrorKind.CONTENT_LENGTH_MISMATCH);
    expect(usageKind(() => req.writeBody(text('3'), true))).toBe(H3UsageErrorKind.CONTENT_LENGTH_MISMATCH);
    req.writeBody(text('34'), true);
    expect(usageKind(() => req.writeBody(text('5')))).toBe(H3UsageErrorKind.INVALID_STATE);
    h.run();
    expect(str(bodyOf(h.serverEvents, req.streamId))).toBe('1234');
  });

  it('refuses to send invalid headers', () => {
    const h = createHarness();
    expect(usageKind(() => h.client.request([[':method', 'GET']]))).toBe(H3UsageErrorKind.INVALID_HEADERS);
    expect(usageKind(() => h.client.request([...get(), ['Connection', 'close']]))).toBe(
      H3UsageErrorKind.INVALID_HEADERS,
    );
    expect(usageKind(() => h.client.request([...get(), ['x', 'a\r\nb']]))).toBe(H3UsageErrorKind.INVALID_HEADERS);
    expect(usageKind(() => h.server.respond(0, [[':status', '200']]))).toBe(H3UsageErrorKind.UNKNOWN_STREAM);
    expect(usageKind(() => h.server.request(get()))).toBe(H3UsageErrorKind.WRONG_ROLE);
  });

  it('many concurrent requests (500) with random interleaving and chunking all complete with their own bodies', () => {
    const h = createHarness({ pair: { seed: 42, randomChunks: true } });
    echoServer(h);
    const reqs = Array.from({ length: 500 }, (_, i) => {
      const r = h.client.request([
        [':method', 'POST'],
        [':scheme', 'https'],
        [':authority', 'x'],
        [':path', `/r/${i}`],
        ['x-tag', `t${i}`],
      ]);
      r.writeBody(text(`body of ${i} `.repeat(1 + (i % 7))), true);
      return r;
    });
    h.run();
    const responses = ofType(h.clientEvents, 'response');
    expect(responses).toHaveLength(500);
    for (const [i, r] of reqs.entries()) {
      expect(responses.find((e) => e.request === r)?.headers).toContainEqual(['x-tag', `t${i}`]);
      expect(str(bodyOf(h.clientEvents, r.streamId))).toBe(`body of ${i} `.repeat(1 + (i % 7)));
    }
    expect(ofType(h.clientEvents, 'end')).toHaveLength(500);
    expect(ofType(h.clientEvents, 'stream-error')).toHaveLength(0);
  });

  it("queues requests beyond the peer's MAX_STREAMS and opens them as credit returns", () => {
    const h = createHarness({ pair: { maxBidiStreams: 8 } });
    echoServer(h);
    const reqs = Array.from({ length: 50 }, (_, i) => {
      const r = h.client.request([[':method', 'POST'], ...get(`/q/${i}`).slice(1)]);
      r.writeBody(text(`q${i}`));
      r.end();
      return r;
    });
    expect(reqs.filter((r) => r.streamId >= 0)).toHaveLength(8);
    expect(reqs[8].streamId).toBe(-1);
    h.run();
    expect(new Set(reqs.map((r) => r.streamId)).size).toBe(50);
    for (const [i, r] of reqs.entries()) expect(str(bodyOf(h.clientEvents, r.streamId))).toBe(`q${i}`);
    expect(ofType(h.clientEvents, 'end')).toHaveLength(50);
  });

  it('backpressure: a slow application stops the reads (flow control), resumed as it polls', () => {
    const h = createHarness({ client: { bodyHighWaterMarkBytes: 4096 }, pair: { shuffle: false } });
    const chunk = new Uint8Array(1000).fill(7);
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      h.server.respond(e.streamId, [[':status', '200']]);
      for (let i = 0; i < 100; i++) h.server.writeBody(e.streamId, chunk);
      h.server.end(e.streamId);
    };
    const req = h.client.request(get(), { endStream: true });
    // run the transport and the server, but do not poll the client's events
    for (let i = 0; i < 50; i++) {
      h.pair.run();
      for (let e = h.server.pollEvent(); e; e = h.server.pollEvent()) h.onServerEvent?.(e);
    }
    const unread = () => h.pair.client.recv.get(req.streamId)?.chunks.length ?? 0;
    // the H3 layer stopped reading once about 4 KiB of body waited in its event queue
    const before = unread();
    expect(before).toBeGreaterThan(90);
    // polling one event does not read more while the queue is still above half the mark
    expect(h.client.pollEvent()).toBeDefined();
    expect(unread()).toBe(before);
    let received = 0;
    for (let e = h.client.pollEvent(); e; e = h.client.pollEvent()) if (e.type === 'data') received += e.data.length;
    expect(received).toBe(100_000);
    expect(unread()).toBe(0);
  });

  it('pauseReading / resumeReading', () => {
    const h = createHarness();
    echoServer(h);
    const req = h.client.request([[':method', 'POST'], ...get().slice(1)]);
    req.writeBody(text('abc'), true);
    req.pauseReading();
    h.run();
    expect(ofType(h.clientEvents, 'response')).toHaveLength(0);
    expect(h.pair.client.recv.get(req.streamId)?.chunks.length).toBeGreaterThan(0);
    req.resumeReading();
    h.run();
    expect(str(bodyOf(h.clientEvents, req.streamId))).toBe('abc');
    expect(ofType(h.clientEvents, 'end')).toHaveLength(1);
  });

  it('client cancel: the server sees the request reset (H3_REQUEST_CANCELLED) and both directions close', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.respond(e.streamId, [[':status', '200']]);
    };
    const req = h.client.request([[':method', 'POST'], ...get().slice(1)]);
    req.writeBody(text('partial'));
    h.run();
    req.cancel();
    h.run();
    const err = ofType(h.serverEvents, 'stream-error');
    expect(err).toEqual([
      expect.objectContaining({ streamId: req.streamId, code: E.H3_REQUEST_CANCELLED, local: false }),
    ]);
    expect(h.pair.client.resets).toContainEqual([req.streamId, E.H3_REQUEST_CANCELLED]);
    expect(h.pair.client.stops).toContainEqual([req.streamId, E.H3_REQUEST_CANCELLED]);
    expect(h.pair.server.resets).toContainEqual([req.streamId, E.H3_REQUEST_CANCELLED]);
    expect(ofType(h.clientEvents, 'stream-error')).toHaveLength(0); // a local cancel reports nothing
    expect(usageKind(() => req.writeBody(text('more')))).toBe(H3UsageErrorKind.STREAM_CLOSED);
  });

  it('server rejection (H3_REQUEST_REJECTED) reaches the client as a retryable stream error', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.resetStream(e.streamId, E.H3_REQUEST_REJECTED);
    };
    const req = h.client.request(get(), { endStream: true });
    h.run();
    const errors = ofType(h.clientEvents, 'stream-error');
    expect(errors).toHaveLength(1);
    expect(errors[0].request).toBe(req);
    expect(errors[0]).toMatchObject({ code: E.H3_REQUEST_REJECTED, local: false, retryable: true });
  });

  it('a server may stop reading the request with H3_NO_ERROR and still send a complete response (§4.1)', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      h.server.abortReading(e.streamId);
      h.server.respond(e.streamId, [[':status', '413']], { endStream: true });
    };
    const req = h.client.request([[':method', 'POST'], ...get().slice(1)]);
    req.writeBody(text('a large upload'));
    h.run();
    const stops = ofType(h.clientEvents, 'stop-sending');
    expect(stops).toHaveLength(1);
    expect(stops[0].request).toBe(req);
    expect(stops[0].code).toBe(E.H3_NO_ERROR);
    expect(ofType(h.clientEvents, 'response')[0].status).toBe(413);
    expect(ofType(h.clientEvents, 'end')).toHaveLength(1);
    expect(ofType(h.clientEvents, 'stream-error')).toHaveLength(0);
    expect(usageKind(() => req.writeBody(text('more')))).toBe(H3UsageErrorKind.STREAM_CLOSED);
  });

  it('trailers on the request and on the response', () => {
    const h = createHarness();
    echoServer(h);
    const req = h.client.request([[':method', 'POST'], ...get().slice(1), ['te', 'trailers']]);
    req.writeBody(text('x'));
    req.writeTrailers([
      ['grpc-status', '0'],
      ['grpc-message', 'ok'],
    ]);
    h.run();
    expect(ofType(h.serverEvents, 'trailers')[0].headers).toEqual([
      ['grpc-status', '0'],
      ['grpc-message', 'ok'],
    ]);
    expect(ofType(h.clientEvents, 'trailers')[0].headers).toEqual([
      ['grpc-status', '0'],
      ['grpc-message', 'ok'],
    ]);
    expect(usageKind(() => req.writeTrailers([['x', 'y']]))).toBe(H3UsageErrorKind.INVALID_STATE);
  });

  it('reports writable when a blocked write drains', () => {
    const h = createHarness({ pair: { highWaterMarkBytes: 2000 } });
    echoServer(h);
    const req = h.client.request([[':method', 'POST'], ...get().slice(1)]);
    expect(req.writeBody(new Uint8Array(1000))).toBe(true);
    expect(req.writeBody(new Uint8Array(1500))).toBe(false);
    expect(req.bufferedBytes).toBeGreaterThanOrEqual(2500);
    h.run();
    const writable = ofType(h.clientEvents, 'writable');
    expect(writable).toHaveLength(1);
    expect(writable[0].request).toBe(req);
  });

  it('CONNECT (§4.4): the stream stays open for DATA in both directions', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.respond(e.streamId, [[':status', '200']]);
      else if (e.type === 'data') h.server.writeBody(e.streamId, concat(text('echo:'), e.data));
    };
    const req = h.client.request([
      [':method', 'CONNECT'],
      [':authority', 'proxy.example:443'],
    ]);
    h.run();
    req.writeBody(text('ping'));
    h.run();
    expect(str(bodyOf(h.clientEvents, req.streamId))).toBe('echo:ping');
    expect((h.clientEvents as H3Event[]).filter((e) => e.type === 'end')).toHaveLength(0);
  });
});
