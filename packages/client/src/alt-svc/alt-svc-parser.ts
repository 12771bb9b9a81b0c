// RFC 7838 §3 Alt-Svc header field:
//   Alt-Svc       = clear / 1#alt-value
//   clear         = %s"clear"
//   alt-value     = alternative *( OWS ";" OWS parameter )
//   alternative   = protocol-id "=" alt-authority
//   protocol-id   = token ; percent-encoded ALPN protocol name
//   alt-authority = quoted-string ; containing [ uri-host ] ":" port
//   parameter     = token "=" ( token / quoted-string )
// with token / quoted-string / OWS from RFC 7230 §3.2.3, §3.2.6 (now RFC 9110 §5.6).

import { isIPv6 } from 'node:net';

/** RFC 7838 §3.1: an alternative without `ma` is fresh for 24 hours. */
export const ALT_SVC_DEFAULT_MAX_AGE_SECONDS = 86_400;
/** RFC 9111 §1.2.2 (was RFC 7234 §1.2.1): delta-seconds too large to represent are taken as 2^31. */
export const DELTA_SECONDS_CAP = 2_147_483_648;
/** Alternatives kept from one field value; the rest is ignored (bounded work for hostile headers). */
export const ALT_SVC_MAX_ALTERNATIVES = 32;
/** Field values longer than this are ignored entirely. */
export const ALT_SVC_MAX_LENGTH = 16_384;

/** One advertised alternative service (RFC 7838 §2: ALPN protocol, host, port, plus freshness). */
export interface AltSvcAlternative {
  /** The ALPN protocol name, percent-decoded (one character per octet), e.g. `h3`. */
  readonly protocolId: string;
  /** The alternative host, lowercased, without IPv6 brackets; `''` means the origin's own host (RFC 7838 §3). */
  readonly host: string;
  /** The alternative port (1-65535); HTTP/3 uses it as a UDP port (RFC 9114 §3.1.1). */
  readonly port: number;
  /** RFC 7838 §3.1 `ma`: freshness lifetime in seconds (default 86400, capped at 2^31). */
  readonly maxAgeSeconds: number;
  /** RFC 7838 §3.1 `persist=1`: keep across network changes. Any other value is ignored. */
  readonly persist: boolean;
}

/** A parsed Alt-Svc field value: `clear`, or the alternatives in the server's order of preference. */
export type AltSvcValue =
  | { readonly clear: true }
  | { readonly clear: false; readonly alternatives: readonly AltSvcAlternative[] };

// RFC 9110 §5.6.2 tchar, indexed by char code.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

// RFC 3986 §3.2.2 reg-name / IPv4address characters (unreserved / sub-delims; pct-encoded handled separately).
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/** Thrown internally for a malformed element; never escapes `parseAltSvc`. */
class Malformed {}
const MALFORMED = new Malformed();

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}

  get atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): number {
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : -1;
  }

  skipOws(): void {
    while (this.pos < this.s.length && isOws(this.s.charCodeAt(this.pos))) this.pos++;
  }

  token(): string {
    const start = this.pos;
    while (this.pos < this.s.length && isTchar(this.s.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) throw MALFORMED;
    return this.s.slice(start, this.pos);
  }

  /** RFC 9110 §5.6.4 quoted-string, returned unescaped. */
  quotedString(): string {
    if (this.peek() !== 0x22) throw MALFORMED;
    this.pos++;
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= this.s.length) throw MALFORMED;
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.s.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x5c) {
        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
        out += this.s.slice(runStart, this.pos);
        const next = this.pos + 1 < this.s.length ? this.s.charCodeAt(this.pos + 1) : -1;
        if (!(next === 0x09 || (next >= 0x20 && next <= 0x7e) || (next >= 0x80 && next <= 0xff))) throw MALFORMED;
        out += this.s[this.pos + 1];
        this.pos += 2;
        runStart = this.pos;
        continue;
      }
      // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
      if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) throw MALFORMED;
      this.pos++;
    }
  }

  /** Moves past the current list element: to the next top-level comma (or the end). */
  skipElement(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x2c) return;
      if (c === 0x22) {
        // Skip a quoted string, honouring escapes; an unterminated one runs to the end.
        this.pos++;
        while (this.pos < this.s.length && this.s.charCodeAt(this.pos) !== 0x22) {
          this.pos += this.s.charCodeAt(this.pos) === 0x5c ? 2 : 1;
        }
      }
      this.pos++;
    }
  }
}

/** RFC 7838 §3: percent-decodes a protocol-id token into the ALPN protocol name (one char per octet). */
export function decodeProtocolId(token: string): string | undefined {
  if (token.indexOf('%') < 0) return token;
  let out = '';
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c !== 0x25) {
      out += token[i];
      continue;
    }
    const hi = i + 1 < token.length ? hexValue(token.charCodeAt(i + 1)) : -1;
    const lo = i + 2 < token.length ? hexValue(token.charCodeAt(i + 2)) : -1;
    if (hi < 0 || lo < 0) return undefined;
    out += String.fromCharCode(hi * 16 + lo);
    i += 2;
  }
  return out;
}

/**
 * RFC 7838 §3: percent-encodes an ALPN protocol name as a protocol-id: octets that are not token characters, and
 * "%", become `%XX` with uppercase hex; everything else stays as is (one canonical form). Throws `RangeError` for
 * characters above 0xFF (ALPN names are octet strings) or an empty name.
 */
