import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CertificateFiles } from './certs.js';
import { httpsUrl, type ServerEndpoint } from './endpoint.js';
import { HarnessError, HarnessErrorCode } from './errors.js';
import { makeTempDir } from './lifecycle.js';
import { startListeningPeer } from './listening-peer.js';
import type { PeerExit, PeerProcess } from './peer-process.js';
import { findPeer, PEERS } from './peers.js';
import { freePort, hasIpv6Loopback, withPortRetry } from './ports.js';
import type { BoundSpec } from './proc-net.js';

/** Options of {@link startCaddy} (Caddy 2.6, quic-go). */
export interface CaddyOptions {
  docroot: string;
  /** Serve this certificate (`tls CERT KEY`); default: Caddy's own local CA (`tls internal`). */
  cert?: Pick<CertificateFiles, 'certPath' | 'keyPath'> & { chainPath?: string };
  /** Addresses to bind (default: 127.0.0.1, plus ::1 when IPv6 loopback works). Clients use the first. */
  hosts?: readonly string[];
  /** Fixed port (TCP and UDP); default: one free on both, re-chosen on a conflict. */
  port?: number;
  /** Serve HTTP/3 over UDP (default true). False: only h1 + h2 over TCP, and no UDP socket at all. */
  http3?: boolean;
  /** State dir for the Caddyfile, data, config and HOME (default: a new temp dir). */
  stateDir?: string;
  /** Time to wait for the sockets (default 15 s). */
  readyTimeoutMs?: number;
  /** Start attempts when the port turns out to be in use (default 5). */
  attempts?: number;
}

/** One JSON line of Caddy's access log (`"msg":"handled request"`). */
export interface CaddyAccessEntry {
  /** `HTTP/3.0`, `HTTP/2.0`, `HTTP/1.1`. */
  proto: string;
  method: string;
  host: string;
  uri: string;
  remoteIp: string;
  status: number;
  /** Response body bytes. */
  size: number;
  /** The whole parsed line. */
  raw: Record<string, unknown>;
}

/** A running Caddy. */
export interface CaddyServer extends ServerEndpoint {
  readonly peer: 'caddy';
  readonly hosts: readonly string[];
  readonly stateDir: string;
  /** The generated Caddyfile's path. */
  readonly caddyfile: string;
  /** Access log entries seen so far (bounded to the last 10 000). */
  accessLog(): CaddyAccessEntry[];
  /** Resolves with the first access log entry (past or future) that satisfies `predicate`. */
  waitForAccess(predicate: (e: CaddyAccessEntry) => boolean, timeoutMs?: number): Promise<CaddyAccessEntry>;
}

/** Input of {@link renderCaddyfile}. */
export interface CaddyfileParams {
  port: number;
  docroot: string;
  hosts: readonly string[];
  http3: boolean;
  cert?: { certPath: string; keyPath: string };
}

/**
 * The Caddyfile of PEERS.md §2: offline (no admin listener, no :80 redirect listener, no trust store changes,
 * no ACME), site names for 127.0.0.1, localhost (gtlsclient's SNI for IP literals) and [::1], and a JSON
 * access log on stderr.
 */
