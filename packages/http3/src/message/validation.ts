// RFC 9114 §4.1.2, §4.2, §4.3, §4.4, §10.3: what makes a request, response or trailer section malformed. A received
// malformed message is a stream error of type H3_MESSAGE_ERROR; we refuse to send one (H3UsageError).

import { H3Error, H3ErrorCode } from '../errors.js';
import type { H3Headers } from './headers.js';

/** The control data of a valid request (RFC 9114 §4.3.1). */
export interface RequestInfo {
  readonly method: string;
  /** Absent for CONNECT (§4.4). */
  readonly scheme: string | undefined;
  readonly authority: string | undefined;
  /** Absent for CONNECT (§4.4). */
  readonly path: string | undefined;
  /** RFC 9220 extended CONNECT `:protocol`, when present. */
  readonly protocol: string | undefined;
  /** The declared content-length, or -1. */
  readonly contentLength: number;
}

/** The control data of a valid response (RFC 9114 §4.3.2). */
export interface ResponseInfo {
  readonly status: number;
  /** The declared content-length, or -1. */
  readonly contentLength: number;
}

function malformed(reason: string): H3Error {
  return new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, reason, { connectionError: false });
}

/** RFC 9110 §5.6.2 tchar, lowercase only (RFC 9114 §4.2: uppercase names are malformed). */
const NAME_CHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") NAME_CHAR[c.charCodeAt(0)] = 1;

/** RFC 9110 §5.1, RFC 9114 §4.2, §10.3: a regular field name is a non-empty lowercase token. */
export function checkFieldName(name: string): string | undefined {
  if (name.length === 0) return 'empty field name';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || NAME_CHAR[c] === 0) {
      return c >= 0x41 && c <= 0x5a ? `uppercase field name ${name}` : `invalid character in field name`;
    }
  }
  return undefined;
}

/**
 * RFC 9110 §5.5 field-content, as RFC 9114 §10.3 requires: visible characters and obs-text (0x80-0xFF), with SP and
 * HTAB allowed only between them. NUL, CR, LF and the other controls are malformed.
 */
export function checkFieldValue(value: string): string | undefined {
  const n = value.length;
  if (n === 0) return undefined;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x21 && c !== 0x7f && c <= 0xff) continue;
    if ((c === 0x20 || c === 0x09) && i !== 0 && i !== n - 1) continue;
    if (c === 0x20 || c === 0x09) return 'leading or trailing whitespace in field value';
    return c > 0xff ? 'field value is not a byte string' : 'control character in field value';
  }
  return undefined;
}

/**
 * RFC 9114 §4.2: connection-specific fields (lowercase names) MUST NOT appear in HTTP/3; TE is checked separately,
 * being allowed in requests with the value "trailers".
 */
export function isConnectionSpecificField(name: string): boolean {
  switch (name) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
      return true;
    default:
      return false;
  }
}

/**
 * Checks one regular (non-pseudo) field: name and value syntax, connection-specific fields, and TE (§4.2: allowed
 * only in a request header section, and only with the value "trailers").
 */
function checkRegularField(name: string, value: string, teAllowed: boolean): void {
  const bad = checkFieldName(name) ?? checkFieldValue(value);
  if (bad !== undefined) throw malformed(bad);
  if (isConnectionSpecificField(name)) throw malformed(`connection-specific field ${name}`);
  if (name === 'te' && (!teAllowed || value.trim().toLowerCase() !== 'trailers')) {
    throw malformed('te other than "trailers"');
  }
}

/**
 * RFC 9110 §8.6: content-length is 1*DIGIT; several values (in lines or comma lists) must all be the same.
 * Returns the value, -1 when absent.
 */
function contentLengthOf(current: number, value: string): number {
  let result = current;
  for (const part of value.split(',')) {
    const v = part.trim();
    if (!/^[0-9]{1,15}$/.test(v)) throw malformed('invalid content-length');
    const n = Number.parseInt(v, 10);
    if (result !== -1 && result !== n) throw malformed('conflicting content-length values');
    result = n;
  }
  return result;
}

