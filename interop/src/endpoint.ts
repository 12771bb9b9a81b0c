import type { PeerExit, PeerProcess } from './peer-process.js';

/** A running server peer: where to reach it, and how to stop it. gtlsserver and Caddy handles implement it. */
export interface ServerEndpoint {
  /** The peer program (`gtlsserver`, `caddy`, later our own server). */
  readonly peer: string;
  /** The address clients use (`127.0.0.1` or `::1`). */
  readonly host: string;
  readonly port: number;
  /** The server process (for logs and CPU time). */
  readonly process: PeerProcess;
  /** `https://127.0.0.1:4433/path` or `https://[::1]:4433/path`. */
  url(path: string): string;
  /** Stops the server (SIGTERM, then SIGKILL after the grace period). */
  stop(graceMs?: number): Promise<PeerExit>;
}

/** `127.0.0.1:443` / `[::1]:443` */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `https://host:port/path` with IPv6 literals bracketed; `path` gets a leading `/` if it lacks one. */
export function httpsUrl(host: string, port: number, path: string): string {
  return `https://${hostPort(host, port)}${path.startsWith('/') ? path : `/${path}`}`;
}
