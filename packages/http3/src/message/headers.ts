// Header lists as the HTTP/3 API carries them: an ordered list of [name, value] pairs, lowercase names, duplicates
// and order preserved (RFC 9114 §4.2; RFC 9110 §5.3). QPACK works on a flat [name0, value0, name1, …] list.

/** One field line: [lowercase name, value]. Values are byte strings (each char code 0-255). */
export type H3Header = readonly [name: string, value: string];
/** An ordered field section (header or trailer section) with pseudo-header fields first. */
export type H3Headers = readonly H3Header[];

/** RFC 9114 §4.2.2: per-field overhead in the field-section size. */
export const FIELD_OVERHEAD = 32;

/** RFC 9114 §4.2.2: the size of a field list: name + value lengths in bytes plus 32 per field. */
export function fieldSectionSize(headers: H3Headers): number {
  let size = 0;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    size += h[0].length + h[1].length + FIELD_OVERHEAD;
  }
  return size;
}

/** The flat `[name0, value0, …]` list QPACK encodes. */
export function flattenHeaders(headers: H3Headers): string[] {
  const flat = new Array<string>(headers.length * 2);
  for (let i = 0; i < headers.length; i++) {
    flat[2 * i] = headers[i][0];
    flat[2 * i + 1] = headers[i][1];
  }
  return flat;
}

/** Pairs from a flat `[name0, value0, …]` list as QPACK decodes it. */
export function pairHeaders(fields: readonly string[]): [string, string][] {
  const n = fields.length >>> 1;
  const out = new Array<[string, string]>(n);
  for (let i = 0; i < n; i++) out[i] = [fields[2 * i], fields[2 * i + 1]];
  return out;
}

/** The value of the first field named `name`, or undefined. */
export function headerValue(headers: H3Headers, name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) if (headers[i][0] === name) return headers[i][1];
  return undefined;
}

/**
 * RFC 9114 §4.2.1: multiple `cookie` field lines are joined with "; " before the message is passed to a context
 * other than HTTP/2 or HTTP/3 (e.g. a generic server application). Returns the joined value, or undefined.
 */
export function joinCookies(headers: H3Headers): string | undefined {
  let out: string | undefined;
  for (const [name, value] of headers) if (name === 'cookie') out = out === undefined ? value : `${out}; ${value}`;
  return out;
}
