// gtlsclient ↔ Caddy 2.6 (quic-go): HTTP/3 downloads with SHA-256 checks, the JSON access log proving
// "proto":"HTTP/3.0", IPv6, and the TCP-only mode (no UDP socket, h1/h2 still served with our CA-signed chain).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CaddyServer,
  type CertificateFiles,
  createDocroot,
  type Docroot,
  describeWithPeers,
  findBound,
  generateCertificate,
  gtlsGet,
  HarnessErrorCode,
  hasIpv6Loopback,
  startCaddy,
  verifyDownload,
} from '../src/index.js';

const ipv6 = await hasIpv6Loopback();

function httpsGet(url: string, ca: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describeWithPeers('gtlsclient ↔ caddy', ['caddy', 'gtlsclient'], () => {
  let cert: CertificateFiles;
  let docroot: Docroot;
  let caddy: CaddyServer;

  beforeAll(async () => {
    cert = await generateCertificate({ kind: 'ec', issuer: 'ca' });
    docroot = await createDocroot({ '1k.bin': 1024, '1m.bin': 1 << 20 });
    caddy = await startCaddy({ docroot: docroot.dir, cert });
  });

  it('holds TCP and UDP sockets on one port', () => {
    const bound = findBound(caddy.process.pid, [
      { protocol: 'tcp', port: caddy.port, address: '127.0.0.1' },
      { protocol: 'udp', port: caddy.port, address: '127.0.0.1' },
    ]);
    expect(bound.every((b) => b !== undefined)).toBe(true);
  });

  it('GETs 1 KB and 1 MB over HTTP/3 (SHA-256 match; the access log says HTTP/3.0)', async () => {
    const r = await gtlsGet(caddy, ['/1k.bin', '/1m.bin']);
    expect(r.ok, r.stderr).toBe(true);
    for (const name of ['1k.bin', '1m.bin']) {
      const file = docroot.file(name);
      await verifyDownload(r.downloadPath(caddy.url(file.urlPath)), file);
      const entry = await caddy.waitForAccess((e) => e.uri === file.urlPath);
      expect(entry).toMatchObject({ proto: 'HTTP/3.0', method: 'GET', status: 200, size: file.size });
    }
  });

  it('serves h1/h2 on the same port with the CA-signed chain (node:https verifies it)', async () => {
    const { status, body } = await httpsGet(caddy.url('/1k.bin'), cert.caPem as string);
    expect(status).toBe(200);
    expect(body.equals(readFileSync(docroot.file('1k.bin').path))).toBe(true);
    const entry = await caddy.waitForAccess((e) => e.proto === 'HTTP/1.1' && e.uri === '/1k.bin');
    expect(entry.status).toBe(200);
  });

  describe.skipIf(!ipv6)(`over IPv6${ipv6 ? '' : ' [skipped: no IPv6 loopback]'}`, () => {
    it('GETs 1 KB and 1 MB from [::1] over HTTP/3', async () => {
      const v6 = { host: '::1', port: caddy.port, url: (p: string) => `https://[::1]:${caddy.port}${p}` };
      const r = await gtlsGet(v6, ['/1k.bin', '/1m.bin']);
      expect(r.ok, r.stderr).toBe(true);
      await verifyDownload(r.downloadPath(v6.url('/1k.bin')), docroot.file('1k.bin'));
      await verifyDownload(r.downloadPath(v6.url('/1m.bin')), docroot.file('1m.bin'));
      const entry = await caddy.waitForAccess((e) => e.remoteIp === '::1' && e.uri === '/1m.bin');
      expect(entry).toMatchObject({ proto: 'HTTP/3.0', status: 200, size: 1 << 20 });
    });
  });

  it('with http3: false there is no UDP socket and an HTTP/3 client fails', async () => {
    const tcpOnly = await startCaddy({ docroot: docroot.dir, cert, http3: false, hosts: ['127.0.0.1'] });
    try {
      const [tcp, udp] = findBound(tcpOnly.process.pid, [
        { protocol: 'tcp', port: tcpOnly.port },
        { protocol: 'udp', port: tcpOnly.port },
      ]);
      expect(tcp).toBeDefined();
      expect(udp).toBeUndefined();
      const r = await gtlsGet(tcpOnly, ['/1k.bin'], { handshakeTimeout: '1s', timeoutMs: 10_000 });
      expect(r.ok).toBe(false);
      expect(r.errorLines.join('\n')).toMatch(/ERR_HANDSHAKE_TIMEOUT/);
      await expect(
        verifyDownload(r.downloadPath(tcpOnly.url('/1k.bin')), docroot.file('1k.bin')),
      ).rejects.toMatchObject({
        code: HarnessErrorCode.CONTENT_MISMATCH,
      });
      expect(tcpOnly.accessLog().filter((e) => e.proto === 'HTTP/3.0')).toEqual([]);
    } finally {
      await tcpOnly.stop();
    }
  });
});
