import type { QuicTlsSessionCache, QuicTlsSessionTicket } from '@fos/core';

export interface MemorySessionTicketCacheOptions {
  /** Most (server name, ALPN) pairs kept; least recently stored dropped first. Default 256. */
  readonly maxServers?: number;
  /** Tickets kept per server (the freshest). Default 4. */
  readonly maxTicketsPerServer?: number;
}

/**
 * The client's in-memory TLS session ticket store, handed to the H3 session factory so a new connection to the same
 * server resumes (RFC 8446 §2.2) and may send 0-RTT (RFC 9001 §4.6). Tickets are single-use (RFC 8446 §C.4,
 * RFC 9001 §4.5): `take` removes what it returns. Bounded in servers and tickets per server.
 */
export class MemorySessionTicketCache implements QuicTlsSessionCache {
  private readonly maxServers: number;
  private readonly maxPerServer: number;
  private readonly servers = new Map<string, QuicTlsSessionTicket[]>();

  constructor(options: MemorySessionTicketCacheOptions = {}) {
    this.maxServers = Math.max(1, options.maxServers ?? 256);
    this.maxPerServer = Math.max(1, options.maxTicketsPerServer ?? 4);
  }

  /** Number of tickets held. */
  get size(): number {
    let n = 0;
    for (const list of this.servers.values()) n += list.length;
    return n;
  }

  store(ticket: QuicTlsSessionTicket): void {
    if (ticket.lifetimeSeconds <= 0) return; // RFC 8446 §4.6.1: lifetime 0 means "do not use"
    const key = cacheKey(ticket.serverName, ticket.alpnProtocol ?? '');
    const list = this.servers.get(key) ?? [];
    this.servers.delete(key);
    list.push(ticket);
    list.sort((a, b) => a.receivedAtEpochMs - b.receivedAtEpochMs);
    while (list.length > this.maxPerServer) list.shift();
    this.servers.set(key, list);
    while (this.servers.size > this.maxServers) this.servers.delete(this.servers.keys().next().value!);
  }

  take(serverName: string, alpnProtocol: string, epochMs: number): QuicTlsSessionTicket | undefined {
    const key = cacheKey(serverName, alpnProtocol);
    const list = this.servers.get(key);
    if (list === undefined) return undefined;
    // RFC 8446 §4.6.1: a ticket is usable for ticket_lifetime seconds after it was received.
    const live = list.filter((t) => t.receivedAtEpochMs + t.lifetimeSeconds * 1000 > epochMs);
    const ticket = live.pop();
    if (live.length === 0) this.servers.delete(key);
    else this.servers.set(key, live);
    return ticket;
  }

  clear(): void {
    this.servers.clear();
  }
}

function cacheKey(serverName: string, alpn: string): string {
  return `${serverName}\u0000${alpn}`;
}
