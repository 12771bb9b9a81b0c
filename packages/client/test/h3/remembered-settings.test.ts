// RFC 9114 §7.2.4.2 / RFC 9204 §3.2.3 end to end: the client stores the server's SETTINGS with its session tickets,
// attempts 0-RTT under them (QPACK dynamic table included), drops them when 0-RTT is rejected (RFC 9001 §4.6.2), and
// holds a server that accepted 0-RTT to them. Against @fos/server and the hand-driven test server, in virtual time.
import { randomBytes } from 'node:crypto';
import { DEFAULT_SETTINGS, type H3Settings, parseSettingsPayload, settingsFromEntries } from '@fos/http3';
import type { AccessLogEntry, Http3ServerOptions } from '@fos/server';
import { describe, expect, it } from 'vitest';
import type { QuicH3Session } from '../../src/h3/quic/quic-h3-session.js';
import { type ClientResponse, MemorySessionTicketCache, type QuicH3SessionFactoryOptions } from '../../src/index.js';
import { H3World, readBody } from '../support/h3-world.js';

const H3_SETTINGS_ERROR = 0x109;
const H3_INTERNAL_ERROR = 0x102;
const QPACK_ENCODER_STREAM_ERROR = 0x201;
const QPACK_DECODER_STREAM_ERROR = 0x202;

interface Scenario {
  readonly world: H3World;
  readonly cache: MemorySessionTicketCache;
  readonly client: Awaited<ReturnType<H3World['client']>>['client'];
  readonly factory: Awaited<ReturnType<H3World['client']>>['factory'];
}

async function clientOf(world: H3World, factoryOptions: QuicH3SessionFactoryOptions = {}): Promise<Scenario> {
  const cache = new MemorySessionTicketCache();
  const { client, factory } = await world.client(
    { sessionCache: cache, pool: { idleTimeoutMs: 1_000 } },
    factoryOptions,
  );
  return { world, cache, client, factory };
}

/** One request on a fresh connection, then the ticket (and the SETTINGS) arrive and the idle connection closes. */
async function takeTicket(s: Scenario): Promise<void> {
  const res = await s.world.drive(s.client.fetch('https://localhost/one'));
  expect(res.info).toMatchObject({ resumed: false, earlyData: false });
  await readBody(s.world, res);
  await s.world.advance(2_000);
  expect(s.cache.size).toBe(1);
  expect(s.factory.sessions).toEqual([]);
}

/**
 * Starts a GET that goes out in 0-RTT and returns it with its session, caught before the server was heard from
 * (the link is 10 ms each way).
 */
async function earlyGet(
  s: Scenario,
  path: string,
): Promise<{ response: Promise<ClientResponse>; session: QuicH3Session }> {
  const response = s.client.fetch(`https://localhost${path}`);
  response.catch(() => {});
  await s.world.advance(2);
  const session = s.factory.sessions[0];
  expect(session.handshakeComplete).toBe(false);
  expect(session.canSendEarlyData).toBe(true);
  return { response, session };
}

const remembered = (session: QuicH3Session): H3Settings =>
  settingsFromEntries(parseSettingsPayload(session.quic.resumedTicketContext!));

