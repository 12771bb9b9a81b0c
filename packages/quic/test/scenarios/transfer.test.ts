import type { LinkConditions } from '@fos/udp';
import { beforeAll, describe, expect, it } from 'vitest';
import { payloadOf, SimPair, sha256 } from '../support/sim.js';
import { type TestTls, testTls } from '../support/tls.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

const MB = 1024 * 1024;
const SIZE = Number(process.env.FOS_TRANSFER_MB ?? 10) * MB;

async function transfer(link: LinkConditions, seed = 1, size = SIZE) {
  const sim = await SimPair.create(tls, { link, seed });
  await sim.handshake(20_000);
  const payload = payloadOf(size, seed);
  const r = await sim.transfer(payload, 600_000);
  expect(r.bytes).toBe(payload.length);
  expect(r.sha256).toBe(sha256(payload));
  return { sim, r };
}

describe('10 MB transfers over MemoryNetwork (virtual time, sha256 checked)', () => {
  it('clean 10 ms link', async () => {
    const { r } = await transfer({});
    console.log(`clean: ${(SIZE / MB / (r.ms / 1000)).toFixed(1)} MB/s of virtual time`);
  });

  it('5% random loss', async () => {
    const { sim, r } = await transfer({ lossRate: 0.05 }, 2);
    expect(sim.c.stats.packetsLost).toBeGreaterThan(0);
    console.log(`5% loss: ${(r.ms / 1000).toFixed(1)} s virtual, ${sim.c.stats.packetsLost} lost`);
  });

  it('20% random loss', async () => {
    const { sim } = await transfer({ lossRate: 0.2 }, 3);
    expect(sim.c.stats.packetsLost).toBeGreaterThan(0);
  });

  it('reordering, duplication and bit corruption', async () => {
    const { sim } = await transfer(
      {
        jitterMs: 5,
        jitterReorders: true,
        reorderRate: 0.05,
        reorderDelayMs: 15,
        duplicateRate: 0.05,
        corruptRate: 0.02,
      },
      4,
    );
    // Corrupted packets fail authentication and are dropped, never delivered.
    expect(sim.s.stats.packetsDropped + sim.c.stats.packetsDropped).toBeGreaterThan(0);
  });

  it('a 5 s blackhole in both directions mid-transfer', async () => {
    const sim = await SimPair.create(tls, { seed: 5 });
    await sim.handshake();
    const payload = payloadOf(SIZE, 5);
    const start = sim.clock.now();
    const at = start + 50;
    sim.network.setLinks('10.0.0.1', '10.0.0.2', { blackholes: [{ startMs: at, endMs: at + 5000 }] });
    const r = await sim.transfer(payload, 600_000);
    expect(r.sha256).toBe(sha256(payload));
    expect(r.ms).toBeGreaterThan(5000);
  });
});
