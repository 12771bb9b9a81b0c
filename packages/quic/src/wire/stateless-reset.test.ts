import { ByteWriter } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderStatus, PacketHeader, parsePacketHeader } from './packet-header.js';
import {
  endsWithStatelessResetToken,
  MIN_STATELESS_RESET_LENGTH,
  statelessResetLength,
  writeStatelessReset,
} from './stateless-reset.js';

const TOKEN = new Uint8Array(16).map((_, i) => 0xa0 + i);

describe('Stateless Reset (RFC 9000 §10.3)', () => {
  it('looks like a short-header packet and ends with the token', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 60 }), (random) => {
        const w = new ByteWriter(new Uint8Array(100));
        const n = writeStatelessReset(w, random, TOKEN);
        expect(n).toBe(random.length + 16);
        expect(w.buf[0] & 0xc0).toBe(0x40); // Fixed Bits = 01
        expect(endsWithStatelessResetToken(w.buf, 0, n, TOKEN)).toBe(true);
        // An observer parses it as a 1-RTT packet.
        expect(parsePacketHeader(w.buf, 0, n, 4, new PacketHeader())).toBe(HeaderStatus.OK);
      }),
      { numRuns: 200 },
    );
  });

  it('never matches a different token or a datagram under 21 bytes', () => {
    const w = new ByteWriter(new Uint8Array(100));
    const n = writeStatelessReset(w, new Uint8Array(10), TOKEN);
    const other = TOKEN.slice();
    other[15] ^= 1;
    expect(endsWithStatelessResetToken(w.buf, 0, n, other)).toBe(false);
    const short = new Uint8Array(20);
    short.set(TOKEN, 4);
    expect(endsWithStatelessResetToken(short, 0, 20, TOKEN)).toBe(false);
    expect(() => writeStatelessReset(w, new Uint8Array(4), TOKEN)).toThrow(RangeError);
  });

  it('is sized below the packet that triggered it, and not below 21 bytes (§10.3, §10.3.3)', () => {
    expect(statelessResetLength(43)).toBe(42);
    expect(statelessResetLength(22)).toBe(21);
    expect(statelessResetLength(21)).toBe(0);
    expect(statelessResetLength(1200)).toBe(43);
    expect(statelessResetLength(1200, 100)).toBe(100);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 }), (trigger, preferred) => {
        const n = statelessResetLength(trigger, preferred);
        if (n !== 0) {
          expect(n).toBeLessThan(trigger);
          expect(n).toBeGreaterThanOrEqual(MIN_STATELESS_RESET_LENGTH);
        } else {
          expect(trigger).toBeLessThanOrEqual(MIN_STATELESS_RESET_LENGTH);
        }
      }),
    );
  });
});
