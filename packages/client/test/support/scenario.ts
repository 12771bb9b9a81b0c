// Scenario harness: a client wired to the fake HTTP/3 factory and the fake TCP transport on one VirtualClock, so
// races and timeouts play out in virtual time, deterministically and instantly.
import { VirtualClock } from '@fos/core';
import { type ClientOptions, type ClientResponse, createClient, type HttpClient } from '../../src/index.js';
import {
  FakeH3SessionFactory,
  type FakeH3SessionFactoryOptions,
  FakeTcpTransport,
  type FakeTcpTransportOptions,
} from '../../src/testing/index.js';
import { track } from './helpers.js';

export interface Scenario {
  readonly clock: VirtualClock;
  readonly h3: FakeH3SessionFactory;
  readonly tcp: FakeTcpTransport;
  readonly client: HttpClient;
  /** Runs the clock until `promise` settles (at most `maxMs` of virtual time) and returns its outcome. */
  settle<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
  /** `settle` for a fetch that must fail; returns the error. */
  settleError(promise: Promise<unknown>, maxMs?: number): Promise<unknown>;
  /** fetch + read the body as text, all in virtual time. */
  get(url: string, init?: Parameters<HttpClient['fetch']>[1]): Promise<{ res: ClientResponse; text: string }>;
}

export function scenario(
  o: {
    h3?: Partial<FakeH3SessionFactoryOptions>;
    tcp?: Partial<FakeTcpTransportOptions>;
    client?: ClientOptions;
    withoutH3?: boolean;
  } = {},
): Scenario {
  const clock = new VirtualClock();
  const h3 = new FakeH3SessionFactory({ clock, ...o.h3 });
  const tcp = new FakeTcpTransport({ clock, ...o.tcp });
  const client = createClient({
    clock,
    tcpTransport: tcp,
    h3SessionFactory: o.withoutH3 ? null : h3,
    ...o.client,
  });
  const settle = async <T>(promise: Promise<T>, maxMs = 600_000): Promise<T> => {
    const t = track(promise);
    await clock.runUntil(() => t.settled, maxMs);
    if (!t.settled) throw new Error(`not settled after ${maxMs} virtual ms`);
    if (t.error !== undefined) throw t.error;
    return t.value as T;
  };
  const settleError = async (promise: Promise<unknown>, maxMs?: number): Promise<unknown> => {
    try {
      await settle(promise, maxMs);
    } catch (e) {
      return e;
    }
    throw new Error('expected a failure');
  };
  return {
    clock,
    h3,
    tcp,
    client,
    settle,
    settleError,
    async get(url, init) {
      const res = await settle(client.fetch(url, init));
      const text = await settle(res.text());
      return { res, text };
    },
  };
}
