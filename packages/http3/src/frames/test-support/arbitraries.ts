// fast-check arbitraries and helpers for frame tests.
import fc from 'fast-check';
import type { H3Frame } from '../frame-codec.js';

/** A comparable form of a frame: byte fields (Uint8Array or Buffer) as hex strings. */
export function normFrame(f: H3Frame): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) {
    out[k] = v instanceof Uint8Array ? `hex:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}` : v;
  }
  return out;
}

const varint = fc.oneof(
  fc.integer({ min: 0, max: 63 }),
  fc.integer({ min: 64, max: 16383 }),
  fc.integer({ min: 16384, max: 2 ** 30 - 1 }),
  fc.integer({ min: 2 ** 30, max: Number.MAX_SAFE_INTEGER }),
);
const bytes = (max = 64) => fc.uint8Array({ maxLength: max });
const unknownType = varint.filter((t) => ![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0d, 0xf0700, 0xf0701].includes(t));

/** Any frame this implementation can encode (reserved HTTP/2 types excluded: they must not be sent). */
export const arbitraryFrame: fc.Arbitrary<H3Frame> = fc.oneof(
  bytes().map((payload): H3Frame => ({ type: 'data', payload })),
  bytes().map((fieldSection): H3Frame => ({ type: 'headers', fieldSection })),
  varint.map((pushId): H3Frame => ({ type: 'cancel-push', pushId })),
  fc.array(fc.tuple(varint, varint), { maxLength: 8 }).map((entries): H3Frame => ({ type: 'settings', entries })),
  fc.tuple(varint, bytes()).map(([pushId, fieldSection]): H3Frame => ({ type: 'push-promise', pushId, fieldSection })),
  varint.map((id): H3Frame => ({ type: 'goaway', id })),
  varint.map((pushId): H3Frame => ({ type: 'max-push-id', pushId })),
  fc
    .tuple(
      fc.boolean(),
      varint,
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
    )
    .map(([push, elementId, priority]): H3Frame => ({ type: 'priority-update', push, elementId, priority })),
  fc.tuple(unknownType, bytes()).map(([frameType, payload]): H3Frame => ({ type: 'unknown', frameType, payload })),
);
