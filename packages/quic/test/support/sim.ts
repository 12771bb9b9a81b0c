import { createHash } from 'node:crypto';
import { NewRenoFactory } from '@fos/congestion-newreno';
import { PoolAllocator, type SocketAddress, type Timer, VirtualClock } from '@fos/core';
import { CryptoPacketProtection } from '@fos/crypto';
import { type LinkConditions, MemoryNetwork, type MemorySocket } from '@fos/udp';
import type { TransportConfig } from '../../src/connection/config.js';
import { Connection } from '../../src/connection/connection.js';
import type { ConnectionOptions } from '../../src/connection/connection-options.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { HeaderStatus, PacketHeader, parsePacketHeader } from '../../src/wire/packet-header.js';
import { QUIC_VERSION_1 } from '../../src/wire/versions.js';
import type { TestTls } from './tls.js';

export const CLIENT_HOST = '10.0.0.1';
export const SERVER_HOST = '10.0.0.2';

export interface SimOptions {
  readonly seed?: number;
  readonly link?: LinkConditions;
  readonly version?: number;
  readonly alpn?: string;
  readonly client?: TransportConfig;
  readonly server?: TransportConfig;
  readonly clientOverrides?: Partial<ConnectionOptions>;
  readonly serverOverrides?: Partial<ConnectionOptions>;
  /** Called with every datagram a side sends (before the network), e.g. to assert the amplification limit. */
  readonly onSend?: (side: 'client' | 'server', bytes: number, conn: Connection) => void;
}

interface Side {
  conn: Connection | undefined;
  socket: MemorySocket;
  timer: Timer;
  events: ConnectionEvent[];
}

/**
 * A client and a server Connection over a MemoryNetwork (delay, loss, reordering, … from @fos/udp) on a
 * VirtualClock: a minimal driver per side (feed datagrams, flush transmits, one timer). The server connection is
 * created from the first Initial, as an endpoint would.
 */
export class SimPair {
  readonly clock = new VirtualClock({ epochOffsetMs: Date.now() });
  readonly network: MemoryNetwork;
  readonly client: Side;
  readonly server: Side;
  serverAddress!: SocketAddress;
  private readonly pool = new PoolAllocator({ bufferSize: 2048 });

  private constructor(
    readonly tls: TestTls,
    readonly options: SimOptions,
  ) {
    this.network = new MemoryNetwork({
      clock: this.clock,
      seed: options.seed ?? 1,
      defaultLink: { delayMs: 10, ...options.link },
    });
    const mk = (host: string): Side => {
      const side: Side = {
        conn: undefined,
        socket: this.network.createSocket(host),
        timer: this.clock.createTimer(() => this.onTimer(side)),
        events: [],
      };
      return side;
    };
    this.client = mk(CLIENT_HOST);
    this.server = mk(SERVER_HOST);
  }

