import { ByteWriter, NamedGroup, type QuicTlsSessionTicket } from '@fos/core';
import { TlsContext } from '@fos/crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeStatelessReset } from '../../src/wire/stateless-reset.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from '../../src/wire/versions.js';
import { CLIENT_HOST, payloadOf, SERVER_HOST, SimPair, sha256 } from '../support/sim.js';
import { type TestTls, testTls } from '../support/tls.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

describe('handshake variants', () => {
  it('HelloRetryRequest: the server only accepts P-384', async () => {
    const server = new TlsContext({
      provider: tls.provider,
      certificates: [{ chain: tls.cert.certPem, key: tls.cert.keyPem }],
      groups: [NamedGroup.secp384r1],
    });
    const sim = await SimPair.create({ ...tls, server });
    await sim.handshake();
    const r = await sim.transfer(payloadOf(50_000));
    expect(r.sha256).toBe(sha256(payloadOf(50_000)));
  });

  it('resumption with 0-RTT accepted: stream data sent before the handshake completes arrives', async () => {
    const first = await SimPair.create(tls, {
      serverOverrides: { serverTls: { alpnProtocols: ['test'], enableEarlyData: true } },
    });
    await first.handshake();
    await first.run(() => first.client.events.some((e) => e.type === 'session-ticket'), 2000);
    const ticket = first.client.events.find((e) => e.type === 'session-ticket') as
      | { type: 'session-ticket'; ticket: QuicTlsSessionTicket }
      | undefined;
    expect(ticket).toBeDefined();
    expect(ticket!.ticket.applicationData).toBeDefined();

    const second = await SimPair.create(tls, {
      clientOverrides: {
        clientTls: {
          alpnProtocols: ['test'],
          serverName: 'localhost',
          resumeSession: ticket!.ticket,
          enableEarlyData: true,
        },
      },
      serverOverrides: { serverTls: { alpnProtocols: ['test'], enableEarlyData: true } },
    });
    // Before any packet came back: the stream is opened and written in 0-RTT.
    const payload = payloadOf(3000, 9);
    const id = second.c.openStream(true)!;
    expect(id).toBe(0);
    second.c.writeStream(id, payload, true);
    second.after(second.client);
    await second.handshake();
    expect(second.c.tlsSession.resumed).toBe(true);
    expect(second.client.events).toContainEqual({ type: 'early-data', accepted: true });
    let got = new Uint8Array(0);
    await second.run(() => {
      const r = second.s.readStream(id);
      if (r instanceof Uint8Array) got = Buffer.concat([got, r]);
      return r === null;
    }, 2000);
    expect(sha256(got)).toBe(sha256(payload));
  });

  it('resumption with 0-RTT rejected by the server: the data still arrives (resent in 1-RTT)', async () => {
    const first = await SimPair.create(tls, {
      serverOverrides: { serverTls: { alpnProtocols: ['test'], enableEarlyData: true } },
    });
    await first.handshake();
    await first.run(() => first.client.events.some((e) => e.type === 'session-ticket'), 2000);
    const ticket = (first.client.events.find((e) => e.type === 'session-ticket') as { ticket: QuicTlsSessionTicket })
      .ticket;
    const second = await SimPair.create(tls, {
      clientOverrides: {
        clientTls: { alpnProtocols: ['test'], serverName: 'localhost', resumeSession: ticket, enableEarlyData: true },
      },
      serverOverrides: { serverTls: { alpnProtocols: ['test'], enableEarlyData: false } },
    });
    const payload = payloadOf(3000, 10);
    const id = second.c.openStream(true)!;
    second.c.writeStream(id, payload, true);
    second.after(second.client);
    await second.handshake();
    expect(second.client.events).toContainEqual({ type: 'early-data', accepted: false });
    let got = new Uint8Array(0);
    await second.run(() => {
      if (!second.server.events.some((e) => e.type === 'stream-opened')) return false;
      const r = second.s.readStream(id);
      if (r instanceof Uint8Array) got = Buffer.concat([got, r]);
      return r === null;
    }, 5000);
    expect(sha256(got)).toBe(sha256(payload));
  });
});

