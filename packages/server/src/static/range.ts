// RFC 9110 §14: byte-range requests (Range, Content-Range, 206, 416).

/** One satisfiable byte range, inclusive bounds (RFC 9110 §14.1.2). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What a Range field asks of a representation of `size` bytes. */
export type RangeOutcome =
  /** Serve the whole representation (no Range, an unusable one, or several ranges: a server MAY ignore Range). */
  | { readonly kind: 'full' }
  /** 206 Partial Content with this range (RFC 9110 §15.3.7). */
  | { readonly kind: 'partial'; readonly range: ByteRange }
  /** 416 Range Not Satisfiable (RFC 9110 §15.5.17). */
  | { readonly kind: 'unsatisfiable' };

const INT = /^\d{1,15}$/;

/**
 * Parses a Range field for a representation of `size` bytes (RFC 9110 §14.1.1 ranges-specifier, §14.1.2
 * int-range / suffix-range). Only single ranges are served: a list of several is answered in full (§14.2: a server
 * MAY ignore the Range field), which avoids multipart/byteranges. A malformed field is ignored (§14.2).
 */
export function evaluateRange(value: string | undefined, size: number): RangeOutcome {
  if (value === undefined) return { kind: 'full' };
  const v = value.trim();
  const eq = v.indexOf('=');
  // §14.1.1: range-unit "=" range-set; units other than bytes are ignored (§14.2)
  if (eq < 0 || v.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'full' };
  const specs = v
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (specs.length !== 1) return { kind: 'full' };
  const spec = specs[0];
  const dash = spec.indexOf('-');
  if (dash < 0) return { kind: 'full' };
  const first = spec.slice(0, dash).trim();
  const last = spec.slice(dash + 1).trim();
  if (first === '') {
    // suffix-range: the last N bytes (§14.1.2); N = 0 is unsatisfiable
    if (!INT.test(last)) return { kind: 'full' };
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - n), end: size - 1 } };
  }
  if (!INT.test(first) || (last !== '' && !INT.test(last))) return { kind: 'full' };
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  // §14.1.2: last-pos < first-pos makes the range-spec invalid: ignore the field
  if (last !== '' && end < start) return { kind: 'full' };
  // §14.1.1: satisfiable when first-pos is below the length
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}

/** RFC 9110 §14.4: `bytes 0-99/1234` for a 206; `bytes *\/1234` for a 416. */
export function contentRange(range: ByteRange | undefined, size: number): string {
  return range === undefined ? `bytes */${size}` : `bytes ${range.start}-${range.end}/${size}`;
}