describe('HTTP/3 client: the server SETTINGS remembered with session tickets (RFC 9114 §7.2.4.2)', () => {
  it('@fos/server: a resumed 0-RTT request uses the remembered QPACK table capacity (RFC 9204 §3.2.3), accepted', async () => {
    const world = new H3World();
    const log: AccessLogEntry[] = [];
    const server = await world.fosServer({ earlyData: true, accessLog: (e) => log.push(e) });
    const s = await clientOf(world);
    await takeTicket(s);

    const { response, session } = await earlyGet(s, '/two');
    // The ticket carries the server's SETTINGS: a 4096-byte table, 64 KiB field sections (its defaults).
    expect(remembered(session)).toMatchObject({ qpackMaxTableCapacity: 4096, maxFieldSectionSize: 65536 });
    expect(session.h3.peerSettings).toMatchObject({ qpackMaxTableCapacity: 4096, maxFieldSectionSize: 65536 });
    // Encoded with the dynamic table before any SETTINGS could arrive.
    const q = session.h3.qpackState();
    expect(q.encoderCapacity).toBe(4096);
    expect(q.encoderInsertCount).toBeGreaterThan(0);

    const res = await world.drive(response);
    expect((await readBody(world, res)).toString()).toBe('hello /two');
    expect(res.info).toMatchObject({ resumed: true, earlyData: true });
    expect(log.find((e) => e.path === '/two')).toMatchObject({ earlyData: true, status: 200 });
    expect(session.closed).toBe(false);
    await world.drive(s.client.close());
    await world.drive(server.close({ graceMs: 0 }));
  });

  it('without a ticket context (tickets stored before this change) 0-RTT starts from the defaults: no dynamic table', async () => {
    const world = new H3World();
    const server = await world.fosServer({ earlyData: true });
    const s = await clientOf(world);
    await takeTicket(s);
    // The ticket as a client that stored no context would have it: the transport parameters only.
    const ticket = s.cache.take('localhost', 'h3', world.clock.epochMs())!;
    const data = ticket.applicationData!;
    // 0x01 0x00, the context length (varint), the context, then the transport parameters.
    const n = 1 << (data[2] >> 6);
    let contextLength = data[2] & 0x3f;
    for (let i = 1; i < n; i++) contextLength = contextLength * 256 + data[2 + i];
    s.cache.store({ ...ticket, applicationData: data.subarray(2 + n + contextLength) });

    const { response, session } = await earlyGet(s, '/two');
    expect(session.quic.resumedTicketContext).toBeUndefined();
    expect(session.h3.peerSettings).toBe(DEFAULT_SETTINGS);
    expect(session.h3.qpackState()).toMatchObject({ encoderCapacity: 0, encoderInsertCount: 0 });
    const res = await world.drive(response);
    expect(res.info).toMatchObject({ resumed: true, earlyData: true });
    await world.drive(s.client.close());
    await world.drive(server.close({ graceMs: 0 }));
  });

  describe('0-RTT rejected (RFC 9001 §4.6.2): the remembered settings no longer apply', () => {
    /** A ticket from @fos/server with default settings, then a restart with the same ticket keys and `next`. */
    async function restarted(next: Partial<Http3ServerOptions>) {
      const world = new H3World();
      const tickets = { keys: [randomBytes(32)] };
      const first = await world.fosServer({ earlyData: true, tickets });
      const s = await clientOf(world);
      await takeTicket(s);
      await world.drive(first.close({ graceMs: 0 }));
      const log: AccessLogEntry[] = [];
      const server = await world.fosServer({ earlyData: true, tickets, accessLog: (e) => log.push(e), ...next });
      return { s, server, log };
    }

    it('SETTINGS smaller than remembered: defaults until they arrive, no H3_SETTINGS_ERROR, the next ticket holds the new ones', async () => {
      // A smaller field-section limit: @fos/server rejects 0-RTT under the old settings (RFC 9114 §7.2.4.2).
      const { s, server, log } = await restarted({ limits: { maxFieldSectionSize: 8192 } });
      const world = s.world;
      const { response, session } = await earlyGet(s, '/two');
      expect(session.h3.peerSettings.maxFieldSectionSize).toBe(65536); // remembered
      let atRejection: H3Settings | undefined;
      session.quic.events$.subscribe((e) => {
        if (e.type === 'early-data' && !e.accepted) atRejection = session.h3.peerSettings;
      });
      const res = await world.drive(response);
      expect((await readBody(world, res)).toString()).toBe('hello /two');
      expect(res.info).toMatchObject({ resumed: true, earlyData: false });
      expect(atRejection).toBe(DEFAULT_SETTINGS);
      expect(session.h3.peerSettings.maxFieldSectionSize).toBe(8192);
      expect(session.closed).toBe(false);
      // The resent request was answered once, in 1-RTT.
      expect(log.filter((e) => e.path === '/two')).toMatchObject([{ earlyData: false, status: 200 }]);

      // This connection's ticket carries the new SETTINGS: the next 0-RTT is accepted.
      await world.advance(2_000);
      const next = await earlyGet(s, '/three');
      expect(remembered(next.session).maxFieldSectionSize).toBe(8192);
      const again = await world.drive(next.response);
      expect(again.info).toMatchObject({ resumed: true, earlyData: true });
      await world.drive(s.client.close());
      await world.drive(server.close({ graceMs: 0 }));
    });

    it('a QPACK table that grew: the one the resent 0-RTT data set up is kept, the connection carries on', async () => {
      const { s, server } = await restarted({ http3: { qpackMaxTableCapacity: 8192 } });
      const world = s.world;
      const { response, session } = await earlyGet(s, '/two');
      expect(session.h3.qpackState().encoderCapacity).toBe(4096);
      const res = await world.drive(response);
      expect((await readBody(world, res)).toString()).toBe('hello /two');
      expect(res.info).toMatchObject({ resumed: true, earlyData: false });
      expect(session.h3.peerSettings.qpackMaxTableCapacity).toBe(8192);
      expect(session.h3.qpackState().encoderCapacity).toBe(4096);
      const more = await world.drive(s.client.fetch('https://localhost/more'));
      expect((await readBody(world, more)).toString()).toBe('hello /more');
      expect(session.closed).toBe(false);
      await world.drive(s.client.close());
      await world.drive(server.close({ graceMs: 0 }));
    });

    it('a QPACK table that shrank below the one 0-RTT used: H3_INTERNAL_ERROR (the resent data cannot fit); a new connection works', async () => {
      const { s, server } = await restarted({ http3: { qpackMaxTableCapacity: 1024 } });
      const world = s.world;
      const { response, session } = await earlyGet(s, '/two');
      await world.driveError(response);
      expect(session.quic.closeReason).toMatchObject({
        initiator: 'local',
        isApplication: true,
        errorCode: H3_INTERNAL_ERROR,
      });
      const res = await world.drive(s.client.fetch('https://localhost/again'));
      expect((await readBody(world, res)).toString()).toBe('hello /again');
      await world.drive(s.client.close());
      await world.drive(server.close({ graceMs: 0 }));
    });
  });

  describe('0-RTT accepted, then SETTINGS that take back what it relied on', () => {
    /** The hand-driven server accepts any 0-RTT its ticket allows (it binds no settings into its tickets). */
    async function acceptingServerThatChanges(h3: object, factoryOptions: QuicH3SessionFactoryOptions = {}) {
      const world = new H3World();
      const server = await world.server({ enableEarlyData: true });
      const s = await clientOf(world, factoryOptions);
      await takeTicket(s);
      server.h3Options = h3;
      const { response, session } = await earlyGet(s, '/two');
      await world.driveError(response);
      expect(session.earlyData).toBe('accepted');
      const serverSide = await world.drive(server.connections[1].quic.closed);
      await world.drive(s.client.close());
      await world.drive(server.close());
      return { client: session.quic.closeReason, server: serverSide };
    }

    it('a smaller SETTINGS_MAX_FIELD_SECTION_SIZE: the client closes with H3_SETTINGS_ERROR', async () => {
      const closed = await acceptingServerThatChanges({ maxFieldSectionSize: 1000 });
      expect(closed.client).toMatchObject({ initiator: 'local', isApplication: true, errorCode: H3_SETTINGS_ERROR });
      expect(closed.server).toMatchObject({ initiator: 'remote', errorCode: H3_SETTINGS_ERROR });
    });

    it('another QPACK table capacity: the client closes with QPACK_DECODER_STREAM_ERROR (RFC 9204 §3.2.3)', async () => {
      // This client's encoder uses no dynamic table, so its 0-RTT data itself is valid under any capacity.
      const closed = await acceptingServerThatChanges(
        { qpackMaxTableCapacity: 1024 },
        { h3: { qpackEncoderCapacityLimit: 0 } },
      );
      expect(closed.client).toMatchObject({
        initiator: 'local',
        isApplication: true,
        errorCode: QPACK_DECODER_STREAM_ERROR,
      });
      expect(closed.server).toMatchObject({ initiator: 'remote', errorCode: QPACK_DECODER_STREAM_ERROR });
    });

    it('a smaller QPACK table while 0-RTT used the remembered one: the server refuses it (QPACK_ENCODER_STREAM_ERROR)', async () => {
      const closed = await acceptingServerThatChanges({ qpackMaxTableCapacity: 1024 });
      expect(closed.server).toMatchObject({ initiator: 'local', errorCode: QPACK_ENCODER_STREAM_ERROR });
      expect(closed.client).toMatchObject({ initiator: 'remote', errorCode: QPACK_ENCODER_STREAM_ERROR });
    });
  });
});
