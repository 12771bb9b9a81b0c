import { createHash } from 'node:crypto';
import { H3ErrorCode } from '@fos/http3';
import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from '../src/access-log.js';
import { ServerError, ServerErrorCode } from '../src/errors.js';
import type { Http3Request } from '../src/exchange/request.js';
import type { ServerErrorContext } from '../src/options.js';
import { headerOf, requestHeaders, str, text } from './support/h3-client.js';
import { World } from './support/world.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function* chunked(data: Uint8Array, size: number): Iterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('request → response over QUIC (MemoryNetwork)', () => {
  it('answers a GET with status, headers and body; the handler sees the request fields', async () => {
    const world = await World.create();
    const seen: { method: string; path: string; authority?: string; ua?: string; headers: number }[] = [];
    const server = await world.server({
      serverHeader: 'fos-test',
      handler: (req, res) => {
        seen.push({
          method: req.method,
          path: req.path,
          authority: req.authority,
          ua: req.header('user-agent'),
          headers: req.headers.length,
        });
        res.setHeader('content-type', 'text/plain');
        res.setHeader('connection', 'close'); // RFC 9114 §4.2: dropped, not sent
        void res.end(`hello ${req.pathname}`);
      },
    });
    const client = await world.client();
    const r = await world.drive(client.get('/x?y=1', [['user-agent', 'test/1']]));
    expect(r.status).toBe(200);
    expect(str(r.body)).toBe('hello /x');
    expect(headerOf(r.headers, 'content-type')).toBe('text/plain');
    expect(headerOf(r.headers, 'content-length')).toBe('8');
    expect(headerOf(r.headers, 'date')).toMatch(/GMT$/);
    expect(headerOf(r.headers, 'server')).toBe('fos-test');
    expect(headerOf(r.headers, 'connection')).toBeUndefined();
    expect(seen).toEqual([{ method: 'GET', path: '/x?y=1', authority: 'localhost', ua: 'test/1', headers: 5 }]);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('streams a 1 MiB request body to the handler and a 1 MiB response back (SHA-256 equal)', async () => {
    const world = await World.create();
    const server = await world.server({
      handler: async (req, res) => {
        const h = createHash('sha256');
        let n = 0;
        for await (const chunk of req) {
          h.update(chunk);
          n += chunk.length;
        }
        res.setHeader('x-sha256', h.digest('hex'));
        res.setHeader('x-length', n);
        // echo it back, generated again, in 16 KiB writes with backpressure
        const data = randomBytes(1 << 20, 7);
        for (const c of chunked(data, 16384)) await res.write(c);
        await res.end();
      },
    });
    const client = await world.client();
    const body = randomBytes(1 << 20, 3);
    const r = await world.drive(client.request(requestHeaders('POST', '/upload'), chunked(body, 10_000)).done);
    expect(r.status).toBe(200);
    expect(headerOf(r.headers, 'x-length')).toBe(String(1 << 20));
    expect(headerOf(r.headers, 'x-sha256')).toBe(sha(body));
    expect(sha(r.body)).toBe(sha(randomBytes(1 << 20, 7)));
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('request body backpressure: while the handler does not read, the client cannot send much more', async () => {
    const world = await World.create();
    let request: Http3Request | undefined;
    const server = await world.server({
      limits: { requestBodyHighWaterMarkBytes: 32 * 1024 },
      handler: (req) => {
        request = req; // reads later
      },
    });
    const client = await world.client();
    const body = randomBytes(8 << 20, 11);
    let written = 0;
    async function* source() {
      for (const c of chunked(body, 16384)) {
        written += c.length;
        yield c;
      }
    }
    const exchange = client.request(requestHeaders('PUT', '/big'), source());
    await world.until(() => request !== undefined);
    await world.run(3000); // 300 round trips: plenty of time to send everything if nothing held it back
    const req = request as Http3Request;
    // the server took at most its high-water mark (plus one chunk) from HTTP/3 ...
    expect(req.bytesReceived).toBeLessThanOrEqual(32 * 1024 + 16384);
    // ... and QUIC flow control (512 KiB stream window) plus the client's send buffer bound what left the client
    expect(written).toBeLessThan(2 << 20);
    // now consume: everything arrives intact
    const h = createHash('sha256');
    const done = (async () => {
      for await (const c of req) h.update(c);
    })();
    await world.drive(done);
    expect(h.digest('hex')).toBe(sha(body));
    expect(written).toBe(body.length);
    exchange.request.cancel();
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('trailers both ways (RFC 9114 §4.1)', async () => {
    const world = await World.create();
    const server = await world.server({
      handler: async (req, res) => {
        const body = await req.text();
        const trailers = await req.trailers;
        res.setTrailers({ 'x-checksum': String(body.length), 'x-got': trailers?.[0]?.[1] ?? 'none' });
        await res.end(body.toUpperCase());
      },
    });
    const client = await world.client();
    const r = await world.drive(
      client.request(requestHeaders('POST', '/t'), [text('abc'), text('def')], [['x-request-trailer', 'yes']]).done,
    );
    expect(str(r.body)).toBe('ABCDEF');
    expect(r.trailers).toEqual([
      ['x-checksum', '6'],
      ['x-got', 'yes'],
    ]);
    // no content-length: the body was streamed (end with a chunk after setTrailers keeps it)
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('interim responses: 103 Early Hints then the final response (RFC 9114 §4.1, RFC 8297)', async () => {
    const world = await World.create();
    const server = await world.server({
      handler: (_req, res) => {
        res.earlyHints(['</style.css>; rel=preload; as=style', '</app.js>; rel=preload; as=script']);
        res.informational(100);
        void res.end('ok');
      },
    });
    const client = await world.client();
    const r = await world.drive(client.get('/'));
    expect(r.informational.map((i) => i.status)).toEqual([103, 100]);
    expect(r.informational[0].headers.filter(([n]) => n === 'link').map(([, v]) => v)).toEqual([
      '</style.css>; rel=preload; as=style',
      '</app.js>; rel=preload; as=script',
    ]);
    expect(r.status).toBe(200);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('HEAD: content-length of the would-be body, no content (RFC 9110 §9.3.2)', async () => {
    const world = await World.create();
    const server = await world.server({ handler: (_req, res) => void res.end('twelve bytes') });
    const client = await world.client();
    const r = await world.drive(client.request(requestHeaders('HEAD', '/')).done);
    expect(r.status).toBe(200);
    expect(headerOf(r.headers, 'content-length')).toBe('12');
    expect(r.body.length).toBe(0);
    expect(r.error).toBeUndefined();
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('a throwing handler gets 500, one failing mid-body a reset with H3_INTERNAL_ERROR; the server keeps serving', async () => {
    const world = await World.create();
    const errors: ServerErrorContext[] = [];
    const server = await world.server({
      onError: (_e, ctx) => errors.push(ctx),
      handler: async (req, res) => {
        if (req.path === '/sync') {
          res.setHeader('content-type', 'video/mp4'); // must not leak into the 500
          throw new Error('boom');
        }
        if (req.path === '/async') {
          await res.write('partial');
          throw new Error('late boom');
        }
        await res.end('fine');
      },
    });
    const client = await world.client();
    const [a, b, c] = await world.drive(Promise.all([client.get('/sync'), client.get('/async'), client.get('/ok')]));
    expect(a.status).toBe(500);
    expect(headerOf(a.headers, 'content-type')).toBe('text/plain');
    // the reset may overtake the header section (RFC 9000 §3.2: unsent data is abandoned): only the code is certain
    expect(b.error?.code).toBe(H3ErrorCode.H3_INTERNAL_ERROR);
    expect(c.status).toBe(200);
    expect(str(c.body)).toBe('fine');
    expect(errors.map((e) => [e.phase, e.path])).toEqual([
      ['handler', '/sync'],
      ['handler', '/async'],
    ]);
    const again = await world.drive(client.get('/ok'));
    expect(again.status).toBe(200);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('a client cancel aborts the request signal and fails pending writes; the access log records the reset', async () => {
    const world = await World.create();
    const log: AccessLogEntry[] = [];
    let aborted: unknown;
    let writeError: unknown;
    const server = await world.server({
      accessLog: (e) => log.push(e),
      handler: async (req, res) => {
        req.signal.addEventListener('abort', () => {
          aborted = req.signal.reason;
        });
        try {
          for (;;) await res.write(new Uint8Array(64 * 1024));
        } catch (e) {
          writeError = e;
        }
      },
    });
    const client = await world.client();
    const ex = client.request(requestHeaders('GET', '/forever'));
    await world.until(() => ex.pending.bytes > 300_000);
    ex.request.cancel(); // RESET_STREAM + STOP_SENDING with H3_REQUEST_CANCELLED (RFC 9114 §4.1.1)
    client.flush();
    await world.until(() => writeError !== undefined && log.length === 1);
    expect(writeError).toBeInstanceOf(ServerError);
    expect((writeError as ServerError).code).toBe(ServerErrorCode.ABORTED);
    expect((writeError as ServerError).h3Code).toBe(H3ErrorCode.H3_REQUEST_CANCELLED);
    expect((aborted as ServerError).code).toBe(ServerErrorCode.ABORTED);
    expect(log[0]).toMatchObject({ method: 'GET', path: '/forever', status: 200, resetCode: 0x10c });
    expect(log[0].bytesSent).toBeGreaterThan(300_000);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('access log: one entry per request, with status, sizes and timing', async () => {
    const world = await World.create();
    const log: AccessLogEntry[] = [];
    const server = await world.server({
      accessLog: (e) => log.push(e),
      handler: async (req, res) => {
        const body = await req.bytes();
        res.status = req.path === '/missing' ? 404 : 201;
        await res.end(new Uint8Array(body.length * 2));
      },
    });
    const client = await world.client();
    await world.drive(
      Promise.all([
        client.request(requestHeaders('POST', '/a', [['user-agent', 'ua/1']]), text('12345')).done,
        client.get('/missing'),
      ]),
    );
    await world.until(() => log.length === 2);
    const byPath = Object.fromEntries(log.map((e) => [e.path, e]));
    expect(byPath['/a']).toMatchObject({
      method: 'POST',
      status: 201,
      bytesSent: 10,
      bytesReceived: 5,
      userAgent: 'ua/1',
    });
    expect(byPath['/missing']).toMatchObject({ method: 'GET', status: 404, bytesSent: 0, earlyData: false });
    expect(byPath['/a'].durationMs).toBeGreaterThanOrEqual(0);
    expect(byPath['/a'].remoteAddress.address).toBe('10.0.0.1');
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('request body limit: a larger content-length gets 413 unseen by the handler; a growing body fails its read', async () => {
    const world = await World.create();
    const handled: string[] = [];
    let readError: unknown;
    const server = await world.server({
      limits: { maxRequestBodyBytes: 1000 },
      handler: async (req, res) => {
        handled.push(req.path);
        try {
          await req.bytes();
        } catch (e) {
          readError = e;
          res.status = 413;
        }
        await res.end();
      },
    });
    const client = await world.client();
    const declared = await world.drive(
      client.request(requestHeaders('POST', '/declared', [['content-length', '5000']]), new Uint8Array(5000)).done,
    );
    expect(declared.status).toBe(413);
    const streamed = await world.drive(client.request(requestHeaders('POST', '/streamed'), new Uint8Array(5000)).done);
    expect(streamed.status).toBe(413);
    expect(handled).toEqual(['/streamed']);
    expect((readError as ServerError).code).toBe(ServerErrorCode.REQUEST_BODY_TOO_LARGE);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('response backpressure: write() waits while the stream buffer is full; what is buffered stays bounded', async () => {
    const world = await World.create({ link: { delayMs: 20, rateBps: 16_000_000, queueBytes: 64 << 20 } });
    let pendingWrites = 0;
    let maxUnsent = 0;
    const server = await world.server({
      handler: async (req, res) => {
        const chunk = new Uint8Array(32 * 1024);
        for (let i = 0; i < 128; i++) {
          const p = res.write(chunk);
          let settled = false;
          void p.then(() => {
            settled = true;
          });
          await Promise.resolve();
          if (!settled) pendingWrites++;
          await p;
          // buffered = not yet acknowledged = unsent + in flight (nothing is lost on this link)
          const session = [...server.sessions][0];
          const inFlightBound = session.quic.stats.bytesInFlight;
          maxUnsent = Math.max(maxUnsent, session.h3.bufferedBytes(req.streamId) - inFlightBound);
        }
        await res.end();
      },
    });
    const client = await world.client();
    const r = await world.drive(client.get('/4m'));
    expect(r.body.length).toBe(4 << 20);
    expect(pendingWrites).toBeGreaterThan(10);
    // beyond what may be in flight, no more than QUIC's unsent high-water mark (256 KiB) plus one write
    expect(maxUnsent).toBeLessThanOrEqual(256 * 1024 + 32 * 1024 + 64);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });
});
