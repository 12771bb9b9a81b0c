// QUIC-level interop of our client (issue 4) against gtlsserver (ngtcp2 0.12, GnuTLS) and Caddy 2.6 (quic-go):
// the handshake with each TLS 1.3 cipher suite (our client offering only that one), Retry (gtlsserver -V), a
// HelloRetryRequest (gtlsserver accepts only secp384r1, our first ClientHello carries an x25519 share only; Caddy
// cannot be made to send one: Go accepts every group our client can offer a share for), a key update initiated
// by our client, a clean close (the peer receives CONNECTION_CLOSE with H3_NO_ERROR and logs
// no error), and a tshark capture of our session that decrypts with our key log, nothing malformed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type QuicH3Session, QuicH3SessionFactory, type QuicH3SessionFactoryOptions } from '@fos/client';
import { CipherSuite, NamedGroup } from '@fos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assessCapture,
  type CaddyServer,
  type CertificateFiles,
  createDocroot,
  DEFAULT_FIELDS,
  type Docroot,
  decodeCapture,
  describeWithPeers,
  framesByConnection,
  type GtlsServer,
  generateCertificate,
  makeTempDir,
  packetTypes,
  startCaddy,
  startCapture,
  startGtlsServer,
} from '../src/index.js';

const SUITES = [
  ['TLS_AES_128_GCM_SHA256', CipherSuite.TLS_AES_128_GCM_SHA256, 'AES-128-GCM'],
  ['TLS_AES_256_GCM_SHA384', CipherSuite.TLS_AES_256_GCM_SHA384, 'AES-256-GCM'],
  ['TLS_CHACHA20_POLY1305_SHA256', CipherSuite.TLS_CHACHA20_POLY1305_SHA256, 'CHACHA20-POLY1305'],
] as const;

interface Run {
  readonly session: QuicH3Session;
  readonly bodies: string[];
  readonly keyUpdates: number;
}

/**
 * One client run: GETs `paths` (sequentially) over HTTP/3, optionally initiates a key update after the first one,
 * then closes the client (the session closes with H3_NO_ERROR) and returns what happened.
 */
