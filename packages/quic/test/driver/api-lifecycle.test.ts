import { TransportErrorCode } from '@fos/core';
import { describe, expect, it } from 'vitest';
import {
  ConnectionClosedError,
  HandshakeFailedError,
  HandshakeTimeoutError,
  StreamResetError,
  StreamStoppedError,
} from '../../src/api/errors.js';
import type { QuicServerOptions } from '../../src/api/options.js';
import type { QuicConnection } from '../../src/api/quic-connection.js';
import { createQuicEndpoint, type QuicEndpoint } from '../../src/api/quic-endpoint.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from '../../src/wire/versions.js';
import { echo, readAll, SERVER_HOST, str, text, World } from './support/world.js';

const TARGET = { address: '10.0.0.2', port: 443, alpn: 'echo', serverName: 'localhost' } as const;

async function pair(world: World, serverOptions = {}, clientOptions = {}) {
  const server = await world.server(serverOptions);
  const accepted: QuicConnection[] = [];
  server.connections$.subscribe((c) => accepted.push(c));
  const client = await world.client(clientOptions);
  const conn = await world.drive(client.connect(TARGET));
  await world.until(() => accepted.length === 1, 1000);
  return { server, client, conn, serverConn: accepted[0] };
}

describe('connection close (RFC 9000 §10.2)', () => {
  it('a client close reaches the server with its code and reason; open streams fail with ConnectionClosedError', async () => {
    const world = await World.create();
    const { server, client, conn, serverConn } = await pair(world);
    const s = await conn.openBidirectionalStream();
    await s.write(text('x'));
    const serverStream = (await world.drive(serverConn.acceptStream()))!;
    // The second read waits (and fails when the connection closes).
    const read = serverStream
      .read()
      .then(() => serverStream.read())
      .catch((e: unknown) => e);
    const states: string[] = [];
    serverConn.state$.subscribe((st) => states.push(st));
    const info = await world.drive(conn.close(42, 'client bye'));
    expect(info).toMatchObject({ initiator: 'local', isApplication: true, errorCode: 42 });
    const remote = await world.drive(serverConn.closed);
    expect(remote).toMatchObject({ initiator: 'remote', isApplication: true, errorCode: 42, reason: 'client bye' });
    const err = await world.drive(read);
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((err as ConnectionClosedError).code).toBe(42);
    expect(states).toEqual(['established', 'draining', 'closed']);
    await expect(conn.openBidirectionalStream()).rejects.toBeInstanceOf(ConnectionClosedError);
    await world.drive(Promise.all([client.close(), server.close()]));
  });

  it('a server close reaches the client', async () => {
    const world = await World.create();
    const { server, client, conn, serverConn } = await pair(world);
    const events: ConnectionEvent[] = [];
    conn.events$.subscribe((e) => events.push(e));
    void serverConn.close(0x1234, 'server going away');
    const info = await world.drive(conn.closed);
    expect(info).toMatchObject({
      initiator: 'remote',
      isApplication: true,
      errorCode: 0x1234,
      reason: 'server going away',
    });
    expect(events.at(-1)).toMatchObject({ type: 'closed' });
    expect(conn.state).toBe('closed');
    await world.drive(Promise.all([client.close(), server.close()]));
  });

  it('closing a server endpoint sends every connection a CONNECTION_CLOSE with its code', async () => {
    const world = await World.create();
    const server = await world.server();
    let accepted = 0;
    server.connections$.subscribe(() => accepted++);
    const clients = await Promise.all(Array.from({ length: 40 }, (_, i) => world.client({}, `10.0.3.${i + 1}`)));
    const conns = await world.drive(Promise.all(clients.map((c) => c.connect(TARGET))));
    // Every server handshake complete (else RFC 9000 §10.2.3 turns the code into APPLICATION_ERROR in Handshake).
    expect(await world.until(() => accepted === 40, 1000)).toBe(true);
    await server.close({ errorCode: 5, reason: 'shutdown' });
    const infos = await world.drive(Promise.all(conns.map((c) => c.closed)));
    for (const info of infos) {
      expect(info).toMatchObject({ initiator: 'remote', isApplication: true, errorCode: 5, reason: 'shutdown' });
    }
    await Promise.all(clients.map((c) => c.close()));
  });

  it('closes both sides on idle timeout', async () => {
    const world = await World.create();
    const transport = { maxIdleTimeoutMs: 1000 };
    const { server, client, conn, serverConn } = await pair(world, { transport }, { transport });
    const t0 = world.clock.now();
    const [a, b] = await world.drive(Promise.all([conn.closed, serverConn.closed]), 10_000);
    expect(a.initiator).toBe('idle-timeout');
    expect(b.initiator).toBe('idle-timeout');
    expect(world.clock.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(client.connectionCount).toBe(0);
    expect(server.connectionCount).toBe(0);
    await Promise.all([client.close(), server.close()]);
  });

  it('keep-alive PINGs keep an idle connection open', async () => {
    const world = await World.create();
    const transport = { maxIdleTimeoutMs: 1000, keepAliveIntervalMs: 300 };
    const { server, client, conn } = await pair(world, { transport }, { transport });
    await world.until(() => false, 5000);
    expect(conn.state).toBe('established');
    await world.drive(Promise.all([client.close(), server.close()]));
  });
});

describe('connect failures', () => {
  it('rejects with HandshakeFailedError carrying the TLS alert when ALPN does not match', async () => {
    const world = await World.create();
    const server = await world.server();
    const client = await world.client();
    const err = await world.drive(client.connect({ ...TARGET, alpn: 'nope' })).catch((e) => e);
    expect(err).toBeInstanceOf(HandshakeFailedError);
    expect((err as HandshakeFailedError).code).toBe(TransportErrorCode.CRYPTO_ERROR + 120);
    expect((err as HandshakeFailedError).tlsAlert).toBe(120); // no_application_protocol
    await Promise.all([client.close(), server.close()]);
  });

  it('rejects with HandshakeFailedError (certificate) when the name does not match', async () => {
    const world = await World.create();
    const server = await world.server();
    const client = await world.client();
    const err = await world.drive(client.connect({ ...TARGET, serverName: 'example.org' })).catch((e) => e);
    expect(err).toBeInstanceOf(HandshakeFailedError);
    expect((err as HandshakeFailedError).tlsAlert).toBe(42); // bad_certificate
    await Promise.all([client.close(), server.close()]);
  });

  it('rejects with VERSION_NEGOTIATION_ERROR when the server answers with Version Negotiation', async () => {
    const world = await World.create();
    const server = await world.server({ supportedVersions: [QUIC_VERSION_1] });
    const client = await world.client();
    const err = await world.drive(client.connect({ ...TARGET, version: QUIC_VERSION_2 })).catch((e) => e);
    expect(err).toBeInstanceOf(HandshakeFailedError);
    expect((err as HandshakeFailedError).code).toBe(TransportErrorCode.VERSION_NEGOTIATION_ERROR);
    expect(server.stats.versionNegotiationsSent).toBe(1);
    await Promise.all([client.close(), server.close()]);
  });

  it('rejects with HandshakeTimeoutError (noReply) when nothing answers', async () => {
    const world = await World.create();
    const client = await world.client();
    const err = await world.drive(client.connect({ ...TARGET, port: 4444, timeoutMs: 3000 }), 10_000).catch((e) => e);
    expect(err).toBeInstanceOf(HandshakeTimeoutError);
    expect((err as HandshakeTimeoutError).noReply).toBe(true);
    await client.close();
  });

  it('rejects with CONNECTION_REFUSED when the server is at its connection limit', async () => {
    const world = await World.create();
    const server = await world.server({ server: { alpn: 'echo', maxConnections: 1 } });
    const c1 = await world.client({}, '10.0.0.11');
    const c2 = await world.client({}, '10.0.0.12');
    await world.drive(c1.connect(TARGET));
    const err = await world.drive(c2.connect(TARGET)).catch((e) => e);
    expect(err).toBeInstanceOf(HandshakeFailedError);
    expect((err as HandshakeFailedError).code).toBe(TransportErrorCode.CONNECTION_REFUSED);
    await world.drive(Promise.all([c1.close(), c2.close(), server.close()]));
  });

  it('an aborted connect rejects with the signal reason', async () => {
    const world = await World.create();
    const client = await world.client();
    const ac = new AbortController();
    const p = client.connect({ ...TARGET, port: 4444, signal: ac.signal });
    world.clock.createTimer(() => ac.abort(new Error('stop'))).set(world.clock.now() + 50);
    const err = await world.drive(p, 5000).catch((e) => e);
    expect((err as Error).message).toBe('stop');
    await client.close();
  });
});

describe('streams: reset and stop-sending (RFC 9000 §3.5, §19.4, §19.5)', () => {
  it('a peer reset fails our reads with StreamResetError(code); STOP_SENDING fails writes with StreamStoppedError', async () => {
    const world = await World.create();
    const { server, client, conn, serverConn } = await pair(world);
    const s = await conn.openBidirectionalStream();
    await s.write(text('hello'));
    const peer = (await world.drive(serverConn.acceptStream()))!;
    expect(str((await world.drive(peer.read()))!)).toBe('hello');
    // The server resets its sending side: our read fails with its code.
    peer.reset(77);
    const readErr = await world.drive(s.read()).catch((e) => e);
    expect(readErr).toBeInstanceOf(StreamResetError);
    expect((readErr as StreamResetError).code).toBe(77);
    // The server stops reading: our writes fail with its code.
    peer.stopSending(88);
    await world.until(() => false, 200);
    const writeErr = await s.write(text('more')).catch((e) => e);
    expect(writeErr).toBeInstanceOf(StreamStoppedError);
    expect((writeErr as StreamStoppedError).code).toBe(88);
    await world.drive(Promise.all([client.close(), server.close()]));
  });

  it('leaving a for-await loop early abandons reading (STOP_SENDING reaches the writer)', async () => {
    const world = await World.create();
    const { server, client, conn, serverConn } = await pair(world);
    const s = await conn.openBidirectionalStream();
    const writing = (async () => {
      for (let i = 0; i < 100; i++) await s.write(new Uint8Array(10_000));
    })().catch((e) => e);
    const peer = (await world.drive(serverConn.acceptStream()))!;
    await world.drive(
      (async () => {
        for await (const _ of peer) break;
      })(),
    );
    const err = await world.drive(writing, 10_000);
    expect(err).toBeInstanceOf(StreamStoppedError);
    expect((err as StreamStoppedError).code).toBe(0);
    await world.drive(Promise.all([client.close(), server.close()]));
  });
});

describe('raw listeners', () => {
  it('setRawListener hands over the peer streams not yet taken, in order, with their data still readable', async () => {
    const world = await World.create();
    const { server, client, conn, serverConn } = await pair(world);
    const ids: number[] = [];
    for (const bidi of [true, false, true]) {
      const s = bidi ? await serverConn.openBidirectionalStream() : await serverConn.openUnidirectionalStream();
      await s.end(text(`stream ${s.id}`));
      ids.push(s.id);
    }
    // The client's events ran (its streams wait in the incomingStreams$ backlog) before any listener existed.
    await world.until(() => false, 100);
    const events: string[] = [];
    conn.setRawListener((e) => {
      if (e.type === 'stream-opened') events.push(`opened ${e.streamId} ${e.bidirectional ? 'bidi' : 'uni'}`);
      if (e.type === 'stream-readable') events.push(`readable ${e.streamId}`);
    });
    expect(events).toEqual(ids.flatMap((id) => [`opened ${id} ${(id & 2) === 0 ? 'bidi' : 'uni'}`, `readable ${id}`]));
    for (const id of ids) expect(str(conn.connection.readStream(id) ?? new Uint8Array())).toBe(`stream ${id}`);
    // Taken: nothing is left for incomingStreams$.
    const left: number[] = [];
    conn.incomingStreams$.subscribe((s) => left.push(s.id)).unsubscribe();
    expect(left).toEqual([]);
    await world.drive(Promise.all([client.close(), server.close()]));
  });
});

describe('resumption and 0-RTT (RFC 9001 §4.6)', () => {
  /** Connects once and waits for the NewSessionTicket, so that the client's next connection can resume. */
  async function takeTicket(world: World, client: QuicEndpoint): Promise<void> {
    const first = await world.drive(client.connect(TARGET));
    expect(first.resumed).toBe(false);
    await world.until(() => false, 300); // the NewSessionTicket arrives
    await world.drive(first.close());
  }

  /** Resumes offering 0-RTT, sends `payload` on a new stream at once and checks that its echo comes back. */
  async function echoEarly(world: World, client: QuicEndpoint, payload: string): Promise<QuicConnection> {
    const conn = await client.connect({ ...TARGET, earlyData: true });
    // Resolved at once: 0-RTT is ready before any packet went out.
    expect(conn.state).toBe('handshaking');
    const s = await conn.openBidirectionalStream();
    await s.end(text(payload));
    expect(str(await world.drive(readAll(s)))).toBe(payload);
    expect(conn.resumed).toBe(true);
    return conn;
  }

  /**
   * A ticket from a server with `first` options, then 0-RTT to a second server generation with `second` on the same
   * container: both share the TLS context, hence the ticket keys. Returns whether 0-RTT was accepted.
   */
  async function acrossGenerations(first: QuicServerOptions, second: QuicServerOptions): Promise<boolean | undefined> {
    const world = await World.create();
    const container = world.container(SERVER_HOST, 'server');
    const server1 = await createQuicEndpoint(container, { bind: { port: 443 }, server: first });
    echo(server1);
    const client = await world.client();
    await takeTicket(world, client);
    await server1.close();
    const server2 = await createQuicEndpoint(container, { bind: { port: 443 }, server: second });
    echo(server2);
    const conn = await echoEarly(world, client, 'early data');
    await world.drive(Promise.all([client.close(), server2.close()]));
    return conn.earlyData;
  }

  it('resumes with a stored ticket and sends 0-RTT data that the server accepts', async () => {
    const world = await World.create();
    const server = await world.server({ server: { alpn: 'echo', enableEarlyData: true } });
    echo(server);
    const client = await world.client();
    await takeTicket(world, client);
    const conn = await echoEarly(world, client, 'early data');
    expect(conn.earlyData).toBe(true);
    await world.drive(Promise.all([client.close(), server.close()]));
  });

  for (const handover of ['early', 'handshake'] as const) {
    it(`handover '${handover}': a 0-RTT request is answered ${handover === 'early' ? 'in 0.5-RTT, one round trip' : 'after the handshake, two round trips'} after it was sent`, async () => {
      const world = await World.create(); // 10 ms each way
      const server = await world.server({ server: { alpn: 'echo', enableEarlyData: true, handover } });
      const handedOver: boolean[] = [];
      server.connections$.subscribe((c) => handedOver.push(c.handshakeComplete));
      echo(server);
      const client = await world.client();
      await takeTicket(world, client);
      const t0 = world.clock.now();
      const conn = await echoEarly(world, client, 'early request');
      const elapsed = world.clock.now() - t0;
      expect(conn.earlyData).toBe(true);
      // RFC 9001 §4.1.1: the server may send 1-RTT data before the client's Finished arrived.
      if (handover === 'early') {
        expect(handedOver).toEqual([false, false]); // both came while still handshaking
        expect(elapsed).toBeGreaterThanOrEqual(20);
        expect(elapsed).toBeLessThan(30);
      } else {
        expect(handedOver).toEqual([true, true]);
        expect(elapsed).toBeGreaterThanOrEqual(40);
      }
      await world.drive(Promise.all([client.close(), server.close()]));
    });
  }

  it("0-RTT rejected (the server's limits shrank since the ticket): the data is resent in 1-RTT", async () => {
    const server = { alpn: 'echo', enableEarlyData: true } as const;
    // RFC 9001 §4.6.3 / RFC 9000 §7.4.1: smaller stream windows than remembered: 0-RTT must be rejected.
    const shrunk = { ...server, transport: { initialMaxStreamData: 64 * 1024 } };
    expect(await acrossGenerations(server, shrunk)).toBe(false);
  });

  // RFC 9114 §7.2.4.2: an application's context (HTTP/3 settings) is bound into the ticket and checked for 0-RTT.
  for (const [label, second, accepted] of [
    ['the same context: accepted', { earlyDataContext: text('settings v1') }, true],
    ['another context: rejected', { earlyDataContext: text('settings v2') }, false],
    [
      'another context the application accepts: accepted',
      {
        earlyDataContext: text('settings v2'),
        acceptEarlyDataContext: (old: Uint8Array) => str(old) === 'settings v1',
      },
      true,
    ],
  ] as const) {
    it(`0-RTT with an early-data context, ${label}`, async () => {
      const base = { alpn: 'echo', enableEarlyData: true } as const;
      expect(await acrossGenerations({ ...base, earlyDataContext: text('settings v1') }, { ...base, ...second })).toBe(
        accepted,
      );
    });
  }
});

describe('address validation through the API', () => {
  it('completes a handshake through a Retry, and the next connection uses the NEW_TOKEN token', async () => {
    const world = await World.create();
    const server = await world.server({ server: { alpn: 'echo', retry: true } });
    echo(server);
    const client = await world.client();
    const a = await world.drive(client.connect(TARGET));
    expect(server.stats.retriesSent).toBe(1);
    await world.until(() => false, 300); // NEW_TOKEN arrives
    const b = await world.drive(client.connect(TARGET));
    expect(server.stats.retriesSent).toBe(1);
    const s = await b.openBidirectionalStream();
    await s.end(text('ok'));
    expect(str(await world.drive(readAll(s)))).toBe('ok');
    void a;
    await world.drive(Promise.all([client.close(), server.close()]));
  });
});

describe('key update and migration', () => {
  it('a key update mid-transfer keeps the data intact', async () => {
    const world = await World.create();
    const server = await world.server();
    echo(server);
    const client = await world.client();
    const conn = await world.drive(client.connect(TARGET));
    const updates: ConnectionEvent[] = [];
    conn.events$.subscribe((e) => {
      if (e.type === 'key-update') updates.push(e);
    });
    await world.until(() => false, 200); // handshake confirmed
    const s = await conn.openBidirectionalStream();
    const payload = new Uint8Array(300_000).map((_, i) => i & 0xff);
    const done = readAll(s);
    await s.write(payload.subarray(0, 150_000));
    expect(conn.initiateKeyUpdate()).toBe(true);
    await s.end(payload.subarray(150_000));
    const echoed = await world.drive(done, 30_000);
    expect(Buffer.compare(Buffer.from(echoed), Buffer.from(payload))).toBe(0);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    await world.drive(Promise.all([client.close(), server.close()]));
  });

  it('a client migrates to a new local port mid-transfer; the server follows', async () => {
    const world = await World.create();
    const server = await world.server();
    echo(server);
    const serverEvents: ConnectionEvent[] = [];
    server.connections$.subscribe((c) => c.events$.subscribe((e) => serverEvents.push(e)));
    const client = await world.client();
    const conn = await world.drive(client.connect(TARGET));
    await world.until(() => false, 200);
    const s = await conn.openBidirectionalStream();
    const payload = new Uint8Array(400_000).map((_, i) => (i * 3) & 0xff);
    const done = readAll(s);
    await s.write(payload.subarray(0, 200_000));
    expect(await world.drive(conn.migrate())).toBe(true);
    await s.end(payload.subarray(200_000));
    const echoed = await world.drive(done, 30_000);
    expect(Buffer.compare(Buffer.from(echoed), Buffer.from(payload))).toBe(0);
    const migrated = serverEvents.filter((e) => e.type === 'path-migrated');
    expect(migrated.length).toBeGreaterThan(0);
    const last = migrated.at(-1);
    expect(last).toMatchObject({ validated: true });
    expect(last?.type === 'path-migrated' && last.remote.port).not.toBe(client.address.port);
    await world.drive(Promise.all([client.close(), server.close()]));
  });
});

describe('raw mode (for protocol layers such as HTTP/3)', () => {
  it('delivers every event synchronously to the raw listener and leaves the streams to the caller', async () => {
    const world = await World.create();
    const server = await world.server();
    const serverEvents: ConnectionEvent[] = [];
    let serverConn: QuicConnection | undefined;
    server.connections$.subscribe((c) => {
      serverConn = c;
      c.setRawListener((e) => {
        serverEvents.push(e);
        if (e.type === 'stream-readable') {
          // Echo straight on the sans-I/O connection, inside the listener.
          for (let chunk = c.connection.readStream(e.streamId); chunk; chunk = c.connection.readStream(e.streamId)) {
            c.connection.writeStream(e.streamId, chunk.slice());
          }
          // No wake(): output queued from inside the listener is flushed by the connection itself.
        }
      });
    });
    let wrapped = 0;
    server.connections$.subscribe((c) => c.incomingStreams$.subscribe(() => wrapped++));
    const client = await world.client();
    const conn = await world.drive(client.connect(TARGET));
    await world.until(() => serverConn !== undefined, 1000);
    const s = await conn.openBidirectionalStream();
    await world.until(() => false, 100); // quiet: nothing pending on either side
    const t0 = world.clock.now();
    await s.write(text('raw'));
    const reply = await world.drive(s.read());
    expect(str(reply!)).toBe('raw');
    // One round trip (2 × 10 ms virtual): the reply left at once, not with the next ACK timer (max_ack_delay 25 ms).
    expect(world.clock.now() - t0).toBeLessThanOrEqual(21);
    expect(serverEvents.some((e) => e.type === 'stream-opened')).toBe(true);
    expect(wrapped).toBe(0);
    await world.drive(Promise.all([client.close(), server.close()]));
  });
});
