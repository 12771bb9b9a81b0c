import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTicketData, encodeTicketData } from './tls-flow.js';

describe('session ticket data (our transport parameters + an application context, RFC 9114 §7.2.4.2)', () => {
  it('round-trips any context and parameters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (ctx, params) => {
        const d = decodeTicketData(encodeTicketData(ctx, params));
        expect(d?.context).toEqual(ctx);
        expect(d?.transportParameters).toEqual(params);
      }),
    );
  });

  it('an absent context is an empty one', () => {
    const d = decodeTicketData(encodeTicketData(undefined, Uint8Array.of(1, 2)));
    expect(d?.context.length).toBe(0);
    expect([...(d?.transportParameters ?? [])]).toEqual([1, 2]);
  });

  it('malformed data decodes to undefined, never throws', () => {
    expect(decodeTicketData(new Uint8Array(0))).toBeUndefined();
    expect(decodeTicketData(Uint8Array.of(0x05, 1, 2))).toBeUndefined(); // context longer than the data
    expect(decodeTicketData(Uint8Array.of(0x40))).toBeUndefined(); // a 2-byte varint cut short
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void decodeTicketData(bytes)));
  });
});
