// RFC 9204 Appendix A: the QPACK static table (99 entries, indexed from 0; §3.1).
// Checked entry by entry against test/fixtures/qpack-static-table.json by static-table.test.ts.

const ENTRIES: readonly (readonly [string, string])[] = [
  [':authority', ''],
  [':path', '/'],
  ['age', '0'],
  ['content-disposition', ''],
  ['content-length', '0'],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['referer', ''],
  ['set-cookie', ''],
  [':method', 'CONNECT'],
  [':method', 'DELETE'],
  [':method', 'GET'],
  [':method', 'HEAD'],
  [':method', 'OPTIONS'],
  [':method', 'POST'],
  [':method', 'PUT'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '103'],
  [':status', '200'],
  [':status', '304'],
  [':status', '404'],
  [':status', '503'],
  ['accept', '*/*'],
  ['accept', 'application/dns-message'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-ranges', 'bytes'],
  ['access-control-allow-headers', 'cache-control'],
  ['access-control-allow-headers', 'content-type'],
  ['access-control-allow-origin', '*'],
  ['cache-control', 'max-age=0'],
  ['cache-control', 'max-age=2592000'],
  ['cache-control', 'max-age=604800'],
  ['cache-control', 'no-cache'],
  ['cache-control', 'no-store'],
  ['cache-control', 'public, max-age=31536000'],
  ['content-encoding', 'br'],
  ['content-encoding', 'gzip'],
  ['content-type', 'application/dns-message'],
  ['content-type', 'application/javascript'],
  ['content-type', 'application/json'],
  ['content-type', 'application/x-www-form-urlencoded'],
  ['content-type', 'image/gif'],
  ['content-type', 'image/jpeg'],
  ['content-type', 'image/png'],
  ['content-type', 'text/css'],
  ['content-type', 'text/html; charset=utf-8'],
  ['content-type', 'text/plain'],
  ['content-type', 'text/plain;charset=utf-8'],
  ['range', 'bytes=0-'],
  ['strict-transport-security', 'max-age=31536000'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains; preload'],
  ['vary', 'accept-encoding'],
  ['vary', 'origin'],
  ['x-content-type-options', 'nosniff'],
  ['x-xss-protection', '1; mode=block'],
  [':status', '100'],
  [':status', '204'],
  [':status', '206'],
  [':status', '302'],
  [':status', '400'],
  [':status', '403'],
  [':status', '421'],
  [':status', '425'],
  [':status', '500'],
  ['accept-language', ''],
  ['access-control-allow-credentials', 'FALSE'],
  ['access-control-allow-credentials', 'TRUE'],
  ['access-control-allow-headers', '*'],
  ['access-control-allow-methods', 'get'],
  ['access-control-allow-methods', 'get, post, options'],
  ['access-control-allow-methods', 'options'],
  ['access-control-expose-headers', 'content-length'],
  ['access-control-request-headers', 'content-type'],
  ['access-control-request-method', 'get'],
  ['access-control-request-method', 'post'],
  ['alt-svc', 'clear'],
  ['authorization', ''],
  ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"],
  ['early-data', '1'],
  ['expect-ct', ''],
  ['forwarded', ''],
  ['if-range', ''],
  ['origin', ''],
  ['purpose', 'prefetch'],
  ['server', ''],
  ['timing-allow-origin', '*'],
  ['upgrade-insecure-requests', '1'],
  ['user-agent', ''],
  ['x-forwarded-for', ''],
  ['x-frame-options', 'deny'],
  ['x-frame-options', 'sameorigin'],
];

/** Number of static table entries; an index at or above it is invalid (RFC 9204 §3.1). */
export const STATIC_TABLE_LENGTH = ENTRIES.length;

/** Static entry names by index. */
export const STATIC_NAMES: readonly string[] = ENTRIES.map((e) => e[0]);
/** Static entry values by index. */
export const STATIC_VALUES: readonly string[] = ENTRIES.map((e) => e[1]);

/** What the encoder knows about a static name: its lowest index and the index of each (name, value) entry. */
export interface StaticNameInfo {
  /** The lowest static index with this name (the cheapest name reference). */
  readonly index: number;
  /** value → static index, for the entries with this name. */
  readonly values: ReadonlyMap<string, number>;
}

const byName = new Map<string, { index: number; values: Map<string, number> }>();
for (let i = 0; i < ENTRIES.length; i++) {
  const [name, value] = ENTRIES[i];
  let info = byName.get(name);
  if (info === undefined) {
    info = { index: i, values: new Map() };
    byName.set(name, info);
  }
  if (!info.values.has(value)) info.values.set(value, i);
}

/** Encoder lookup: name → lowest index and value → index (one Map probe per field, no string building). */
export const STATIC_BY_NAME: ReadonlyMap<string, StaticNameInfo> = byName;

/** The static index of the entry (name, value), or -1. */
export function staticIndexOf(name: string, value: string): number {
  return byName.get(name)?.values.get(value) ?? -1;
}

/** The lowest static index whose name is `name`, or -1. */
export function staticNameIndexOf(name: string): number {
  return byName.get(name)?.index ?? -1;
}
