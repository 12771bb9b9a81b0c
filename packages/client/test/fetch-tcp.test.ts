// fetch semantics against real local servers: node:http2 (h2 + HTTP/1.1 via allowHTTP1), node:https (HTTP/1.1
// only) and node:http, with certificates generated for this run.
import { createServer as createNetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientErrorCode,
  ClientResponse,
  createClient,
  type HttpClient,
  ProtocolError,
  RedirectError,
  TimeoutError,
} from '../src/index.js';
import { loopbackLookup, readAll } from './support/helpers.js';
import { createPki, type TestPki } from './support/pki.js';
import { patternBytes, sha256, startServer, type TestServer } from './support/servers.js';

let pki: TestPki;
let h2: TestServer;
let https1: TestServer;
let http1: TestServer;

beforeAll(async () => {
  pki = await createPki();
  [h2, https1, http1] = await Promise.all([
    startServer('h2', pki.leaf),
    startServer('https', pki.leaf),
    startServer('http'),
  ]);
});

afterAll(async () => {
  await Promise.all([h2.close(), https1.close(), http1.close()]);
});

function client(options: Parameters<typeof createClient>[0] = {}): HttpClient {
  return createClient({ ca: pki.ca.certPem, lookup: loopbackLookup, ...options });
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

describe('HTTP/2 (node:http2 secure server with allowHTTP1)', () => {
  it('GET goes over h2 (ALPN), maps status and headers, and reuses the session', async () => {
    const c = client();
    const before = h2.connections;
    const res = await c.fetch(`${h2.origin}/echo?x=1`, { headers: { 'x-test': 'abc' } });
    expect(res).toBeInstanceOf(Response);
    expect(res).toBeInstanceOf(ClientResponse);
    expect(res.protocol).toBe('h2');
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.url).toBe(`${h2.origin}/echo?x=1`);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await json(res);
    expect(body.method).toBe('GET');
    expect(body.path).toBe('/echo?x=1');
    expect(body.httpVersion).toBe('2.0');
    const headers = body.headers as Record<string, string>;
    expect(headers['x-test']).toBe('abc');
    expect(headers.accept).toBe('*/*');
    expect(headers['user-agent']).toBe('fos-client');
    expect(res.info.reusedConnection).toBe(false);
    expect(res.info.handshakeMs).toBeGreaterThan(0);
    expect(res.info.fallback).toBeUndefined();

    const again = await c.fetch(`${h2.origin}/echo`);
    expect(again.protocol).toBe('h2');
    expect(again.info.reusedConnection).toBe(true);
    await again.arrayBuffer();
    expect(h2.connections - before).toBe(1);
    await c.close();
  });

  it('sends every method with replayable bodies (string, bytes, URLSearchParams, Blob)', async () => {
    const c = client();
    const text = 'héllo wörld';
    let body = await json(await c.fetch(`${h2.origin}/echo`, { method: 'post', body: text }));
    expect(body.method).toBe('POST');
    expect(body.bodySha256).toBe(sha256(new TextEncoder().encode(text)));
    expect((body.headers as Record<string, string>)['content-type']).toBe('text/plain;charset=UTF-8');

    const bytes = patternBytes(100_000);
    body = await json(await c.fetch(`${h2.origin}/echo`, { method: 'PUT', body: bytes }));
    expect(body.method).toBe('PUT');
    expect(body.bodyLength).toBe(bytes.byteLength);
    expect(body.bodySha256).toBe(sha256(bytes));
    expect((body.headers as Record<string, string>)['content-length']).toBe(String(bytes.byteLength));

    body = await json(await c.fetch(`${h2.origin}/echo`, { method: 'PATCH', body: new URLSearchParams({ a: '1' }) }));
    expect(body.method).toBe('PATCH');
    expect((body.headers as Record<string, string>)['content-type']).toBe(
      'application/x-www-form-urlencoded;charset=UTF-8',
    );

    body = await json(
      await c.fetch(`${h2.origin}/echo`, { method: 'POST', body: new Blob(['blob'], { type: 'x/y' }) }),
    );
    expect((body.headers as Record<string, string>)['content-type']).toBe('x/y');
    expect(body.bodyLength).toBe(4);

    body = await json(await c.fetch(`${h2.origin}/echo`, { method: 'DELETE' }));
    expect(body.method).toBe('DELETE');
    body = await json(await c.fetch(`${h2.origin}/echo`, { method: 'PURGE' }));
    expect(body.method).toBe('PURGE');

    const head = await c.fetch(`${h2.origin}/head`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-head')).toBe('yes');
    expect(head.body).toBeNull();
    const noContent = await c.fetch(`${h2.origin}/status?code=204`);
    expect(noContent.status).toBe(204);
    expect(noContent.body).toBeNull();
    const notFound = await c.fetch(`${h2.origin}/nope`);
    expect(notFound.status).toBe(404);
    expect(notFound.ok).toBe(false);
    expect(await notFound.text()).toBe('not found');
    await c.close();
  });

  it('streams a request body from a ReadableStream and from an async iterable', async () => {
    const c = client();
    const data = patternBytes(3 * 1024 * 1024 + 17, 3);
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= data.byteLength) {
          controller.close();
          return;
        }
        const end = Math.min(offset + 60_000, data.byteLength);
        controller.enqueue(data.slice(offset, end));
        offset = end;
      },
    });
    let body = await json(await c.fetch(`${h2.origin}/echo`, { method: 'POST', body: stream, duplex: 'half' }));
    expect(body.bodyLength).toBe(data.byteLength);
    expect(body.bodySha256).toBe(sha256(data));

    async function* gen(): AsyncGenerator<Uint8Array | string> {
      yield 'part one, ';
      yield new TextEncoder().encode('part two');
    }
    body = await json(await c.fetch(`${h2.origin}/echo`, { method: 'POST', body: gen() }));
    expect(body.bodySha256).toBe(sha256(new TextEncoder().encode('part one, part two')));
    await c.close();
  });

  it('streams a large response body with backpressure (8 MiB, sha256 checked)', async () => {
    const c = client();
    const n = 8 * 1024 * 1024;
    const res = await c.fetch(`${h2.origin}/bytes?n=${n}&seed=11`);
    const { bytes, chunks } = await readAll(res.body);
    expect(bytes.byteLength).toBe(n);
    expect(sha256(bytes)).toBe(res.headers.get('x-sha256'));
    expect(chunks).toBeGreaterThan(1);
    await c.close();
  });

  it('keeps repeated fields (set-cookie)', async () => {
    const c = client();
    const res = await c.fetch(`${h2.origin}/cookies`);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    await res.text();
    await c.close();
  });

  it('clone() keeps the protocol information', async () => {
    const c = client();
    const res = await c.fetch(`${h2.origin}/echo`);
    const copy = res.clone();
    expect(copy).toBeInstanceOf(ClientResponse);
    expect(copy.protocol).toBe('h2');
    expect(copy.url).toBe(res.url);
    expect(await copy.text()).toBe(await res.text());
    await c.close();
  });

  it('protocol "http/1.1" uses HTTP/1.1 over TLS on the same server', async () => {
    const c = client({ protocol: 'http/1.1' });
    const res = await c.fetch(`${h2.origin}/echo`);
    expect(res.protocol).toBe('http/1.1');
    expect((await json(res)).httpVersion).toBe('1.1');
    const viaInit = await createClient({ ca: pki.ca.certPem }).fetch(`${h2.origin}/echo`, { protocol: 'http/1.1' });
    expect(viaInit.protocol).toBe('http/1.1');
    await viaInit.text();
    await c.close();
  });
});

