import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerError, ServerErrorCode } from './errors.js';
import { resolveTicketOptions, type ServerTicketOptions } from './options.js';

/** The `ServerError` code `resolveTicketOptions` throws for `tickets`, or undefined when it accepts them. */
function refusal(tickets: ServerTicketOptions): string | undefined {
  try {
    resolveTicketOptions(tickets);
    return undefined;
  } catch (e) {
    if (!(e instanceof ServerError)) throw e;
    return e.code;
  }
}

describe('resolveTicketOptions', () => {
  it('passes the fields through; keys are copied, not shared with the caller', () => {
    const key = new Uint8Array(32).fill(7);
    const options = {
      keys: [key],
      lifetimeSeconds: 3600,
      rotationMs: 60_000,
      ticketsPerConnection: 0,
      freshnessWindowMs: 0,
      antiReplayCapacity: 10,
    };
    const resolved = resolveTicketOptions(options);
    expect(resolved).toEqual(options);
    expect(resolved).not.toBe(options);
    expect(resolved?.keys?.[0]).not.toBe(key);
    key.fill(0);
    expect(resolved?.keys?.[0]?.[0]).toBe(7);
    expect(resolveTicketOptions(undefined)).toBeUndefined();
    expect(resolveTicketOptions({})).toEqual({});
  });

  it('a key of any length but 32 bytes is refused with INVALID_OPTION, wherever it is in the list', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 96 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (length, before, after) => {
          const good = () => new Uint8Array(32);
          const keys = [
            ...Array.from({ length: before }, good),
            new Uint8Array(length),
            ...Array.from({ length: after }, good),
          ];
          expect(refusal({ keys })).toBe(length === 32 ? undefined : ServerErrorCode.INVALID_OPTION);
        },
      ),
    );
  });

  it.each<[string, ServerTicketOptions]>([
    ['an empty key list', { keys: [] }],
    ['a key that is not bytes', { keys: ['0'.repeat(64) as unknown as Uint8Array] }],
    ['lifetime 0', { lifetimeSeconds: 0 }],
    ['lifetime over 7 days (RFC 8446 §4.6.1)', { lifetimeSeconds: 604_801 }],
    ['a fractional lifetime', { lifetimeSeconds: 1.5 }],
    ['negative ticketsPerConnection', { ticketsPerConnection: -1 }],
    ['too many tickets per connection', { ticketsPerConnection: 256 }],
    ['rotationMs 0', { rotationMs: 0 }],
    ['rotationMs NaN', { rotationMs: Number.NaN }],
    ['a negative freshness window', { freshnessWindowMs: -1 }],
    ['a fractional anti-replay capacity', { antiReplayCapacity: 0.5 }],
  ])('refuses %s with INVALID_OPTION', (_, tickets) => {
    expect(refusal(tickets)).toBe(ServerErrorCode.INVALID_OPTION);
  });

  it('accepts the limits themselves', () => {
    expect(refusal({ lifetimeSeconds: 1 })).toBeUndefined();
    expect(refusal({ lifetimeSeconds: 604_800 })).toBeUndefined();
    expect(refusal({ ticketsPerConnection: 255 })).toBeUndefined();
    expect(refusal({ antiReplayCapacity: 0 })).toBeUndefined();
  });
});
