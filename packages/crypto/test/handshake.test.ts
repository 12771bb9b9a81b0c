// In-memory handshakes: HelloRetryRequest, resumption, 0-RTT accepted and rejected, client authentication, the key
// log, and the transport-facing event order (RFC 9001 §4.1.4).
import { CipherSuite, NamedGroup } from '@fos/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseKeyLogLine } from '../src/keylog/key-log.js';
import { HandshakeType } from '../src/tls/constants.js';
import { MemorySessionCache } from '../src/tls/memory-session-cache.js';
import { parseClientHello } from '../src/tls/wire/client-hello.js';
import { findExtension } from '../src/tls/wire/extensions.js';
import { HandshakeReassembler } from '../src/tls/wire/handshake-framing.js';
import { isHelloRetryRequest, parseServerHello } from '../src/tls/wire/server-hello.js';
import {
  clientContext,
  clientOptions,
  connect,
  createPki,
  type Pki,
  serverContext,
  serverOptions,
} from './support/fixture.js';
import { createLeaf } from './support/pki.js';
import { errorOf, ofType, pump, secrets } from './support/pump.js';

const NOW = Date.now();
let pki: Pki;

beforeAll(async () => {
  pki = await createPki();
});

function messages(events: ReturnType<typeof pump>['client'], level: string): number[] {
  const r = new HandshakeReassembler(1 << 20);
  const out: number[] = [];
  for (const e of ofType(events, 'handshake-data')) {
    if (e.level !== level) continue;
    r.push(e.data);
    for (let m = r.next(); m !== undefined; m = r.next()) out.push(m.type);
  }
  return out;
}

describe('full handshake', () => {
  it('emits events in the order the transport installs keys (RFC 9001 §4.1.4)', () => {
    const { rec } = connect(clientContext(pki), serverContext(pki), NOW);
    const shape = (events: typeof rec.client) =>
      events.map((e) =>
        e.type === 'handshake-data'
          ? `data:${e.level}`
          : e.type === 'secret'
            ? `secret:${e.level}/${e.direction}`
            : e.type,
      );
    expect(shape(rec.client)).toEqual([
      'data:initial',
      'secret:handshake/read',
      'secret:handshake/write',
      'transport-parameters',
      'alpn',
      'secret:application/read',
      'exporter-secret',
      'data:handshake',
      'secret:application/write',
      'handshake-complete',
      'session-ticket',
    ]);
    expect(shape(rec.server)).toEqual([
      'transport-parameters',
      'alpn',
      'data:initial',
      'secret:handshake/write',
      'secret:handshake/read',
      'data:handshake',
      'secret:application/write',
      'exporter-secret',
      'secret:application/read',
      'handshake-complete',
      'data:application',
    ]);
    expect(messages(rec.client, 'initial')).toEqual([HandshakeType.client_hello]);
    expect(messages(rec.server, 'initial')).toEqual([HandshakeType.server_hello]);
    expect(messages(rec.server, 'handshake')).toEqual([
      HandshakeType.encrypted_extensions,
      HandshakeType.certificate,
      HandshakeType.certificate_verify,
      HandshakeType.finished,
    ]);
    expect(messages(rec.client, 'handshake')).toEqual([HandshakeType.finished]);
    expect(messages(rec.server, 'application')).toEqual([HandshakeType.new_session_ticket]);
  });

  it('sends no middlebox-compatibility session id and offers only TLS 1.3 (RFC 9001 §4.2, §8.4)', () => {
    const client = clientContext(pki).createClient(clientOptions(NOW));
    const e = client.pollEvent();
    expect(e?.type).toBe('handshake-data');
    const ch = parseClientHello((e as { data: Uint8Array }).data.subarray(4));
    expect(ch.legacySessionId.length).toBe(0);
    expect(Array.from(findExtension(ch.extensions, 0x2b)!)).toEqual([2, 0x03, 0x04]);
    expect(Array.from(findExtension(ch.extensions, 0x39)!)).toEqual([0x0f, 0x00]);
  });

  it('selects the server-preferred ALPN protocol the client offers', () => {
    const { client, server } = connect(
      clientContext(pki),
      serverContext(pki),
      NOW,
      { alpnProtocols: ['h3-29', 'h3'] },
      {
        alpnProtocols: ['h3', 'h3-29'],
      },
    );
    expect(client.alpnProtocol).toBe('h3');
    expect(server.alpnProtocol).toBe('h3');
  });

  it('verifies an IP address against an iPAddress SAN without sending it as SNI (RFC 6066 §3)', () => {
    const { client, server, rec } = connect(clientContext(pki), serverContext(pki), NOW, { serverName: '127.0.0.1' });
    expect(errorOf(rec.client)).toBeUndefined();
    expect(client.handshakeComplete).toBe(true);
    expect(server.serverName).toBeUndefined();
  });

  it('writes key log lines that match the secrets on both sides', () => {
    const clientLines: string[] = [];
    const serverLines: string[] = [];
    connect(
      clientContext(pki, { keyLog: (l) => clientLines.push(l) }),
      serverContext(pki, { keyLog: (l) => serverLines.push(l) }),
      NOW,
    );
    const parse = (lines: string[]) =>
      new Map(lines.map((l) => parseKeyLogLine(l)!).map((e) => [e.label, Buffer.from(e.secret).toString('hex')]));
    const c = parse(clientLines);
    expect([...c.keys()].sort()).toEqual([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_TRAFFIC_SECRET_0',
    ]);
    expect(parse(serverLines)).toEqual(c);
    expect(new Set(clientLines.map((l) => l.split(' ')[1])).size).toBe(1);
  });
});