/** RFC 3986 §3.1 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*$/;

function checkToken(value: string, what: string): void {
  if (value.length === 0) throw malformed(`empty ${what}`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // RFC 9110 §9.1: method = token (case-sensitive, so uppercase letters are fine here)
    if (!(c < 128 && (NAME_CHAR[c] === 1 || (c >= 0x41 && c <= 0x5a)))) throw malformed(`invalid ${what}`);
  }
}

/** Options of `validateRequest`. */
export interface RequestValidationOptions {
  /** RFC 9220 §3: extended CONNECT (`:protocol`) is enabled (we sent, or the peer sent, ENABLE_CONNECT_PROTOCOL=1). */
  readonly enableConnectProtocol?: boolean;
}

/**
 * Validates a request header section (RFC 9114 §4.2, §4.3, §4.3.1, §4.4; RFC 9220 §3). Throws a stream
 * H3Error(H3_MESSAGE_ERROR) naming the first problem.
 */
export function validateRequest(headers: H3Headers, options: RequestValidationOptions = {}): RequestInfo {
  let method: string | undefined;
  let scheme: string | undefined;
  let authority: string | undefined;
  let path: string | undefined;
  let protocol: string | undefined;
  let host: string | undefined;
  let contentLength = -1;
  let regularSeen = false;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i];
    if (name.charCodeAt(0) === 0x3a) {
      // §4.3: all pseudo-header fields MUST appear before regular fields
      if (regularSeen) throw malformed(`pseudo-header ${name} after a regular field`);
      const bad = checkFieldValue(value);
      if (bad !== undefined) throw malformed(bad);
      switch (name) {
        case ':method':
          if (method !== undefined) throw malformed('duplicate :method');
          checkToken(value, ':method');
          method = value;
          break;
        case ':scheme':
          if (scheme !== undefined) throw malformed('duplicate :scheme');
          if (!SCHEME_RE.test(value)) throw malformed('invalid :scheme');
          scheme = value;
          break;
        case ':authority':
          if (authority !== undefined) throw malformed('duplicate :authority');
          authority = value;
          break;
        case ':path':
          if (path !== undefined) throw malformed('duplicate :path');
          path = value;
          break;
        case ':protocol':
          // RFC 9220 §3 / RFC 8441 §4: only with extended CONNECT enabled
          if (!options.enableConnectProtocol) throw malformed(':protocol without ENABLE_CONNECT_PROTOCOL');
          if (protocol !== undefined) throw malformed('duplicate :protocol');
          protocol = value;
          break;
        default:
          // §4.3: undefined pseudo-headers, and response pseudo-headers in a request, are malformed
          throw malformed(`pseudo-header ${name} not allowed in a request`);
      }
      continue;
    }
    regularSeen = true;
    checkRegularField(name, value, true);
    if (name === 'content-length') contentLength = contentLengthOf(contentLength, value);
    else if (name === 'host') {
      // RFC 9110 §7.2: more than one Host field line is an invalid request
      if (host !== undefined) throw malformed('more than one host field');
      host = value;
    }
  }
  if (method === undefined) throw malformed('missing :method');
  if (method === 'CONNECT' && protocol === undefined) {
    // §4.4: :scheme and :path omitted, :authority carries host:port
    if (scheme !== undefined || path !== undefined) throw malformed('CONNECT with :scheme or :path');
    if (authority === undefined || authority.length === 0) throw malformed('CONNECT without :authority');
    return { method, scheme, authority, path, protocol, contentLength };
  }
  // RFC 8441 §4 (RFC 9220 §3): :protocol only on a CONNECT request
  if (protocol !== undefined && method !== 'CONNECT') throw malformed(':protocol on a non-CONNECT request');
  // §4.3.1: exactly one :method, :scheme and :path
  if (scheme === undefined) throw malformed('missing :scheme');
  if (path === undefined) throw malformed('missing :path');
  const lowerScheme = scheme.toLowerCase();
  if (lowerScheme === 'http' || lowerScheme === 'https') {
    // §4.3.1: schemes with a mandatory authority need :authority or Host, non-empty, and equal if both
    if (authority === undefined && host === undefined) throw malformed('missing :authority and host');
    if (authority !== undefined && authority.length === 0) throw malformed('empty :authority');
    if (host !== undefined && host.length === 0) throw malformed('empty host');
    if (authority !== undefined && host !== undefined && authority !== host) {
      throw malformed(':authority and host differ');
    }
    // §4.3.1: no userinfo in the authority of http/https URIs
    if (authority?.includes('@')) throw malformed('userinfo in :authority');
    // §4.3.1: :path MUST NOT be empty; "*" only for OPTIONS; otherwise path-absolute
    if (path.length === 0) throw malformed('empty :path');
    if (path === '*') {
      if (method !== 'OPTIONS') throw malformed(':path "*" on a non-OPTIONS request');
    } else if (path.charCodeAt(0) !== 0x2f) {
      throw malformed(':path is not absolute');
    }
  } else if (path.length === 0) {
    throw malformed('empty :path');
  }
  return { method, scheme, authority, path, protocol, contentLength };
}

