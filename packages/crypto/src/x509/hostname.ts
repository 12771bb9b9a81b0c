import { isIP } from 'node:net';
import type { ParsedCertificate } from './x509-certificate.js';

/** The bytes of an IPv4 / IPv6 literal (brackets allowed), or undefined when `host` is not an IP address. */
export function parseIpAddress(host: string): Uint8Array | undefined {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const kind = isIP(h);
  if (kind === 4) return Uint8Array.from(h.split('.').map(Number));
  if (kind !== 6) return undefined;
  // Expand "::" and an embedded IPv4 tail into eight 16-bit groups.
  let text = h;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...new Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >>> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function normalizeDns(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * RFC 6125 §6.4: whether a DNS-ID `pattern` from a certificate matches `host`. Only a complete left-most `*` label
 * is a wildcard (§6.4.3), it matches exactly one non-empty label, and it needs at least two labels after it.
 */
export function dnsNameMatches(pattern: string, host: string): boolean {
  const p = normalizeDns(pattern);
  const h = normalizeDns(host);
  if (p.length === 0 || h.length === 0) return false;
  if (!p.startsWith('*.')) return p === h;
  const base = p.slice(2);
  if (base.includes('*') || base.split('.').length < 2) return false;
  const dot = h.indexOf('.');
  if (dot <= 0) return false;
  return h.slice(dot + 1) === base;
}

/** RFC 6125 §6.4 / RFC 5280 §4.2.1.6: does the certificate cover `host` (DNS name or IP literal)? No CN fallback. */
export function certificateMatchesHost(cert: ParsedCertificate, host: string): boolean {
  const ip = parseIpAddress(host);
  if (ip !== undefined) {
    return cert.ipAddresses.some((a) => a.length === ip.length && a.every((v, i) => v === ip[i]));
  }
  return cert.dnsNames.some((pattern) => dnsNameMatches(pattern, host));
}

/** The names a certificate covers, for error messages. */
export function certificateNames(cert: ParsedCertificate): string[] {
  const ips = cert.ipAddresses.map((a) =>
    a.length === 4
      ? Array.from(a).join('.')
      : Array.from({ length: 8 }, (_, i) => ((a[i * 2] << 8) | a[i * 2 + 1]).toString(16)).join(':'),
  );
  return [...cert.dnsNames, ...ips];
}
