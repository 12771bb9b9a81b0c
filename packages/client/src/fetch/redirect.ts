import { ClientErrorCode, RedirectError } from '../errors.js';
import type { PreparedRequest } from './prepared-request.js';

/** fetch spec §4.4: at most this many redirects are followed. */
export const MAX_REDIRECTS = 20;

/** fetch spec §2.2.6 redirect status. */
export function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

// fetch spec §2.2.2 request-body-header names, dropped when a redirect turns the request into a GET.
const REQUEST_BODY_HEADERS = [
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
  'content-length',
];

/**
 * fetch spec §4.4 "HTTP-redirect fetch": the request to send after a redirect response, or undefined when the
 * response has no Location (it is then returned as is). `redirects` is the number already followed.
 */
export function redirectRequest(
  req: PreparedRequest,
  status: number,
  location: string | null,
  redirects: number,
): PreparedRequest | undefined {
  if (location === null) return undefined;
  let target: URL;
  try {
    target = new URL(location, req.url);
  } catch (e) {
    throw new RedirectError(ClientErrorCode.INVALID_REDIRECT, `invalid Location ${location}`, location, { cause: e });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new RedirectError(ClientErrorCode.INVALID_REDIRECT, `redirect to a ${target.protocol} URL`, location);
  }
  if (redirects >= MAX_REDIRECTS) {
    throw new RedirectError(ClientErrorCode.TOO_MANY_REDIRECTS, `more than ${MAX_REDIRECTS} redirects`, location);
  }
  // Step 11: a one-shot body cannot be sent again (checked before the method rewrite, as the spec orders it).
  if (status !== 303 && req.body !== null && req.body.bytes === undefined) {
    throw new RedirectError(
      ClientErrorCode.INVALID_REDIRECT,
      `cannot follow a ${status} redirect with a streaming request body`,
      location,
    );
  }
  const headers = new Headers(req.headers);
  let method = req.method;
  let body = req.body;
  // Step 12: 301/302 turn POST into GET; 303 turns everything but GET/HEAD into GET.
  if (
    ((status === 301 || status === 302) && method === 'POST') ||
    (status === 303 && method !== 'GET' && method !== 'HEAD')
  ) {
    method = 'GET';
    body = null;
    for (const name of REQUEST_BODY_HEADERS) headers.delete(name);
  }
  // Step 13: credentials do not follow a cross-origin redirect.
  if (target.origin !== req.url.origin) headers.delete('authorization');
  target.hash = '';
  return { ...req, url: target, method, headers, body };
}
