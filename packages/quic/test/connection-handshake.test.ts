import { beforeAll, describe, expect, it } from 'vitest';
import { payloadOf, SimPair, sha256 } from './support/sim.js';
import { type TestTls, testTls } from './support/tls.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

describe('Connection handshake (two sans-I/O connections over a MemoryNetwork)', () => {
  it('completes the handshake and confirms it on both sides', async () => {
    const sim = await SimPair.create(tls);
    await sim.handshake();
    await sim.run(() => sim.client.events.some((e) => e.type === 'handshake-confirmed'), 1000);
    expect(sim.c.alpnProtocol).toBe('test');
    expect(sim.server.events.some((e) => e.type === 'handshake-confirmed')).toBe(true);
    expect(sim.client.events.some((e) => e.type === 'handshake-confirmed')).toBe(true);
  });

  it('moves stream data', async () => {
    const sim = await SimPair.create(tls);
    await sim.handshake();
    const payload = payloadOf(100_000);
    const r = await sim.transfer(payload);
    expect(r.bytes).toBe(payload.length);
    expect(r.sha256).toBe(sha256(payload));
  });
});
