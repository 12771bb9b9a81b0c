// The client's HTTP/3 scenario harness: a MemoryNetwork on a VirtualClock with the hand-driven H3 test server on
// one host and the real client (QuicH3SessionFactory over @fos/quic) on another. Only the socket and the clock
// differ from production composition.
import type { LookupFunction } from 'node:net';
import { createContainer, registerCore, VirtualClock } from '@fos/core';
import { Http3Server, type Http3ServerOptions, registerServer } from '@fos/server';
import { type LinkConditions, MemoryNetwork, registerMemoryNetwork } from '@fos/udp';
import {
  type ClientOptions,
  createClient,
  type HttpClient,
  QuicH3SessionFactory,
  type QuicH3SessionFactoryOptions,
} from '../../src/index.js';
import { H3TestServer, type H3TestServerOptions } from './h3-server.js';
import { track } from './helpers.js';
import { createPki, type TestPki } from './pki.js';

export const SERVER_HOST = '10.0.0.2';
export const CLIENT_HOST = '10.0.0.1';

let pki: Promise<TestPki> | undefined;

/** The test PKI (a CA and leaves for localhost / 127.0.0.1, plus bad ones), made once per test file. */
export function testPki(): Promise<TestPki> {
  pki ??= createPki();
  return pki;
}

/** Resolves `*.test` and `localhost` to the server host; `*.invalid` fails like DNS. */
export function worldLookup(address = SERVER_HOST): LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as unknown as (...args: unknown[]) => void;
    if (hostname.endsWith('.invalid')) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
      queueMicrotask(() => cb(err));
      return;
    }
    if ((options as { all?: boolean }).all) queueMicrotask(() => cb(null, [{ address, family: 4 }]));
    else queueMicrotask(() => cb(null, address, 4));
  };
}

export interface WorldClient {
  readonly client: HttpClient;
  readonly factory: QuicH3SessionFactory;
}

export class H3World {
  readonly clock = new VirtualClock({ epochOffsetMs: Date.now() });
  readonly network: MemoryNetwork;

  constructor(options: { seed?: number; link?: LinkConditions } = {}) {
    this.network = new MemoryNetwork({
      clock: this.clock,
      seed: options.seed ?? 1,
      defaultLink: { delayMs: 10, ...options.link },
    });
  }

  /** The H3 test server on `host` (port 443 by default) with the test PKI's leaf unless `cert` is given. */
  async server(options: Partial<H3TestServerOptions> = {}, host = SERVER_HOST): Promise<H3TestServer> {
    const { leaf } = await testPki();
    const c = registerMemoryNetwork(registerCore(createContainer(), { clock: this.clock }), {
      network: this.network,
      host,
    });
    return H3TestServer.start({ cert: leaf, ...options, container: c });
  }

  /**
   * Our HTTP/3 server (`@fos/server`, composed by `registerServer` exactly as in production) on `host`, port 443,
   * with the test PKI's leaf. The handler answers `hello <path>` unless one is given.
   */
  async fosServer(options: Partial<Http3ServerOptions> = {}, host = SERVER_HOST): Promise<Http3Server> {
    const { leaf } = await testPki();
    const c = registerMemoryNetwork(registerCore(createContainer(), { clock: this.clock }), {
      network: this.network,
      host,
    });
    registerServer(c, {
      port: 443,
      certificate: { cert: leaf.certPem, key: leaf.keyPem },
      handler: (req, res) => res.send(`hello ${req.path}`),
      ...options,
    });
    return Http3Server.listen(c);
  }

  /**
   * A client on the network: `createClient` with a `QuicH3SessionFactory` whose container holds the memory network
   * (so the factory's endpoint uses a memory socket), the test CA, the world's clock and a lookup to the server.
   */
  async client(options: ClientOptions = {}, factoryOptions: QuicH3SessionFactoryOptions = {}): Promise<WorldClient> {
    const { ca } = await testPki();
    const parent = registerMemoryNetwork(registerCore(createContainer(), { clock: this.clock }), {
      network: this.network,
      host: CLIENT_HOST,
    });
    const factory = new QuicH3SessionFactory({ keepProcessAlive: false, ...factoryOptions, container: parent });
    const client = createClient({
      ca: ca.certPem,
      protocol: 'h3',
      lookup: worldLookup(),
      container: parent,
      h3SessionFactory: factory,
      ...options,
    });
    return { client, factory };
  }

  /** Runs virtual time until `promise` settles (at most `maxMs`), then returns its outcome. */
  async drive<T>(promise: Promise<T>, maxMs = 60_000): Promise<T> {
    const t = track(promise);
    await this.clock.runUntil(() => t.settled, maxMs);
    if (!t.settled) throw new Error(`not settled after ${maxMs} virtual ms`);
    if (t.error !== undefined) throw t.error;
    return t.value as T;
  }

  /** `drive` for a promise that must reject; returns the error. */
  async driveError(promise: Promise<unknown>, maxMs?: number): Promise<unknown> {
    try {
      await this.drive(promise, maxMs);
    } catch (e) {
      return e;
    }
    throw new Error('expected a failure');
  }

  /** Advances virtual time by `ms`. */
  async advance(ms: number): Promise<void> {
    const until = this.clock.now() + ms;
    await this.clock.runUntil(() => this.clock.now() >= until, ms + 1);
  }
}

/** Reads a response body to the end, in virtual time. */
export async function readBody(world: H3World, res: Response): Promise<Buffer> {
  return Buffer.from(await world.drive(res.arrayBuffer()));
}
