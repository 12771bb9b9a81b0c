import { TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/index.js';
import { payloadOf, SimPair } from '../support/sim.js';
import { type TestTls, testTls } from '../support/tls.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

const KNOWN_CODES = new Set<number>(Object.values(TransportErrorCode));

function closeCode(events: ConnectionEvent[]): number | undefined {
  const closed = events.find((e) => e.type === 'closed');
  return closed?.type === 'closed' ? closed.info.errorCode : undefined;
}

describe('random and mutated datagrams never break a connection', () => {
  it('random datagrams into an established connection: dropped, or an RFC error — never an exception', async () => {
    const sim = await SimPair.create(tls);
    await sim.handshake();
    const c = sim.c;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1500 }), (bytes) => {
        c.handleDatagram(sim.clock.now(), bytes, sim.serverAddress);
        c.pollTransmit(sim.clock.now(), new Uint8Array(2048));
      }),
      { numRuns: 2000 },
    );
    // Garbage cannot authenticate: the connection is still usable.
    expect(c.connectionState).toBe('established');
    const r = await sim.transfer(payloadOf(20_000));
    expect(r.bytes).toBe(20_000);
  });

  it('bit-flipped copies of real packets are dropped (AEAD) and never throw', async () => {
    const captured: Uint8Array[] = [];
    const sim = await SimPair.create(tls);
    sim.network.trace$.subscribe(() => undefined);
    sim.server.socket.datagrams$.subscribe((d) => captured.push(d.data.slice()));
    await sim.handshake();
    await sim.transfer(payloadOf(30_000));
    const s = sim.s;
    fc.assert(
      fc.property(fc.nat(captured.length - 1), fc.nat(), fc.nat(7), (i, pos, bit) => {
        const d = captured[i].slice();
        d[pos % d.length] ^= 1 << bit;
        s.handleDatagram(sim.clock.now(), d, { address: '10.0.0.1', port: 50_000, family: 'IPv4' });
      }),
      { numRuns: 1000 },
    );
    expect(s.connectionState).toBe('established');
  });

  it('protocol violations inside valid packets close with an RFC code (fast-check over frame payloads)', async () => {
    // Authenticated garbage: random bytes as the plaintext payload of a 1-RTT packet sealed with the client's keys.
    let closed = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (payload) => {
        const sim = await SimPair.create(tls);
        await sim.handshake();
        const conn = sim.c as unknown as {
          keys: { write: { protect(b: Uint8Array, h: number, p: number, l: number, n: number, e: number): number } };
          spaces: { nextPacketNumber: number }[];
          peerCids: { currentCid: Uint8Array };
        };
        const pn = conn.spaces[2].nextPacketNumber++;
        const dcid = conn.peerCids.currentCid;
        const buf = new Uint8Array(2048);
        buf[0] = 0x40 | 3; // short header, 4-byte packet number
        buf.set(dcid, 1);
        const pnOffset = 1 + dcid.length;
        new DataView(buf.buffer).setUint32(pnOffset, pn);
        buf.set(payload, pnOffset + 4);
        const end = conn.keys.write.protect(buf, 0, pnOffset, 4, pn, pnOffset + 4 + payload.length);
        sim.s.handleDatagram(sim.clock.now(), buf.subarray(0, end), {
          address: '10.0.0.1',
          port: 50_000,
          family: 'IPv4',
        });
        sim.after(sim.server);
        await sim.run(() => sim.s.connectionState === 'closed' || sim.s.connectionState === 'established', 10);
        const code = closeCode(sim.server.events) ?? sim.s.closeReason?.errorCode;
        if (sim.s.connectionState !== 'established') {
          closed++;
          expect(code).toBeDefined();
          expect(KNOWN_CODES.has(code!) || (code! >= 0x100 && code! <= 0x1ff)).toBe(true);
          expect(code).not.toBe(TransportErrorCode.INTERNAL_ERROR);
        }
      }),
      { numRuns: 60 },
    );
    // Most random payloads are not valid frame sequences: they must have closed the connection.
    expect(closed).toBeGreaterThan(30);
  });
});
