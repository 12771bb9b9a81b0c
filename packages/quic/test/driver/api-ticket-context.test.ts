// A client application's context stored with its session tickets (QuicConnection.setTicketContext, connect option
// awaitTicketContext) and read back on resumption (resumedTicketContext) — what an HTTP/3 client needs to remember the
// server's SETTINGS for 0-RTT (RFC 9114 §7.2.4.2) — on a MemoryNetwork in virtual time.
import { type DependencyContainer, QuicTlsSessionCache, type QuicTlsSessionTicket } from '@fos/core';
import { registerCrypto } from '@fos/crypto';
import { describe, expect, it } from 'vitest';
import { QuicUsageError } from '../../src/api/errors.js';
import type { QuicConnectOptions } from '../../src/api/options.js';
import type { QuicConnection } from '../../src/api/quic-connection.js';
import { createQuicEndpoint, type QuicEndpoint } from '../../src/api/quic-endpoint.js';
import { decodeClientTicketData, encodeClientTicketData } from '../../src/api/ticket-context.js';
import { decodeTransportParameters } from '../../src/wire/transport-parameters-codec.js';
import { CLIENT_HOST, echo, readAll, SERVER_HOST, str, text, World } from './support/world.js';

const TARGET = { address: SERVER_HOST, port: 443, alpn: 'echo', serverName: 'localhost' } as const;

/** A session cache that shows what the endpoint stores (and hands out the freshest ticket, like the real ones). */
class RecordingCache implements QuicTlsSessionCache {
  readonly tickets: QuicTlsSessionTicket[] = [];

  store(ticket: QuicTlsSessionTicket): void {
    this.tickets.push(ticket);
  }

  take(serverName: string, alpnProtocol: string): QuicTlsSessionTicket | undefined {
    for (let i = this.tickets.length - 1; i >= 0; i--) {
      const t = this.tickets[i];
      if (t.serverName === serverName && t.alpnProtocol === alpnProtocol) return this.tickets.splice(i, 1)[0];
    }
    return undefined;
  }

  contexts(): (string | undefined)[] {
    return this.tickets.map((t) => {
      const c = decodeClientTicketData(t.applicationData).context;
      return c === undefined ? undefined : str(c);
    });
  }
}

interface Setup {
  readonly world: World;
  readonly server: QuicEndpoint;
  readonly client: QuicEndpoint;
  readonly cache: RecordingCache;
  readonly serverContainer: DependencyContainer;
}

/** An echo server accepting 0-RTT (`ticketsPerConnection` tickets per handshake) and a client with a RecordingCache. */
async function setup(ticketsPerConnection = 1): Promise<Setup> {
  const world = await World.create();
  const serverContainer = world.container(SERVER_HOST, 'server');
  registerCrypto(serverContainer, {
    tls: {
      certificates: [{ chain: world.cert.certPem, key: world.cert.keyPem }],
      tickets: { ticketsPerConnection },
    },
  });
  const server = await createQuicEndpoint(serverContainer, {
    bind: { port: 443 },
    server: { alpn: 'echo', enableEarlyData: true },
  });
  echo(server);
  const clientContainer = world.container(CLIENT_HOST, 'client');
  const cache = new RecordingCache();
  clientContainer.register(QuicTlsSessionCache, { useValue: cache });
  const client = await createQuicEndpoint(clientContainer);
  return { world, server, client, cache, serverContainer };
}

async function connect(s: Setup, options: Partial<QuicConnectOptions> = {}): Promise<QuicConnection> {
  return s.world.drive(s.client.connect({ ...TARGET, ...options }));
}

/** Lets the server's NewSessionTicket(s) arrive (sent when its handshake completes, one round trip later). */
const ticketsArrive = (s: Setup) => s.world.until(() => false, 300);

/** Resumes with 0-RTT and echoes `payload` on a stream opened at once; returns the connection. */
async function echoEarly(s: Setup, payload: string): Promise<QuicConnection> {
  const conn = await s.client.connect({ ...TARGET, earlyData: true });
  expect(conn.state).toBe('handshaking');
  const stream = await conn.openBidirectionalStream();
  await stream.end(text(payload));
  expect(str(await s.world.drive(readAll(stream)))).toBe(payload);
  return conn;
}