describe('versions', () => {
  it('QUIC v2 end to end (RFC 9369)', async () => {
    const sim = await SimPair.create(tls, { version: QUIC_VERSION_2 });
    await sim.handshake();
    expect(sim.c.version).toBe(QUIC_VERSION_2);
    const r = await sim.transfer(payloadOf(100_000));
    expect(r.sha256).toBe(sha256(payloadOf(100_000)));
  });

  it('compatible version negotiation v1 → v2 (RFC 9368 §2.3): the server prefers v2 and the client follows', async () => {
    const versions: number[] = [];
    const sim = await SimPair.create(tls, { serverOverrides: { preferredVersions: [QUIC_VERSION_2] } });
    sim.network.trace$.subscribe(() => undefined);
    sim.client.socket.datagrams$.subscribe((d) => {
      if ((d.data[0] & 0x80) !== 0) versions.push(new DataView(d.data.buffer, d.data.byteOffset).getUint32(1));
    });
    await sim.handshake();
    expect(sim.c.version).toBe(QUIC_VERSION_2);
    expect(sim.s.version).toBe(QUIC_VERSION_2);
    // Every long header the server sent was already v2.
    expect(versions.length).toBeGreaterThan(0);
    expect(versions.every((v) => v === QUIC_VERSION_2)).toBe(true);
    expect(sim.s.peerTransportParameters?.versionInformation?.chosenVersion).toBe(QUIC_VERSION_1);
    expect(sim.c.peerTransportParameters?.versionInformation?.chosenVersion).toBe(QUIC_VERSION_2);
    const r = await sim.transfer(payloadOf(200_000));
    expect(r.sha256).toBe(sha256(payloadOf(200_000)));
  });

  it('no version switch when the server has no preference', async () => {
    const sim = await SimPair.create(tls);
    await sim.handshake();
    expect(sim.s.version).toBe(QUIC_VERSION_1);
  });
});

describe('path MTU discovery (RFC 9000 §14.3)', () => {
  it('grows datagrams to the ceiling on a clean path', async () => {
    const sim = await SimPair.create(tls);
    await sim.handshake();
    const r = await sim.transfer(payloadOf(300_000));
    expect(r.sha256).toBe(sha256(payloadOf(300_000)));
    expect((sim.c as unknown as { pmtud: { current: number } }).pmtud.current).toBe(1452);
    expect((sim.s as unknown as { pmtud: { current: number } }).pmtud.current).toBe(1452);
  });

  it('finds a smaller path MTU, and probe loss is not treated as congestion', async () => {
    const sim = await SimPair.create(tls, { link: { mtu: 1350 } });
    await sim.handshake();
    const cwndBefore = sim.s.congestionWindowBytes;
    const r = await sim.transfer(payloadOf(500_000));
    expect(r.sha256).toBe(sha256(payloadOf(500_000)));
    // The search goes on while the connection idles (lost probes need a loss timer to be declared lost).
    await sim.run(() => false, 3000);
    const size = (sim.c as unknown as { pmtud: { current: number } }).pmtud.current;
    expect(size).toBeLessThanOrEqual(1350);
    expect(size).toBeGreaterThan(1350 - 16);
    // The lost probes did not cut the window (no other loss happened on this link).
    expect(sim.c.stats.packetsLost).toBeGreaterThan(0);
    expect(sim.c.congestionWindowBytes).toBeGreaterThanOrEqual(cwndBefore);
  });
});

