import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerEndpoint } from './endpoint.js';
import { HarnessError, HarnessErrorCode } from './errors.js';
import { makeTempDir } from './lifecycle.js';
import { type PeerExit, spawnPeer } from './peer-process.js';
import { findPeer, PEERS } from './peers.js';

/** Options of {@link runGtlsClient} (ngtcp2 0.12 example client). */
export interface GtlsClientOptions {
  /** Server address (an IP literal is fine; the client then sends SNI "localhost"). */
  host: string;
  port: number;
  /** Request URLs; all go to host:port whatever their authority says. */
  urls: readonly string[];
  /** `--download DIR`: bodies saved as DIR/<last path component> (the dir is created). */
  downloadDir?: string;
  /** `--exit-on-all-streams-close` (default true; without it the client idles until the 30 s idle timeout). */
  exitOnAllStreamsClose?: boolean;
  /** `--session-file`: read/write the TLS session ticket (resumption). */
  sessionFile?: string;
  /** `--tp-file`: read/write the server's transport parameters (needed for 0-RTT, RFC 9000 §7.4.1). */
  tpFile?: string;
  /** `--disable-early-data`: resume without sending 0-RTT. */
  disableEarlyData?: boolean;
  /** `--key-update=DURATION` (e.g. `1ms`): initiate a key update that long after the handshake. */
  keyUpdate?: string;
  /** Writes TLS secrets in NSS key log format through `SSLKEYLOGFILE` (gtlsclient has no flag for it). */
  keylogFile?: string;
  /**
   * Verbose log instead of `-q` (`--no-quic-dump --no-http-dump`: packets, frames and headers, no hex dumps),
   * appended to this file (`true`: a file in a temp dir).
   */
  verboseLog?: boolean | string;
  /** `--timeout` idle timeout (gtlsclient DURATION syntax, e.g. `5s`). */
  idleTimeout?: string;
  /** `--handshake-timeout` (e.g. `5s`). */
  handshakeTimeout?: string;
  /** Wall-clock limit after which the client is stopped and the result has `timedOut` (default 30 s). */
  timeoutMs?: number;
  /** `--sni`. */
  sni?: string;
  /** `-v`: QUIC version (`v1`, `v2draft`, or hex). */
  version?: string;
  /** `--ciphers` / `--groups` GnuTLS priority strings. */
  ciphers?: string;
  groups?: string;
  /** `--qlog-dir`. */
  qlogDir?: string;
  /** More flags, placed before the positional arguments. */
  extraArgs?: readonly string[];
  /**
   * Run under GNU `time` to get the client's own CPU time and peak RSS (needs the Debian package `time`;
   * ignored, with `cpu` undefined, when it is missing).
   */
  measureCpu?: boolean;
}

/** CPU use of a finished client, from GNU time. */
export interface ClientCpu {
  userMs: number;
  systemMs: number;
  totalMs: number;
  maxRssKiB: number;
}

/** What a gtlsclient run did. */
export interface GtlsClientResult {
  exit: PeerExit;
  /**
   * Exit code 0, not timed out, and no ngtcp2 error on stderr. gtlsclient exits 0 even after a handshake
   * timeout (it prints `ngtcp2_conn_handle_expiry: ERR_HANDSHAKE_TIMEOUT`), and a 404 body is saved like any
   * other: always check the content with `verifyDownload` too.
   */
  ok: boolean;
  /** stderr lines naming an ngtcp2 error code (`ERR_HANDSHAKE_TIMEOUT`, `ERR_CRYPTO`, ...). */
  errorLines: string[];
  timedOut: boolean;
  /** From spawn to exit, as seen by this process. */
  wallMs: number;
  cpu: ClientCpu | undefined;
  /** Output tails (bounded). */
  stdout: string;
  stderr: string;
  /** The verbose log file, if any. */
  logFile: string | undefined;
  downloadDir: string | undefined;
  /** Where the body of `url` was saved (`downloadDir/<last path component>`, `index.html` for `/`). */
  downloadPath(url: string): string;
  args: readonly string[];
}

