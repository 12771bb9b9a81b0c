// Header helpers of the server API: user-supplied headers → HTTP/3 field lines (RFC 9114 §4.2).

import { type H3Header, type H3Headers, isConnectionSpecificField } from '@fos/http3';

/** Headers as handlers pass them: a record (arrays for repeated fields) or an ordered list of pairs. */
export type OutgoingHeaders =
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | readonly (readonly [string, string])[];

/**
 * RFC 9114 §4.2: connection-specific fields MUST NOT be sent in HTTP/3 (they belong to HTTP/1.1 hop-by-hop
 * framing); `te` only with the value "trailers". The server drops them instead of failing the response.
 */
export function isDroppedField(name: string, value: string): boolean {
  if (name === 'te') return value.trim().toLowerCase() !== 'trailers';
  return isConnectionSpecificField(name);
}

/** Appends `headers` to `out` as lowercase field lines, skipping dropped fields and pseudo-headers. */
export function appendHeaders(out: H3Header[], headers: OutgoingHeaders | undefined): void {
  if (headers === undefined) return;
  if (Array.isArray(headers)) {
    for (const [name, value] of headers as readonly (readonly [string, string])[]) pushField(out, name, value);
    return;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | number | readonly string[]>)) {
    if (value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number') pushField(out, name, String(value));
    else for (const v of value) pushField(out, name, v);
  }
}

function pushField(out: H3Header[], rawName: string, value: string): void {
  const name = rawName.toLowerCase();
  // RFC 9114 §4.3: pseudo-header fields are the API's to set (status, method …), never the caller's
  if (name.startsWith(':') || isDroppedField(name, value)) return;
  out.push([name, value]);
}

/** Values of every field named `name` (lowercase). */
export function headerValues(headers: H3Headers, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) if (n === name) out.push(v);
  return out;
}

/**
 * The field's combined value (RFC 9110 §5.3: field lines of one name joined with ", "; `cookie` with "; " per
 * RFC 9114 §4.2.1), or undefined when absent.
 */
export function combinedValue(headers: H3Headers, name: string): string | undefined {
  let out: string | undefined;
  const sep = name === 'cookie' ? '; ' : ', ';
  for (const [n, v] of headers) if (n === name) out = out === undefined ? v : `${out}${sep}${v}`;
  return out;
}
