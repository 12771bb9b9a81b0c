import { describe, expect, it } from 'vitest';
import { ClientErrorCode } from '../errors.js';
import { contentLength, multiplexedHeaderList, prepareRequest, requestPath } from './prepared-request.js';
import { RequestBody } from './request-body.js';

describe('prepareRequest', () => {
  it('normalises standard methods and keeps others as written (fetch spec §2.2.1)', async () => {
    expect((await prepareRequest('https://a.test/', { method: 'post', body: '' }, 'auto', undefined)).method).toBe(
      'POST',
    );
    expect((await prepareRequest('https://a.test/', { method: 'patch', body: '' }, 'auto', undefined)).method).toBe(
      'PATCH',
    );
    expect((await prepareRequest('https://a.test/', { method: 'Purge' }, 'auto', undefined)).method).toBe('Purge');
    for (const method of ['CONNECT', 'trace', 'TRACK']) {
      await expect(prepareRequest('https://a.test/', { method }, 'auto', undefined)).rejects.toMatchObject({
        code: ClientErrorCode.INVALID_REQUEST,
      });
    }
  });

  it('adds accept, user-agent and the body content type unless set', async () => {
    const r = await prepareRequest('https://a.test/p?q#f', { method: 'POST', body: 'x' }, 'h2', 'ua/1');
    expect(r.headers.get('accept')).toBe('*/*');
    expect(r.headers.get('user-agent')).toBe('ua/1');
    expect(r.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(r.protocol).toBe('h2');
    expect(r.url.hash).toBe('');
    expect(requestPath(r.url)).toBe('/p?q');
    const own = await prepareRequest(
      'https://a.test/',
      { method: 'POST', body: 'x', headers: { accept: 'text/html', 'content-type': 'a/b' } },
      'auto',
      undefined,
    );
    expect(own.headers.get('accept')).toBe('text/html');
    expect(own.headers.get('content-type')).toBe('a/b');
    expect(own.headers.has('user-agent')).toBe(false);
  });

  it('accepts a Request as input', async () => {
    const input = new Request('https://a.test/r', { method: 'PUT', headers: { 'x-a': '1' }, body: 'abc' });
    const r = await prepareRequest(input, {}, 'auto', undefined);
    expect(r.method).toBe('PUT');
    expect(r.headers.get('x-a')).toBe('1');
    expect(r.body).not.toBeNull();
  });

  it('computes Content-Length like fetch (POST/PUT without body: 0)', async () => {
    expect(contentLength(await prepareRequest('https://a.test/', { method: 'POST' }, 'auto', undefined))).toBe(0);
    expect(contentLength(await prepareRequest('https://a.test/', {}, 'auto', undefined))).toBeUndefined();
    expect(
      contentLength(await prepareRequest('https://a.test/', { method: 'POST', body: 'héllo' }, 'auto', undefined)),
    ).toBe(6);
  });

  it('drops connection-specific fields for HTTP/2 and HTTP/3 (RFC 9113 §8.2.2, RFC 9114 §4.2)', async () => {
    const r = await prepareRequest(
      'https://a.test/',
      {
        method: 'POST',
        body: 'abc',
        headers: {
          connection: 'keep-alive',
          'keep-alive': '5',
          upgrade: 'x',
          'transfer-encoding': 'chunked',
          te: 'gzip',
          'x-ok': '1',
        },
      },
      'auto',
      undefined,
    );
    const names = multiplexedHeaderList(r).map(([n]) => n);
    expect(names).toContain('x-ok');
    expect(names).toContain('content-length');
    for (const n of ['connection', 'keep-alive', 'upgrade', 'transfer-encoding', 'te']) expect(names).not.toContain(n);
    const trailers = await prepareRequest('https://a.test/', { headers: { te: 'trailers' } }, 'auto', undefined);
    expect(multiplexedHeaderList(trailers)).toContainEqual(['te', 'trailers']);
  });
});

describe('RequestBody', () => {
  async function drain(body: RequestBody): Promise<string> {
    const parts: Uint8Array[] = [];
    for await (const c of body.chunks()) parts.push(c);
    return Buffer.concat(parts).toString();
  }

  it('replays strings and bytes any number of times', async () => {
    const body = (await RequestBody.from('again'))!;
    expect(await drain(body)).toBe('again');
    expect(await drain(body)).toBe('again');
    expect(body.replayable).toBe(true);
    const view = new Uint8Array([0, 65, 66, 0]).subarray(1, 3);
    expect(await drain((await RequestBody.from(view))!)).toBe('AB');
    expect((await RequestBody.from(new Uint16Array([0x4241])))!.length).toBe(2);
  });

  it('a stream body is one-shot: consumed after the first send', async () => {
    const body = (await RequestBody.from(
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('once'));
          c.close();
        },
      }),
    ))!;
    expect(body.replayable).toBe(true);
    expect(await drain(body)).toBe('once');
    expect(body.consumed).toBe(true);
    expect(body.replayable).toBe(false);
    expect(() => body.chunks()).toThrow(expect.objectContaining({ code: ClientErrorCode.BODY_NOT_REPLAYABLE }));
  });

  it('rejects chunks that are not bytes or strings', async () => {
    async function* bad(): AsyncGenerator<unknown> {
      yield 42;
    }
    const body = (await RequestBody.from(bad() as AsyncIterable<string>))!;
    await expect(drain(body)).rejects.toBeInstanceOf(TypeError);
  });
});
