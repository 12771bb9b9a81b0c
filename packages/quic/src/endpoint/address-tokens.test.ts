import { NodeCryptoProvider } from '@fos/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressTokens } from './address-tokens.js';

const crypto = new NodeCryptoProvider();
const client = { address: '192.0.2.7', port: 50123, family: 'IPv4' as const };
const t0 = Date.UTC(2026, 5, 1);

describe('AddressTokens (RFC 9000 §8.1)', () => {
  const tokens = new AddressTokens({ crypto });

  it('a Retry token round-trips the original DCID and Retry SCID for the same address and port', () => {
    const odcid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const rscid = Uint8Array.of(9, 9, 9, 9);
    const token = tokens.mintRetry(t0, client, odcid, rscid);
    expect(tokens.validate(token, t0 + 500, client)).toEqual({
      status: 'valid',
      kind: 'retry',
      originalDcid: odcid,
      retrySourceCid: rscid,
    });
  });

  it('a Retry token is invalid from another port, or after its lifetime', () => {
    const token = tokens.mintRetry(t0, client, Uint8Array.of(1), Uint8Array.of(2));
    expect(tokens.validate(token, t0, { ...client, port: 1 })).toMatchObject({ status: 'invalid', kind: 'retry' });
    expect(tokens.validate(token, t0 + 10_001, client)).toMatchObject({ status: 'invalid', kind: 'retry' });
  });

  it('a NEW_TOKEN token is bound to the IP only and lives longer', () => {
    const token = tokens.mintNewToken(t0, client);
    expect(tokens.validate(token, t0 + 3600_000, { ...client, port: 1234 })).toEqual({
      status: 'valid',
      kind: 'new-token',
    });
    expect(tokens.validate(token, t0, { ...client, address: '192.0.2.8' })).toMatchObject({ status: 'invalid' });
    expect(tokens.validate(token, t0 + 25 * 3600_000, client)).toMatchObject({ status: 'invalid' });
  });

  it('tokens from another key, tampered tokens and garbage are unknown, never valid', () => {
    const other = new AddressTokens({ crypto });
    const token = other.mintNewToken(t0, client);
    expect(tokens.validate(token, t0, client)).toEqual({ status: 'unknown' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (garbage, bit) => {
        expect(tokens.validate(garbage, t0, client)).toEqual({ status: 'unknown' });
        const mine = tokens.mintRetry(t0, client, Uint8Array.of(1, 2), Uint8Array.of(3));
        mine[bit % mine.length] ^= 1 << (bit % 8);
        expect(tokens.validate(mine, t0, client).status).toBe('unknown');
      }),
    );
  });
});
