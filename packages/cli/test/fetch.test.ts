// `fos-h3 URL …` in-process against a real HTTP/3 server (@fos/server on loopback UDP) and local TCP servers:
// output to stdout and -o, -v details, methods, headers and bodies, certificates (--cacert, --insecure, a bad
// certificate), and one exit code plus one line of reason per failure kind.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Http3Server } from '@fos/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/index.js';
import { Fixture, runCli, sha256, startServer, testPki } from './support/cli-harness.js';

const fixture = new Fixture();
let pki: Awaited<ReturnType<typeof testPki>>;
let server: Http3Server;
let wrongName: Http3Server;
let base: string;
const big = Buffer.alloc(3 << 20);
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) & 0xff;

beforeAll(async () => {
  pki = await testPki(fixture);
  mkdirSync(fixture.www, { recursive: true });
  writeFileSync(join(fixture.www, 'hello.txt'), 'hello over h3\n');
  writeFileSync(join(fixture.www, 'big.bin'), big);
  server = await startServer(pki.good, fixture.www);
  wrongName = await startServer(pki.wrongName, fixture.www);
  base = `https://localhost:${server.address.port}`;
});

afterAll(async () => {
  await server?.close();
  await wrongName?.close();
  fixture.cleanup();
});

describe('fos-h3 URL', () => {
  it('--http3-only with --cacert: the body on stdout, exit 0', async () => {
    const r = await runCli([`${base}/hello.txt`, '--http3-only', '--cacert', pki.caFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout.toString()).toBe('hello over h3\n');
  });

  it('-o FILE writes the body to the file (3 MB intact), nothing on stdout', async () => {
    const out = fixture.path('out.bin');
    const r = await runCli([`${base}/big.bin`, '--http3-only', '--cacert', pki.caFile, '-o', out]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout.length).toBe(0);
    expect(sha256(readFileSync(out))).toBe(sha256(big));
  });

  it('-v prints the request, protocol, timings and response headers to stderr', async () => {
    const r = await runCli([`${base}/hello.txt`, '--http3-only', '--cacert', pki.caFile, '-v']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout.toString()).toBe('hello over h3\n');
    const lines = r.stderr.split('\n');
    expect(lines).toContain(`> GET ${base}/hello.txt`);
    expect(lines).toContain('< HTTP/3 200');
    expect(lines).toContain('< content-length: 14');
    expect(r.stderr).toMatch(/^\* HTTP\/3: 14 bytes, new connection$/m);
    expect(r.stderr).toMatch(/^\* timings: handshake \d+\.\d ms, ttfb \d+\.\d ms, total \d+\.\d ms$/m);
  });

  it('-X, -H and -d (text, @file, @-) send a method, headers and a body', async () => {
    const url = `${base}/echo`;
    const common = ['--http3-only', '--cacert', pki.caFile, '-H', 'x-test: yes'];
    const text = await runCli([url, ...common, '-d', 'abc']);
    expect(text.stdout.toString()).toBe('POST x-test=yes body=abc');
    const file = fixture.write('body.txt', 'from a file');
    const fromFile = await runCli([url, ...common, '-X', 'PUT', '-d', `@${file}`]);
    expect(fromFile.stdout.toString()).toBe('PUT x-test=yes body=from a file');
    const fromStdin = await runCli([url, ...common, '-d', '@-'], { stdin: 'piped in' });
    expect(fromStdin.stdout.toString()).toBe('POST x-test=yes body=piped in');
  });

  it('a certificate for another name fails clearly (exit 60, one line); --insecure accepts it', async () => {
    const url = `https://localhost:${wrongName.address.port}/hello.txt`;
    const r = await runCli([url, '--http3-only', '--cacert', pki.caFile]);
    expect(r.code).toBe(ExitCode.TLS_VERIFY);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^fos-h3: TLS certificate verification failed: .*hostname-mismatch.*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
    const insecure = await runCli([url, '--http3-only', '--insecure']);
    expect(insecure.code).toBe(ExitCode.OK);
    expect(insecure.stdout.toString()).toBe('hello over h3\n');
  });

  it('without --cacert the test CA is unknown: exit 60 (unknown-ca)', async () => {
    const r = await runCli([`${base}/hello.txt`, '--http3-only']);
    expect(r.code).toBe(ExitCode.TLS_VERIFY);
    expect(r.stderr).toMatch(/unknown-ca/);
  });

  it('a 404 writes the body but exits 22 with the status', async () => {
    const r = await runCli([`${base}/missing`, '--http3-only', '--cacert', pki.caFile]);
    expect(r.code).toBe(ExitCode.HTTP_STATUS);
    expect(r.stderr).toBe('fos-h3: HTTP status 404 Not Found\n');
  });

  it('an unresolvable host: exit 6', async () => {
    const lookup = ((host: string, _o: unknown, cb: (e: Error) => void) =>
      cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }))) as never;
    const r = await runCli(['https://no-such-host.invalid/', '--http3-only'], { main: { client: { lookup } } });
    expect(r.code).toBe(ExitCode.DNS);
    expect(r.stderr).toMatch(/^fos-h3: could not resolve host: .*no-such-host\.invalid/);
  });

  it('a refused TCP connection: exit 7', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s: Server = createTcpServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const r = await runCli([`https://127.0.0.1:${closed}/`, '--http2']);
    expect(r.code).toBe(ExitCode.CONNECT);
    expect(r.stderr).toMatch(/^fos-h3: connection refused: /);
  });

  it('no reply over UDP within --connect-timeout: exit 28', async () => {
    const r = await runCli(['https://127.0.0.1:9/', '--http3-only', '--connect-timeout', '0.3']);
    expect(r.code).toBe(ExitCode.TIMEOUT);
    expect(r.stderr).toMatch(/^fos-h3: timed out: connect timeout after 300 ms\n$/);
  });

  it('usage errors exit 2 with one line; --help exits 0', async () => {
    expect((await runCli([])).code).toBe(ExitCode.USAGE);
    const both = await runCli(['https://a.test/', '--http2', '--http3-only']);
    expect(both.code).toBe(ExitCode.USAGE);
    expect(both.stderr).toMatch(/exclude each other/);
    const header = await runCli(['https://a.test/', '-H', 'no colon']);
    expect(header.code).toBe(ExitCode.USAGE);
    expect(header.stderr).toMatch(/^fos-h3: option .*bad header "no colon"/);
    const cacert = await runCli(['https://a.test/', '--cacert', fixture.path('nope.pem')]);
    expect(cacert.code).toBe(ExitCode.USAGE);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/--http3-only/);
  });

  it('shows a progress bar on a terminal for a large download to a file, and clears it', async () => {
    const out = fixture.path('progress.bin');
    const r = await runCli([`${base}/big.bin`, '--http3-only', '--cacert', pki.caFile, '-o', out], { stderrTTY: true });
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stderr).toMatch(/[\u2588\u2591]{10,}/); // the bar (shades_classic)
    expect(r.stderr).toMatch(/MiB/);
    const quiet = await runCli(
      [`${base}/big.bin`, '--http3-only', '--cacert', pki.caFile, '-o', out, '--no-progress'],
      {
        stderrTTY: true,
      },
    );
    expect(quiet.stderr).toBe('');
    const small = await runCli([`${base}/hello.txt`, '--http3-only', '--cacert', pki.caFile, '-o', out], {
      stderrTTY: true,
    });
    expect(small.stderr).toBe('');
  });

  it('--keylog writes TLS secrets (and SSLKEYLOGFILE is honoured)', async () => {
    const keylog = fixture.path('keys.log');
    const r = await runCli([`${base}/hello.txt`, '--http3-only', '--cacert', pki.caFile, '--keylog', keylog]);
    expect(r.code).toBe(ExitCode.OK);
    expect(readFileSync(keylog, 'utf8')).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} /m);
    const env = fixture.path('env-keys.log');
    await runCli([`${base}/hello.txt`, '--http3-only', '--cacert', pki.caFile], { env: { SSLKEYLOGFILE: env } });
    expect(existsSync(env)).toBe(true);
  });
});
