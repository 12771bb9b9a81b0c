#!/usr/bin/env node
// The `fos-h3` command: `fos-h3 URL [options]` (curl-like HTTP/3 client) and `fos-h3 serve [options]`.
import { ExitCode } from './fetch/exit-codes.js';
import { processIo } from './io.js';
import { main } from './main.js';

const interrupt = new AbortController();
// The first Ctrl-C cancels the transfer (exit 130); the serve command installs its own handler for a graceful stop.
if (process.argv[2] !== 'serve') {
  process.once('SIGINT', () => interrupt.abort(new Error('interrupted')));
}
main(process.argv.slice(2), processIo(interrupt.signal)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fos-h3: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = ExitCode.FAILURE;
  },
);