/**
 * Validates a response header section (RFC 9114 §4.2, §4.3, §4.3.2, §4.5): exactly one 3-digit :status between 100
 * and 599 and not 101, no other pseudo-headers. Throws a stream H3Error(H3_MESSAGE_ERROR).
 */
export function validateResponse(headers: H3Headers): ResponseInfo {
  let status = -1;
  let contentLength = -1;
  let regularSeen = false;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i];
    if (name.charCodeAt(0) === 0x3a) {
      if (regularSeen) throw malformed(`pseudo-header ${name} after a regular field`);
      if (name !== ':status') throw malformed(`pseudo-header ${name} not allowed in a response`);
      if (status !== -1) throw malformed('duplicate :status');
      if (!/^[0-9]{3}$/.test(value)) throw malformed('invalid :status');
      status = Number.parseInt(value, 10);
      // RFC 9110 §15: 100..599; RFC 9114 §4.5: no 101 (Switching Protocols)
      if (status < 100 || status > 599) throw malformed(`status ${status} outside 100-599`);
      if (status === 101) throw malformed('101 is not supported in HTTP/3');
      continue;
    }
    regularSeen = true;
    checkRegularField(name, value, false);
    if (name === 'content-length') contentLength = contentLengthOf(contentLength, value);
  }
  // §4.3.2: :status MUST be included
  if (status === -1) throw malformed('missing :status');
  return { status, contentLength };
}

/** Validates a trailer section (RFC 9114 §4.3: no pseudo-header fields; §4.2 field rules). */
export function validateTrailers(headers: H3Headers): void {
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i];
    if (name.charCodeAt(0) === 0x3a) throw malformed(`pseudo-header ${name} in a trailer section`);
    checkRegularField(name, value, false);
  }
}

/**
 * Validates the request of a PUSH_PROMISE (RFC 9114 §4.6): a valid request that is safe and cacheable and carries
 * no content. We accept GET and HEAD, the safe methods that are cacheable by default (RFC 9110 §9.2.1, §9.2.3).
 */
export function validatePushRequest(headers: H3Headers): RequestInfo {
  const info = validateRequest(headers);
  if (info.method !== 'GET' && info.method !== 'HEAD') throw malformed(`cannot push a ${info.method} request`);
  if (info.contentLength > 0) throw malformed('pushed request with content');
  return info;
}

/** RFC 9110 §6.4.1: responses that never carry content: to HEAD, 1xx, 204 and 304. */
export function responseHasNoContent(requestMethod: string, status: number): boolean {
  return requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304;
}