/** The gtlsclient argument list (flags, then HOST PORT URL...). */
export function gtlsClientArgs(options: GtlsClientOptions, logFile: string | undefined): string[] {
  const args: string[] = logFile ? ['--no-quic-dump', '--no-http-dump'] : ['-q'];
  if (options.exitOnAllStreamsClose !== false) args.push('--exit-on-all-streams-close');
  if (options.downloadDir) args.push(`--download=${options.downloadDir}`);
  if (options.sessionFile) args.push(`--session-file=${options.sessionFile}`);
  if (options.tpFile) args.push(`--tp-file=${options.tpFile}`);
  if (options.disableEarlyData) args.push('--disable-early-data');
  if (options.keyUpdate) args.push(`--key-update=${options.keyUpdate}`);
  if (options.idleTimeout) args.push(`--timeout=${options.idleTimeout}`);
  if (options.handshakeTimeout) args.push(`--handshake-timeout=${options.handshakeTimeout}`);
  if (options.sni) args.push(`--sni=${options.sni}`);
  if (options.version) args.push(`--version=${options.version}`);
  if (options.ciphers) args.push(`--ciphers=${options.ciphers}`);
  if (options.groups) args.push(`--groups=${options.groups}`);
  if (options.qlogDir) args.push(`--qlog-dir=${options.qlogDir}`);
  args.push(...(options.extraArgs ?? []));
  args.push(options.host, String(options.port), ...options.urls);
  return args;
}

/** Parses GNU time's `-f '%U %S %M'` output (the last line of its `-o` file). */
export function parseTimeOutput(text: string): ClientCpu | undefined {
  const lines = text.trim().split('\n');
  const m = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/.exec(lines[lines.length - 1]?.trim() ?? '');
  if (!m) return undefined;
  const userMs = Math.round(Number(m[1]) * 1000);
  const systemMs = Math.round(Number(m[2]) * 1000);
  return { userMs, systemMs, totalMs: userMs + systemMs, maxRssKiB: Number(m[3]) };
}

// ngtcp2's error names (ngtcp2.h NGTCP2_ERR_*) as the example client prints them: `<function>: ERR_<NAME>`.
const NGTCP2_ERROR = /: ERR_[A-Z0-9_]+/;

function downloadName(url: string): string {
  const path = new URL(url).pathname;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last === '' ? 'index.html' : last;
}

/**
 * Runs gtlsclient to completion and reports how it went; never throws for a failed transfer (check `ok` and the
 * downloaded content), only {@link HarnessError} `PEER_MISSING` when the program is not installed.
 */
export async function runGtlsClient(options: GtlsClientOptions): Promise<GtlsClientResult> {
  const client = findPeer('gtlsclient');
  if (!client) {
    throw new HarnessError(
      HarnessErrorCode.PEER_MISSING,
      `gtlsclient not found (Debian package ${PEERS.gtlsclient.debianPackage})`,
    );
  }
  if (options.downloadDir) mkdirSync(options.downloadDir, { recursive: true });
  const logFile =
    options.verboseLog === true
      ? join(makeTempDir('gtlsclient-log'), 'gtlsclient.log')
      : options.verboseLog || undefined;
  const args = gtlsClientArgs(options, logFile);
  const time = options.measureCpu ? findPeer('time') : undefined;
  const timeFile = time ? join(makeTempDir('time'), 'time.txt') : undefined;
  const command = time ?? client;
  const argv = time && timeFile ? ['-o', timeFile, '-f', '%U %S %M', '--', client, ...args] : args;
  const started = performance.now();
  const p = spawnPeer({
    name: 'gtlsclient',
    command,
    args: argv,
    env: { SSLKEYLOGFILE: options.keylogFile },
    logFile,
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void p.stop(500);
  }, timeoutMs);
  const exit = await p.exited;
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  let cpu: ClientCpu | undefined;
  if (timeFile) {
    try {
      cpu = parseTimeOutput(readFileSync(timeFile, 'utf8'));
    } catch {
      cpu = undefined;
    }
  }
  const downloadDir = options.downloadDir;
  const errorLines = p.stderr.lines().filter((l) => NGTCP2_ERROR.test(l));
  return {
    exit,
    ok: !timedOut && exit.code === 0 && errorLines.length === 0,
    errorLines,
    timedOut,
    wallMs,
    cpu,
    stdout: p.stdout.tail(16_000),
    stderr: p.stderr.tail(16_000),
    logFile,
    downloadDir,
    downloadPath: (url) => join(downloadDir ?? '.', downloadName(url)),
    args,
  };
}

/** Options of {@link gtlsGet}: those of {@link runGtlsClient} without the target. */
export type GtlsGetOptions = Omit<GtlsClientOptions, 'host' | 'port' | 'urls' | 'downloadDir'> & {
  /** Default: a new temp dir. */
  downloadDir?: string;
};

/** GETs `paths` from a running server with gtlsclient, saving bodies into a (new temp) download dir. */
export function gtlsGet(
  server: Pick<ServerEndpoint, 'host' | 'port' | 'url'>,
  paths: readonly string[],
  options: GtlsGetOptions = {},
): Promise<GtlsClientResult> {
  return runGtlsClient({
    ...options,
    host: server.host,
    port: server.port,
    urls: paths.map((p) => server.url(p)),
    downloadDir: options.downloadDir ?? makeTempDir('download'),
  });
}
