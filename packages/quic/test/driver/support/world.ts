import { registerNewReno } from '@fos/congestion-newreno';
import { createContainer, type DependencyContainer, registerCore, VirtualClock } from '@fos/core';
import { type GeneratedCertificate, generateSelfSignedCertificate, registerCrypto } from '@fos/crypto';
import { type LinkConditions, MemoryNetwork, registerMemoryNetwork } from '@fos/udp';
import type { QuicEndpointOptions } from '../../../src/api/options.js';
import { createQuicEndpoint, type QuicEndpoint } from '../../../src/api/quic-endpoint.js';
import type { QuicStream } from '../../../src/api/quic-stream.js';
import { registerQuic } from '../../../src/register.js';

let cert: Promise<GeneratedCertificate> | undefined;

export const SERVER_HOST = '10.0.0.2';
export const CLIENT_HOST = '10.0.0.1';

export interface WorldOptions {
  readonly seed?: number;
  readonly link?: LinkConditions;
  readonly keyLog?: (line: string) => void;
}

/**
 * A MemoryNetwork on a VirtualClock, and DI containers that compose the real pieces (crypto, NewReno, memory
 * sockets, the QUIC endpoint) for hosts on it: the same composition an application uses, only the socket and the
 * clock differ.
 */
export class World {
  readonly clock = new VirtualClock({ epochOffsetMs: Date.now() });
  readonly network: MemoryNetwork;
  private constructor(
    readonly cert: GeneratedCertificate,
    readonly options: WorldOptions,
  ) {
    this.network = new MemoryNetwork({
      clock: this.clock,
      seed: options.seed ?? 1,
      defaultLink: { delayMs: 10, ...options.link },
    });
  }

  static async create(options: WorldOptions = {}): Promise<World> {
    cert ??= generateSelfSignedCertificate();
    return new World(await cert, options);
  }

  /** A container for a host: core (our clock), memory sockets, crypto (server cert or client trust), NewReno. */
  container(host: string, role: 'client' | 'server', quic: QuicEndpointOptions = {}): DependencyContainer {
    const c = createContainer();
    registerCore(c, { clock: this.clock });
    registerMemoryNetwork(c, { network: this.network, host });
    registerCrypto(c, {
      tls:
        role === 'server'
          ? { certificates: [{ chain: this.cert.certPem, key: this.cert.keyPem }], keyLog: this.options.keyLog }
          : { verify: { ca: this.cert.certPem }, keyLog: this.options.keyLog },
    });
    registerNewReno(c);
    registerQuic(c, quic);
    return c;
  }

  server(options: QuicEndpointOptions = {}): Promise<QuicEndpoint> {
    return createQuicEndpoint(this.container(SERVER_HOST, 'server'), {
      bind: { port: 443 },
      server: { alpn: 'echo' },
      ...options,
    });
  }

  client(options: QuicEndpointOptions = {}, host = CLIENT_HOST): Promise<QuicEndpoint> {
    return createQuicEndpoint(this.container(host, 'client'), options);
  }

  /** Runs virtual time until `promise` settles (or `maxMs` passed, then throws). */
  async drive<T>(promise: Promise<T>, maxMs = 10_000): Promise<T> {
    let settled = false;
    const tracked = promise.then(
      (v) => {
        settled = true;
        return v;
      },
      (e) => {
        settled = true;
        throw e;
      },
    );
    tracked.catch(() => {});
    const ok = await this.clock.runUntil(() => settled, maxMs);
    if (!ok) throw new Error(`not settled after ${maxMs} ms of virtual time`);
    return tracked;
  }

  /** Runs virtual time until `done()` holds; returns whether it did within `maxMs`. */
  until(done: () => boolean, maxMs = 10_000): Promise<boolean> {
    return this.clock.runUntil(done, maxMs);
  }
}

/** Echoes every bidirectional stream of every incoming connection (async iteration + write). */
export function echo(server: QuicEndpoint): void {
  server.connections$.subscribe((conn) => {
    conn.incomingStreams$.subscribe((stream) => void echoStream(stream));
  });
}

async function echoStream(stream: QuicStream): Promise<void> {
  try {
    for await (const chunk of stream) await stream.write(chunk);
    await stream.end();
  } catch {
    // reset / closed: nothing to echo
  }
}

/** Reads a stream to its end. */
export async function readAll(stream: QuicStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk.slice());
  return Buffer.concat(parts);
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);