  static async create(tls: TestTls, options: SimOptions = {}): Promise<SimPair> {
    const sim = new SimPair(tls, options);
    await sim.client.socket.bind({ port: 50_000 });
    sim.serverAddress = await sim.server.socket.bind({ port: 443 });
    sim.server.socket.datagrams$.subscribe((d) => {
      // Only a client Initial (a long header, RFC 9000 §17.2) can create the server connection, as at an endpoint.
      if (sim.server.conn === undefined && (d.data[0] & 0x80) === 0) return;
      sim.server.conn ??= sim.createServer(d.data, d.remote);
      sim.server.conn.handleDatagram(sim.clock.now(), d.data, d.remote);
      sim.after(sim.server);
    });
    sim.client.socket.datagrams$.subscribe((d) => {
      sim.client.conn?.handleDatagram(sim.clock.now(), d.data, d.remote);
      sim.after(sim.client);
    });
    const provider = tls.provider;
    sim.client.conn = new Connection({
      role: 'client',
      version: options.version ?? QUIC_VERSION_1,
      nowMs: sim.clock.now(),
      epochMs: sim.clock.epochMs(),
      remote: sim.serverAddress,
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
    sim.after(sim.client);
    return sim;
  }

  get c(): Connection {
    return this.client.conn!;
  }

  get s(): Connection {
    if (!this.server.conn) throw new Error('no server connection yet');
    return this.server.conn;
  }

  private createServer(first: Uint8Array, remote: SocketAddress): Connection {
    const h = new PacketHeader();
    if (parsePacketHeader(first, 0, first.length, 8, h) !== HeaderStatus.OK) throw new Error('bad first packet');
    const provider = this.tls.provider;
    return new Connection({
      role: 'server',
      version: h.version,
      nowMs: this.clock.now(),
      epochMs: this.clock.epochMs(),
      remote,
      localCid: provider.randomBytes(8),
      remoteCid: h.scid.slice(),
      originalDestinationCid: h.dcid.slice(),
      localResetToken: provider.randomBytes(16),
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

  /** After any input: send what the connection wants, collect events, re-arm its timer. */
  after(side: Side): void {
    const conn = side.conn;
    if (!conn) return;
    const name = side === this.client ? 'client' : 'server';
    for (let i = 0; i < 1000; i++) {
      const buf = this.pool.acquire();
      const n = conn.pollTransmit(this.clock.now(), buf);
      if (n === 0) {
        this.pool.release(buf);
        break;
      }
      this.options.onSend?.(name, n, conn);
      side.socket.send(buf.subarray(0, n), conn.transmitRemote);
      this.pool.release(buf);
    }
    for (let e = conn.pollEvent(); e; e = conn.pollEvent()) side.events.push(e);
    const t = conn.pollTimeout();
    if (t === undefined) side.timer.clear();
    else side.timer.set(t);
  }

  private onTimer(side: Side): void {
    side.conn?.handleTimeout(this.clock.now());
    this.after(side);
  }

  /** Advances virtual time until `done()` (checked after every event) or `maxMs` passed. */
  async run(done: () => boolean, maxMs = 10_000): Promise<boolean> {
    return this.clock.runUntil(done, maxMs);
  }

  async handshake(maxMs = 5_000): Promise<void> {
    const ok = await this.run(
      () => this.c.connectionState === 'established' && this.server.conn?.connectionState === 'established',
      maxMs,
    );
    if (!ok) {
      throw new Error(
        `handshake did not complete: client ${this.c.connectionState} ${JSON.stringify(this.c.closeReason)}, server ${this.server.conn?.connectionState} ${JSON.stringify(this.server.conn?.closeReason)}`,
      );
    }
  }

  /** Writes `payload` on a new client stream and reads it on the server; returns what arrived, hashed. */
  async transfer(payload: Uint8Array, maxMs = 120_000): Promise<{ sha256: string; bytes: number; ms: number }> {
    const start = this.clock.now();
    const id = this.c.openStream(true)!;
    let offset = 0;
    const writeMore = () => {
      // Feed the stream in 64 KiB pieces as its buffer drains (what an application with backpressure does).
      while (offset < payload.length) {
        const chunk = payload.subarray(offset, Math.min(payload.length, offset + 65_536));
        offset += chunk.length;
        const fin = offset === payload.length;
        if (!this.c.writeStream(id, chunk, fin)) break;
      }
      this.after(this.client);
    };
    writeMore();
    const hash = createHash('sha256');
    let received = 0;
    let ended = false;
    const ok = await this.run(() => {
      if (this.client.events.some((e) => e.type === 'stream-writable' && e.streamId === id)) {
        this.client.events = this.client.events.filter((e) => !(e.type === 'stream-writable' && e.streamId === id));
        writeMore();
      }
      const s = this.server.conn;
      if (!s || !this.server.events.some((e) => e.type === 'stream-opened' && e.streamId === id)) return false;
      for (;;) {
        const r = s.readStream(id);
        if (r === undefined) break;
        if (r === null) {
          ended = true;
          break;
        }
        received += r.length;
        hash.update(r);
      }
      this.after(this.server);
      return ended;
    }, maxMs);
    if (!ok) {
      throw new Error(
        `transfer incomplete: ${received}/${payload.length} bytes; client ${this.c.connectionState} ${JSON.stringify(this.c.closeReason)} server ${this.server.conn?.connectionState} ${JSON.stringify(this.server.conn?.closeReason)}`,
      );
    }
    return { sha256: hash.digest('hex'), bytes: received, ms: this.clock.now() - start };
  }
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Deterministic pseudo-random bytes (a test payload). */
export function payloadOf(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
