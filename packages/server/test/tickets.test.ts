// Session tickets across server generations (`tickets` option): a restarted server, or another process, resumes
// sessions and accepts 0-RTT when it shares the ticket keys (RFC 8446 §4.6.1; RFC 9001 §4.5, §4.6).

import { randomBytes } from 'node:crypto';
import { QuicTlsSessionCache, resolve } from '@fos/core';
import type { MemorySessionCache } from '@fos/crypto';
import type { QuicEndpoint } from '@fos/quic';
import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from '../src/access-log.js';
import { ServerError, ServerErrorCode } from '../src/errors.js';
import type { Http3Server } from '../src/http3-server.js';
import type { ServerTicketOptions } from '../src/options.js';
import { str } from './support/h3-client.js';
import { World } from './support/world.js';

/** A client endpoint and the session cache it stores tickets in. */
async function clientWithCache(world: World): Promise<{ endpoint: QuicEndpoint; cache: MemorySessionCache }> {
  const container = world.clientContainer();
  const endpoint = await world.clientEndpoint(container);
  return { endpoint, cache: resolve(container, QuicTlsSessionCache) as MemorySessionCache };
}

/** One server process's lifetime on 10.0.0.2:443, with 0-RTT on; its access log is collected. */
async function generation(world: World, tickets: ServerTicketOptions | undefined) {
  const log: AccessLogEntry[] = [];
  const server = await world.server({
    earlyData: true,
    tickets,
    accessLog: (e) => log.push(e),
    handler: (req, res) => void res.end(`early=${req.earlyData}`),
  });
  return { server, log };
}

/** A full visit: connect (no 0-RTT), one GET, wait for the session ticket, close. */
async function visit(world: World, endpoint: QuicEndpoint): Promise<void> {
  const client = await world.client({}, endpoint);
  expect(str((await world.drive(client.get('/first'))).body)).toBe('early=false');
  await world.run(200); // the NewSessionTicket arrives after the handshake
  client.close();
  await world.drive(client.closed);
}

async function stop(world: World, server: Http3Server): Promise<void> {
  await world.drive(server.close({ graceMs: 0 }));
}

/** Connects with 0-RTT and sends one GET right away; the response and what the connection negotiated. */
async function returnVisit(world: World, endpoint: QuicEndpoint) {
  const client = await world.client({}, endpoint, { earlyData: true });
  const sentDuringHandshake = client.quic.state === 'handshaking';
  const response = await world.drive(client.get('/again'));
  return { response, sentDuringHandshake, resumed: client.quic.resumed, earlyData: client.quic.earlyData };
}

describe('session tickets across server generations (tickets.keys)', () => {
  it('a restarted server with the same keys resumes the session and answers the 0-RTT request in early data', async () => {
    const world = await World.create();
    const { endpoint, cache } = await clientWithCache(world);
    const keys = [randomBytes(32)];
    const first = await generation(world, { keys });
    await visit(world, endpoint);
    expect(cache.size).toBe(1);
    await stop(world, first.server);

    const second = await generation(world, { keys });
    const again = await returnVisit(world, endpoint);
    expect(again.sentDuringHandshake).toBe(true); // the request left in 0-RTT packets
    expect(again.resumed).toBe(true);
    expect(again.earlyData).toBe(true);
    expect(str(again.response.body)).toBe('early=true');
    expect(second.log.map((e) => [e.path, e.earlyData])).toEqual([['/again', true]]);
    await stop(world, second.server);
    await world.closeClients();
  });

  it('rotation: a new key listed before the old one still opens the old tickets and seals new ones', async () => {
    const world = await World.create();
    const { endpoint } = await clientWithCache(world);
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const first = await generation(world, { keys: [oldKey] });
    await visit(world, endpoint);
    await stop(world, first.server);

    // the ticket sealed under oldKey resumes; the ticket this generation issues is sealed under newKey
    const second = await generation(world, { keys: [newKey, oldKey] });
    const resumed = await returnVisit(world, endpoint);
    expect([resumed.resumed, resumed.earlyData]).toEqual([true, true]);
    await world.run(200);
    await stop(world, second.server);

    // oldKey retired: the newest ticket (from the second generation) still resumes
    const third = await generation(world, { keys: [newKey] });
    const again = await returnVisit(world, endpoint);
    expect([again.resumed, again.earlyData]).toEqual([true, true]);
    expect(third.log.map((e) => e.earlyData)).toEqual([true]);
    await stop(world, third.server);
    await world.closeClients();
  });

  it.each([
    ['different keys', { keys: [randomBytes(32)] }],
    ['per-process keys (no tickets option)', undefined],
  ])(
    'with %s the next generation cannot open the ticket: a full handshake, the request still answered',
    async (_, tickets) => {
      const world = await World.create();
      const { endpoint, cache } = await clientWithCache(world);
      const first = await generation(world, { keys: [randomBytes(32)] });
      await visit(world, endpoint);
      expect(cache.size).toBe(1);
      await stop(world, first.server);

      const second = await generation(world, tickets);
      const again = await returnVisit(world, endpoint);
      expect(again.resumed).toBe(false);
      expect(again.earlyData).toBe(false); // offered with the ticket, rejected (RFC 9001 §4.6.2)
      expect(again.response.status).toBe(200);
      expect(str(again.response.body)).toBe('early=false');
      expect(second.log.map((e) => [e.path, e.earlyData])).toEqual([['/again', false]]);
      await stop(world, second.server);
      await world.closeClients();
    },
  );

  it('ticketsPerConnection: 0 sends no ticket: the next connection is a full handshake', async () => {
    const world = await World.create();
    const { endpoint, cache } = await clientWithCache(world);
    const { server } = await generation(world, { keys: [randomBytes(32)], ticketsPerConnection: 0 });
    await visit(world, endpoint);
    expect(cache.size).toBe(0);
    const again = await returnVisit(world, endpoint);
    expect(again.resumed).toBe(false);
    expect(again.earlyData).toBeUndefined(); // nothing to resume with: no 0-RTT attempted
    expect(str(again.response.body)).toBe('early=false');
    await stop(world, server);
    await world.closeClients();
  });

  it('ticketsPerConnection: 2 gives the client two tickets', async () => {
    const world = await World.create();
    const { endpoint, cache } = await clientWithCache(world);
    const { server } = await generation(world, { ticketsPerConnection: 2 });
    await visit(world, endpoint);
    expect(cache.size).toBe(2);
    await stop(world, server);
    await world.closeClients();
  });

  it('a 31-byte key is refused by registerServer with ServerError INVALID_OPTION', async () => {
    const world = await World.create();
    let error: unknown;
    try {
      world.serverContainer({ handler: () => undefined, tickets: { keys: [randomBytes(32), randomBytes(31)] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe(ServerErrorCode.INVALID_OPTION);
  });
});
