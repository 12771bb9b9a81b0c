import { describe, expect, it } from 'vitest';
import { ClientErrorCode } from '../errors.js';
import { type PreparedRequest, prepareRequest } from './prepared-request.js';
import { isRedirectStatus, MAX_REDIRECTS, redirectRequest } from './redirect.js';

async function req(
  init: Parameters<typeof prepareRequest>[1] = {},
  url = 'https://a.test/dir/page?x=1',
): Promise<PreparedRequest> {
  return prepareRequest(url, init, 'auto', undefined);
}

describe('redirectRequest (fetch spec §4.4 HTTP-redirect fetch)', () => {
  it('recognises the redirect statuses', () => {
    expect([300, 301, 302, 303, 304, 305, 306, 307, 308].filter(isRedirectStatus)).toEqual([301, 302, 303, 307, 308]);
  });

  it('returns undefined without a Location', async () => {
    expect(redirectRequest(await req(), 302, null, 0)).toBeUndefined();
  });

  it('resolves Location against the current URL and drops the fragment', async () => {
    const next = redirectRequest(await req(), 302, '../other?y=2#frag', 0)!;
    expect(next.url.href).toBe('https://a.test/other?y=2');
  });

  it.each([
    [301, 'POST', 'GET', true],
    [302, 'POST', 'GET', true],
    [303, 'POST', 'GET', true],
    [303, 'PUT', 'GET', true],
    [303, 'HEAD', 'HEAD', false],
    [301, 'PUT', 'PUT', false],
    [302, 'DELETE', 'DELETE', false],
    [307, 'POST', 'POST', false],
    [308, 'PUT', 'PUT', false],
  ] as const)('%i turns %s into %s (body dropped: %s)', async (status, method, expected, dropped) => {
    const hasBody = method !== 'HEAD';
    const r = await req({
      method,
      body: hasBody ? 'data' : undefined,
      headers: { 'content-type': 'text/x', 'content-language': 'en', 'x-keep': '1' },
    });
    const next = redirectRequest(r, status, '/next', 0)!;
    expect(next.method).toBe(expected);
    expect(next.body === null).toBe(dropped || !hasBody);
    expect(next.headers.get('content-type')).toBe(dropped ? null : 'text/x');
    expect(next.headers.get('content-language')).toBe(dropped ? null : 'en');
    expect(next.headers.get('x-keep')).toBe('1');
  });

  it('removes Authorization only across origins', async () => {
    const r = await req({ headers: { authorization: 'Bearer t' } });
    expect(redirectRequest(r, 302, '/same', 0)!.headers.get('authorization')).toBe('Bearer t');
    expect(redirectRequest(r, 302, 'https://b.test/', 0)!.headers.get('authorization')).toBeNull();
    expect(redirectRequest(r, 302, 'http://a.test/', 0)!.headers.get('authorization')).toBeNull();
    expect(redirectRequest(r, 302, 'https://a.test:444/', 0)!.headers.get('authorization')).toBeNull();
  });

  it('fails on bad locations, non-HTTP schemes and too many redirects', async () => {
    const r = await req();
    expect(() => redirectRequest(r, 302, 'http://[bad', 0)).toThrow(
      expect.objectContaining({ code: ClientErrorCode.INVALID_REDIRECT }),
    );
    expect(() => redirectRequest(r, 302, 'data:text/plain,x', 0)).toThrow(
      expect.objectContaining({ code: ClientErrorCode.INVALID_REDIRECT }),
    );
    expect(redirectRequest(r, 302, '/ok', MAX_REDIRECTS - 1)).toBeDefined();
    expect(() => redirectRequest(r, 302, '/x', MAX_REDIRECTS)).toThrow(
      expect.objectContaining({ code: ClientErrorCode.TOO_MANY_REDIRECTS }),
    );
  });

  it('refuses to resend a one-shot body except on 303', async () => {
    const stream = () => new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    for (const status of [301, 302, 307, 308]) {
      const r = await req({ method: 'POST', body: stream() });
      expect(() => redirectRequest(r, status, '/x', 0)).toThrow(
        expect.objectContaining({ code: ClientErrorCode.INVALID_REDIRECT }),
      );
    }
    const r = await req({ method: 'POST', body: stream() });
    expect(redirectRequest(r, 303, '/x', 0)!.body).toBeNull();
  });
});
