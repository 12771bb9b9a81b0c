// Runs a client and a server H3Connection over a FakePair until both are idle, collecting their events.

import { H3Connection as H3, type H3Connection, type H3ConnectionOptions, type H3Event } from '../../src/index.js';
import { FakePair, type FakePairOptions } from './fake-transport.js';

export type ConnOptions = Partial<Omit<H3ConnectionOptions, 'transport'>>;

export interface H3Harness {
  readonly pair: FakePair;
  readonly client: H3Connection;
  readonly server: H3Connection;
  readonly clientEvents: H3Event[];
  readonly serverEvents: H3Event[];
  /** Called for each server event as it is polled (implement the server application here). */
  onServerEvent: ((e: H3Event) => void) | undefined;
  /** Called for each client event as it is polled. */
  onClientEvent: ((e: H3Event) => void) | undefined;
  /** Delivers everything and polls events until nothing moves. */
  run(): void;
}

export function createHarness(
  options: { client?: ConnOptions; server?: ConnOptions; pair?: FakePairOptions; start?: boolean } = {},
): H3Harness {
  const pair = new FakePair(options.pair);
  const random = pair.random;
  const client = new H3({ grease: true, random, ...options.client, transport: pair.client });
  const server = new H3({ grease: true, random, ...options.server, transport: pair.server });
  pair.attach(client, server);
  const h: H3Harness = {
    pair,
    client,
    server,
    clientEvents: [],
    serverEvents: [],
    onServerEvent: undefined,
    onClientEvent: undefined,
    run() {
      for (let round = 0; round < 100_000; round++) {
        pair.run();
        let moved = false;
        for (let e = server.pollEvent(); e !== undefined; e = server.pollEvent()) {
          moved = true;
          h.serverEvents.push(e);
          h.onServerEvent?.(e);
        }
        for (let e = client.pollEvent(); e !== undefined; e = client.pollEvent()) {
          moved = true;
          h.clientEvents.push(e);
          h.onClientEvent?.(e);
        }
        if (!moved && !pair.step()) return;
      }
      throw new Error('harness: no quiescence');
    },
  };
  if (options.start ?? true) {
    client.start();
    server.start();
  }
  return h;
}

/** A GET request header section. */
export function get(path = '/', authority = 'example.com', extra: [string, string][] = []): [string, string][] {
  return [[':method', 'GET'], [':scheme', 'https'], [':authority', authority], [':path', path], ...extra];
}

/** Concatenates the 'data' events of `streamId` (optionally only of a push). */
export function bodyOf(events: readonly H3Event[], streamId: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of events) if (e.type === 'data' && e.streamId === streamId) parts.push(e.data);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function ofType<T extends H3Event['type']>(
  events: readonly H3Event[],
  type: T,
): Extract<H3Event, { type: T }>[] {
  return events.filter((e): e is Extract<H3Event, { type: T }> => e.type === type);
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);
