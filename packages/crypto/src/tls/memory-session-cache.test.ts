import { CipherSuite, type QuicTlsSessionTicket } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { MemorySessionCache } from './memory-session-cache.js';

function ticket(
  serverName: string,
  alpn: string | undefined,
  id: number,
  receivedAtEpochMs = 0,
  lifetimeSeconds = 3600,
): QuicTlsSessionTicket {
  return {
    serverName,
    alpnProtocol: alpn,
    cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
    ticket: Uint8Array.of(id),
    psk: new Uint8Array(32),
    ageAdd: 0,
    receivedAtEpochMs,
    lifetimeSeconds,
    maxEarlyDataSize: 0,
  };
}

describe('MemorySessionCache', () => {
  it('keys tickets by server name and ALPN; take() removes (single use)', () => {
    const c = new MemorySessionCache();
    c.store(ticket('a.example', 'h3', 1));
    c.store(ticket('a.example', 'hq', 2));
    c.store(ticket('b.example', 'h3', 3));
    expect(c.take('a.example', 'h3', 0)?.ticket[0]).toBe(1);
    expect(c.take('a.example', 'h3', 0)).toBeUndefined();
    expect(c.take('a.example', 'hq', 0)?.ticket[0]).toBe(2);
    expect(c.take('b.example', 'h3', 0)?.ticket[0]).toBe(3);
    expect(c.size).toBe(0);
    c.store(ticket('tcp.example', undefined, 4));
    expect(c.take('tcp.example', '', 0)?.ticket[0]).toBe(4);
  });

  it('skips expired tickets and never keeps one past 7 days (RFC 8446 §4.6.1)', () => {
    const c = new MemorySessionCache();
    c.store(ticket('a', 'h3', 1, 0, 10));
    c.store(ticket('a', 'h3', 2, 0, 1_000_000));
    c.store(ticket('a', 'h3', 3, 0, 10));
    expect(c.take('a', 'h3', 11_000)?.ticket[0]).toBe(2);
    c.store(ticket('a', 'h3', 4, 0, 1_000_000));
    expect(c.take('a', 'h3', 604_800_000)).toBeUndefined();
  });

  it('is bounded in pairs and in tickets per pair', () => {
    const c = new MemorySessionCache({ maxEntries: 2, ticketsPerEntry: 2 });
    for (let i = 0; i < 5; i++) c.store(ticket('a', 'h3', i));
    expect(c.size).toBe(2);
    c.store(ticket('b', 'h3', 10));
    c.store(ticket('c', 'h3', 11));
    expect(c.size).toBe(2);
    expect(c.take('a', 'h3', 0)).toBeUndefined();
    expect(c.take('c', 'h3', 0)?.ticket[0]).toBe(11);
  });
});
