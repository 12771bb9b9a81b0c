import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSelfSignedCertificate } from '@fos/crypto';
import type { Http3Server } from '@fos/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe } from './index.js';
import { parseServeArgs, SERVE_USAGE_EXIT } from './serve-options.js';
import { h3Get } from './test-support/h3-get.js';
import { ResumingClient } from './test-support/resuming-client.js';

class Sink {
  text = '';
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fos-serve-'));
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  writeFileSync(
    join(dir, '64k.bin'),
    new Uint8Array(65536).map((_, i) => (i * 31) & 0xff),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fos-h3 serve: command line', () => {
  it('defaults', () => {
    const r = parseServeArgs(['--root', dir], new Sink(), new Sink(), {});
    expect(r).toEqual({
      kind: 'command',
      command: {
        root: dir,
        host: '127.0.0.1',
        port: 4433,
        certFile: undefined,
        keyFile: undefined,
        retry: false,
        qlogDir: undefined,
        keylog: undefined,
        ticketKeyFile: undefined,
        earlyData: true,
        listDirectories: true,
        maxStreams: 100,
        quiet: false,
      },
    });
  });

  it('every option; a leading "serve" is tolerated; SSLKEYLOGFILE is the key log default', () => {
    const r = parseServeArgs(
      ['serve', '--root', dir, '--port', '0', '--host', '::1', '--cert', 'c.pem', '--key', 'k.pem', '--retry'].concat([
        '--qlog-dir',
        '/tmp/q',
        '--ticket-key-file',
        '/tmp/t.key',
        '--no-early-data',
        '--no-list',
        '--max-streams',
        '7',
        '-q',
      ]),
      new Sink(),
      new Sink(),
      { SSLKEYLOGFILE: '/tmp/keys' },
    );
    expect(r.kind === 'command' && r.command).toMatchObject({
      port: 0,
      host: '::1',
      certFile: 'c.pem',
      keyFile: 'k.pem',
      retry: true,
      qlogDir: '/tmp/q',
      keylog: '/tmp/keys',
      ticketKeyFile: '/tmp/t.key',
      earlyData: false,
      listDirectories: false,
      maxStreams: 7,
      quiet: true,
    });
  });

  it('usage errors exit 2 with one line; --help exits 0', () => {
    const cases = [
      ['--root', dir, '--cert', 'c.pem'],
      ['--root', join(dir, 'hello.txt')],
      ['--root', dir, '--port', '70000'],
      ['--root', dir, '--bogus'],
      ['--root', dir, 'extra'],
    ];
    for (const argv of cases) {
      const err = new Sink();
      expect(parseServeArgs(argv, new Sink(), err, {}), argv.join(' ')).toEqual({
        kind: 'exit',
        exitCode: SERVE_USAGE_EXIT,
      });
      expect(err.text).toMatch(/^fos-h3 serve: /);
    }
    const out = new Sink();
    expect(parseServeArgs(['--help'], out, new Sink(), {})).toEqual({ kind: 'exit', exitCode: 0 });
    expect(out.text).toContain('--qlog-dir');
  });
});

describe('fos-h3 serve: running (real UDP)', () => {
  it('serves the directory with a generated certificate, logs one line per request, stops on abort', async () => {
    const stdout = new Sink();
    const stderr = new Sink();
    const stop = new AbortController();
    let server: Http3Server | undefined;
    const exit = runServe(['--root', dir, '--port', '0'], {
      stdout,
      stderr,
      signal: stop.signal,
      onListening: (s) => {
        server = s;
      },
    });
    await expect.poll(() => server, { timeout: 10_000 }).toBeDefined();
    const s = server as Http3Server;
    expect(stderr.text).toMatch(/serving .* on https:\/\/127\.0\.0\.1:\d+\/ \(HTTP\/3 over UDP\)/);
    expect(stderr.text).toContain(`SPKI pin sha256//${s.certificate?.spkiSha256}`);
    const [hello, bin, gen, missing] = await h3Get(
      s.address.port,
      ['/hello.txt', '/64k.bin', '/bytes/1000', '/nope'],
      s.certificate!.certPem,
    );
    expect(hello.body.toString()).toBe('hello\n');
    expect(sha(bin.body)).toBe(sha(readFileSync(join(dir, '64k.bin'))));
    expect(gen.body.length).toBe(1000);
    expect(missing.status).toBe(404);
    await expect.poll(() => stdout.text.split('\n').length - 1).toBe(4);
    expect(stdout.text).toMatch(/^127\.0\.0\.1 - - \[.*\] "GET \/hello\.txt HTTP\/3" 200 6 - [\d.]+ms stream=0$/m);
    expect(stdout.text).toMatch(/"GET \/nope HTTP\/3" 404 /);
    stop.abort();
    expect(await exit).toBe(0);
    expect(stderr.text).toContain('stopped');
  });

  it('uses --cert/--key files; an unreadable key file is exit 1', async () => {
    const cert = await generateSelfSignedCertificate();
    writeFileSync(join(dir, 'cert.pem'), cert.certPem);
    writeFileSync(join(dir, 'key.pem'), cert.keyPem);
    const stop = new AbortController();
    let server: Http3Server | undefined;
    const stderr = new Sink();
    const exit = runServe(
      ['--root', dir, '--port', '0', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '-q'],
      { stdout: new Sink(), stderr, signal: stop.signal, onListening: (s) => (server = s) },
    );
    await expect.poll(() => server, { timeout: 10_000 }).toBeDefined();
    expect(server?.certificate?.spkiSha256).toBe(cert.spkiSha256);
    expect(stderr.text).not.toContain('self-signed');
    const [r] = await h3Get(server!.address.port, ['/hello.txt'], cert.certPem);
    expect(r.status).toBe(200);
    stop.abort();
    expect(await exit).toBe(0);

    const bad = new Sink();
    const code = await runServe(
      ['--root', dir, '--port', '0', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'nokey')],
      {
        stdout: new Sink(),
        stderr: bad,
      },
    );
    expect(code).toBe(1);
    expect(bad.text).toMatch(/^fos-h3 serve: cannot start: /);
  });
});

