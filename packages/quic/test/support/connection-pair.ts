import { NewRenoFactory } from '@fos/congestion-newreno';
import { PoolAllocator, type SocketAddress } from '@fos/core';
import { CryptoPacketProtection } from '@fos/crypto';
import type { TransportConfig } from '../../src/connection/config.js';
import { Connection } from '../../src/connection/connection.js';
import type { ConnectionOptions } from '../../src/connection/connection-options.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { HeaderStatus, PacketHeader, parsePacketHeader } from '../../src/wire/packet-header.js';
import { QUIC_VERSION_1 } from '../../src/wire/versions.js';
import type { TestTls } from './tls.js';

export const CLIENT_ADDR: SocketAddress = { address: '10.0.0.1', port: 50000, family: 'IPv4' };
export const SERVER_ADDR: SocketAddress = { address: '10.0.0.2', port: 443, family: 'IPv4' };

export interface PairOptions {
  readonly version?: number;
  readonly alpn?: string;
  readonly client?: TransportConfig;
  readonly server?: TransportConfig;
  readonly clientOverrides?: Partial<ConnectionOptions>;
  readonly serverOverrides?: Partial<ConnectionOptions>;
  /** One-way delay, ms. */
  readonly delayMs?: number;
  /** Return true to drop a datagram. */
  readonly drop?: (from: 'client' | 'server', data: Uint8Array, index: number) => boolean;
}

interface InFlight {
  at: number;
  to: 'client' | 'server';
  data: Uint8Array;
  from: SocketAddress;
}

/**
 * Two Connections wired back to back through an in-test "network" with a fixed one-way delay, on virtual time.
 * The server connection is created from the client's first Initial the way an endpoint would.
 */
export class ConnectionPair {
  now = 0;
  readonly client: Connection;
  server: Connection | undefined;
  readonly clientEvents: ConnectionEvent[] = [];
  readonly serverEvents: ConnectionEvent[] = [];
  readonly datagrams = { client: 0, server: 0 };
  clientAddress: SocketAddress = CLIENT_ADDR;
  private readonly pending: InFlight[] = [];
  private readonly pool = new PoolAllocator({ bufferSize: 2048 });
  private readonly delay: number;

  constructor(
    readonly tls: TestTls,
    readonly options: PairOptions = {},
  ) {
    this.delay = options.delayMs ?? 10;
    const provider = tls.provider;
    this.client = new Connection({
      role: 'client',
      version: options.version ?? QUIC_VERSION_1,
      nowMs: 0,
      epochMs: Date.now(),
      remote: SERVER_ADDR,
      localCid: provider.randomBytes(8),
      remoteCid: provider.randomBytes(8),
      generateCid: () => ({ cid: provider.randomBytes(8), resetToken: provider.randomBytes(16) }),
      tls: tls.client,
      clientTls: { alpnProtocols: [options.alpn ?? 'test'], serverName: 'localhost' },
      protection: new CryptoPacketProtection(provider),
      crypto: provider,
      congestion: new NewRenoFactory(),
      transport: options.client,
      ...options.clientOverrides,
    });
  }

  private createServer(first: Uint8Array): Connection {
    const h = new PacketHeader();
    if (parsePacketHeader(first, 0, first.length, 8, h) !== HeaderStatus.OK) throw new Error('bad first packet');
    const provider = this.tls.provider;
    const localResetToken = provider.randomBytes(16);
    return new Connection({
      role: 'server',
      version: h.version,
      nowMs: this.now,
      epochMs: Date.now(),
      remote: this.clientAddress,
      localCid: provider.randomBytes(8),
      remoteCid: h.scid.slice(),
      originalDestinationCid: h.dcid.slice(),
      localResetToken,
      generateCid: () => ({ cid: provider.randomBytes(8), resetToken: provider.randomBytes(16) }),
      tls: this.tls.server,
      serverTls: { alpnProtocols: [this.options.alpn ?? 'test'] },
      protection: new CryptoPacketProtection(provider),
      crypto: provider,
      congestion: new NewRenoFactory(),
      transport: this.options.server,
      ...this.options.serverOverrides,
    });
  }

  /** Moves every datagram either side wants to send into the network. */
  private flush(): boolean {
    let sent = false;
    for (const side of ['client', 'server'] as const) {
      const conn = side === 'client' ? this.client : this.server;
      if (!conn) continue;
      for (;;) {
        const buf = this.pool.acquire();
        const n = conn.pollTransmit(this.now, buf);
        if (n === 0) {
          this.pool.release(buf);
          break;
        }
        const index = this.datagrams[side]++;
        const data = buf.slice(0, n);
        this.pool.release(buf);
        sent = true;
        if (this.options.drop?.(side, data, index)) continue;
        this.pending.push({
          at: this.now + this.delay,
          to: side === 'client' ? 'server' : 'client',
          data,
          from: side === 'client' ? this.clientAddress : SERVER_ADDR,
        });
      }
    }
    this.drainEvents();
    return sent;
  }

  private drainEvents(): void {
    for (let e = this.client.pollEvent(); e; e = this.client.pollEvent()) this.clientEvents.push(e);
    if (this.server) for (let e = this.server.pollEvent(); e; e = this.server.pollEvent()) this.serverEvents.push(e);
  }

  private deliver(d: InFlight): void {
    if (d.to === 'server') {
      this.server ??= this.createServer(d.data);
      this.server.handleDatagram(this.now, d.data, d.from);
    } else {
      this.client.handleDatagram(this.now, d.data, d.from);
    }
  }

  /** Runs until `done()` or `maxMs` of virtual time passed. Returns whether `done()` held. */
  run(done: () => boolean, maxMs = 10_000): boolean {
    const limit = this.now + maxMs;
    for (let guard = 0; guard < 1_000_000; guard++) {
      this.flush();
      if (done()) return true;
      // Next event: a delivery or a timer.
      let next = Number.POSITIVE_INFINITY;
      for (const p of this.pending) if (p.at < next) next = p.at;
      const tc = this.client.pollTimeout();
      if (tc !== undefined && tc < next) next = tc;
      const ts = this.server?.pollTimeout();
      if (ts !== undefined && ts < next) next = ts;
      if (next === Number.POSITIVE_INFINITY || next > limit) {
        this.now = limit;
        return done();
      }
      if (next > this.now) this.now = next;
      const due = this.pending.filter((p) => p.at <= this.now);
      this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => p.at > this.now));
      for (const d of due) this.deliver(d);
      if (tc !== undefined && tc <= this.now) this.client.handleTimeout(this.now);
      if (this.server && ts !== undefined && ts <= this.now) this.server.handleTimeout(this.now);
      this.drainEvents();
    }
    throw new Error('simulation did not settle');
  }

  handshake(maxMs = 5000): void {
    const ok = this.run(
      () =>
        this.client.connectionState === 'established' &&
        this.server?.connectionState === 'established' &&
        this.client.isHandshakeComplete,
      maxMs,
    );
    if (!ok)
      throw new Error(
        `handshake did not complete: client ${this.client.connectionState}, server ${this.server?.connectionState}; ${JSON.stringify(this.client.closeReason ?? this.server?.closeReason)}`,
      );
  }
}