export function renderCaddyfile(p: CaddyfileParams): string {
  const sites = ['127.0.0.1', 'localhost', ...(p.hosts.includes('::1') ? ['[::1]'] : [])]
    .map((h) => `https://${h}:${p.port}`)
    .join(', ');
  const binds = p.hosts.map((h) => (h.includes(':') ? `[${h}]` : h)).join(' ');
  const tls = p.cert ? `tls ${resolve(p.cert.certPath)} ${resolve(p.cert.keyPath)}` : 'tls internal';
  return [
    '{',
    '\tadmin off',
    '\tauto_https disable_redirects',
    '\tskip_install_trust',
    '\tlocal_certs',
    '\tdefault_sni 127.0.0.1',
    '\tservers {',
    `\t\tprotocols ${p.http3 ? 'h1 h2 h3' : 'h1 h2'}`,
    '\t}',
    '}',
    `${sites} {`,
    `\tbind ${binds}`,
    `\t${tls}`,
    `\troot * ${resolve(p.docroot)}`,
    '\tfile_server',
    '\tlog {',
    '\t\toutput stderr',
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** Parses one line of Caddy's stderr; returns the access log entry, or `undefined` for any other line. */
export function parseCaddyAccessLine(line: string): CaddyAccessEntry | undefined {
  if (!line.startsWith('{') || !line.includes('"handled request"')) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (raw.msg !== 'handled request' || typeof raw.request !== 'object' || raw.request === null) return undefined;
  const req = raw.request as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
  return {
    proto: str(req.proto),
    method: str(req.method),
    host: str(req.host),
    uri: str(req.uri),
    remoteIp: str(req.remote_ip),
    status: num(raw.status),
    size: num(raw.size),
    raw,
  };
}

/** Every access log entry in a chunk of Caddy stderr text. */
export function parseCaddyLog(text: string): CaddyAccessEntry[] {
  const out: CaddyAccessEntry[] = [];
  for (const line of text.split('\n')) {
    const e = parseCaddyAccessLine(line.trim());
    if (e) out.push(e);
  }
  return out;
}

const MAX_ENTRIES = 10_000;

/**
 * Starts Caddy with a generated Caddyfile in a private state dir (`HOME`, `XDG_DATA_HOME`, `XDG_CONFIG_HOME`
 * point there, so nothing is written elsewhere) and resolves once it holds its TCP listener(s) and, with
 * `http3`, its UDP socket(s) on the same port. Throws {@link HarnessError} like `startGtlsServer`.
 */
export async function startCaddy(options: CaddyOptions): Promise<CaddyServer> {
  const command = findPeer('caddy');
  if (!command) {
    throw new HarnessError(
      HarnessErrorCode.PEER_MISSING,
      `caddy not found (Debian package ${PEERS.caddy.debianPackage})`,
    );
  }
  const hosts = options.hosts ?? ((await hasIpv6Loopback()) ? ['127.0.0.1', '::1'] : ['127.0.0.1']);
  const http3 = options.http3 !== false;
  const stateDir = options.stateDir ?? makeTempDir('caddy');
  mkdirSync(stateDir, { recursive: true });
  const caddyfile = join(stateDir, 'Caddyfile');
  const entries: CaddyAccessEntry[] = [];
  const waiters = new Set<{ pred: (e: CaddyAccessEntry) => boolean; resolve: (e: CaddyAccessEntry) => void }>();

  let port = 0;
  const start = async (candidate: number): Promise<PeerProcess> => {
    port = candidate;
    writeFileSync(caddyfile, renderCaddyfile({ port, docroot: options.docroot, hosts, http3, cert: options.cert }));
    const sockets: BoundSpec[] = [];
    for (const address of hosts) {
      sockets.push({ protocol: 'tcp', port, address });
      if (http3) sockets.push({ protocol: 'udp', port, address });
    }
    return startListeningPeer({
      name: 'caddy',
      command,
      args: ['run', '--config', caddyfile, '--adapter', 'caddyfile'],
      env: {
        HOME: stateDir,
        XDG_DATA_HOME: join(stateDir, 'data'),
        XDG_CONFIG_HOME: join(stateDir, 'config'),
      },
      cwd: stateDir,
      sockets,
      readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
    });
  };
  const fixed = options.port;
  const peer =
    fixed !== undefined
      ? await start(fixed)
      : await withPortRetry(start, {
          attempts: options.attempts ?? 5,
          allocate: () => freePort({ hosts, protocols: http3 ? ['tcp', 'udp'] : ['tcp'] }),
        });
  peer.stderr.onLine((line) => {
    const e = parseCaddyAccessLine(line);
    if (!e) return;
    entries.push(e);
    if (entries.length > MAX_ENTRIES) entries.splice(0, entries.length - MAX_ENTRIES);
    for (const w of waiters) {
      if (w.pred(e)) {
        waiters.delete(w);
        w.resolve(e);
      }
    }
  });
  // Lines logged before the listener was attached (the start-up) are in the ring.
  for (const e of parseCaddyLog(peer.stderr.text())) entries.push(e);
  const host = hosts[0];
  return {
    peer: 'caddy',
    host,
    hosts,
    port,
    process: peer,
    stateDir,
    caddyfile,
    url: (path) => httpsUrl(host, port, path),
    stop: (graceMs?: number): Promise<PeerExit> => peer.stop(graceMs),
    accessLog: () => [...entries],
    waitForAccess(predicate, timeoutMs = 5000) {
      const seen = entries.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolvePromise, reject) => {
        const w = {
          pred: predicate,
          resolve: (e: CaddyAccessEntry) => {
            clearTimeout(timer);
            resolvePromise(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(
            new HarnessError(HarnessErrorCode.TIMEOUT, `no matching caddy access log entry in ${timeoutMs} ms`, {
              detail: peer.stderr.tail(),
            }),
          );
        }, timeoutMs);
        waiters.add(w);
      });
    },
  };
}
