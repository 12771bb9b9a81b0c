// The built `fos-h3` bin as a user runs it: a separate Node process, real sockets, its exit code and output — and
// it exits on its own once the transfer is done (no socket or timer keeps it alive).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Http3Server } from '@fos/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/index.js';
import { Fixture, startServer, testPki } from './support/cli-harness.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const built = existsSync(bin);

function runBin(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!built)(
  `the built bin (dist/bin.js)${built ? '' : ' [skipped: not built — run npm run build]'}`,
  () => {
    const fixture = new Fixture();
    let pki: Awaited<ReturnType<typeof testPki>>;
    let server: Http3Server;

    beforeAll(async () => {
      pki = await testPki(fixture);
      mkdirSync(fixture.www, { recursive: true });
      writeFileSync(join(fixture.www, 'hello.txt'), 'hello from the bin test\n');
      server = await startServer(pki.good, fixture.www);
    });

    afterAll(async () => {
      await server?.close();
      fixture.cleanup();
    });

    it('fetches over HTTP/3 with --cacert, prints the body and exits 0 by itself', async () => {
      const url = `https://localhost:${server.address.port}/hello.txt`;
      const r = await runBin([url, '--http3-only', '--cacert', pki.caFile]);
      expect(r).toEqual({ code: ExitCode.OK, stdout: 'hello from the bin test\n', stderr: '' });
    });

    it('a bad certificate exits 60 with one line on stderr', async () => {
      const url = `https://localhost:${server.address.port}/hello.txt`;
      const r = await runBin([url, '--http3-only']);
      expect(r.code).toBe(ExitCode.TLS_VERIFY);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^fos-h3: TLS certificate verification failed: [^\n]*unknown-ca[^\n]*\n$/);
    });

    it('dispatches `fos-h3 serve` to the server command', async () => {
      const r = await runBin(['serve', '--help']);
      // Either the serve command's own help, or (a build without it) a clear message — never a fetch usage error.
      expect(r.stderr).not.toMatch(/missing required argument 'url'/);
      if (r.code !== 0) expect(r.stderr).toBe('fos-h3: the serve command is not available in this build\n');
    });
  },
);