const closeAll = (s: Setup) => s.world.drive(Promise.all([s.client.close(), s.server.close()]));

describe('QuicConnection.setTicketContext / resumedTicketContext', () => {
  it('tickets that arrive before the context are held, then stored with it; resumption reads it back', async () => {
    const s = await setup();
    const first = await connect(s, { awaitTicketContext: true });
    await ticketsArrive(s);
    expect(s.cache.tickets).toEqual([]); // held: the context is not known yet
    first.setTicketContext(text('settings v1'));
    expect(s.cache.contexts()).toEqual(['settings v1']);
    // The server's transport parameters are still there for 0-RTT (RFC 9000 §7.4.1).
    const params = decodeClientTicketData(s.cache.tickets[0].applicationData).transportParameters!;
    expect(decodeTransportParameters(params, 'server').initialMaxData).toBeGreaterThan(0);
    await s.world.drive(first.close());

    const conn = await echoEarly(s, 'early data');
    expect(conn.resumed).toBe(true);
    expect(conn.earlyData).toBe(true); // the remembered parameters gave 0-RTT its stream credit
    expect(str(conn.resumedTicketContext!)).toBe('settings v1');
    await closeAll(s);
  });

  it('the context is available from connect on, before the server answered (0-RTT is prepared with it)', async () => {
    const s = await setup();
    const first = await connect(s, { awaitTicketContext: true });
    first.setTicketContext(text('ctx'));
    await ticketsArrive(s);
    await s.world.drive(first.close());
    const conn = await s.client.connect({ ...TARGET, earlyData: true });
    expect(conn.state).toBe('handshaking');
    expect(str(conn.resumedTicketContext!)).toBe('ctx');
    await s.world.until(() => conn.handshakeComplete, 1000);
    expect(str(conn.resumedTicketContext!)).toBe('ctx');
    await closeAll(s);
  });

  it('a context set before the ticket arrives is stored with it at once (with or without awaitTicketContext)', async () => {
    for (const awaitTicketContext of [true, false]) {
      const s = await setup();
      const conn = await connect(s, { awaitTicketContext });
      const context = text('early context');
      conn.setTicketContext(context);
      context.fill(0); // copied: later changes to the caller's buffer do not matter
      await ticketsArrive(s);
      expect(s.cache.contexts()).toEqual(['early context']);
      conn.setTicketContext(text('replaced')); // applies to later tickets only
      expect(s.cache.contexts()).toEqual(['early context']);
      await closeAll(s);
    }
  });

  it('a connection that closes before its context is known stores its held tickets without one', async () => {
    const s = await setup();
    const first = await connect(s, { awaitTicketContext: true });
    await ticketsArrive(s);
    expect(s.cache.tickets).toEqual([]);
    await s.world.drive(first.close());
    expect(s.cache.contexts()).toEqual([undefined]);
    // Stored in the parameters-only layout: the session resumes and 0-RTT works, without a context.
    const conn = await echoEarly(s, 'no context');
    expect(conn.resumed).toBe(true);
    expect(conn.earlyData).toBe(true);
    expect(conn.resumedTicketContext).toBeUndefined();
    await closeAll(s);
  });

  it('held tickets are bounded: past four, the oldest is stored without the context', async () => {
    const s = await setup(6);
    const conn = await connect(s, { awaitTicketContext: true });
    await ticketsArrive(s);
    expect(s.cache.contexts()).toEqual([undefined, undefined]);
    conn.setTicketContext(text('c'));
    expect(s.cache.contexts()).toEqual([undefined, undefined, 'c', 'c', 'c', 'c']);
    await closeAll(s);
  });

  it('without awaitTicketContext and no context, tickets are stored as they arrive (parameters only)', async () => {
    const s = await setup();
    const conn = await connect(s);
    await ticketsArrive(s);
    expect(s.cache.contexts()).toEqual([undefined]);
    const data = s.cache.tickets[0].applicationData!;
    expect(decodeClientTicketData(data).transportParameters).toBe(data);
    void conn;
    await closeAll(s);
  });

  it('a full handshake (the server cannot open the ticket) clears the context once the ServerHello arrived', async () => {
    const s = await setup();
    const first = await connect(s, { awaitTicketContext: true });
    first.setTicketContext(text('old session'));
    await ticketsArrive(s);
    await s.world.drive(first.close());
    // A restarted server: new ticket keys.
    await s.server.close();
    registerCrypto(s.serverContainer, {
      tls: { certificates: [{ chain: s.world.cert.certPem, key: s.world.cert.keyPem }] },
    });
    const server2 = await createQuicEndpoint(s.serverContainer, {
      bind: { port: 443 },
      server: { alpn: 'echo', enableEarlyData: true },
    });
    echo(server2);
    const conn = await s.client.connect({ ...TARGET, earlyData: true });
    expect(str(conn.resumedTicketContext!)).toBe('old session'); // offered, no answer yet
    await s.world.until(() => conn.handshakeComplete, 1000);
    expect(conn.resumed).toBe(false);
    expect(conn.earlyData).toBe(false);
    expect(conn.resumedTicketContext).toBeUndefined();
    await s.world.drive(Promise.all([s.client.close(), server2.close()]));
  });

  it('tickets stored in the earlier layout, or with unreadable data, still resume (no context)', async () => {
    const s = await setup();
    const first = await connect(s, { awaitTicketContext: true });
    first.setTicketContext(text('ctx'));
    await ticketsArrive(s);
    await s.world.drive(first.close());
    const [ticket] = s.cache.tickets.splice(0);
    const params = decodeClientTicketData(ticket.applicationData).transportParameters!;
    const variants: [string, Uint8Array | undefined, boolean][] = [
      ['parameters only (earlier layout)', params, true],
      ['marked, context length past the end', Uint8Array.of(0x01, 0x00, 0x40, 0xff, 0xaa), false],
      ['marked, nothing after the mark', Uint8Array.of(0x01, 0x00), false],
      ['garbage that is not transport parameters', Uint8Array.of(0xff, 0x00, 0x01), false],
      ['no applicationData', undefined, false],
    ];
    for (const [label, applicationData, earlyCredit] of variants) {
      s.cache.store({ ...ticket, applicationData });
      const conn = await s.client.connect({ ...TARGET, earlyData: true });
      expect(conn.resumedTicketContext, label).toBeUndefined();
      const stream = await s.world.drive(conn.openBidirectionalStream());
      // Without remembered parameters 0-RTT has no stream credit: the stream waits for the handshake.
      expect(conn.handshakeComplete, label).toBe(!earlyCredit);
      await stream.end(text(label));
      expect(str(await s.world.drive(readAll(stream))), label).toBe(label);
      expect(conn.resumed, label).toBe(true);
      await s.world.drive(conn.close());
      s.cache.tickets.length = 0; // the tickets this connection received
    }
    await closeAll(s);
  });

  it('a marked ticket stored by hand carries its context through to the resumed connection', async () => {
    const s = await setup();
    const first = await connect(s);
    await ticketsArrive(s);
    await s.world.drive(first.close());
    const [ticket] = s.cache.tickets.splice(0);
    s.cache.store({ ...ticket, applicationData: encodeClientTicketData(ticket.applicationData!, text('by hand')) });
    const conn = await echoEarly(s, 'x');
    expect(conn.earlyData).toBe(true);
    expect(str(conn.resumedTicketContext!)).toBe('by hand');
    await closeAll(s);
  });

  it('a server connection has no ticket context and cannot set one', async () => {
    const s = await setup();
    const accepted: QuicConnection[] = [];
    s.server.connections$.subscribe((c) => accepted.push(c));
    await connect(s);
    await s.world.until(() => accepted.length === 1, 1000);
    expect(accepted[0].resumedTicketContext).toBeUndefined();
    expect(() => accepted[0].setTicketContext(text('x'))).toThrow(QuicUsageError);
    await closeAll(s);
  });
});