describe('HelloRetryRequest (RFC 8446 §4.1.4)', () => {
  it('the server asks for a group the client supports but sent no share for; the cookie is echoed', () => {
    const cctx = clientContext(pki, {
      groups: [NamedGroup.x25519, NamedGroup.secp384r1],
      keyShareGroups: [NamedGroup.x25519],
    });
    const sctx = serverContext(pki, { groups: [NamedGroup.secp384r1] });
    const { client, server, rec } = connect(cctx, sctx, NOW);
    expect(errorOf(rec.client)).toBeUndefined();
    expect(errorOf(rec.server)).toBeUndefined();
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    expect(messages(rec.client, 'initial')).toEqual([HandshakeType.client_hello, HandshakeType.client_hello]);
    const initial = ofType(rec.server, 'handshake-data').filter((e) => e.level === 'initial');
    expect(initial).toHaveLength(2);
    const hrr = parseServerHello(initial[0].data.subarray(4));
    expect(isHelloRetryRequest(hrr)).toBe(true);
    const cookie = findExtension(hrr.extensions, 44)!;
    const ch2 = parseClientHello(ofType(rec.client, 'handshake-data')[1].data.subarray(4));
    expect(Buffer.from(findExtension(ch2.extensions, 44)!).toString('hex')).toBe(Buffer.from(cookie).toString('hex'));
    expect(Array.from(findExtension(ch2.extensions, 51)!.subarray(2, 4))).toEqual([0x00, 0x18]);
    const c = secrets(rec.client);
    const s = secrets(rec.server);
    expect(c.get('application/write')).toBe(s.get('application/read'));
  });

  it('preferGroupOverRoundTrip makes the server retry for its preferred group', () => {
    const cctx = clientContext(pki, {
      groups: [NamedGroup.x25519, NamedGroup.secp256r1],
      keyShareGroups: [NamedGroup.x25519],
    });
    const sctx = serverContext(pki, {
      groups: [NamedGroup.secp256r1, NamedGroup.x25519],
      preferGroupOverRoundTrip: true,
    });
    const { rec, client } = connect(cctx, sctx, NOW);
    expect(client.handshakeComplete).toBe(true);
    expect(messages(rec.client, 'initial')).toHaveLength(2);
    const plain = connect(cctx, serverContext(pki, { groups: [NamedGroup.secp256r1, NamedGroup.x25519] }), NOW);
    expect(messages(plain.rec.client, 'initial')).toHaveLength(1);
  });

  it('fails with handshake_failure when no group is shared', () => {
    const cctx = clientContext(pki, { groups: [NamedGroup.x25519] });
    const sctx = serverContext(pki, { groups: [NamedGroup.secp384r1] });
    const { rec } = connect(cctx, sctx, NOW);
    expect(errorOf(rec.server)?.code).toBe(0x128);
  });
});