describe('abort and timeouts', () => {
  it('an abort before the response rejects with AbortError and resets the stream', async () => {
    const c = client();
    const ac = new AbortController();
    const before = h2.aborted;
    const pending = c.fetch(`${h2.origin}/hang`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: ClientErrorCode.ABORTED, name: 'AbortError' });
    await expect.poll(() => h2.aborted).toBeGreaterThan(before);
    await c.close();
  });

  it('an already-aborted signal rejects at once', async () => {
    const c = client();
    await expect(c.fetch(`${h2.origin}/echo`, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: ClientErrorCode.ABORTED,
    });
    await c.close();
  });

  it('an abort during the body errors the body stream', async () => {
    for (const origin of [h2.origin, https1.origin]) {
      const c = client();
      const ac = new AbortController();
      const res = await c.fetch(`${origin}/stall-body`, { signal: ac.signal });
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toBe('first chunk');
      ac.abort();
      await expect(reader.read()).rejects.toMatchObject({ code: ClientErrorCode.ABORTED });
      await c.close();
    }
  });

  it('idle timeout: no response headers in time', async () => {
    const c = client({ timeouts: { idleMs: 150 } });
    const error = await c.fetch(`${h2.origin}/slow-headers?ms=5000`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: ClientErrorCode.TIMEOUT, phase: 'idle' });
    await c.close();
  });

  it('total timeout covers the body', async () => {
    const c = client();
    const res = await c.fetch(`${h2.origin}/stall-body`, { totalTimeoutMs: 200 });
    await expect(res.text()).rejects.toMatchObject({ code: ClientErrorCode.TIMEOUT, phase: 'total' });
    await c.close();
  });

  it('connect timeout when the TLS handshake never completes', async () => {
    const held: Socket[] = [];
    const silent = createNetServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const c = client({ timeouts: { connectMs: 150 } });
    for (const protocol of ['auto', 'http/1.1'] as const) {
      const error = await c.fetch(`https://127.0.0.1:${port}/`, { protocol }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ClientErrorCode.TIMEOUT, phase: 'connect' });
    }
    await c.close();
    for (const s of held) s.destroy();
    silent.close();
  });
});

