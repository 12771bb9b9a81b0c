import { VirtualClock } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { ClientClosedError } from '../errors.js';
import { ConnectionPool, type PooledConnection, type PoolLease } from './connection-pool.js';

/** A connection whose stream credit the test controls, like a peer's MAX_STREAMS. */
class FakeConn implements PooledConnection {
  isDraining = false;
  isClosed = false;
  closeCalls = 0;
  private listener: (() => void) | undefined;

  constructor(
    readonly id: number,
    public credit: number,
  ) {}

  availableStreams(): number {
    return this.isClosed || this.isDraining ? 0 : this.credit;
  }

  setChangeListener(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  close(): void {
    this.closeCalls++;
    this.isClosed = true;
  }

  /** The peer raises MAX_STREAMS. */
  grant(n: number): void {
    this.credit += n;
    this.listener?.();
  }

  goaway(): void {
    this.isDraining = true;
    this.listener?.();
  }

  die(): void {
    this.isClosed = true;
    this.listener?.();
  }
}

function setup(credit = 100, idleTimeoutMs = 1000) {
  const clock = new VirtualClock();
  const pool = new ConnectionPool<FakeConn>({ clock, idleTimeoutMs });
  const conns: FakeConn[] = [];
  let failNext: unknown;
  const open = async (): Promise<FakeConn> => {
    if (failNext !== undefined) {
      const e = failNext;
      failNext = undefined;
      throw e;
    }
    const c = new FakeConn(conns.length, credit);
    conns.push(c);
    return c;
  };
  /** Opens the stream for a granted lease as a session would (its own credit drops). */
  const use = (lease: PoolLease<FakeConn>): PoolLease<FakeConn> => {
    lease.connection.credit--;
    lease.opened();
    return lease;
  };
  return {
    clock,
    pool,
    conns,
    open,
    use,
    failWith(e: unknown) {
      failNext = e;
    },
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ConnectionPool', () => {
  it('shares one connection attempt between concurrent requests and reuses the connection', async () => {
    const t = setup();
    const [a, b] = await Promise.all([t.pool.acquire('k', t.open), t.pool.acquire('k', t.open)]);
    expect(t.conns).toHaveLength(1);
    expect(a.connection).toBe(b.connection);
    expect([a.reused, b.reused]).toEqual([false, true]);
    a.release();
    b.release();
    const c = await t.pool.acquire('k', t.open);
    expect(c.reused).toBe(true);
    expect(t.conns).toHaveLength(1);
  });

  it('queues requests beyond the stream credit and grants them in FIFO order as credit returns', async () => {
    const t = setup(2);
    const order: number[] = [];
    const leases: PoolLease<FakeConn>[] = [];
    const pending = [0, 1, 2, 3, 4].map((i) =>
      t.pool.acquire('k', t.open).then((l) => {
        order.push(i);
        leases.push(t.use(l));
      }),
    );
    await flush();
    expect(order).toEqual([0, 1]);
    expect(t.pool.stats('k')).toMatchObject({ connections: 1, active: 2, queued: 3 });
    // Finishing a stream does not free a slot by itself: the peer's MAX_STREAMS does (RFC 9000 §4.6).
    leases[0].release();
    await flush();
    expect(order).toEqual([0, 1]);
    t.conns[0].grant(2);
    await flush();
    expect(order).toEqual([0, 1, 2, 3]);
    t.conns[0].grant(1);
    await Promise.all(pending);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(t.conns).toHaveLength(1);
  });

  it('a granted but unused slot returns to the queue when released', async () => {
    const t = setup(1);
    const first = await t.pool.acquire('k', t.open);
    let second: PoolLease<FakeConn> | undefined;
    void t.pool.acquire('k', t.open).then((l) => {
      second = l;
    });
    await flush();
    expect(second).toBeUndefined();
    first.release(); // never opened its stream
    await flush();
    expect(second).toBeDefined();
  });

  it('GOAWAY: new requests get a fresh connection; the old one closes after its last request', async () => {
    const t = setup();
    const a = t.use(await t.pool.acquire('k', t.open));
    t.conns[0].goaway();
    expect(t.pool.find('k')).toBeUndefined();
    const b = t.use(await t.pool.acquire('k', t.open));
    expect(b.connection).toBe(t.conns[1]);
    expect(b.reused).toBe(false);
    expect(t.conns[0].closeCalls).toBe(0);
    expect(t.pool.stats('k').connections).toBe(2);
    a.release();
    expect(t.conns[0].closeCalls).toBe(1);
    expect(t.pool.stats('k').connections).toBe(1);
    b.release();
  });

  it('a connection that dies under queued requests is replaced', async () => {
    const t = setup(1);
    t.use(await t.pool.acquire('k', t.open));
    const queued = t.pool.acquire('k', t.open);
    await flush();
    t.conns[0].die();
    const lease = await queued;
    expect(lease.connection).toBe(t.conns[1]);
  });

  it('a failed attempt rejects everyone waiting for it; the next request tries again', async () => {
    const t = setup();
    const boom = new Error('connect failed');
    t.failWith(boom);
    const results = await Promise.allSettled([t.pool.acquire('k', t.open), t.pool.acquire('k', t.open)]);
    expect(results.map((r) => (r.status === 'rejected' ? r.reason : r.value))).toEqual([boom, boom]);
    expect(t.pool.keys()).toEqual([]);
    await expect(t.pool.acquire('k', t.open)).resolves.toBeDefined();
  });

  it('closes a connection idle for idleTimeoutMs; a new request in time keeps it', async () => {
    const t = setup(100, 1000);
    const a = t.use(await t.pool.acquire('k', t.open));
    a.release();
    t.clock.advance(999);
    const b = t.use(await t.pool.acquire('k', t.open));
    t.clock.advance(5000);
    expect(t.conns[0].closeCalls).toBe(0);
    b.release();
    t.clock.advance(999);
    expect(t.conns[0].closeCalls).toBe(0);
    t.clock.advance(1);
    expect(t.conns[0].closeCalls).toBe(1);
    expect(t.pool.keys()).toEqual([]);
  });

  it('an abort removes a queued request', async () => {
    const t = setup(1);
    t.use(await t.pool.acquire('k', t.open));
    const ac = new AbortController();
    const queued = t.pool.acquire('k', t.open, ac.signal);
    await flush();
    expect(t.pool.stats('k').queued).toBe(1);
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(t.pool.stats('k').queued).toBe(0);
    await expect(t.pool.acquire('k', t.open, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('connect() returns the connection, joins an attempt, or starts one without taking a slot', async () => {
    const t = setup();
    const p1 = t.pool.connect('k', t.open);
    const p2 = t.pool.connect('k', t.open);
    expect(p1).toBe(p2);
    expect(t.pool.isConnecting('k')).toBe(true);
    const c = await p1;
    expect(await t.pool.connect('k', t.open)).toBe(c);
    expect(t.pool.stats('k')).toMatchObject({ connections: 1, active: 0, reserved: 0 });
    // Unused, it idles out.
    t.clock.advance(1000);
    expect(c.closeCalls).toBe(1);
  });

  it('close() rejects waiters and closes connections', async () => {
    const t = setup(1);
    t.use(await t.pool.acquire('k', t.open));
    const queued = t.pool.acquire('k', t.open);
    await flush();
    t.pool.close();
    await expect(queued).rejects.toBeInstanceOf(ClientClosedError);
    expect(t.conns[0].closeCalls).toBe(1);
    await expect(t.pool.acquire('k', t.open)).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('keeps keys apart', async () => {
    const t = setup();
    const a = await t.pool.acquire('a', t.open);
    const b = await t.pool.acquire('b', t.open);
    expect(a.connection).not.toBe(b.connection);
    expect(t.pool.keys().sort()).toEqual(['a', 'b']);
  });
});