describe('resumption (RFC 8446 §2.2)', () => {
  it('resumes with a ticket: PSK with (EC)DHE, no certificate messages', () => {
    const cctx = clientContext(pki);
    const sctx = serverContext(pki);
    const first = connect(cctx, sctx, NOW);
    expect(first.ticket).toBeDefined();
    expect(first.ticket!.serverName).toBe('localhost');
    expect(first.ticket!.maxEarlyDataSize).toBe(0);
    const second = connect(cctx, sctx, NOW + 1000, { resumeSession: first.ticket });
    expect(errorOf(second.rec.client)).toBeUndefined();
    expect(second.client.resumed).toBe(true);
    expect(second.server.resumed).toBe(true);
    expect(second.client.peerCertificates).toHaveLength(0);
    expect(messages(second.rec.server, 'handshake')).toEqual([
      HandshakeType.encrypted_extensions,
      HandshakeType.finished,
    ]);
    expect(secrets(second.rec.client).get('application/write')).toBe(
      secrets(second.rec.server).get('application/read'),
    );
    // The resumed connection hands out a fresh ticket of its own.
    expect(second.ticket).toBeDefined();
    expect(Buffer.from(second.ticket!.psk).equals(Buffer.from(first.ticket!.psk))).toBe(false);
  });

  it('falls back to a full handshake for a ticket from another server (unknown key)', () => {
    const first = connect(clientContext(pki), serverContext(pki), NOW);
    const other = connect(clientContext(pki), serverContext(pki), NOW, { resumeSession: first.ticket });
    expect(other.client.handshakeComplete).toBe(true);
    expect(other.client.resumed).toBe(false);
    expect(other.client.peerCertificates).toHaveLength(1);
  });

  it('does not offer an expired ticket, and the server refuses tickets past their lifetime', () => {
    const sctx = serverContext(pki, { tickets: { lifetimeSeconds: 60 } });
    const cctx = clientContext(pki);
    const first = connect(cctx, sctx, NOW);
    expect(first.ticket!.lifetimeSeconds).toBe(60);
    const late = connect(cctx, sctx, NOW + 61_000, { resumeSession: first.ticket });
    expect(late.client.resumed).toBe(false);
    // A client that ignores the lifetime still gets a full handshake.
    const stale = { ...first.ticket!, receivedAtEpochMs: NOW + 61_000 };
    const forced = connect(cctx, sctx, NOW + 61_000, { resumeSession: stale });
    expect(forced.client.handshakeComplete).toBe(true);
    expect(forced.server.resumed).toBe(false);
  });

  it('resumes across a HelloRetryRequest (binder over message_hash ‖ HRR ‖ ClientHello2)', () => {
    const cctx = clientContext(pki, {
      groups: [NamedGroup.x25519, NamedGroup.secp384r1],
      keyShareGroups: [NamedGroup.x25519],
    });
    // Tickets from a server that accepts x25519 shares; the same ticket key on a server that only takes secp384r1.
    const keys = [new Uint8Array(32).fill(7)];
    const seed = connect(
      cctx,
      serverContext(pki, { groups: [NamedGroup.x25519, NamedGroup.secp384r1], tickets: { keys } }),
      NOW,
    );
    expect(messages(seed.rec.client, 'initial')).toHaveLength(1);
    const strict = serverContext(pki, { groups: [NamedGroup.secp384r1], tickets: { keys } });
    const second = connect(cctx, strict, NOW + 10, { resumeSession: seed.ticket });
    expect(errorOf(second.rec.server)).toBeUndefined();
    expect(messages(second.rec.client, 'initial')).toHaveLength(2);
    expect(second.server.resumed).toBe(true);
    expect(second.client.resumed).toBe(true);
  });

  it('a tampered binder is a decrypt_error (RFC 8446 §4.2.11)', () => {
    const cctx = clientContext(pki);
    const sctx = serverContext(pki);
    const first = connect(cctx, sctx, NOW);
    const client = cctx.createClient(clientOptions(NOW, { resumeSession: first.ticket }));
    const server = sctx.createServer(serverOptions(NOW));
    const rec = pump(client, server, NOW, {
      intercept: (from, level, data) => {
        if (from !== 'client' || level !== 'initial') return data;
        const copy = data.slice();
        copy[copy.length - 1] ^= 0x01; // the binder is the last byte of the ClientHello
        return copy;
      },
    });
    expect(errorOf(rec.server)?.code).toBe(0x133);
  });

  it('MemorySessionCache hands each ticket out once, freshest first', () => {
    const cache = new MemorySessionCache({ ticketsPerEntry: 2 });
    const sctx = serverContext(pki, { tickets: { ticketsPerConnection: 3 } });
    const { rec } = connect(clientContext(pki), sctx, NOW);
    const tickets = ofType(rec.client, 'session-ticket').map((e) => e.ticket);
    expect(tickets).toHaveLength(3);
    for (const t of tickets) cache.store({ ...t, applicationData: Uint8Array.of(9) });
    expect(cache.size).toBe(2);
    const a = cache.take('localhost', 'h3', NOW)!;
    const b = cache.take('localhost', 'h3', NOW)!;
    expect(Buffer.from(a.ticket).equals(Buffer.from(tickets[2].ticket))).toBe(true);
    expect(Buffer.from(b.ticket).equals(Buffer.from(tickets[1].ticket))).toBe(true);
    expect(Array.from(a.applicationData!)).toEqual([9]);
    expect(cache.take('localhost', 'h3', NOW)).toBeUndefined();
    cache.store(tickets[0]);
    expect(cache.take('localhost', 'h3', NOW + 86_400_000)).toBeUndefined();
    expect(cache.take('other', 'h3', NOW)).toBeUndefined();
  });
});

