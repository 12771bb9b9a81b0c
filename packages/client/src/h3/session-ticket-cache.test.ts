import { CipherSuite, type QuicTlsSessionTicket } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { MemorySessionTicketCache } from './session-ticket-cache.js';

function ticket(
  serverName: string,
  receivedAtEpochMs: number,
  lifetimeSeconds = 3600,
  alpn = 'h3',
): QuicTlsSessionTicket {
  return {
    serverName,
    alpnProtocol: alpn,
    cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
    ticket: new Uint8Array([receivedAtEpochMs & 0xff]),
    psk: new Uint8Array(32),
    ageAdd: 0,
    receivedAtEpochMs,
    lifetimeSeconds,
    maxEarlyDataSize: 0xffffffff,
  };
}

describe('MemorySessionTicketCache', () => {
  it('returns the freshest live ticket once (single use, RFC 8446 §C.4)', () => {
    const c = new MemorySessionTicketCache();
    c.store(ticket('a.test', 1000));
    c.store(ticket('a.test', 3000));
    c.store(ticket('a.test', 2000));
    expect(c.take('a.test', 'h3', 5000)?.receivedAtEpochMs).toBe(3000);
    expect(c.take('a.test', 'h3', 5000)?.receivedAtEpochMs).toBe(2000);
    expect(c.size).toBe(1);
  });

  it('keys by server name and ALPN', () => {
    const c = new MemorySessionTicketCache();
    c.store(ticket('a.test', 1000, 3600, 'h3'));
    expect(c.take('b.test', 'h3', 1000)).toBeUndefined();
    expect(c.take('a.test', 'h2', 1000)).toBeUndefined();
    expect(c.take('a.test', 'h3', 1000)).toBeDefined();
  });

  it('drops expired tickets (RFC 8446 §4.6.1 ticket_lifetime) and ignores lifetime 0', () => {
    const c = new MemorySessionTicketCache();
    c.store(ticket('a.test', 0, 10));
    c.store(ticket('a.test', 0, 0));
    expect(c.size).toBe(1);
    expect(c.take('a.test', 'h3', 10_000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('is bounded per server and in servers', () => {
    const c = new MemorySessionTicketCache({ maxServers: 2, maxTicketsPerServer: 2 });
    for (let i = 0; i < 5; i++) c.store(ticket('a.test', i));
    expect(c.size).toBe(2);
    c.store(ticket('b.test', 0));
    c.store(ticket('c.test', 0));
    expect(c.take('a.test', 'h3', 10)).toBeUndefined();
    expect(c.take('c.test', 'h3', 10)).toBeDefined();
  });
});