describe('connection features', () => {
  it('key updates initiated by each side mid-transfer (RFC 9001 §6)', async () => {
    const sim = await SimPair.create(tls, { seed: 11 });
    await sim.handshake();
    await sim.run(() => sim.client.events.some((e) => e.type === 'handshake-confirmed'), 1000);
    const payload = payloadOf(2 * 1024 * 1024, 11);
    const t = sim.transfer(payload);
    let clientUpdated = false;
    let serverUpdated = false;
    await sim.run(() => {
      const now = sim.clock.now();
      if (!clientUpdated && sim.s.stats.bytesReceived > 300_000) {
        clientUpdated = sim.c.initiateKeyUpdate(now);
        sim.after(sim.client);
      } else if (clientUpdated && !serverUpdated && sim.s.stats.bytesReceived > 1_200_000) {
        serverUpdated = sim.s.initiateKeyUpdate(now);
        sim.after(sim.server);
      }
      return serverUpdated;
    }, 60_000);
    const r = await t;
    expect(r.sha256).toBe(sha256(payload));
    expect(
      sim.client.events.filter((e) => e.type === 'key-update').map((e) => (e as { initiator: string }).initiator),
    ).toEqual(['local', 'remote']);
    expect(
      sim.server.events.filter((e) => e.type === 'key-update').map((e) => (e as { initiator: string }).initiator),
    ).toEqual(['remote', 'local']);
  });

  it('NAT rebinding: the client port changes mid-transfer and the server follows (RFC 9000 §9.3)', async () => {
    const sim = await SimPair.create(tls, { seed: 12 });
    await sim.handshake();
    await sim.run(() => sim.client.events.some((e) => e.type === 'handshake-confirmed'), 1000);
    const payload = payloadOf(1024 * 1024, 12);
    const t = sim.transfer(payload);
    let rebound = false;
    await sim.run(() => {
      if (!rebound && sim.s.stats.bytesReceived > 200_000) {
        sim.client.socket.rebind({ port: 40_000 });
        rebound = true;
      }
      return rebound;
    }, 30_000);
    const r = await t;
    expect(r.sha256).toBe(sha256(payload));
    expect(sim.s.remoteAddress.port).toBe(40_000);
    expect(sim.server.events.some((e) => e.type === 'path-migrated' && e.validated)).toBe(true);
  });

  it('client migration to a new local port with a fresh connection ID (RFC 9000 §9.2, §9.5)', async () => {
    const sim = await SimPair.create(tls, { seed: 13 });
    await sim.handshake();
    await sim.run(() => sim.client.events.some((e) => e.type === 'handshake-confirmed'), 1000);
    await sim.run(() => false, 200); // NEW_CONNECTION_ID frames arrive
    const oldDcid = Buffer.from(
      (sim.c as unknown as { peerCids: { currentCid: Uint8Array } }).peerCids.currentCid,
    ).toString('hex');
    const payload = payloadOf(512 * 1024, 13);
    const t = sim.transfer(payload);
    let migrated = false;
    await sim.run(() => {
      if (!migrated && sim.s.stats.bytesReceived > 100_000) {
        sim.client.socket.rebind({ port: 41_000 });
        migrated = sim.c.migrate(sim.clock.now());
        sim.after(sim.client);
      }
      return migrated;
    }, 30_000);
    const r = await t;
    expect(r.sha256).toBe(sha256(payload));
    const newDcid = Buffer.from(
      (sim.c as unknown as { peerCids: { currentCid: Uint8Array } }).peerCids.currentCid,
    ).toString('hex');
    expect(newDcid).not.toBe(oldDcid);
    expect(sim.s.remoteAddress.port).toBe(41_000);
  });

  it('idle timeout closes both sides silently (RFC 9000 §10.1)', async () => {
    const sim = await SimPair.create(tls, { client: { maxIdleTimeoutMs: 1000 }, server: { maxIdleTimeoutMs: 2000 } });
    await sim.handshake();
    await sim.run(() => sim.c.connectionState === 'closed' && sim.s.connectionState === 'closed', 10_000);
    expect(sim.c.closeReason?.initiator).toBe('idle-timeout');
    expect(sim.s.closeReason?.initiator).toBe('idle-timeout');
  });

  it('detects a stateless reset (RFC 9000 §10.3.1)', async () => {
    const sim = await SimPair.create(tls);
    await sim.handshake();
    await sim.run(() => sim.client.events.some((e) => e.type === 'handshake-confirmed'), 1000);
    // The server "loses its state": it answers the client with a stateless reset for the CID the client uses.
    const serverConn = sim.s as unknown as {
      localCids: { entries(): Iterable<{ cid: Uint8Array; resetToken?: Uint8Array }> };
    };
    const clientDcid = (sim.c as unknown as { peerCids: { currentCid: Uint8Array } }).peerCids.currentCid;
    const entry = [...serverConn.localCids.entries()].find((e) => Buffer.compare(e.cid, clientDcid) === 0)!;
    expect(entry.resetToken).toBeDefined();
    sim.server.conn = undefined;
    const reset = new Uint8Array(40);
    const w = new ByteWriter(reset);
    writeStatelessReset(w, tls.provider.randomBytes(24), entry.resetToken!);
    sim.server.socket.send(reset.subarray(0, w.pos), { address: CLIENT_HOST, port: 50_000, family: 'IPv4' });
    await sim.run(() => sim.c.connectionState === 'closed', 5000);
    expect(sim.c.closeReason?.initiator).toBe('stateless-reset');
  });

  it('1000 concurrent bidirectional streams', async () => {
    const sim = await SimPair.create(tls, { server: { initialMaxStreamsBidi: 1000 } });
    await sim.handshake();
    const ids: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = sim.c.openStream(true);
      expect(id).toBeDefined();
      sim.c.writeStream(id!, payloadOf(1000, i + 1), true);
      ids.push(id!);
    }
    sim.after(sim.client);
    const done = new Set<number>();
    const bytes = new Map<number, number>();
    await sim.run(() => {
      for (const e of sim.server.events.splice(0)) {
        if (e.type !== 'stream-readable') continue;
        for (;;) {
          const r = sim.s.readStream(e.streamId);
          if (r === undefined) break;
          if (r === null) {
            done.add(e.streamId);
            break;
          }
          bytes.set(e.streamId, (bytes.get(e.streamId) ?? 0) + r.length);
        }
      }
      sim.after(sim.server);
      return done.size === 1000;
    }, 60_000);
    expect(done.size).toBe(1000);
    expect([...bytes.values()].every((n) => n === 1000)).toBe(true);
  });

  it('flow-control stalls are resolved by MAX_DATA / MAX_STREAM_DATA (tiny windows)', async () => {
    const small = {
      initialMaxData: 16_384,
      initialMaxStreamData: 8192,
      maxStreamWindowBytes: 8192,
      maxConnectionWindowBytes: 16_384,
    };
    const sim = await SimPair.create(tls, { server: small, client: small });
    await sim.handshake();
    const payload = payloadOf(512 * 1024, 14);
    const r = await sim.transfer(payload);
    expect(r.sha256).toBe(sha256(payload));
  });

  it('amplification: an unvalidated server never sends more than 3x what it received (every datagram)', async () => {
    let outBytes = 0;
    let checked = 0;
    const sim = await SimPair.create(tls, {
      seed: 15,
      server: { handshakeTimeoutMs: 30_000 },
      onSend: (side, bytes, conn) => {
        if (side !== 'server' || (conn as unknown as { path: { validated: boolean } }).path.validated) return;
        outBytes += bytes;
        checked++;
        // Everything the server socket received so far (the connection counts each datagram before processing it).
        expect(outBytes).toBeLessThanOrEqual(3 * conn.stats.bytesReceived);
      },
    });
    // After the client's first datagram (already on its way), nothing from the client reaches the server for 8 s:
    // the server keeps probing (PTO) on what it received, and must stop at three times that.
    sim.network.setLink(CLIENT_HOST, SERVER_HOST, { blackholes: [{ startMs: 1, endMs: 8000 }] });
    await sim.handshake(20_000);
    expect(checked).toBeGreaterThan(1);
    // Its probes ran into the limit: exactly 3 × the 1200 bytes received before validation.
    expect(outBytes).toBe(3 * 1200);
  });
});