describe('0-RTT (RFC 9001 §4.6)', () => {
  function ticketFor(
    sctx: ReturnType<typeof serverContext>,
    cctx: ReturnType<typeof clientContext>,
    appData?: Uint8Array,
  ) {
    const first = connect(cctx, sctx, NOW, {}, { enableEarlyData: true, ticketApplicationData: appData });
    expect(first.ticket!.maxEarlyDataSize).toBe(0xffff_ffff);
    return first.ticket!;
  }

  it('accepted: the client writes and the server reads the same early secret', () => {
    const sctx = serverContext(pki);
    const cctx = clientContext(pki);
    const ticket = ticketFor(sctx, cctx, Uint8Array.of(7, 7));
    const seen: unknown[] = [];
    const { client, server, rec } = connect(
      cctx,
      sctx,
      NOW + 500,
      { resumeSession: ticket, enableEarlyData: true },
      {
        enableEarlyData: true,
        acceptEarlyData: (r) => {
          seen.push({ alpn: r.alpnProtocol, sni: r.serverName, data: Array.from(r.applicationData ?? []) });
          return true;
        },
      },
    );
    expect(seen).toEqual([{ alpn: 'h3', sni: 'localhost', data: [7, 7] }]);
    expect(client.earlyData).toBe('accepted');
    expect(server.earlyData).toBe('accepted');
    expect(rec.client[1]).toMatchObject({ type: 'secret', level: 'early-data', direction: 'write' });
    const c = secrets(rec.client);
    const s = secrets(rec.server);
    expect(c.get('early-data/write')).toBeDefined();
    expect(c.get('early-data/write')).toBe(s.get('early-data/read'));
    expect(ofType(rec.client, 'early-data')).toEqual([{ type: 'early-data', accepted: true }]);
    expect(ofType(rec.server, 'early-data')).toEqual([{ type: 'early-data', accepted: true }]);
    // QUIC: no EndOfEarlyData (RFC 9001 §8.3).
    expect(messages(rec.client, 'early-data')).toEqual([]);
    expect(messages(rec.client, 'handshake')).toEqual([HandshakeType.finished]);
  });

  it('rejected by the server hook; the handshake still resumes', () => {
    const sctx = serverContext(pki);
    const cctx = clientContext(pki);
    const ticket = ticketFor(sctx, cctx);
    const { client, server, rec } = connect(
      cctx,
      sctx,
      NOW + 500,
      { resumeSession: ticket, enableEarlyData: true },
      { enableEarlyData: true, acceptEarlyData: () => false },
    );
    expect(client.earlyData).toBe('rejected');
    expect(server.earlyData).toBe('rejected');
    expect(client.resumed).toBe(true);
    expect(secrets(rec.server).get('early-data/read')).toBeUndefined();
    expect(ofType(rec.client, 'early-data')).toEqual([{ type: 'early-data', accepted: false }]);
  });

  it('rejected when the server disabled it, and a ticket replayed for 0-RTT is refused (single use)', () => {
    const sctx = serverContext(pki);
    const cctx = clientContext(pki);
    const ticket = ticketFor(sctx, cctx);
    const off = connect(
      cctx,
      sctx,
      NOW + 10,
      { resumeSession: ticket, enableEarlyData: true },
      { enableEarlyData: false },
    );
    expect(off.client.earlyData).toBe('rejected');
    const again = ticketFor(sctx, cctx);
    const once = connect(
      cctx,
      sctx,
      NOW + 20,
      { resumeSession: again, enableEarlyData: true },
      { enableEarlyData: true },
    );
    expect(once.server.earlyData).toBe('accepted');
    const replay = connect(
      cctx,
      sctx,
      NOW + 30,
      { resumeSession: again, enableEarlyData: true },
      { enableEarlyData: true },
    );
    expect(replay.server.earlyData).toBe('rejected');
    expect(replay.server.resumed).toBe(true);
  });

  it('rejected when the ticket age is off by more than the freshness window (RFC 8446 §8.3)', () => {
    const sctx = serverContext(pki, { tickets: { freshnessWindowMs: 1000 } });
    const cctx = clientContext(pki);
    const ticket = ticketFor(sctx, cctx);
    const skewed = { ...ticket, receivedAtEpochMs: ticket.receivedAtEpochMs + 5000 };
    const { server } = connect(
      cctx,
      sctx,
      NOW + 6000,
      { resumeSession: skewed, enableEarlyData: true },
      { enableEarlyData: true },
    );
    expect(server.earlyData).toBe('rejected');
    expect(server.resumed).toBe(true);
  });

  it('a HelloRetryRequest rejects 0-RTT (RFC 9001 §4.6.2)', () => {
    const sctx = serverContext(pki, { groups: [NamedGroup.x25519, NamedGroup.secp256r1] });
    const cctx = clientContext(pki, { groups: [NamedGroup.x25519, NamedGroup.secp256r1] });
    const ticket = ticketFor(sctx, cctx);
    const strict = serverContext(pki, { groups: [NamedGroup.secp256r1] });
    const { client, server, rec } = connect(
      cctx,
      strict,
      NOW,
      { resumeSession: ticket, enableEarlyData: true },
      { enableEarlyData: true },
    );
    expect(client.earlyData).toBe('rejected');
    expect(server.earlyData).toBe('rejected');
    expect(client.handshakeComplete).toBe(true);
    expect(ofType(rec.client, 'early-data')).toEqual([{ type: 'early-data', accepted: false }]);
  });

  it('is not offered when the ticket does not allow it', () => {
    const sctx = serverContext(pki);
    const cctx = clientContext(pki);
    const first = connect(cctx, sctx, NOW);
    const { client, rec } = connect(
      cctx,
      sctx,
      NOW,
      { resumeSession: first.ticket, enableEarlyData: true },
      { enableEarlyData: true },
    );
    expect(client.earlyData).toBe('not-offered');
    expect(secrets(rec.client).get('early-data/write')).toBeUndefined();
  });

  it('over TCP: EndOfEarlyData under the 0-RTT key, and the server reads handshake keys only after it', () => {
    const sctx = serverContext(pki);
    const cctx = clientContext(pki);
    const tcp = { transportParameters: undefined };
    const first = connect(cctx, sctx, NOW, tcp, { ...tcp, enableEarlyData: true });
    expect(first.ticket!.maxEarlyDataSize).toBe(16_384);
    const { client, server, rec } = connect(
      cctx,
      sctx,
      NOW + 5,
      { ...tcp, resumeSession: first.ticket, enableEarlyData: true },
      { ...tcp, enableEarlyData: true },
    );
    expect(client.earlyData).toBe('accepted');
    expect(server.handshakeComplete).toBe(true);
    expect(messages(rec.client, 'early-data')).toEqual([HandshakeType.end_of_early_data]);
    const order = rec.server
      .filter((e) => e.type === 'secret')
      .map((e) => (e.type === 'secret' ? `${e.level}/${e.direction}` : ''));
    expect(order).toEqual([
      'early-data/read',
      'handshake/write',
      'application/write',
      'handshake/read',
      'application/read',
    ]);
  });
});