async function run(
  ca: string,
  url: (path: string) => string,
  paths: readonly string[],
  options: { factory?: QuicH3SessionFactoryOptions; keyUpdate?: boolean; keylogPath?: string } = {},
): Promise<Run> {
  const factory = new QuicH3SessionFactory(options.factory);
  const client = createClient({ ca, protocol: 'h3', h3SessionFactory: factory, keylogPath: options.keylogPath });
  const bodies: string[] = [];
  let keyUpdates = 0;
  let session: QuicH3Session | undefined;
  try {
    for (const [i, path] of paths.entries()) {
      const res = await client.fetch(url(path));
      expect(res.status).toBe(200);
      bodies.push(
        Buffer.from(await res.arrayBuffer())
          .toString('hex')
          .slice(0, 16),
      );
      session ??= factory.sessions[0];
      if (i === 0 && options.keyUpdate) {
        session.quic.events$.subscribe((e) => {
          if (e.type === 'key-update' && e.initiator === 'local') keyUpdates++;
        });
        // RFC 9001 §6: allowed once the handshake is confirmed (HANDSHAKE_DONE received).
        for (let tries = 0; !session.quic.initiateKeyUpdate(); tries++) {
          if (tries > 100) throw new Error('key update never allowed');
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }
  } finally {
    await client.close();
    await factory.close(); // closes the session at once: CONNECTION_CLOSE(0x1d) H3_NO_ERROR
  }
  if (session === undefined) throw new Error('no session');
  return { session, bodies, keyUpdates };
}

/** gtlsserver's verbose log, once it holds a line matching `pattern` (the server writes it asynchronously). */
async function serverLog(server: GtlsServer, pattern: RegExp, ms = 5_000): Promise<string> {
  let log = '';
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    log = readFileSync(server.logFile as string, 'utf8');
    if (pattern.test(log)) break;
  }
  return log;
}

const CLEAN_CLOSE = /frm rx \d+ 1RTT CONNECTION_CLOSE\(0x1d\) error_code=[^\n]*\(0x100\)/;

/** gtlsserver's verbose log says the connection ended cleanly: our CONNECTION_CLOSE with H3_NO_ERROR, no error. */
function expectCleanGtlsLog(log: string): void {
  expect(log).toMatch(CLEAN_CLOSE);
  // The server never closed with an error of its own, and reported no failure beyond entering draining.
  expect(log).not.toMatch(/frm tx \d+ \S+ CONNECTION_CLOSE/);
  const errors = log.split('\n').filter((l) => /ERR_/.test(l) && !/ERR_DRAINING/.test(l));
  expect(errors).toEqual([]);
}

describeWithPeers('our QUIC client ↔ gtlsserver', ['gtlsserver'], () => {
  let cert: CertificateFiles;
  let docroot: Docroot;

  beforeAll(async () => {
    cert = await generateCertificate({ kind: 'ec' });
    docroot = await createDocroot({ '1k.bin': 1024, '1m.bin': 1 << 20 });
  });

  for (const [name, suite, gnutlsName] of SUITES) {
    it(`handshakes with ${name} only, transfers, and closes cleanly`, async () => {
      const server = await startGtlsServer({ docroot: docroot.dir, cert, verboseLog: true });
      try {
        const r = await run(cert.certPem, server.url, ['/1k.bin', '/1m.bin'], {
          factory: { tls: { cipherSuites: [suite] } },
        });
        expect(r.session.quic.connection.tlsSession.cipherSuite).toBe(suite);
        const log = await serverLog(server, CLEAN_CLOSE);
        expect(log).toContain(`Negotiated cipher suite is ${gnutlsName}`);
        expectCleanGtlsLog(log);
      } finally {
        await server.stop();
      }
    });
  }

  it('follows a Retry (gtlsserver -V, RFC 9000 §8.1.2)', async () => {
    const server = await startGtlsServer({ docroot: docroot.dir, cert, retry: true, verboseLog: true });
    try {
      await run(cert.certPem, server.url, ['/1k.bin']);
      const log = await serverLog(server, CLEAN_CLOSE);
      expect(log).toContain('Sending Retry packet');
      expect(log).toContain('Verifying Retry token');
      expect(log).toContain('QUIC handshake has completed');
      expectCleanGtlsLog(log);
    } finally {
      await server.stop();
    }
  });

  it('completes a HelloRetryRequest handshake (server: secp384r1 only; our first share: x25519, RFC 8446 §4.1.4)', async () => {
    const server = await startGtlsServer({
      docroot: docroot.dir,
      cert,
      groups: '-GROUP-ALL:+GROUP-SECP384R1',
      verboseLog: true,
    });
    try {
      const r = await run(cert.certPem, server.url, ['/1k.bin'], {
        factory: { tls: { keyShareGroups: [NamedGroup.x25519] } },
      });
      expect(r.session.handshakeComplete).toBe(true);
      const log = await serverLog(server, CLEAN_CLOSE);
      expect(log).toContain('QUIC handshake has completed');
      expectCleanGtlsLog(log);
    } finally {
      await server.stop();
    }
  });

  it('performs a key update initiated by our client (RFC 9001 §6) and keeps transferring', async () => {
    const server = await startGtlsServer({ docroot: docroot.dir, cert, verboseLog: true });
    try {
      const r = await run(cert.certPem, server.url, ['/1k.bin', '/1m.bin', '/1k.bin'], { keyUpdate: true });
      expect(r.keyUpdates).toBe(1);
      const log = await serverLog(server, CLEAN_CLOSE);
      // ngtcp2 saw our new key phase and confirmed the update.
      expect(log).toContain('cry key update confirmed');
      expectCleanGtlsLog(log);
    } finally {
      await server.stop();
    }
  });
});

describeWithPeers('our QUIC client ↔ caddy', ['caddy'], () => {
  let cert: CertificateFiles;
  let caddy: CaddyServer;

  beforeAll(async () => {
    cert = await generateCertificate({ kind: 'ec', issuer: 'ca' });
    const docroot = await createDocroot({ '1k.bin': 1024, '1m.bin': 1 << 20 });
    caddy = await startCaddy({ docroot: docroot.dir, cert, hosts: ['127.0.0.1'] });
  });

  afterAll(async () => {
    await caddy?.stop();
  });

  function noCaddyErrors(): void {
    const errors = caddy.process.stderr
      .text()
      .split('\n')
      .filter((l) => /"level":"(error|fatal|panic)"/.test(l));
    expect(errors).toEqual([]);
  }

  for (const [name, suite] of SUITES) {
    it(`handshakes with ${name} only, transfers over HTTP/3 (access log), closes cleanly`, async () => {
      const before = caddy.accessLog().length;
      const r = await run(cert.caPem as string, caddy.url, ['/1k.bin', '/1m.bin'], {
        factory: { tls: { cipherSuites: [suite] } },
      });
      expect(r.session.quic.connection.tlsSession.cipherSuite).toBe(suite);
      await caddy.waitForAccess((e) => e.uri === '/1m.bin' && caddy.accessLog().indexOf(e) >= before);
      const entries = caddy.accessLog().slice(before);
      expect(entries.map((e) => [e.proto, e.uri, e.status])).toEqual([
        ['HTTP/3.0', '/1k.bin', 200],
        ['HTTP/3.0', '/1m.bin', 200],
      ]);
      noCaddyErrors();
    });
  }

  it('performs a key update initiated by our client and keeps transferring', async () => {
    const r = await run(cert.caPem as string, caddy.url, ['/1k.bin', '/1m.bin', '/1k.bin'], { keyUpdate: true });
    expect(r.keyUpdates).toBe(1);
    noCaddyErrors();
  });
});

describeWithPeers(
  'tshark capture of our client ↔ gtlsserver',
  ['tshark', 'gtlsserver'],
  () => {
    it('decrypts with our key log: every packet, nothing malformed, QUIC and HTTP/3 frames dissected', async () => {
      const cert = await generateCertificate();
      const docroot = await createDocroot({ '1k.bin': 1024, '64k.bin': 64 << 10 });
      const server = await startGtlsServer({ docroot: docroot.dir, cert });
      const keylogPath = join(makeTempDir('keylog'), 'keys.log');
      const capture = await startCapture({ ports: server.port });
      try {
        await run(cert.certPem, server.url, ['/1k.bin', '/64k.bin'], { keylogPath });
      } finally {
        await capture.stop();
        await server.stop();
      }
      const decoded = await decodeCapture(capture.file, {
        keylogFile: keylogPath,
        quicPorts: [server.port],
        fields: [...DEFAULT_FIELDS, 'udp.srcport', 'udp.length'],
      });
      const conns = framesByConnection(decoded);
      expect([...conns.keys()]).toEqual([0]);
      const all = conns.get(0) ?? [];
      expect(assessCapture(all).malformed).toEqual([]);
      // gtlsserver sends with UDP GSO: on lo the capture sees its segments as one oversized datagram (tens of KB),
      // which tshark cannot split into QUIC packets. Those are left out — every other datagram, and every one of
      // ours (one QUIC datagram each, never batched), must decrypt.
      const gso = all.filter((f) => Number(f.fields['udp.length']?.[0]) > 1500);
      for (const f of gso) expect(Number(f.fields['udp.srcport']?.[0])).toBe(server.port);
      const frames = all.filter((f) => !gso.includes(f));
      const ours = frames.filter((f) => Number(f.fields['udp.srcport']?.[0]) !== server.port);
      expect(ours.length).toBeGreaterThan(5);
      for (const f of ours) expect(Number(f.fields['udp.length']?.[0])).toBeLessThanOrEqual(1500);
      const health = assessCapture(frames);
      expect(health, JSON.stringify(health)).toMatchObject({ ok: true, malformed: [], undecrypted: [] });
      const types = new Set(frames.flatMap(packetTypes));
      for (const t of ['Initial', 'Handshake', '1-RTT']) expect(types.has(t)).toBe(true);
      const seen = (f: string) => new Set(frames.flatMap((x) => x.fields[f] ?? []).map(Number));
      // RFC 9000 §19: CRYPTO, HANDSHAKE_DONE, STREAM, CONNECTION_CLOSE (application, 0x1d).
      const quicFrames = seen('quic.frame_type');
      for (const t of [0x06, 0x1e, 0x1d]) expect(quicFrames.has(t), `frames: ${[...quicFrames]}`).toBe(true);
      expect([...quicFrames].some((t) => t >= 0x08 && t <= 0x0f)).toBe(true);
      // RFC 9114 §7.2: our HEADERS and both SETTINGS.
      const h3 = seen('http3.frame_type');
      for (const t of [0x01, 0x04]) expect(h3.has(t), `http3 frames: ${[...h3]}`).toBe(true);
    });

    it('shows the HelloRetryRequest of a secp384r1-only gtlsserver (Initial packets need no keys)', async () => {
      const cert = await generateCertificate();
      const docroot = await createDocroot({ '1k.bin': 1024 });
      const server = await startGtlsServer({ docroot: docroot.dir, cert, groups: '-GROUP-ALL:+GROUP-SECP384R1' });
      const capture = await startCapture({ ports: server.port });
      try {
        await run(cert.certPem, server.url, ['/1k.bin'], { factory: { tls: { keyShareGroups: [NamedGroup.x25519] } } });
      } finally {
        await capture.stop();
        await server.stop();
      }
      const decoded = await decodeCapture(capture.file, {
        fields: ['tls.handshake.type', 'tls.handshake.random'],
        displayFilter: 'tls.handshake',
        quicPorts: [server.port],
      });
      const types = decoded.flatMap((f) => f.fields['tls.handshake.type'] ?? []).map(Number);
      const randoms = decoded.flatMap((f) => f.fields['tls.handshake.random'] ?? []);
      // RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
      expect(randoms.map((r) => r.replace(/:/g, ''))).toContain(
        'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
      );
      // …after which our client sent a second ClientHello.
      expect(types.filter((t) => t === 1).length).toBe(2);
    });
  },
  { root: true },
);

describe('suite list', () => {
  it('covers the three TLS 1.3 cipher suites of RFC 9001 §5.3', () => {
    expect(SUITES.map((s) => s[1]).sort()).toEqual([0x1301, 0x1302, 0x1303]);
  });
});
