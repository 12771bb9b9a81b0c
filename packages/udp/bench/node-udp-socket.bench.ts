import { PoolAllocator, SystemClock } from '@fos/core';
import { bench, describe } from 'vitest';
import { NodeUdpSocket } from '../src/index.js';

/**
 * One iteration = 2 000 datagrams of 1 200 bytes from one NodeUdpSocket to another on 127.0.0.1, both in this
 * process, at most 32 outstanding (libuv reads ≤ 32 per socket per turn), counted when received.
 */
const PER_ITERATION = 2000;
const WINDOW = 32;

describe('NodeUdpSocket loopback, 2 000 × 1 200 B per iteration', async () => {
  const allocator = new PoolAllocator();
  const clock = new SystemClock();
  const rx = new NodeUdpSocket(allocator, clock, {});
  const tx = new NodeUdpSocket(allocator, clock, {});
  const to = await rx.bind({ address: '127.0.0.1' });
  await tx.bind({ address: '127.0.0.1' });
  let received = 0;
  let sent = 0;
  let target = 0;
  let done: (() => void) | undefined;
  const payload = new Uint8Array(1200);
  const sendMore = (pooled: boolean) => {
    while (sent < target && sent - received < WINDOW) {
      sent++;
      if (pooled) tx.sendPooled(allocator.acquire(), 1200, to);
      else tx.send(payload, to);
    }
  };
  let usePooled = false;
  rx.datagrams$.subscribe(() => {
    received++;
    if (received >= target) done?.();
    else sendMore(usePooled);
  });
  const iteration = (pooled: boolean) =>
    new Promise<void>((resolve) => {
      usePooled = pooled;
      // Datagrams lost on loopback would stall an iteration: count from what actually arrived.
      received = 0;
      sent = 0;
      target = PER_ITERATION;
      const stall = setTimeout(() => resolve(), 2000);
      done = () => {
        clearTimeout(stall);
        resolve();
      };
      sendMore(pooled);
    });
  bench('send() (copy into the pool)', () => iteration(false), { iterations: 20, time: 0 });
  bench('sendPooled() (zero copy)', () => iteration(true), { iterations: 20, time: 0 });
});
