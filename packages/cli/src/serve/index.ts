// `fos-h3 serve`: serves a directory over HTTP/3 with @fos/server (issue 6 "CLI").

import { runServeCommand, type ServeIo } from './run-serve.js';
import { parseServeArgs } from './serve-options.js';

export { runServeCommand, type ServeIo, SHUTDOWN_GRACE_MS } from './run-serve.js';
export { parseServeArgs, type ServeCommand, type ServeParseResult, serveProgram } from './serve-options.js';

/**
 * `fos-h3 serve --root DIR --port N [--host ADDR] [--cert FILE --key FILE] [--retry] [--qlog-dir DIR] …`: serves
 * DIR over HTTP/3 until Ctrl-C (or `io.signal`), logging one line per request. `argv` are the arguments after
 * `serve`. Resolves with the exit code: 0 after a graceful shutdown (or --help), 2 for a bad command line, 1 when
 * the server cannot start.
 */
export async function runServe(argv: string[], io: Partial<ServeIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const parsed = parseServeArgs(argv, stdout, stderr, process.env);
  if (parsed.kind === 'exit') return parsed.exitCode;
  return runServeCommand(parsed.command, { ...io, stdout, stderr });
}
