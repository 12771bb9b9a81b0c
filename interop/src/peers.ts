import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isCI, isRoot } from './env.js';
import { HarnessError, HarnessErrorCode } from './errors.js';

/** The third-party programs the harness drives, with the Debian package that installs each (see PEERS.md). */
export const PEERS = {
  gtlsserver: { debianPackage: 'ngtcp2-server', what: 'ngtcp2 0.12 example HTTP/3 server (GnuTLS)' },
  gtlsclient: { debianPackage: 'ngtcp2-client', what: 'ngtcp2 0.12 example HTTP/3 client (GnuTLS)' },
  caddy: { debianPackage: 'caddy', what: 'Caddy 2.6 web server (quic-go HTTP/3)' },
  tshark: { debianPackage: 'tshark', what: 'Wireshark 4.0 command-line capture and dissector' },
  openssl: { debianPackage: 'openssl', what: 'OpenSSL command-line tool' },
  time: { debianPackage: 'time', what: 'GNU time (CPU time of a child process)' },
} as const;
/** A program the harness knows how to find. */
export type PeerName = keyof typeof PEERS;

// gtlsserver lives in /usr/sbin, which a non-root PATH often lacks.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const found = new Map<string, string | undefined>();

/** Options of {@link findPeer}: the environment to read `PATH` and `INTEROP_PEER_<NAME>` from. */
export interface FindPeerOptions {
  env?: NodeJS.ProcessEnv;
  /** Skip the per-process cache (tests). */
  noCache?: boolean;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path of a peer program, or `undefined` when it is not installed. Looks at `INTEROP_PEER_<NAME>`
 * first, then every `PATH` entry, then the usual bin/sbin dirs. `time` is only ever the GNU binary, never the
 * shell keyword.
 */
export function findPeer(name: PeerName | string, options: FindPeerOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const key = `${name}\0${env.PATH ?? ''}\0${env[overrideVar(name)] ?? ''}`;
  if (!options.noCache && found.has(key)) return found.get(key);
  let result: string | undefined;
  const override = env[overrideVar(name)];
  if (override) {
    result = isExecutableFile(override) ? override : undefined;
  } else {
    const dirs = [...(env.PATH ?? '').split(delimiter).filter((d) => d.startsWith('/')), ...EXTRA_DIRS];
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) {
        result = candidate;
        break;
      }
    }
  }
  if (!options.noCache) found.set(key, result);
  return result;
}

/** `INTEROP_PEER_GTLSSERVER` for `gtlsserver`. */
export function overrideVar(name: string): string {
  return `INTEROP_PEER_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** What a test file needs, resolved once at collection time. */
export interface PeerRequirement {
  /** Whether every program (and root, when asked) is there. */
  readonly available: boolean;
  /** True only when something is missing and we are not under CI: the suite is reported skipped. */
  readonly skip: boolean;
  /** Empty when available, else e.g. `gtlsserver not found (Debian package ngtcp2-server)`. */
  readonly reason: string;
  /** The programs that were not found. */
  readonly missing: readonly string[];
  /** The Debian packages that install the missing programs. */
  readonly missingPackages: readonly string[];
  /** A suite title carrying the skip reason, so the report says why it was skipped. */
  title(name: string): string;
  /** Throws {@link HarnessError} `PEER_MISSING` (or `NOT_PERMITTED`) when something is missing; call it in `beforeAll`. */
  check(): void;
  /** The path of one of the required programs; throws like {@link PeerRequirement.check} when it is missing. */
  path(name: string): string;
}

/** Options of {@link requirePeers}. */
export interface RequirePeersOptions extends FindPeerOptions {
  /** Also require root (packet capture on `lo`). */
  root?: boolean;
  /** Whether a missing peer fails rather than skips (default: `isCI(env)`). */
  ci?: boolean;
  /** Whether the process is root (default: the real uid); for tests of the harness itself. */
  isRoot?: boolean;
}

/**
 * Resolves the programs a test file needs. Use with `describe.skipIf(req.skip)(req.title('...'), ...)` and
 * `beforeAll(() => req.check())` — or simply {@link describeWithPeers} from `./suite.js`. Outside CI a missing
 * peer makes the suite *skipped* with the reason in its title; under `CI=1` `skip` is false and `check()` throws,
 * so every test of the file fails with a message naming the Debian package.
 */
export function requirePeers(
  names: readonly (PeerName | string)[],
  options: RequirePeersOptions = {},
): PeerRequirement {
  const paths = new Map<string, string>();
  const missing: string[] = [];
  const reasons: string[] = [];
  for (const name of names) {
    const path = findPeer(name, options);
    if (path) {
      paths.set(name, path);
    } else {
      missing.push(name);
      const pkg = (PEERS as Record<string, { debianPackage: string }>)[name]?.debianPackage;
      reasons.push(pkg ? `${name} not found (Debian package ${pkg})` : `${name} not found`);
    }
  }
  const root = options.isRoot ?? isRoot();
  const needsRoot = options.root === true && !root;
  if (needsRoot) reasons.push('packet capture on lo needs root');
  const available = missing.length === 0 && !needsRoot;
  const ci = options.ci ?? isCI(options.env);
  const reason = reasons.join('; ');
  const install = missing
    .map((n) => (PEERS as Record<string, { debianPackage: string }>)[n]?.debianPackage)
    .filter((p) => p !== undefined);
  const fail = (): never => {
    const hint = install.length
      ? ` — install with: apt-get install ${install.join(' ')} (or bash scripts/test.sh)`
      : '';
    throw new HarnessError(
      missing.length ? HarnessErrorCode.PEER_MISSING : HarnessErrorCode.NOT_PERMITTED,
      `interop: ${reason}${hint}`,
    );
  };
  return {
    available,
    skip: !available && !ci,
    reason,
    missing,
    missingPackages: install,
    title: (name) => (available ? name : `${name} [${ci ? 'FAILS under CI' : 'skipped'}: ${reason}]`),
    check: () => {
      if (!available) fail();
    },
    path: (name) => {
      const p = paths.get(name);
      if (p === undefined || !available) return fail();
      return p;
    },
  };
}

/** {@link requirePeers} for one program. */
export function requirePeer(name: PeerName | string, options: RequirePeersOptions = {}): PeerRequirement {
  return requirePeers([name], options);
}
