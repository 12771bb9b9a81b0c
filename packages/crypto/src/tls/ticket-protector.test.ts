import { CipherSuite } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from '../provider/node-crypto-provider.js';
import { AntiReplay } from './anti-replay.js';
import { TicketProtector, type TicketState } from './ticket-protector.js';

const provider = new NodeCryptoProvider();
const HOUR = 3_600_000;
const state: TicketState = {
  cipherSuite: CipherSuite.TLS_AES_256_GCM_SHA384,
  psk: new Uint8Array(48).fill(5),
  issuedAtEpochMs: 1_700_000_000_123,
  lifetimeSeconds: 7200,
  ageAdd: 0xdeadbeef,
  maxEarlyDataSize: 0xffffffff,
  alpnProtocol: 'h3',
  serverName: 'example.org',
  applicationData: Uint8Array.of(1, 2),
};

describe('TicketProtector', () => {
  it('seals and opens a ticket, with a unique id per ticket', () => {
    const p = new TicketProtector(provider, HOUR, 3 * HOUR);
    const a = p.seal(state, 0);
    const b = p.seal(state, 0);
    const oa = p.open(a)!;
    expect({ ...oa, id: undefined, psk: Array.from(oa.psk), applicationData: Array.from(oa.applicationData!) }).toEqual(
      {
        ...state,
        id: undefined,
        psk: Array.from(state.psk),
        applicationData: [1, 2],
      },
    );
    expect(oa.id).not.toBe(p.open(b)!.id);
  });

  it('refuses a ticket with any bit flipped, and tickets of another protector', () => {
    const p = new TicketProtector(provider, HOUR, 3 * HOUR);
    const t = p.seal({ ...state, applicationData: undefined, alpnProtocol: undefined }, 0);
    expect(p.open(t)!.applicationData).toBeUndefined();
    for (let i = 0; i < t.length; i++) {
      const copy = t.slice();
      copy[i] ^= 0x10;
      expect(p.open(copy)).toBeUndefined();
    }
    expect(new TicketProtector(provider, HOUR, 3 * HOUR).open(t)).toBeUndefined();
    expect(p.open(t.subarray(0, 20))).toBeUndefined();
  });

  it('rotates keys: old tickets open until their key is retired', () => {
    const p = new TicketProtector(provider, HOUR, 3 * HOUR);
    const early = p.seal(state, 0);
    const later = p.seal(state, 2 * HOUR);
    expect(early.subarray(0, 4)).not.toEqual(later.subarray(0, 4));
    expect(p.open(early)).toBeDefined();
    p.seal(state, 4 * HOUR); // retires the key from t=0 (older than 3 h)
    expect(p.open(early)).toBeUndefined();
    expect(p.open(later)).toBeDefined();
  });

  it('fixed keys are shared between instances and never rotate', () => {
    const key = new Uint8Array(32).fill(9);
    const a = new TicketProtector(provider, HOUR, HOUR, [key]);
    const b = new TicketProtector(provider, HOUR, HOUR, [new Uint8Array(32).fill(1), key]);
    const t = a.seal(state, 100 * HOUR);
    expect(b.open(t)?.serverName).toBe('example.org');
    expect(a.seal(state, 0).subarray(0, 4)).toEqual(t.subarray(0, 4));
    expect(() => new TicketProtector(provider, HOUR, HOUR, [new Uint8Array(16)])).toThrow(RangeError);
  });
});

describe('AntiReplay', () => {
  it('lets an id through once while it is valid, again after it expired', () => {
    const r = new AntiReplay(10);
    expect(r.consume('a', 100, 0)).toBe(true);
    expect(r.consume('a', 100, 50)).toBe(false);
    expect(r.consume('a', 200, 100)).toBe(true);
  });

  it('is bounded: prunes expired ids and refuses when full of live ones', () => {
    const r = new AntiReplay(3);
    for (const id of ['a', 'b', 'c']) expect(r.consume(id, 100, 0)).toBe(true);
    expect(r.consume('d', 100, 10)).toBe(false);
    expect(r.size).toBe(3);
    expect(r.consume('d', 300, 150)).toBe(true);
    expect(r.size).toBe(1);
  });
});