describe('fos-h3 serve --ticket-key-file (real UDP)', () => {
  /** Runs `fos-h3 serve` with `extra` arguments until `use(port)` resolves; the exit code and `use`'s result. */
  async function generation<T>(extra: string[], use: (port: number) => Promise<T>): Promise<[number, T]> {
    const stop = new AbortController();
    let server: Http3Server | undefined;
    const args = ['--root', dir, '--port', '0', '--cert', join(dir, 'tk-cert.pem'), '--key', join(dir, 'tk-key.pem')];
    const exit = runServe([...args, '-q', ...extra], {
      stdout: new Sink(),
      stderr: new Sink(),
      signal: stop.signal,
      onListening: (s) => (server = s),
    });
    await expect.poll(() => server, { timeout: 10_000 }).toBeDefined();
    const result = await use(server!.address.port);
    stop.abort();
    return [await exit, result];
  }

  it('a restarted server with the same key file resumes the session; without the file it cannot', async () => {
    const cert = await generateSelfSignedCertificate();
    writeFileSync(join(dir, 'tk-cert.pem'), cert.certPem);
    writeFileSync(join(dir, 'tk-key.pem'), cert.keyPem);
    writeFileSync(join(dir, 'ticket.key'), `${createHash('sha256').update('a test key').digest('hex')}\n`);
    const keyArgs = ['--ticket-key-file', join(dir, 'ticket.key')];
    const client = await ResumingClient.create(cert.certPem);
    try {
      expect(await generation(keyArgs, (port) => client.connect(port))).toEqual([
        0,
        { resumed: false, ticketReceived: true },
      ]);
      expect(await generation(keyArgs, (port) => client.connect(port))).toEqual([
        0,
        { resumed: true, ticketReceived: true },
      ]);
      // a generation with its own per-process keys cannot open the ticket from the previous one
      expect(await generation([], (port) => client.connect(port))).toEqual([
        0,
        { resumed: false, ticketReceived: true },
      ]);
    } finally {
      await client.close();
    }
  });

  it('a key file that is not 32 bytes or 64 hex digits: exit 1, the server does not start', async () => {
    writeFileSync(join(dir, 'short.key'), new Uint8Array(31));
    const stderr = new Sink();
    const code = await runServe(['--root', dir, '--port', '0', '--ticket-key-file', join(dir, 'short.key')], {
      stdout: new Sink(),
      stderr,
      onListening: () => {
        throw new Error('must not start');
      },
    });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/^fos-h3 serve: cannot start: /);
  });
});

const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const built = existsSync(bin) && existsSync(fileURLToPath(new URL('../../dist/serve/index.js', import.meta.url)));

describe.skipIf(!built)(`the built bin${built ? '' : ' [skipped: packages/cli is not built — npm run build]'}`, () => {
  it('`fos-h3 serve` runs until SIGINT, then shuts down gracefully and exits 0', async () => {
    const cert = await generateSelfSignedCertificate();
    writeFileSync(join(dir, 'bin-cert.pem'), cert.certPem);
    writeFileSync(join(dir, 'bin-key.pem'), cert.keyPem);
    const args = ['serve', '--root', dir, '--port', '0', '--cert', join(dir, 'bin-cert.pem')];
    const child = spawn(process.execPath, [bin, ...args, '--key', join(dir, 'bin-key.pem')], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    await expect.poll(() => /:(\d+)\/ \(HTTP\/3/.exec(err), { timeout: 15_000 }).not.toBeNull();
    const port = Number(/:(\d+)\/ \(HTTP\/3/.exec(err)![1]);
    const [r] = await h3Get(port, ['/hello.txt'], cert.certPem);
    expect(r.body.toString()).toBe('hello\n');
    await expect.poll(() => out).toMatch(/"GET \/hello\.txt HTTP\/3" 200 6 /);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toContain('shutting down');
    expect(err).toContain('stopped');
  });
});