describe('client authentication (RFC 8446 §4.3.2)', () => {
  it('the server requires and verifies a client certificate', async () => {
    const clientLeaf = await createLeaf(pki.ca, 'ed25519', { names: ['client'] });
    const sctx = serverContext(pki, { clientAuth: 'require', verify: { ca: pki.ca.pem } });
    const cctx = clientContext(pki, { certificates: [{ chain: clientLeaf.pem, key: clientLeaf.key }] });
    const { client, server, rec } = connect(cctx, sctx, NOW);
    expect(errorOf(rec.server)).toBeUndefined();
    expect(server.handshakeComplete && client.handshakeComplete).toBe(true);
    expect(Buffer.from(server.peerCertificates[0]).equals(Buffer.from(clientLeaf.der))).toBe(true);
    expect(messages(rec.client, 'handshake')).toEqual([
      HandshakeType.certificate,
      HandshakeType.certificate_verify,
      HandshakeType.finished,
    ]);
  });

  it('certificate_required when the client has none and the server requires one', () => {
    const sctx = serverContext(pki, { clientAuth: 'require', verify: { ca: pki.ca.pem } });
    const { rec } = connect(clientContext(pki), sctx, NOW);
    expect(errorOf(rec.server)?.code).toBe(0x100 + 116);
  });

  it('request: an anonymous client is accepted', () => {
    const sctx = serverContext(pki, { clientAuth: 'request', verify: { ca: pki.ca.pem } });
    const { server } = connect(clientContext(pki), sctx, NOW);
    expect(server.handshakeComplete).toBe(true);
    expect(server.peerCertificates).toHaveLength(0);
  });

  it('a client certificate from an unknown CA is refused with unknown_ca', async () => {
    const { createCa } = await import('./support/pki.js');
    const other = await createCa('Other CA');
    const clientLeaf = await createLeaf(other, 'p256', { names: ['client'] });
    const sctx = serverContext(pki, { clientAuth: 'require', verify: { ca: pki.ca.pem } });
    const cctx = clientContext(pki, { certificates: [{ chain: clientLeaf.der, key: clientLeaf.key }] });
    const { rec } = connect(cctx, sctx, NOW);
    expect(errorOf(rec.server)?.code).toBe(0x100 + 48);
  });
});

