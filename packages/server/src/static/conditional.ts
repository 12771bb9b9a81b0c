// RFC 9110 §13: conditional requests against a static representation (validators: a strong entity tag and the
// last-modification date).

import { parseHttpDate } from '../util/http-date.js';

/** The validators of the selected representation (RFC 9110 §8.8). */
export interface Validators {
  /** A strong entity tag, quoted (`"…"`), RFC 9110 §8.8.3. */
  readonly etag: string;
  /** Last modification, epoch ms (compared at second precision, the resolution of HTTP-date). */
  readonly lastModifiedMs: number;
}

/** The request's precondition fields (absent = undefined). */
export interface Preconditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
  readonly ifUnmodifiedSince?: string;
  readonly ifRange?: string;
}

/** What the preconditions decide (RFC 9110 §13.2.2). */
export type PreconditionOutcome =
  /** Serve normally; `useRange` says whether a Range field may apply (If-Range held, or was absent). */
  | { readonly kind: 'proceed'; readonly useRange: boolean }
  /** 304 Not Modified (GET/HEAD, RFC 9110 §15.4.5). */
  | { readonly kind: 'not-modified' }
  /** 412 Precondition Failed (RFC 9110 §15.5.13). */
  | { readonly kind: 'failed' };

/**
 * A strong entity tag from a file's size and modification time: `"<size hex>-<mtime ms hex>"`. Strong (RFC 9110
 * §8.8.3): a byte change with a different size or time changes it; good enough for static files (nginx does the
 * same), and needed for If-Range, which only takes strong validators (§13.1.5).
 */
export function fileEtag(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/** RFC 9110 §8.8.3: the entity tags of a list field (`W/"a", "b"`), or '*' . Malformed members are skipped. */
export function parseEntityTags(value: string): string[] | '*' {
  const v = value.trim();
  if (v === '*') return '*';
  const tags: string[] = [];
  const re = /\s*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/gy;
  for (let m = re.exec(v); m !== null; m = re.exec(v)) {
    tags.push((m[1] ?? '') + m[2]);
    if (re.lastIndex >= v.length) break;
  }
  return tags;
}

/** RFC 9110 §8.8.3.2 strong comparison: both strong and identical. */
export function strongMatch(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}

/** RFC 9110 §8.8.3.2 weak comparison: identical opaque tags, either or both may be weak. */
export function weakMatch(a: string, b: string): boolean {
  return opaque(a) === opaque(b);
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * RFC 9110 §13.2.2: evaluates the preconditions in their order of precedence for a GET or HEAD (`isGetOrHead`)
 * of an existing representation. `nowMs` bounds If-Modified-Since (§13.1.3: a date in the future is ignored).
 */
export function evaluatePreconditions(
  p: Preconditions,
  v: Validators,
  isGetOrHead: boolean,
  nowMs: number,
): PreconditionOutcome {
  const lastModified = seconds(v.lastModifiedMs);
  // 1. If-Match (§13.1.1): strong comparison; '*' matches any current representation
  if (p.ifMatch !== undefined) {
    const tags = parseEntityTags(p.ifMatch);
    if (tags !== '*' && !tags.some((t) => strongMatch(t, v.etag))) return { kind: 'failed' };
  } else if (p.ifUnmodifiedSince !== undefined) {
    // 2. If-Unmodified-Since (§13.1.4), only without If-Match; an invalid date is ignored
    const date = parseHttpDate(p.ifUnmodifiedSince);
    if (date !== undefined && lastModified > seconds(date)) return { kind: 'failed' };
  }
  // 3. If-None-Match (§13.1.2): weak comparison; false → 304 for GET/HEAD, else 412
  if (p.ifNoneMatch !== undefined) {
    const tags = parseEntityTags(p.ifNoneMatch);
    if (tags === '*' || tags.some((t) => weakMatch(t, v.etag))) {
      return isGetOrHead ? { kind: 'not-modified' } : { kind: 'failed' };
    }
  } else if (isGetOrHead && p.ifModifiedSince !== undefined) {
    // 4. If-Modified-Since (§13.1.3), only without If-None-Match, only GET/HEAD; invalid or future dates ignored
    const date = parseHttpDate(p.ifModifiedSince);
    if (date !== undefined && date <= nowMs && lastModified <= seconds(date)) return { kind: 'not-modified' };
  }
  // 5. If-Range (§13.1.5): the Range applies only when the validator still matches (strong comparison)
  if (p.ifRange !== undefined) return { kind: 'proceed', useRange: ifRangeHolds(p.ifRange, v) };
  return { kind: 'proceed', useRange: true };
}

/** RFC 9110 §13.1.5: an entity tag must match strongly; a date must equal Last-Modified exactly. */
function ifRangeHolds(value: string, v: Validators): boolean {
  const t = value.trim();
  if (t.startsWith('"') || t.startsWith('W/')) return strongMatch(t, v.etag);
  const date = parseHttpDate(t);
  return date !== undefined && seconds(date) === seconds(v.lastModifiedMs);
}
