import 'reflect-metadata';
import { createContainer, tryResolve } from '@fos/core';
import { generateSelfSignedCertificate } from '@fos/crypto';
import { H3SettingId, parseSettingsPayload } from '@fos/http3';
import { QuicEndpointOptions } from '@fos/quic';
import { describe, expect, it } from 'vitest';
import { registerServer } from './register.js';

async function quicServerOptions(options: { maxFieldSectionSize?: number; earlyData?: boolean }) {
  const cert = await generateSelfSignedCertificate();
  const c = registerServer(createContainer(), {
    certificate: { cert: cert.certPem, key: cert.keyPem },
    earlyData: options.earlyData ?? true,
    limits: { maxFieldSectionSize: options.maxFieldSectionSize },
    handler: () => undefined,
  });
  const server = tryResolve(c, QuicEndpointOptions)?.server;
  if (server === undefined) throw new Error('no QUIC server options registered');
  return server;
}

describe('registerServer: HTTP/3 settings in session tickets (RFC 9114 §7.2.4.2)', () => {
  it('binds the SETTINGS it advertises into its tickets', async () => {
    const server = await quicServerOptions({ maxFieldSectionSize: 8000 });
    const entries = parseSettingsPayload(server.earlyDataContext ?? new Uint8Array(0));
    expect(entries).toContainEqual([H3SettingId.MAX_FIELD_SECTION_SIZE, 8000]);
    expect(entries).toContainEqual([H3SettingId.QPACK_MAX_TABLE_CAPACITY, 4096]);
    expect(server.handover).toBe('early');
  });

  it('accepts 0-RTT under settings at least as generous as the ticket’s, refuses it when a limit shrank', async () => {
    const small = await quicServerOptions({ maxFieldSectionSize: 4000 });
    const large = await quicServerOptions({ maxFieldSectionSize: 16000 });
    const accept = (now: typeof small, ticket: typeof small) => now.acceptEarlyDataContext?.(ticket.earlyDataContext!);
    expect(accept(large, large)).toBe(true);
    expect(accept(large, small)).toBe(true); // the client relied on 4000: 16000 still allows it
    expect(accept(small, large)).toBe(false); // the client may send 16000-byte sections: now refused
    expect(small.acceptEarlyDataContext?.(Uint8Array.of(0x40))).toBe(false); // malformed
  });

  it('without earlyData, connections are handed over at handshake completion', async () => {
    expect((await quicServerOptions({ earlyData: false })).handover).toBe('handshake');
  });
});
