import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Http3Server } from '../src/http3-server.js';
import { generatedBytes } from '../src/static/generated-bytes.js';
import { serveStatic } from '../src/static/serve-static.js';
import { httpDate } from '../src/util/http-date.js';
import { type H3TestClient, headerOf, requestHeaders, str } from './support/h3-client.js';
import { World } from './support/world.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('serveStatic over HTTP/3', () => {
  let dir: string;
  let outside: string;
  let world: World;
  let server: Http3Server;
  let client: H3TestClient;
  const big = new Uint8Array(3 << 20).map((_, i) => (i * 7 + (i >> 10)) & 0xff);
  const MTIME = new Date('2025-03-01T12:00:00Z');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fos-static-'));
    outside = mkdtempSync(join(tmpdir(), 'fos-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    writeFileSync(join(dir, 'hello.txt'), 'hello world\n');
    writeFileSync(join(dir, 'big.bin'), big);
    writeFileSync(join(dir, 'style.css'), 'body{}');
    writeFileSync(join(dir, '.env'), 'TOKEN=1');
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'index.html'), '<h1>docs</h1>');
    mkdirSync(join(dir, 'empty dir'));
    writeFileSync(join(dir, 'empty dir', 'a b.txt'), 'spaced');
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'link-out.txt'));
    symlinkSync(join(dir, 'hello.txt'), join(dir, 'link-in.txt'));
    utimesSync(join(dir, 'hello.txt'), MTIME, MTIME);
    world = await World.create();
    server = await world.server({ handler: serveStatic(dir, { listDirectories: true }) });
    client = await world.client();
  });

  afterAll(async () => {
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const get = (path: string, extra: [string, string][] = []) => world.driveIo(client.get(path, extra));

  it('GET: content, content-type by extension, content-length, validators', async () => {
    const r = await get('/hello.txt');
    expect(r.status).toBe(200);
    expect(str(r.body)).toBe('hello world\n');
    expect(headerOf(r.headers, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(headerOf(r.headers, 'content-length')).toBe('12');
    expect(headerOf(r.headers, 'last-modified')).toBe(httpDate(MTIME.getTime()));
    expect(headerOf(r.headers, 'etag')).toMatch(/^"c-[0-9a-f]+"$/);
    expect(headerOf(r.headers, 'accept-ranges')).toBe('bytes');
    expect(headerOf((await get('/style.css')).headers, 'content-type')).toBe('text/css; charset=utf-8');
  });

  it('a 3 MiB file streams from disk intact', async () => {
    const r = await get('/big.bin');
    expect(r.status).toBe(200);
    expect(headerOf(r.headers, 'content-type')).toBe('application/octet-stream');
    expect(sha(r.body)).toBe(sha(big));
  });

  it('HEAD: the headers of GET, no content', async () => {
    const r = await world.driveIo(client.request(requestHeaders('HEAD', '/big.bin')).done);
    expect(r.status).toBe(200);
    expect(headerOf(r.headers, 'content-length')).toBe(String(big.length));
    expect(r.body.length).toBe(0);
  });

  it('conditional GET: If-None-Match and If-Modified-Since → 304; a stale validator → 200; If-Match → 412', async () => {
    const first = await get('/hello.txt');
    const etag = headerOf(first.headers, 'etag')!;
    const inm = await get('/hello.txt', [['if-none-match', `"other", ${etag}`]]);
    expect(inm.status).toBe(304);
    expect(inm.body.length).toBe(0);
    expect(headerOf(inm.headers, 'etag')).toBe(etag);
    expect((await get('/hello.txt', [['if-none-match', `W/${etag}`]])).status).toBe(304); // weak comparison
    expect((await get('/hello.txt', [['if-none-match', '"nope"']])).status).toBe(200);
    const ims = await get('/hello.txt', [['if-modified-since', httpDate(MTIME.getTime())]]);
    expect(ims.status).toBe(304);
    expect((await get('/hello.txt', [['if-modified-since', httpDate(MTIME.getTime() - 1000)]])).status).toBe(200);
    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    const both = [
      ['if-none-match', '"nope"'],
      ['if-modified-since', httpDate(MTIME.getTime())],
    ] as [string, string][];
    expect((await get('/hello.txt', both)).status).toBe(200);
    expect((await get('/hello.txt', [['if-match', '"nope"']])).status).toBe(412);
    expect((await get('/hello.txt', [['if-match', etag]])).status).toBe(200);
    expect((await get('/hello.txt', [['if-unmodified-since', httpDate(MTIME.getTime() - 1000)]])).status).toBe(412);
  });

  it('Range: 206 with content-range, suffix ranges, 416, and If-Range', async () => {
    const r = await get('/big.bin', [['range', 'bytes=1000-1999']]);
    expect(r.status).toBe(206);
    expect(headerOf(r.headers, 'content-range')).toBe(`bytes 1000-1999/${big.length}`);
    expect(headerOf(r.headers, 'content-length')).toBe('1000');
    expect(sha(r.body)).toBe(sha(big.subarray(1000, 2000)));
    const suffix = await get('/big.bin', [['range', 'bytes=-10']]);
    expect(Array.from(suffix.body)).toEqual(Array.from(big.subarray(big.length - 10)));
    const open = await get('/hello.txt', [['range', 'bytes=6-']]);
    expect(str(open.body)).toBe('world\n');
    const beyond = await get('/hello.txt', [['range', 'bytes=100-']]);
    expect(beyond.status).toBe(416);
    expect(headerOf(beyond.headers, 'content-range')).toBe('bytes */12');
    // several ranges: served whole (a server MAY ignore Range, RFC 9110 §14.2)
    expect((await get('/hello.txt', [['range', 'bytes=0-1,3-4']])).status).toBe(200);
    const etag = headerOf((await get('/hello.txt')).headers, 'etag')!;
    expect(
      (
        await get('/hello.txt', [
          ['range', 'bytes=0-4'],
          ['if-range', etag],
        ])
      ).status,
    ).toBe(206);
    expect(
      (
        await get('/hello.txt', [
          ['range', 'bytes=0-4'],
          ['if-range', '"old"'],
        ])
      ).status,
    ).toBe(200);
  });

  it('refuses path traversal, dot-files and links out of the root', async () => {
    for (const p of ['/../etc/passwd', '/%2e%2e/etc/passwd', '/docs/%2E%2E/%2e%2e/x', '/docs/..%2f..%2fx']) {
      const status = (await get(p)).status;
      expect([400, 403], p).toContain(status);
    }
    expect((await get('/%00')).status).toBe(400);
    expect((await get('/%zz')).status).toBe(400);
    expect((await get('/.env')).status).toBe(404);
    expect((await get('/link-out.txt')).status).toBe(403);
    expect(str((await get('/link-in.txt')).body)).toBe('hello world\n');
    expect((await get('/missing.txt')).status).toBe(404);
  });

  it('directories: redirect to the slash form, index.html, listing', async () => {
    const redirect = await get('/docs?x=1');
    expect(redirect.status).toBe(301);
    expect(headerOf(redirect.headers, 'location')).toBe('/docs/?x=1');
    expect(str((await get('/docs/')).body)).toBe('<h1>docs</h1>');
    const listing = await get('/empty%20dir/');
    expect(listing.status).toBe(200);
    expect(headerOf(listing.headers, 'content-type')).toBe('text/html; charset=utf-8');
    expect(str(listing.body)).toContain('<a href="a%20b.txt">a b.txt</a>');
    const root = str((await get('/')).body);
    expect(root).toContain('hello.txt');
    expect(root).not.toContain('.env');
  });

  it('other methods: 405 with allow; OPTIONS 204', async () => {
    const post = await world.driveIo(client.request(requestHeaders('POST', '/hello.txt'), new Uint8Array(3)).done);
    expect(post.status).toBe(405);
    expect(headerOf(post.headers, 'allow')).toBe('GET, HEAD, OPTIONS');
    const options = await world.driveIo(client.request(requestHeaders('OPTIONS', '/')).done);
    expect(options.status).toBe(204);
  });

  it('/bytes/N streams N generated bytes (byte k = k mod 256)', async () => {
    for (const n of [0, 1, 1000, 200_000]) {
      const r = await get(`/bytes/${n}`);
      expect(r.status).toBe(200);
      expect(headerOf(r.headers, 'content-length')).toBe(String(n));
      expect(sha(r.body)).toBe(sha(generatedBytes(n)));
    }
    expect((await get('/bytes/-1')).status).toBe(404);
    expect((await get('/bytes/1e3')).status).toBe(404);
  });
});
