// A MemoryNetwork on a VirtualClock with our server on 10.0.0.2:443 and H3 test clients: the same composition an
// application uses (registerServer), only the socket and the clock differ.

import { registerNewReno } from '@fos/congestion-newreno';
import { createContainer, type DependencyContainer, registerCore, VirtualClock } from '@fos/core';
import { type GeneratedCertificate, generateSelfSignedCertificate, registerCrypto } from '@fos/crypto';
import type { H3ConnectionOptions } from '@fos/http3';
import { createQuicEndpoint, type QuicEndpoint, registerQuic, type TransportConfig } from '@fos/quic';
import { type LinkConditions, MemoryNetwork, registerMemoryNetwork } from '@fos/udp';
import { Http3Server } from '../../src/http3-server.js';
import type { Http3ServerOptions } from '../../src/options.js';
import { registerServer } from '../../src/register.js';
import { H3TestClient } from './h3-client.js';

let cert: Promise<GeneratedCertificate> | undefined;

export const SERVER_HOST = '10.0.0.2';
export const CLIENT_HOST = '10.0.0.1';
export const TARGET = { address: SERVER_HOST, port: 443, serverName: 'localhost' } as const;

export interface WorldOptions {
  readonly seed?: number;
  readonly link?: LinkConditions;
}

export class World {
  readonly clock = new VirtualClock({ epochOffsetMs: Date.now() });
  readonly network: MemoryNetwork;
  private readonly clients: QuicEndpoint[] = [];

  private constructor(
    readonly cert: GeneratedCertificate,
    options: WorldOptions,
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

  /** The server's container: core on our clock, memory sockets, then `registerServer`. */
  serverContainer(options: Omit<Http3ServerOptions, 'certificate'> & Partial<Pick<Http3ServerOptions, 'certificate'>>) {
    const c = createContainer();
    registerCore(c, { clock: this.clock });
    registerMemoryNetwork(c, { network: this.network, host: SERVER_HOST });
    registerServer(c, {
      port: 443,
      certificate: { cert: this.cert.certPem, key: this.cert.keyPem },
      shutdownGraceMs: 2000,
      ...options,
    });
    return c;
  }

  server(options: Omit<Http3ServerOptions, 'certificate'>): Promise<Http3Server> {
    return Http3Server.listen(this.serverContainer(options));
  }

  clientContainer(host = CLIENT_HOST, transport: TransportConfig = {}): DependencyContainer {
    const c = createContainer();
    registerCore(c, { clock: this.clock });
    registerMemoryNetwork(c, { network: this.network, host });
    registerCrypto(c, { tls: { verify: { ca: this.cert.certPem } } });
    registerNewReno(c);
    registerQuic(c, { transport });
    return c;
  }

  async clientEndpoint(container = this.clientContainer()): Promise<QuicEndpoint> {
    const ep = await createQuicEndpoint(container);
    this.clients.push(ep);
    return ep;
  }

  /** A connected H3 client (a new endpoint unless one is given). */
  async client(
    h3: Omit<H3ConnectionOptions, 'transport'> = {},
    endpoint?: QuicEndpoint,
    connect: { earlyData?: boolean } = {},
  ): Promise<H3TestClient> {
    const ep = endpoint ?? (await this.clientEndpoint());
    return this.drive(H3TestClient.connect(ep, { ...TARGET, ...connect }, () => this.clock.now(), h3));
  }

  /** Runs virtual time until `promise` settles (or `maxMs` passed, then throws). */
  async drive<T>(promise: Promise<T>, maxMs = 60_000): Promise<T> {
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

  /**
   * `drive` for handlers that do real I/O (files): virtual time advances in `stepMs` slices with a real-time pause
   * after each, so that file operations complete before the simulated network moves on (else the virtual clock
   * would race ahead to idle timeouts while the disk works).
   */
  async driveIo<T>(promise: Promise<T>, stepMs = 2, maxMs = 60_000): Promise<T> {
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
    const limit = this.clock.now() + maxMs;
    while (!settled && this.clock.now() < limit) {
      await this.clock.runUntil(() => settled, stepMs);
      await new Promise((r) => setTimeout(r, 0));
    }
    if (!settled) throw new Error(`not settled after ${maxMs} ms of virtual time`);
    return tracked;
  }

  until(done: () => boolean, maxMs = 10_000): Promise<boolean> {
    return this.clock.runUntil(done, maxMs);
  }

  /** Runs virtual time for `ms`. */
  async run(ms: number): Promise<void> {
    await this.clock.runUntil(() => false, ms);
  }

  async closeClients(): Promise<void> {
    await this.drive(Promise.all(this.clients.map((c) => c.close())));
  }
}
