import { NewRenoFactory } from '@fos/congestion-newreno';
import { type QuicTls, type SocketAddress, VirtualClock } from '@fos/core';
import { CryptoPacketProtection } from '@fos/crypto';
import type { ConnectionEvent } from '../../../src/connection/events.js';
import { Endpoint } from '../../../src/endpoint/endpoint.js';
import type { EndpointConnection } from '../../../src/endpoint/endpoint-connection.js';
import type { EndpointOptions } from '../../../src/endpoint/endpoint-options.js';
import type { TestTls } from '../../support/tls.js';

/** A datagram on the simulated wire. */
export interface Packet {
  at: number;
  from: SocketAddress;
  to: SocketAddress;
  data: Uint8Array;
}

/** What a hook decides about a datagram: deliver it, drop it, or deliver something else / later. */
export type Verdict = undefined | 'drop' | { data?: Uint8Array; from?: SocketAddress; delayMs?: number };

export interface Node {
  readonly address: SocketAddress;
  endpoint: Endpoint;
  readonly events: Map<EndpointConnection, ConnectionEvent[]>;
  readonly incoming: EndpointConnection[];
  /** Every datagram this node sent (copies). */
  readonly sent: Packet[];
}

export const SERVER: SocketAddress = { address: '10.0.0.2', port: 443, family: 'IPv4' };
export const CLIENT: SocketAddress = { address: '10.0.0.1', port: 50_000, family: 'IPv4' };

/**
 * Endpoints wired together by an in-test network with a fixed one-way delay, on virtual time (sans-I/O: the test
 * moves every byte). `hook` sees each datagram before delivery.
 */
export class EndpointNet {
  now = 0;
  readonly clock = new VirtualClock({ epochOffsetMs: Date.now() });
  readonly nodes = new Map<string, Node>();
  hook: ((p: Packet) => Verdict) | undefined;
  private pending: Packet[] = [];
  private readonly buf = new Uint8Array(2048);

  constructor(
    readonly tls: TestTls,
    readonly delayMs = 10,
  ) {}

  /** The plugins an endpoint needs, for `tls` (a client or a server TLS context). */
  baseOptions(tls: QuicTls): EndpointOptions {
    const provider = this.tls.provider;
    return {
      tls,
      protection: new CryptoPacketProtection(provider),
      crypto: provider,
      congestion: new NewRenoFactory(),
      epochOffsetMs: this.clock.epochMs() - this.clock.now(),
    };
  }

  add(address: SocketAddress, options: Partial<EndpointOptions> & { role: 'client' | 'server' }): Node {
    const { role, ...rest } = options;
    const endpoint = new Endpoint({
      ...this.baseOptions(role === 'client' ? this.tls.client : this.tls.server),
      ...rest,
    });
    const node: Node = { address, endpoint, events: new Map(), incoming: [], sent: [] };
    this.nodes.set(key(address), node);
    return node;
  }

  /** Replaces a node's endpoint (a "restart": all connection state lost). */
  restart(node: Node, options: Partial<EndpointOptions> & { role: 'client' | 'server' }): void {
    const { role, ...rest } = options;
    node.endpoint = new Endpoint({
      ...this.baseOptions(role === 'client' ? this.tls.client : this.tls.server),
      ...rest,
    });
    node.events.clear();
    node.incoming.length = 0;
  }

  eventsOf(node: Node, conn: EndpointConnection): ConnectionEvent[] {
    let list = node.events.get(conn);
    if (list === undefined) {
      list = [];
      node.events.set(conn, list);
    }
    return list;
  }

  /** Injects a datagram as if `from` had sent it now. */
  inject(from: SocketAddress, to: SocketAddress, data: Uint8Array): void {
    this.pending.push({ at: this.now + this.delayMs, from, to, data });
  }

  /** Sends what every endpoint has, records events. */
  flush(): void {
    for (const node of this.nodes.values()) {
      const ep = node.endpoint;
      for (let guard = 0; guard < 10_000; guard++) {
        const n = ep.pollTransmit(this.now, this.buf);
        if (n === 0) break;
        const data = this.buf.slice(0, n);
        const p: Packet = { at: this.now + this.delayMs, from: node.address, to: ep.transmitRemote!, data };
        node.sent.push({ ...p, at: this.now, data: data.slice() });
        const v = this.hook?.(p);
        if (v === 'drop') continue;
        if (v !== undefined) {
          if (v.data) p.data = v.data;
          if (v.from) p.from = v.from;
          if (v.delayMs !== undefined) p.at = this.now + v.delayMs;
        }
        this.pending.push(p);
      }
      for (let e = ep.pollEvent(); e !== undefined; e = ep.pollEvent()) {
        if (e.type === 'incoming') node.incoming.push(e.connection);
        const list = this.eventsOf(node, e.connection);
        for (let ce = e.connection.pollEvent(); ce !== undefined; ce = e.connection.pollEvent()) list.push(ce);
      }
    }
  }

  /** Runs until `done()` or `maxMs` of virtual time passed; returns whether `done()` held. */
  run(done: () => boolean, maxMs = 10_000): boolean {
    const limit = this.now + maxMs;
    for (let guard = 0; guard < 1_000_000; guard++) {
      this.flush();
      if (done()) return true;
      let next = Number.POSITIVE_INFINITY;
      for (const p of this.pending) if (p.at < next) next = p.at;
      for (const node of this.nodes.values()) {
        const t = node.endpoint.pollTimeout();
        if (t !== undefined && t < next) next = t;
      }
      if (next === Number.POSITIVE_INFINITY || next > limit) {
        this.now = limit;
        this.flush();
        return done();
      }
      if (next > this.now) this.now = next;
      const due = this.pending.filter((p) => p.at <= this.now);
      this.pending = this.pending.filter((p) => p.at > this.now);
      for (const p of due) {
        const node = this.nodes.get(key(p.to));
        if (node === undefined) continue;
        node.endpoint.handleDatagram(this.now, p.data, p.from);
      }
      for (const node of this.nodes.values()) {
        const t = node.endpoint.pollTimeout();
        if (t !== undefined && t <= this.now) node.endpoint.handleTimeout(this.now);
      }
    }
    throw new Error('simulation did not settle');
  }

  /** Runs for `ms` of virtual time. */
  advance(ms: number): void {
    this.run(() => false, ms);
  }
}

export function key(a: SocketAddress): string {
  return `${a.address}:${a.port}`;
}

export function clientAt(port: number, address = '10.0.0.1'): SocketAddress {
  return { address, port, family: 'IPv4' };
}