export function encodeProtocolId(protocolId: string): string {
  if (protocolId.length === 0) throw new RangeError('an ALPN protocol name is at least one octet');
  let out = '';
  for (let i = 0; i < protocolId.length; i++) {
    const c = protocolId.charCodeAt(i);
    if (c > 0xff) throw new RangeError('ALPN protocol names are octet strings');
    out += isTchar(c) && c !== 0x25 ? protocolId[i] : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** RFC 7838 §3 alt-authority = [ uri-host ] ":" port. */
function parseAuthority(authority: string): { host: string; port: number } {
  const colon = authority.lastIndexOf(':');
  if (colon < 0) throw MALFORMED;
  const portText = authority.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(portText)) throw MALFORMED;
  const port = Number(portText);
  if (port < 1 || port > 65_535) throw MALFORMED;
  let host = authority.slice(0, colon);
  if (host.startsWith('[')) {
    // RFC 3986 §3.2.2 IP-literal
    if (!host.endsWith(']')) throw MALFORMED;
    host = host.slice(1, -1);
    if (!isIPv6(host)) throw MALFORMED;
  } else if (!REG_NAME.test(host)) {
    throw MALFORMED;
  }
  return { host: host.toLowerCase(), port };
}

/** RFC 9111 §1.2.2 delta-seconds = 1*DIGIT, capped at 2^31. */
function parseDeltaSeconds(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw MALFORMED;
  const value = text.length > 10 ? DELTA_SECONDS_CAP : Number(text);
  return Math.min(value, DELTA_SECONDS_CAP);
}

function parseElement(cur: Cursor): AltSvcAlternative | 'clear' {
  const protocolToken = cur.token();
  if (cur.peek() !== 0x3d) {
    // RFC 7838 §3: "clear" is case-sensitive and stands alone.
    if (protocolToken !== 'clear') throw MALFORMED;
    cur.skipOws();
    if (!cur.atEnd && cur.peek() !== 0x2c) throw MALFORMED;
    return 'clear';
  }
  cur.pos++;
  const protocolId = decodeProtocolId(protocolToken);
  if (protocolId === undefined) throw MALFORMED;
  const { host, port } = parseAuthority(cur.quotedString());
  let maxAgeSeconds: number | undefined;
  let persist = false;
  for (;;) {
    cur.skipOws();
    if (cur.peek() !== 0x3b) break;
    cur.pos++;
    cur.skipOws();
    const name = cur.token().toLowerCase();
    if (cur.peek() !== 0x3d) throw MALFORMED;
    cur.pos++;
    const value = cur.peek() === 0x22 ? cur.quotedString() : cur.token();
    if (name === 'ma') {
      // RFC 7838 §3.1; the first occurrence wins.
      const ma = parseDeltaSeconds(value);
      if (maxAgeSeconds === undefined) maxAgeSeconds = ma;
    } else if (name === 'persist') {
      // RFC 7838 §3.1: only the value "1" means anything.
      if (value === '1') persist = true;
    }
    // RFC 7838 §3: unknown parameters MUST be ignored.
  }
  if (!cur.atEnd && cur.peek() !== 0x2c) throw MALFORMED;
  return { protocolId, host, port, maxAgeSeconds: maxAgeSeconds ?? ALT_SVC_DEFAULT_MAX_AGE_SECONDS, persist };
}

/**
 * Parses an Alt-Svc field value (several field lines joined with ", ", as `Headers.get` does).
 *
 * Malformed list elements are ignored and the well-formed ones kept; a value with no well-formed element at all
 * returns `undefined` (the field is ignored, leaving cached alternatives alone). A `clear` anywhere wins, even next
 * to alternatives (RFC 7838 §3). Empty list elements are allowed (RFC 9110 §5.6.1). Never throws.
 */
export function parseAltSvc(value: string): AltSvcValue | undefined {
  if (typeof value !== 'string' || value.length > ALT_SVC_MAX_LENGTH) return undefined;
  const cur = new Cursor(value);
  const alternatives: AltSvcAlternative[] = [];
  let clear = false;
  let valid = false;
  for (;;) {
    cur.skipOws();
    if (cur.atEnd) break;
    if (cur.peek() === 0x2c) {
      cur.pos++;
      continue;
    }
    const start = cur.pos;
    try {
      const element = parseElement(cur);
      valid = true;
      if (element === 'clear') clear = true;
      else if (alternatives.length < ALT_SVC_MAX_ALTERNATIVES) alternatives.push(element);
    } catch (e) {
      if (e !== MALFORMED) throw e;
      cur.pos = start;
      cur.skipElement();
    }
  }
  if (clear) return { clear: true };
  return valid ? { clear: false, alternatives } : undefined;
}

/**
 * Serialises alternatives as an Alt-Svc field value (the inverse of `parseAltSvc`): canonical protocol-id encoding,
 * `ma` only when it is not the 24-hour default, `persist=1` when set.
 */
export function formatAltSvc(value: AltSvcValue): string {
  if (value.clear) return 'clear';
  return value.alternatives
    .map((alt) => {
      const host = alt.host.includes(':') ? `[${alt.host}]` : alt.host;
      let out = `${encodeProtocolId(alt.protocolId)}="${host}:${alt.port}"`;
      if (alt.maxAgeSeconds !== ALT_SVC_DEFAULT_MAX_AGE_SECONDS) out += `; ma=${alt.maxAgeSeconds}`;
      if (alt.persist) out += '; persist=1';
      return out;
    })
    .join(', ');
}
