// Runs `fos-h3` in-process with captured streams, and starts HTTP/3 test servers (@fos/server) with a test PKI.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createCa, createLeaf, keyPem } from '@fos/crypto';
import { createHttp3Server, fetchHandler, type Http3Server, serveStatic } from '@fos/server';
import { type CliIo, type MainOptions, main } from '../../src/index.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** A captured output stream that claims (or not) to be a terminal. */
export function captured(isTTY: boolean): PassThrough & { isTTY: boolean; columns: number; text(): Buffer } {
  const chunks: Buffer[] = [];
  const s = new PassThrough() as PassThrough & { isTTY: boolean; columns: number; text(): Buffer };
  s.on('data', (c: Buffer) => chunks.push(c));
  s.isTTY = isTTY;
  s.columns = 100;
  s.text = () => Buffer.concat(chunks);
  return s;
}

/** Runs `fos-h3 …argv` in this process. */
export async function runCli(
  argv: readonly string[],
  options: { stdin?: string; stderrTTY?: boolean; env?: Record<string, string>; main?: MainOptions } = {},
): Promise<CliRun> {
  const stdout = captured(false);
  const stderr = captured(options.stderrTTY ?? false);
  const io: CliIo = {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    env: options.env ?? {},
  };
  const code = await main(argv, io, options.main);
  await new Promise((r) => setImmediate(r));
  return { code, stdout: stdout.text(), stderr: stderr.text().toString('utf8') };
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Files, a CA and certificates on disk for one test file; `cleanup()` removes them. */
export class Fixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'fos-cli-'));
  readonly www = join(this.dir, 'www');

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, data: string | Uint8Array): string {
    const p = this.path(name);
    writeFileSync(p, data);
    return p;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A test CA (its PEM written to `caFile`) and leaves: valid for localhost/127.0.0.1, and for another name. */
export async function testPki(fixture: Fixture) {
  const ca = await createCa('fos-h3 test CA');
  const leaf = async (names: string[], ips: string[]) => {
    const l = await createLeaf(ca, 'p256', { names, ips });
    return { certPem: l.pem, keyPem: keyPem(l.key) };
  };
  const good = await leaf(['localhost'], ['127.0.0.1']);
  const wrongName = await leaf(['elsewhere.example'], []);
  const caFile = fixture.write('ca.pem', ca.pem);
  return { ca, good, wrongName, caFile };
}

/**
 * An HTTP/3 server (@fos/server) on 127.0.0.1: static files from `www`, `/echo` answers with the request method,
 * a header and the body, `/missing` is a 404.
 */
export async function startServer(cert: { certPem: string; keyPem: string }, www: string): Promise<Http3Server> {
  const files = serveStatic(www);
  const echo = fetchHandler(async (req) => {
    const body = await req.text();
    return new Response(`${req.method} x-test=${req.headers.get('x-test')} body=${body}`, {
      headers: { 'content-type': 'text/plain', 'x-echo': 'yes' },
    });
  });
  return createHttp3Server({
    host: '127.0.0.1',
    port: 0,
    certificate: { cert: cert.certPem, key: cert.keyPem },
    handler: (req, res) => (req.path.startsWith('/echo') ? echo(req, res) : files(req, res)),
  });
}
