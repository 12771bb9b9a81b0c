import { ClientErrorCode, RequestError } from '../errors.js';
import type { ProtocolPreference } from '../protocol.js';
import { type ClientBodyInit, RequestBody } from './request-body.js';

/** `new Headers(init)` accepts this. */
export type ClientHeadersInit = ConstructorParameters<typeof Headers>[0];

/** fetch's `redirect` modes (fetch spec §2.2.5). */
export type RedirectMode = 'follow' | 'manual' | 'error';

/** Per-request timeouts; each overrides the client's default. 0 or undefined = none (connect has a default). */
export interface RequestTimeouts {
  /** TCP+TLS connect, or QUIC handshake. */
  readonly connectTimeoutMs?: number;
  /** No progress (response headers, then each body chunk) for this long. */
  readonly idleTimeoutMs?: number;
  /** The whole exchange, from `fetch()` until the body's last byte. */
  readonly totalTimeoutMs?: number;
}

/** The second argument of `client.fetch`. */
export interface ClientRequestInit extends RequestTimeouts {
  /** Default GET. Standard methods are upper-cased (fetch spec "normalize a method"). */
  readonly method?: string;
  readonly headers?: ClientHeadersInit;
  /** String, bytes, Blob, URLSearchParams, FormData (replayable), or a ReadableStream / async iterable (one-shot). */
  readonly body?: ClientBodyInit;
  /** Aborting cancels the request (HTTP/3: H3_REQUEST_CANCELLED) and errors the response body. */
  readonly signal?: AbortSignal | null;
  /** Default `follow` (at most 20 redirects). */
  readonly redirect?: RedirectMode;
  /** Overrides the client's protocol preference for this request. */
  readonly protocol?: ProtocolPreference;
  /** Accepted for compatibility with fetch (streaming bodies are always half-duplex here). */
  readonly duplex?: 'half';
}

/** A request after validation, as the transports see it. */
export interface PreparedRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: RequestBody | null;
  readonly redirect: RedirectMode;
  readonly protocol: ProtocolPreference;
}

// fetch spec §2.2.1: methods normalised to upper case; forbidden methods.
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 9110 §9.2.1 safe methods: the only ones sent as 0-RTT (RFC 9001 §4.6.1, RFC 8470 §4). */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** RFC 9110 §9.2.2 idempotent methods: may be retried after a connection failure. */
export function isIdempotentMethod(method: string): boolean {
  return isSafeMethod(method) || method === 'PUT' || method === 'DELETE';
}

/** The request of `fetch(input, init)`, validated; the body is read only for Blob/FormData. */
export async function prepareRequest(
  input: string | URL | Request,
  init: ClientRequestInit,
  defaultProtocol: ProtocolPreference,
  userAgent: string | undefined,
): Promise<PreparedRequest> {
  const fromRequest = typeof input === 'object' && !(input instanceof URL) ? input : undefined;
  let url: URL;
  try {
    url = new URL(fromRequest !== undefined ? fromRequest.url : String(input));
  } catch (e) {
    throw new RequestError(ClientErrorCode.INVALID_REQUEST, `invalid URL: ${String(input)}`, { cause: e });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RequestError(ClientErrorCode.UNSUPPORTED_SCHEME, `unsupported URL scheme ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    // fetch spec §5.4 Request constructor: credentials in the URL are a TypeError.
    throw new RequestError(ClientErrorCode.INVALID_REQUEST, 'URLs with credentials are not allowed');
  }
  let method = init.method ?? fromRequest?.method ?? 'GET';
  if (!TOKEN.test(method)) throw new RequestError(ClientErrorCode.INVALID_REQUEST, `invalid method ${method}`);
  if (NORMALIZED_METHODS.has(method.toUpperCase())) method = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) {
    throw new RequestError(ClientErrorCode.INVALID_REQUEST, `forbidden method ${method}`);
  }
  let headers: Headers;
  try {
    headers = new Headers(init.headers ?? fromRequest?.headers);
  } catch (e) {
    throw new RequestError(ClientErrorCode.INVALID_REQUEST, 'invalid headers', { cause: e });
  }
  const bodyInit = init.body !== undefined ? init.body : (fromRequest?.body ?? null);
  if (bodyInit !== null && (method === 'GET' || method === 'HEAD')) {
    throw new RequestError(ClientErrorCode.INVALID_REQUEST, `a ${method} request cannot have a body`);
  }
  let body: RequestBody | null;
  try {
    body = await RequestBody.from(bodyInit);
  } catch (e) {
    throw new RequestError(ClientErrorCode.INVALID_REQUEST, 'unsupported request body', { cause: e });
  }
  if (body?.contentType !== undefined && !headers.has('content-type')) headers.set('content-type', body.contentType);
  if (!headers.has('accept')) headers.set('accept', '*/*');
  if (userAgent !== undefined && !headers.has('user-agent')) headers.set('user-agent', userAgent);
  url.hash = '';
  return {
    url,
    method,
    headers,
    body,
    redirect: init.redirect ?? (fromRequest?.redirect as RedirectMode | undefined) ?? 'follow',
    protocol: init.protocol ?? defaultProtocol,
  };
}

/** The request's content length for a Content-Length field, when known (fetch spec §4.5 step "contentLength"). */
export function contentLength(req: PreparedRequest): number | undefined {
  if (req.body === null) return req.method === 'POST' || req.method === 'PUT' ? 0 : undefined;
  return req.body.length;
}

/** `:path` / request-target: path and query (RFC 9114 §4.3.1, RFC 9112 §3.2.1). */
export function requestPath(url: URL): string {
  return `${url.pathname || '/'}${url.search}`;
}

// RFC 9113 §8.2.2 / RFC 9114 §4.2: connection-specific fields are not sent over h2/h3; Host becomes :authority.
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** Header fields for HTTP/2 and HTTP/3: lowercase names, connection-specific ones dropped, TE only "trailers". */
export function multiplexedHeaderList(req: PreparedRequest): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of req.headers) {
    if (CONNECTION_SPECIFIC.has(name)) continue;
    if (name === 'te' && value.trim().toLowerCase() !== 'trailers') continue;
    out.push([name, value]);
  }
  const length = contentLength(req);
  if (length !== undefined && !req.headers.has('content-length')) out.push(['content-length', String(length)]);
  return out;
}
