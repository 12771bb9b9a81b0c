// Maps a request path onto the file system under a root directory, refusing every way out of it.

import { isAbsolute, join, resolve, sep } from 'node:path';

/** Why a path was refused. */
export type PathRefusal = 'bad-request' | 'forbidden' | 'not-found';

/** The file-system path for `pathname`, or why it is refused. */
export type PathResolution =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly reason: PathRefusal };

/**
 * Resolves a request's path (without the query) under `root` (an absolute, normalised directory path):
 * - each segment is percent-decoded (RFC 3986 §2.1); invalid escapes → `bad-request`;
 * - NUL bytes, and segments that decode to something containing `/` or `\` → `bad-request`;
 * - `..` segments (raw or encoded, RFC 3986 §5.2.4 would climb out) → `forbidden`;
 * - dot-files (a segment starting with `.`) → `not-found` unless `allowDotfiles`;
 * - the joined path must stay inside `root`.
 * Symbolic links are checked by the caller (realpath) when the file is opened.
 */
export function resolveUnderRoot(root: string, pathname: string, allowDotfiles = false): PathResolution {
  if (!pathname.startsWith('/')) return { ok: false, reason: 'bad-request' };
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '' || raw === '.') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: 'bad-request' };
    }
    if (seg.includes('\0') || seg.includes('/') || seg.includes('\\')) return { ok: false, reason: 'bad-request' };
    if (seg === '..') return { ok: false, reason: 'forbidden' };
    if (seg === '.') continue;
    if (seg.startsWith('.') && !allowDotfiles) return { ok: false, reason: 'not-found' };
    if (isAbsolute(seg)) return { ok: false, reason: 'bad-request' };
    segments.push(seg);
  }
  const full = resolve(join(root, ...segments));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) {
    return { ok: false, reason: 'forbidden' };
  }
  return { ok: true, path: full };
}

/** Whether `candidate` (a real path) is `root` or inside it. */
export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}