describe('session API', () => {
  it('sendSessionTicket issues more tickets after the handshake, carrying application data', () => {
    const sctx = serverContext(pki);
    const cctx = clientContext(pki);
    const { client, server } = connect(cctx, sctx, NOW, {}, { enableEarlyData: true });
    server.sendSessionTicket(NOW, { applicationData: Uint8Array.of(1, 2, 3) });
    const rec = pump(client, server, NOW);
    const tickets = ofType(rec.client, 'session-ticket');
    expect(tickets).toHaveLength(1);
    let hookData: number[] = [];
    connect(
      cctx,
      sctx,
      NOW + 1,
      { resumeSession: tickets[0].ticket, enableEarlyData: true },
      {
        enableEarlyData: true,
        acceptEarlyData: (r) => {
          hookData = Array.from(r.applicationData ?? []);
          return true;
        },
      },
    );
    expect(hookData).toEqual([1, 2, 3]);
  });

  it('sendSessionTicket before the handshake completes, or on a client, is a usage error', () => {
    const server = serverContext(pki).createServer(serverOptions(NOW));
    expect(() => server.sendSessionTicket(NOW)).toThrow();
    const client = clientContext(pki).createClient(clientOptions(NOW));
    expect(() => client.sendSessionTicket(NOW)).toThrow();
    expect(() => client.exportKeyingMaterial('x', undefined, 16)).toThrow();
  });

  it('works with every suite restricted on one side only (server preference wins)', () => {
    const sctx = serverContext(pki, {
      cipherSuites: [CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256],
    });
    const { client } = connect(clientContext(pki), sctx, NOW);
    expect(client.cipherSuite).toBe(CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
  });

  it('QUIC requires ALPN on the client (RFC 9001 §8.1)', () => {
    expect(() => clientContext(pki).createClient(clientOptions(NOW, { alpnProtocols: [] }))).toThrow(RangeError);
  });
});
