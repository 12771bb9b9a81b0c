import type { QuicTlsSessionCache, QuicTlsSessionTicket } from '@fos/core';
import { MAX_TICKET_LIFETIME_SECONDS } from './constants.js';

export interface MemorySessionCacheOptions {
  /** Server/ALPN pairs remembered (least recently stored dropped first). Default 256. */
  readonly maxEntries?: number;
  /** Tickets kept per pair (oldest dropped first). Default 4. */
  readonly ticketsPerEntry?: number;
}

function expired(t: QuicTlsSessionTicket, epochMs: number): boolean {
  const lifetimeMs = Math.min(t.lifetimeSeconds, MAX_TICKET_LIFETIME_SECONDS) * 1000;
  return epochMs - t.receivedAtEpochMs >= lifetimeMs;
}

/**
 * A bounded in-memory {@link QuicTlsSessionCache}. Tickets are single-use (RFC 8446 §C.4, RFC 9001 §4.5): `take`
 * removes the ticket it returns.
 */
export class MemorySessionCache implements QuicTlsSessionCache {
  private readonly entries = new Map<string, QuicTlsSessionTicket[]>();
  private readonly maxEntries: number;
  private readonly ticketsPerEntry: number;

  constructor(options: MemorySessionCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256;
    this.ticketsPerEntry = options.ticketsPerEntry ?? 4;
  }

  store(ticket: QuicTlsSessionTicket): void {
    const key = `${ticket.serverName}\n${ticket.alpnProtocol ?? ''}`;
    const list = this.entries.get(key) ?? [];
    this.entries.delete(key);
    list.push(ticket);
    while (list.length > this.ticketsPerEntry) list.shift();
    this.entries.set(key, list);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  take(serverName: string, alpnProtocol: string, epochMs: number): QuicTlsSessionTicket | undefined {
    const key = `${serverName}\n${alpnProtocol}`;
    const list = this.entries.get(key);
    if (list === undefined) return undefined;
    let found: QuicTlsSessionTicket | undefined;
    while (list.length > 0 && found === undefined) {
      const t = list.pop()!;
      if (!expired(t, epochMs)) found = t;
    }
    if (list.length === 0) this.entries.delete(key);
    return found;
  }

  /** Tickets held in total. */
  get size(): number {
    let n = 0;
    for (const list of this.entries.values()) n += list.length;
    return n;
  }
}
