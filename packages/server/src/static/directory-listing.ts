// A minimal HTML index of a directory (for `serveStatic(root, { listDirectories: true })`).

import type { Dirent } from 'node:fs';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The HTML listing of `entries` for the URL path `urlPath` (ending in `/`); dot-files hidden unless allowed. */
export function renderDirectoryListing(urlPath: string, entries: readonly Dirent[], showDotfiles: boolean): string {
  const rows = entries
    .filter((e) => showDotfiles || !e.name.startsWith('.'))
    .map((e) => ({ name: e.isDirectory() ? `${e.name}/` : e.name }))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      ({ name }) =>
        `<li><a href="${escapeHtml(encodeURIComponent(name).replace(/%2F$/, '/'))}">${escapeHtml(name)}</a></li>`,
    );
  const title = `Index of ${escapeHtml(decodeSafe(urlPath))}`;
  const up = urlPath === '/' ? '' : '<li><a href="../">../</a></li>';
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1>\n<ul>\n${up}${rows.join('\n')}\n</ul></body></html>\n`;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