describe('redirects (fetch spec §4.4)', () => {
  it('follows 302 turning POST into GET and drops the body', async () => {
    const c = client();
    const res = await c.fetch(`${h2.origin}/redirect?status=302&to=/echo`, { method: 'POST', body: 'data' });
    const body = await json(res);
    expect(body.method).toBe('GET');
    expect(body.bodyLength).toBe(0);
    expect((body.headers as Record<string, string>)['content-type']).toBeUndefined();
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${h2.origin}/echo`);
    expect(res.info.redirects).toBe(1);
    await c.close();
  });

  it('307 and 308 keep the method and a replayable body', async () => {
    const c = client();
    for (const status of [307, 308]) {
      const res = await c.fetch(`${h2.origin}/redirect?status=${status}&to=/echo%3Fafter`, {
        method: 'POST',
        body: 'again',
      });
      const body = await json(res);
      expect(body.method).toBe('POST');
      expect(body.path).toBe('/echo?after');
      expect(body.bodySha256).toBe(sha256(new TextEncoder().encode('again')));
    }
    await c.close();
  });

  it('303 turns PUT into GET; 301 keeps GET', async () => {
    const c = client();
    let body = await json(await c.fetch(`${h2.origin}/redirect?status=303`, { method: 'PUT', body: 'x' }));
    expect(body.method).toBe('GET');
    body = await json(await c.fetch(`${h2.origin}/redirect?status=301`));
    expect(body.method).toBe('GET');
    await c.close();
  });

  it("'manual' returns the redirect; 'error' rejects", async () => {
    const c = client();
    const res = await c.fetch(`${h2.origin}/redirect?status=302&to=/x`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/x');
    expect(res.redirected).toBe(false);
    await res.text();
    const error = await c.fetch(`${h2.origin}/redirect`, { redirect: 'error' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ code: ClientErrorCode.REDIRECT_NOT_ALLOWED });
    await c.close();
  });

  it('gives up after 20 redirects', async () => {
    const c = client();
    const before = h2.requests.length;
    const error = await c.fetch(`${h2.origin}/loop`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ClientErrorCode.TOO_MANY_REDIRECTS });
    expect(h2.requests.length - before).toBe(21);
    await c.close();
  });

  it('refuses a 307 with a one-shot streaming body', async () => {
    const c = client();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2, 3]));
        controller.close();
      },
    });
    const error = await c
      .fetch(`${h2.origin}/redirect?status=307`, { method: 'POST', body: stream })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ClientErrorCode.INVALID_REDIRECT });
    await c.close();
  });

  it('drops Authorization on a cross-origin redirect, keeps it on the same origin', async () => {
    const c = client();
    const auth = { authorization: 'Bearer secret' };
    let body = await json(await c.fetch(`${h2.origin}/redirect?to=/echo`, { headers: auth }));
    expect((body.headers as Record<string, string>).authorization).toBe('Bearer secret');
    const cross = encodeURIComponent(`${h2.namedOrigin}/echo`);
    body = await json(await c.fetch(`${h2.origin}/redirect?to=${cross}`, { headers: auth }));
    expect((body.headers as Record<string, string>).authorization).toBeUndefined();
    await c.close();
  });

  it('rejects a redirect to a non-HTTP scheme', async () => {
    const c = client();
    const error = await c.fetch(`${h2.origin}/redirect?to=${encodeURIComponent('ftp://x/')}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ClientErrorCode.INVALID_REDIRECT });
    await c.close();
  });
});

