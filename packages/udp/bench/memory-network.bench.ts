import { PoolAllocator, type SocketAddress, VirtualClock } from '@fos/core';
import { bench, describe } from 'vitest';
import { type LinkConditions, MemoryNetwork, type MemorySocket } from '../src/index.js';

/** One iteration = 1 000 datagrams of 1 200 bytes sent, scheduled and delivered (or dropped). */
const PER_ITERATION = 1000;

async function setup(conditions: LinkConditions, trace: boolean) {
  const clock = new VirtualClock();
  const allocator = new PoolAllocator();
  const events: unknown[] = [];
  const network = new MemoryNetwork({
    clock,
    seed: 1,
    allocator,
    onTrace: trace
      ? (e) => {
          if (events.length >= 10_000) events.length = 0;
          events.push(e);
        }
      : undefined,
  });
  network.setLink('10.0.0.1', '10.0.0.2', conditions);
  const a = network.createSocket('10.0.0.1');
  const b = network.createSocket('10.0.0.2');
  await a.bind();
  const to = await b.bind();
  let bytes = 0;
  b.datagrams$.subscribe((d) => {
    bytes += d.data.length;
  });
  return { clock, allocator, a, to, bytes: () => bytes } satisfies Setup & { bytes: () => number };
}

interface Setup {
  clock: VirtualClock;
  allocator: PoolAllocator;
  a: MemorySocket;
  to: SocketAddress;
}

function run(s: Setup, pooled: boolean) {
  const { clock, allocator, a } = s;
  const payload = new Uint8Array(1200);
  for (let i = 0; i < PER_ITERATION; i++) {
    if (pooled) {
      const buffer = allocator.acquire();
      a.sendPooled(buffer, 1200, s.to);
    } else {
      a.send(payload, s.to);
    }
    clock.advance(0.01);
  }
  clock.runAll();
}

describe('MemoryNetwork: 1 000 datagrams per iteration', async () => {
  const clean = await setup({ delayMs: 10 }, false);
  const cleanPooled = await setup({ delayMs: 10 }, false);
  const impaired = await setup(
    {
      delayMs: 10,
      jitterMs: 2,
      lossRate: 0.01,
      burstLoss: { p: 0.01, r: 0.3 },
      reorderRate: 0.01,
      duplicateRate: 0.01,
      corruptRate: 0.01,
      rateBps: 10_000_000_000,
      queueBytes: 1_000_000,
    },
    false,
  );
  const traced = await setup({ delayMs: 10 }, true);
  bench('clean link, send() (copy)', () => run(clean, false));
  bench('clean link, sendPooled() (zero copy)', () => run(cleanPooled, true));
  bench('every impairment + bottleneck, send()', () => run(impaired, false));
  bench('clean link, send(), with onTrace', () => run(traced, false));
});
