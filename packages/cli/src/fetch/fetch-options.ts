import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CliIo } from '../io.js';

/** `fos-h3 URL …` after parsing. */
export interface FetchCommand {
  readonly url: string;
  readonly output: string | undefined;
  readonly method: string | undefined;
  /** `-H 'Name: value'`, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** `-d DATA`: the text, `@file` or `@-` (stdin). */
  readonly data: string | undefined;
  readonly protocol: 'auto' | 'h3' | 'h2' | 'http/1.1';
  readonly cacert: string | undefined;
  readonly insecure: boolean;
  readonly verbose: boolean;
  readonly qlogDir: string | undefined;
  readonly keylog: string | undefined;
  readonly connectTimeoutMs: number | undefined;
  readonly maxTimeMs: number | undefined;
  readonly progress: boolean;
}

/** What parsing produced: a command, or an exit (help, version, usage error) with what was printed. */
export type ParseResult =
  | { readonly kind: 'command'; readonly command: FetchCommand }
  | { readonly kind: 'exit'; readonly exitCode: number };

const USAGE_EXIT = 2;

function collectHeader(
  value: string,
  previous: Array<readonly [string, string]> = [],
): Array<readonly [string, string]> {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError(`bad header "${value}" (expected 'Name: value').`);
  return [...previous, [value.slice(0, colon).trim(), value.slice(colon + 1).trim()]];
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`"${value}" is not a positive number of seconds.`);
  }
  return Math.round(n * 1000);
}

/** The `fos-h3 URL` command line (curl-like; issue 7 item 4). */
export function fetchProgram(io: CliIo): Command {
  return new Command()
    .name('fos-h3')
    .usage('URL [options]   |   fos-h3 serve [options]')
    .description(
      'Fetch a URL over HTTP/3 (QUIC), HTTP/2 or HTTP/1.1 and write the body to stdout or a file.\n' +
        'HTTP/3 is used when the server advertises it (Alt-Svc) or with --http3-only; `fos-h3 serve --help` for the server.',
    )
    .argument('<url>', 'the https:// (or http://) URL to fetch')
    .option('-o, --output <file>', 'write the body to FILE instead of stdout')
    .option('-X, --request <method>', 'request method (default GET, or POST with -d)')
    .option('-H, --header <header>', "extra request header 'Name: value' (repeatable)", collectHeader)
    .option('-d, --data <data>', 'request body: text, @file, or @- for stdin (implies POST)')
    .option('--http3-only', 'use HTTP/3 directly (QUIC to the URL host and port), no fallback')
    .option('--http2', 'use HTTP/2 over TLS only')
    .option('--http1.1', 'use HTTP/1.1 only')
    .option('--cacert <file>', 'trust the CA certificate(s) in this PEM file instead of the system roots')
    .option('-k, --insecure', 'do not verify the server certificate')
    .option('-v, --verbose', 'print protocol, timings and headers to stderr')
    .option('--qlog-dir <dir>', 'write a qlog file per QUIC connection into DIR')
    .option('--keylog <file>', 'append TLS secrets to FILE (NSS key log format; default $SSLKEYLOGFILE)')
    .option('--connect-timeout <seconds>', 'connection (TCP+TLS or QUIC handshake) timeout', seconds)
    .option('-m, --max-time <seconds>', 'maximum time for the whole transfer', seconds)
    .option('--no-progress', 'never show the progress bar')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `fos-h3: ${s.slice('error: '.length)}` : s),
    })
    .showHelpAfterError('(run fos-h3 --help for usage)');
}

/** Parses `argv` (without node and the script). Usage errors print one line and exit 2; --help exits 0. */
export function parseFetchArgs(argv: readonly string[], io: CliIo): ParseResult {
  const program = fetchProgram(io);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const help =
        e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version';
      return { kind: 'exit', exitCode: help ? 0 : USAGE_EXIT };
    }
    throw e;
  }
  const o = program.opts<Record<string, unknown>>();
  const chosen = [o.http3Only && 'h3', o.http2 && 'h2', o['http1.1'] && 'http/1.1'].filter(
    Boolean,
  ) as FetchCommand['protocol'][];
  if (chosen.length > 1) {
    io.stderr.write('fos-h3: --http3-only, --http2 and --http1.1 exclude each other\n');
    return { kind: 'exit', exitCode: USAGE_EXIT };
  }
  return {
    kind: 'command',
    command: {
      url: program.args[0],
      output: o.output as string | undefined,
      method: o.request as string | undefined,
      headers: (o.header as Array<readonly [string, string]>) ?? [],
      data: o.data as string | undefined,
      protocol: chosen[0] ?? 'auto',
      cacert: o.cacert as string | undefined,
      insecure: o.insecure === true,
      verbose: o.verbose === true,
      qlogDir: o.qlogDir as string | undefined,
      keylog: (o.keylog as string | undefined) ?? (io.env.SSLKEYLOGFILE || undefined),
      connectTimeoutMs: o.connectTimeout as number | undefined,
      maxTimeMs: o.maxTime as number | undefined,
      progress: o.progress !== false,
    },
  };
}