describe('HTTP/1.1 over TLS (node:https, no h2)', () => {
  it('ALPN falls back to http/1.1 on the probing connection and keeps it alive', async () => {
    const c = client();
    const before = https1.connections;
    const res = await c.fetch(`${https1.origin}/echo`);
    expect(res.protocol).toBe('http/1.1');
    expect(res.statusText).toBe('OK');
    const body = await json(res);
    expect(body.httpVersion).toBe('1.1');
    expect(https1.connections - before).toBe(1);
    const second = await c.fetch(`${https1.origin}/bytes?n=200000`);
    const { bytes } = await readAll(second.body);
    expect(sha256(bytes)).toBe(second.headers.get('x-sha256'));
    expect(second.info.reusedConnection).toBe(true);
    expect(https1.connections - before).toBe(1);
    await c.close();
  });

  it('streams an upload with chunked encoding', async () => {
    const c = client();
    const data = patternBytes(500_000, 5);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < data.byteLength; i += 32_768) yield data.subarray(i, i + 32_768);
    }
    const body = await json(await c.fetch(`${https1.origin}/echo`, { method: 'POST', body: chunks() }));
    expect(body.bodySha256).toBe(sha256(data));
    expect((body.headers as Record<string, string>)['transfer-encoding']).toBe('chunked');
    await c.close();
  });

  it("protocol 'h2' against an HTTP/1.1-only server fails with ALPN_MISMATCH", async () => {
    const c = client({ protocol: 'h2' });
    const error = await c.fetch(`${https1.origin}/echo`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: ClientErrorCode.ALPN_MISMATCH });
    await c.close();
  });
});

describe('cleartext http:', () => {
  it('GET and POST over HTTP/1.1 with keep-alive', async () => {
    const c = client();
    const before = http1.connections;
    const res = await c.fetch(`${http1.origin}/echo`);
    expect(res.protocol).toBe('http/1.1');
    expect(res.info.handshakeMs).toBeUndefined();
    expect((await json(res)).httpVersion).toBe('1.1');
    const posted = await json(await c.fetch(`${http1.origin}/echo`, { method: 'POST', body: 'plain' }));
    expect(posted.bodySha256).toBe(sha256(new TextEncoder().encode('plain')));
    expect(http1.connections - before).toBe(1);
    await c.close();
  });

  it('rejects h3 and h2 for http: URLs', async () => {
    const c = client();
    for (const protocol of ['h3', 'h2'] as const) {
      await expect(c.fetch(`${http1.origin}/echo`, { protocol })).rejects.toMatchObject({
        code: ClientErrorCode.INVALID_REQUEST,
      });
    }
    await c.close();
  });
});

describe('request validation', () => {
  it('rejects bad input before sending anything', async () => {
    const c = client();
    const cases: Array<[Promise<unknown>, string]> = [
      [c.fetch('ftp://example.com/'), ClientErrorCode.UNSUPPORTED_SCHEME],
      [c.fetch('not a url'), ClientErrorCode.INVALID_REQUEST],
      [c.fetch(`${h2.origin}/`, { method: 'CONNECT' }), ClientErrorCode.INVALID_REQUEST],
      [c.fetch(`${h2.origin}/`, { method: 'GET', body: 'x' }), ClientErrorCode.INVALID_REQUEST],
      [c.fetch(`${h2.origin}/`, { method: 'bad method' }), ClientErrorCode.INVALID_REQUEST],
      [c.fetch('https://user:pw@127.0.0.1/'), ClientErrorCode.INVALID_REQUEST],
    ];
    for (const [p, code] of cases) await expect(p).rejects.toMatchObject({ code });
    await c.close();
    await expect(c.fetch(`${h2.origin}/echo`)).rejects.toMatchObject({ code: ClientErrorCode.CLIENT_CLOSED });
  });
});
