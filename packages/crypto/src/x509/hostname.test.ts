import { describe, expect, it } from 'vitest';
import { certificateMatchesHost, dnsNameMatches, parseIpAddress } from './hostname.js';
import type { ParsedCertificate } from './x509-certificate.js';

function cert(dnsNames: string[], ips: number[][] = []): ParsedCertificate {
  return { dnsNames, ipAddresses: ips.map((a) => Uint8Array.from(a)) } as unknown as ParsedCertificate;
}

describe('RFC 6125 DNS-ID matching', () => {
  it.each([
    ['example.org', 'example.org', true],
    ['Example.ORG', 'example.org', true],
    ['example.org.', 'example.org', true],
    ['example.org', 'www.example.org', false],
    ['*.example.org', 'www.example.org', true],
    ['*.example.org', 'WWW.Example.org.', true],
    ['*.example.org', 'example.org', false],
    ['*.example.org', 'a.b.example.org', false],
    ['*.example.org', '.example.org', false],
    ['*.org', 'example.org', false],
    ['w*.example.org', 'www.example.org', false],
    ['www.*.org', 'www.example.org', false],
    ['*.*.org', 'a.b.org', false],
    ['', 'example.org', false],
  ])('%s vs %s → %s', (pattern, host, expected) => {
    expect(dnsNameMatches(pattern, host)).toBe(expected);
  });
});

describe('IP literals', () => {
  it('parses IPv4 and IPv6 (compressed, bracketed, with an IPv4 tail)', () => {
    expect(Array.from(parseIpAddress('127.0.0.1')!)).toEqual([127, 0, 0, 1]);
    expect(Array.from(parseIpAddress('::1')!)).toEqual([...new Array(15).fill(0), 1]);
    expect(Array.from(parseIpAddress('[2001:db8::ff00:42:8329]')!)).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29,
    ]);
    expect(Array.from(parseIpAddress('::ffff:192.0.2.1')!)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1,
    ]);
    expect(parseIpAddress('example.org')).toBeUndefined();
    expect(parseIpAddress('999.1.1.1')).toBeUndefined();
  });

  it('an IP host matches iPAddress SANs only, never DNS names', () => {
    const c = cert(['127.0.0.1', 'localhost'], [[10, 0, 0, 1]]);
    expect(certificateMatchesHost(c, '10.0.0.1')).toBe(true);
    expect(certificateMatchesHost(c, '127.0.0.1')).toBe(false);
    expect(certificateMatchesHost(c, 'localhost')).toBe(true);
    const v6 = cert([], [[...new Array(15).fill(0), 1]]);
    expect(certificateMatchesHost(v6, '::1')).toBe(true);
    expect(certificateMatchesHost(v6, '[::1]')).toBe(true);
    expect(certificateMatchesHost(v6, '::2')).toBe(false);
  });
});
