// Interop against a real TLS 1.3 stack: OpenSSL's s_server and s_client (Debian's `openssl` binary) over TCP, through
// the test-only record layer in support/tls-record-layer.ts. Our client ↔ s_server for each cipher suite and group,
// with a HelloRetryRequest, resumption and 0-RTT; s_client ↔ our server, including -sess_out/-sess_in resumption.
// Application data is exchanged both ways on every connection to prove the keys.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CipherSuite, NamedGroup } from '@fos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from '../src/provider/node-crypto-provider.js';
import type { TlsClientSessionOptions } from '../src/tls/client-session.js';
import type { TlsContextOptions } from '../src/tls/options.js';
import type { TlsServerSession } from '../src/tls/server-session.js';
import { TlsContext } from '../src/tls/tls-context.js';
import { createCa, createLeaf, keyPem } from './support/pki.js';
import { TlsRecordConnection } from './support/tls-record-layer.js';

function opensslVersion(): string | undefined {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const version = opensslVersion();
if (version === undefined && process.env.CI) {
  // In CI the binary is installed (.ci/run); its absence must fail the suite, not skip it.
  describe('OpenSSL interop', () => {
    it('needs the openssl binary (CI is set)', () => {
      throw new Error('the openssl binary is missing but CI is set');
    });
  });
}

const provider = new NodeCryptoProvider();
const children: ChildProcess[] = [];
let dir: string;
let caPem: string;
let certFile: string;
let keyFile: string;
let caFile: string;
let serverCert: { chain: string; key: Uint8Array };

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

interface OpenSslProcess {
  readonly proc: ChildProcess;
  stdout: string;
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

function startOpenSsl(args: string[]): OpenSslProcess {
  const proc = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(proc);
  const p: OpenSslProcess = {
    proc,
    stdout: '',
    waitFor: (text, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (p.stdout.includes(text)) {
            clearTimeout(timer);
            proc.stdout!.off('data', check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          proc.stdout!.off('data', check);
          reject(new Error(`openssl: timed out waiting for ${JSON.stringify(text)}; output:\n${p.stdout}`));
        }, timeoutMs);
        proc.stdout!.on('data', check);
        check();
      }),
  };
  proc.stdout!.on('data', (d: Buffer) => {
    p.stdout += d.toString('latin1');
  });
  proc.stderr!.on('data', (d: Buffer) => {
    p.stdout += d.toString('latin1');
  });
  return p;
}

async function startServer(extra: string[]): Promise<{ server: OpenSslProcess; port: number }> {
  const port = await freePort();
  const server = startOpenSsl([
    's_server',
    '-tls1_3',
    '-accept',
    String(port),
    '-cert',
    certFile,
    '-key',
    keyFile,
    ...extra,
  ]);
  await server.waitFor('ACCEPT');
  return { server, port };
}

async function connectClient(
  port: number,
  ctx: Partial<TlsContextOptions>,
  opts: Partial<TlsClientSessionOptions> = {},
) {
  const socket: Socket = createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const session = new TlsContext({ provider, verify: { ca: caPem }, ...ctx }).createClient({
    alpnProtocols: [],
    serverName: 'localhost',
    epochMs: Date.now(),
    ...opts,
  });
  return { session, conn: new TlsRecordConnection(socket, session, provider) };
}

/** Our client against a fresh s_server: handshake, then "ping" → s_server stdout and s_server stdin → "pong". */
async function clientRound(serverArgs: string[], ctx: Partial<TlsContextOptions>) {
  const { server, port } = await startServer(serverArgs);
  const { session, conn } = await connectClient(port, ctx);
  await conn.until(() => session.handshakeComplete, 'handshake');
  conn.send(Buffer.from('ping from fos\n'));
  await server.waitFor('ping from fos');
  server.proc.stdin!.write('pong from openssl\n');
  await conn.until(() => conn.receivedText().includes('pong from openssl'), 'pong');
  conn.close();
  return { session, conn, server };
}

describe.skipIf(version === undefined)(`OpenSSL interop (${version ?? 'openssl not installed: skipped'})`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fos-openssl-'));
    const ca = await createCa('Interop CA');
    const leaf = await createLeaf(ca, 'p256', { names: ['localhost'], ips: ['127.0.0.1'] });
    caPem = ca.pem;
    certFile = join(dir, 'cert.pem');
    keyFile = join(dir, 'key.pem');
    caFile = join(dir, 'ca.pem');
    writeFileSync(certFile, leaf.pem);
    writeFileSync(keyFile, keyPem(leaf.key));
    writeFileSync(caFile, ca.pem);
    serverCert = { chain: leaf.pem, key: leaf.key };
  });

  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('our client → openssl s_server', () => {
    const suites: [string, CipherSuite][] = [
      ['TLS_AES_128_GCM_SHA256', CipherSuite.TLS_AES_128_GCM_SHA256],
      ['TLS_AES_256_GCM_SHA384', CipherSuite.TLS_AES_256_GCM_SHA384],
      ['TLS_CHACHA20_POLY1305_SHA256', CipherSuite.TLS_CHACHA20_POLY1305_SHA256],
    ];
    for (const [name, suite] of suites) {
      it(`cipher suite ${name}`, async () => {
        const { session } = await clientRound(['-ciphersuites', name], { cipherSuites: [suite] });
        expect(session.cipherSuite).toBe(suite);
      });
    }

    const groups: [string, NamedGroup][] = [
      ['X25519', NamedGroup.x25519],
      ['P-256', NamedGroup.secp256r1],
      ['P-384', NamedGroup.secp384r1],
    ];
    for (const [name, group] of groups) {
      it(`group ${name}`, async () => {
        const { session, conn } = await clientRound(['-groups', name], { groups: [group] });
        expect(session.handshakeComplete).toBe(true);
        expect(conn.events.filter((e) => e.type === 'handshake-data' && e.level === 'initial')).toHaveLength(1);
      });
    }

    it('HelloRetryRequest: s_server -groups P-384 answers an X25519 key share', async () => {
      const { session, conn } = await clientRound(['-groups', 'P-384'], {
        groups: [NamedGroup.x25519, NamedGroup.secp384r1],
        keyShareGroups: [NamedGroup.x25519],
      });
      expect(session.handshakeComplete).toBe(true);
      expect(conn.events.filter((e) => e.type === 'handshake-data' && e.level === 'initial')).toHaveLength(2);
    });

    it('resumption with an s_server ticket', async () => {
      const { server, port } = await startServer([]);
      const ctx = { verify: { ca: caPem } };
      const first = await connectClient(port, ctx);
      await first.conn.until(() => first.conn.tickets.length > 0, 'a session ticket');
      expect(first.session.resumed).toBe(false);
      first.conn.close();
      const second = await connectClient(port, ctx, { resumeSession: first.conn.tickets[0] });
      await second.conn.until(() => second.session.handshakeComplete, 'handshake');
      expect(second.session.resumed).toBe(true);
      second.conn.send(Buffer.from('resumed ping\n'));
      await server.waitFor('resumed ping');
      second.conn.close();
    });

    it('0-RTT with s_server -early_data', async () => {
      const { server, port } = await startServer(['-early_data']);
      const first = await connectClient(port, {});
      await first.conn.until(() => first.conn.tickets.length > 0, 'a session ticket');
      const ticket = first.conn.tickets[0];
      expect(ticket.maxEarlyDataSize).toBeGreaterThan(0);
      first.conn.close();
      const second = await connectClient(port, {}, { resumeSession: ticket, enableEarlyData: true });
      second.conn.send(Buffer.from('early hello\n')); // 0-RTT, before the ServerHello arrives
      await second.conn.until(() => second.session.handshakeComplete, 'handshake');
      expect(second.session.earlyData).toBe('accepted');
      await server.waitFor('early hello');
      expect(server.stdout).toContain('Early data received');
      second.conn.send(Buffer.from('after handshake\n'));
      await server.waitFor('after handshake');
      second.conn.close();
    });
  });

  describe('openssl s_client → our server', () => {
    async function ourServer(enableEarlyData = false) {
      const tls = new TlsContext({ provider, certificates: [serverCert] });
      const sessions: TlsRecordConnection[] = [];
      const tlsSessions: TlsServerSession[] = [];
      const server: Server = createServer((socket) => {
        const session = tls.createServer({ alpnProtocols: [], epochMs: Date.now(), enableEarlyData });
        const conn = new TlsRecordConnection(socket, session, provider);
        sessions.push(conn);
        tlsSessions.push(session);
        // Echo every line back once the handshake is done.
        socket.on('data', () => {
          setImmediate(() => {
            const text = conn.receivedText();
            if (session.handshakeComplete && text.length > 0) {
              conn.received.length = 0;
              conn.send(Buffer.from(`echo:${text}`));
            }
          });
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { port: (server.address() as { port: number }).port, server, sessions, tlsSessions };
    }

    async function waitForFile(file: string, output: () => string): Promise<void> {
      const deadline = Date.now() + 5000;
      while (!existsSync(file) || statSync(file).size === 0) {
        if (Date.now() > deadline) throw new Error(`no session file; s_client output:\n${output()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    function sClient(port: number, extra: string[]): OpenSslProcess {
      return startOpenSsl([
        's_client',
        '-tls1_3',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        'localhost',
        '-verify_hostname',
        'localhost',
        '-CAfile',
        caFile,
        '-verify_return_error',
        '-ign_eof',
        ...extra,
      ]);
    }

    it('handshake, verification of our certificate and data both ways, then -sess_in resumption', async () => {
      const { port, server, sessions, tlsSessions } = await ourServer();
      try {
        const sessFile = join(dir, 'sess.pem');
        const first = sClient(port, ['-sess_out', sessFile]);
        await first.waitFor('Verify return code: 0 (ok)');
        first.proc.stdin!.write('hello from s_client\n');
        await first.waitFor('echo:hello from s_client');
        expect(sessions[0].events.some((e) => e.type === 'handshake-complete')).toBe(true);
        expect(first.stdout).toContain('TLSv1.3');
        expect(tlsSessions[0].resumed).toBe(false);
        // s_client writes the session file once our NewSessionTicket arrived.
        await waitForFile(sessFile, () => first.stdout);
        first.proc.kill('SIGTERM');

        const second = sClient(port, ['-sess_in', sessFile]);
        await second.waitFor('Reused, TLSv1.3');
        second.proc.stdin!.write('resumed\n');
        await second.waitFor('echo:resumed');
        expect(tlsSessions[1].resumed).toBe(true);
        expect(tlsSessions[1].peerCertificates).toHaveLength(0);
        second.proc.kill('SIGTERM');
      } finally {
        server.close();
      }
    });

    it('0-RTT from s_client -early_data (EndOfEarlyData over TCP)', async () => {
      const { port, server, sessions, tlsSessions } = await ourServer(true);
      try {
        const sessFile = join(dir, 'sess-early.pem');
        const earlyFile = join(dir, 'early.txt');
        writeFileSync(earlyFile, 'zero-rtt hello\n');
        const first = sClient(port, ['-sess_out', sessFile]);
        await first.waitFor('Verify return code: 0 (ok)');
        await waitForFile(sessFile, () => first.stdout);
        first.proc.kill('SIGTERM');
        const second = sClient(port, ['-sess_in', sessFile, '-early_data', earlyFile]);
        await second.waitFor('Reused, TLSv1.3');
        await sessions[1].until(
          () => sessions[1].receivedText().length > 0 || tlsSessions[1].handshakeComplete,
          'early data',
        );
        expect(tlsSessions[1].earlyData).toBe('accepted');
        await second.waitFor('echo:zero-rtt hello');
        second.proc.kill('SIGTERM');
      } finally {
        server.close();
      }
    });
  });
});
