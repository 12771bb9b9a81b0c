import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { HarnessError, HarnessErrorCode } from './errors.js';

/** A transport a port must be free on. */
export type PortProtocol = 'udp' | 'tcp';

interface Holder {
  close(): Promise<void>;
}

function family(host: string): 'udp4' | 'udp6' {
  return host.includes(':') ? 'udp6' : 'udp4';
}

/** Binds a UDP socket on host:port (0 = any) exclusively; resolves with the bound port and a closer. */
function bindUdp(host: string, port: number): Promise<{ port: number; holder: Holder }> {
  return new Promise((resolve, reject) => {
    const type = family(host);
    const s = createSocket(type === 'udp6' ? { type, reuseAddr: false, ipv6Only: true } : { type, reuseAddr: false });
    s.once('error', (err) => {
      s.close();
      reject(err);
    });
    s.bind({ address: host, port, exclusive: true }, () => {
      const bound = s.address().port;
      resolve({ port: bound, holder: { close: () => new Promise<void>((r) => s.close(() => r())) } });
    });
  });
}

/** Listens with a TCP server on host:port (0 = any); resolves with the bound port and a closer. */
function bindTcp(host: string, port: number): Promise<{ port: number; holder: Holder }> {
  return new Promise((resolve, reject) => {
    const s: Server = createServer();
    s.once('error', reject);
    s.listen({ host, port, exclusive: true, ipv6Only: host.includes(':') }, () => {
      const addr = s.address();
      const bound = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({ port: bound, holder: { close: () => new Promise<void>((r) => s.close(() => r())) } });
    });
  });
}

function bind(protocol: PortProtocol, host: string, port: number) {
  return protocol === 'udp' ? bindUdp(host, port) : bindTcp(host, port);
}

/** Options of {@link freePort}. */
export interface FreePortOptions {
  /** Addresses the port must be free on (default `['127.0.0.1']`). */
  hosts?: readonly string[];
  /** Transports the port must be free on (default `['udp']`). */
  protocols?: readonly PortProtocol[];
  /** How many candidate ports to try before giving up (default 50). */
  attempts?: number;
}

/**
 * A port number that is free right now on every host × protocol asked for: the kernel picks one (bind to port 0
 * on the first host/protocol), the others are bound to the same number to check, then everything is closed.
 * Another process may take the port before the peer binds it, so peer launchers also retry on a conflict
 * ({@link withPortRetry}). Throws {@link HarnessError} `NO_FREE_PORT`.
 */
export async function freePort(options: FreePortOptions = {}): Promise<number> {
  const hosts = options.hosts ?? ['127.0.0.1'];
  const protocols = options.protocols ?? ['udp'];
  const attempts = options.attempts ?? 50;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const held: Holder[] = [];
    try {
      let port = 0;
      for (const host of hosts) {
        for (const protocol of protocols) {
          const r = await bind(protocol, host, port);
          held.push(r.holder);
          port = r.port;
        }
      }
      return port;
    } catch (err) {
      lastError = err;
    } finally {
      for (const h of held) await h.close();
    }
  }
  throw new HarnessError(
    HarnessErrorCode.NO_FREE_PORT,
    `no port free on ${protocols.join('+')} at ${hosts.join(', ')} after ${attempts} tries`,
    { cause: lastError },
  );
}

/** A free UDP port on `host` (default 127.0.0.1). */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return freePort({ hosts: [host], protocols: ['udp'] });
}

/** A free TCP port on `host` (default 127.0.0.1). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return freePort({ hosts: [host], protocols: ['tcp'] });
}

let ipv6: Promise<boolean> | undefined;

/** Whether `::1` can be bound (IPv6 loopback configured); cached per process. */
export function hasIpv6Loopback(): Promise<boolean> {
  ipv6 ??= bindUdp('::1', 0).then(
    async (r) => {
      await r.holder.close();
      return true;
    },
    () => false,
  );
  return ipv6;
}

/** Options of {@link withPortRetry}. */
export interface PortRetryOptions {
  /** Start attempts (default 5). */
  attempts?: number;
  /** Chooses the port of each attempt (default: a free UDP port on 127.0.0.1). */
  allocate?: () => Promise<number>;
}

/**
 * Runs `start(port)` on a freshly allocated port and, when it fails with {@link HarnessError} `PORT_IN_USE`
 * (someone took the port between allocation and bind), again on a new port. Other errors pass through; after
 * `attempts` conflicts it throws `NO_FREE_PORT`. `start` receives the 1-based attempt number too.
 */
export async function withPortRetry<T>(
  start: (port: number, attempt: number) => Promise<T>,
  options: PortRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const allocate = options.allocate ?? (() => freeUdpPort());
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await allocate();
    try {
      return await start(port, attempt);
    } catch (err) {
      if (!(err instanceof HarnessError) || err.code !== HarnessErrorCode.PORT_IN_USE) throw err;
      last = err;
    }
  }
  throw new HarnessError(HarnessErrorCode.NO_FREE_PORT, `every one of ${attempts} start attempts hit a port in use`, {
    cause: last,
  });
}
