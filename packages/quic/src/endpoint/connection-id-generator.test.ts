import { NodeCryptoProvider } from '@fos/crypto';
import { describe, expect, it } from 'vitest';
import { ConnectionIdGenerator } from './connection-id-generator.js';
import { TokenBucket } from './token-bucket.js';

const crypto = new NodeCryptoProvider();

describe('ConnectionIdGenerator (RFC 9000 §10.3.2)', () => {
  it('makes random CIDs of the configured length', () => {
    const g = new ConnectionIdGenerator({ crypto, cidLength: 12 });
    const a = g.newCid();
    const b = g.newCid();
    expect(a).toHaveLength(12);
    expect(Buffer.compare(a, b)).not.toBe(0);
  });

  it('derives the reset token as HMAC-SHA256(key, cid)[0..16]: stable per key, different across keys', () => {
    const key = new Uint8Array(32).fill(3);
    const g1 = new ConnectionIdGenerator({ crypto, statelessResetKey: key });
    const g2 = new ConnectionIdGenerator({ crypto, statelessResetKey: key });
    const g3 = new ConnectionIdGenerator({ crypto });
    const cid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const t = g1.resetToken(cid);
    expect(t).toHaveLength(16);
    expect(Buffer.from(t)).toEqual(Buffer.from(crypto.hmac('sha256', key, cid).subarray(0, 16)));
    expect(g2.resetToken(cid)).toEqual(t);
    expect(Buffer.compare(g3.resetToken(cid), t)).not.toBe(0);
    expect(Buffer.compare(g1.resetToken(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9)), t)).not.toBe(0);
  });

  it('rejects lengths outside 4-20 and short keys', () => {
    expect(() => new ConnectionIdGenerator({ crypto, cidLength: 3 })).toThrow(RangeError);
    expect(() => new ConnectionIdGenerator({ crypto, cidLength: 21 })).toThrow(RangeError);
    expect(() => new ConnectionIdGenerator({ crypto, statelessResetKey: new Uint8Array(8) })).toThrow(RangeError);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the rate', () => {
    const b = new TokenBucket(10, 2);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([true, true, false]);
    expect(b.take(50)).toBe(false); // half a token
    expect(b.take(100)).toBe(true);
    expect(b.take(100)).toBe(false);
    expect(b.take(10_000)).toBe(true);
    expect(b.take(10_000)).toBe(true);
    expect(b.take(10_000)).toBe(false); // capped at the burst
  });
});
