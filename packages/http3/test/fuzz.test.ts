// Random and structured garbage from a peer: every outcome is an RFC error code (a stream reset or a connection
// close), never an exception escaping the connection and never H3_INTERNAL_ERROR.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryFrame } from '../src/frames/test-support/arbitraries.js';
import { encodeFrame, H3ErrorCode } from '../src/index.js';
import { get } from './support/harness.js';
import { concat, rawHarness } from './support/raw-peer.js';

const ALLOWED = new Set<number>(Object.values(H3ErrorCode).filter((c) => c !== H3ErrorCode.H3_INTERNAL_ERROR));

function check(h: ReturnType<typeof rawHarness>): void {
  const code = h.closeCode();
  if (code !== undefined) expect(ALLOWED.has(code), `close code 0x${code.toString(16)}`).toBe(true);
  for (const [, c] of [...h.transport.resets, ...h.transport.stops]) expect(ALLOWED.has(c)).toBe(true);
  const errors = h.events.filter((e) => e.type === 'connection-error');
  for (const e of errors) expect(e.code).not.toBe(H3ErrorCode.H3_INTERNAL_ERROR);
}

const where = fc.constantFrom('control', 'request', 'uni', 'encoder', 'decoder', 'push');
const garbage = fc.uint8Array({ minLength: 1, maxLength: 64 });
const frames = fc.array(arbitraryFrame, { minLength: 1, maxLength: 5 }).map((fs) => concat(...fs.map(encodeFrame)));

function feed(role: 'client' | 'server', target: string, bytes: Uint8Array, fin: boolean, seed: number): void {
  const h = rawHarness(role, {
    pair: { randomChunks: true, seed },
    conn: { maxPushId: role === 'client' ? 8 : undefined },
  });
  const control = h.raw.openControl([[0x21, 1]]);
  let requestStream = -1;
  if (role === 'client') {
    requestStream = h.conn.request(get(), { endStream: true }).streamId;
    h.run();
  }
  switch (target) {
    case 'control':
      h.raw.write(control, bytes, fin);
      break;
    case 'request':
      if (role === 'server') {
        const id = h.raw.openBidi();
        h.raw.write(id, bytes, fin);
      } else {
        h.raw.write(requestStream, bytes, fin);
      }
      break;
    case 'uni':
      h.raw.openUni(bytes, fin);
      break;
    case 'encoder':
      h.raw.openUni(concat(Uint8Array.of(0x02), bytes), fin);
      break;
    case 'decoder':
      h.raw.openUni(concat(Uint8Array.of(0x03), bytes), fin);
      break;
    default:
      h.raw.openUni(concat(Uint8Array.of(0x01), bytes), fin);
  }
  h.run();
  check(h);
}

describe('fuzz: a misbehaving peer only ever gets RFC error codes', () => {
  for (const role of ['server', 'client'] as const) {
    it(`${role}: random bytes on any stream kind`, () => {
      fc.assert(
        fc.property(where, garbage, fc.boolean(), fc.nat(), (target, bytes, fin, seed) => {
          feed(role, target, bytes, fin, seed);
        }),
        { numRuns: 400 },
      );
    });

    it(`${role}: sequences of well-formed frames in random places`, () => {
      fc.assert(
        fc.property(where, frames, fc.boolean(), fc.nat(), (target, bytes, fin, seed) => {
          feed(role, target, bytes, fin, seed);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('server: random QPACK field sections in HEADERS frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.nat(), (section, seed) => {
        const h = rawHarness('server', { pair: { randomChunks: true, seed } });
        h.raw.openControl();
        const id = h.raw.openBidi();
        h.raw.write(id, encodeFrame({ type: 'headers', fieldSection: section }), true);
        h.run();
        check(h);
      }),
      { numRuns: 500 },
    );
  });
});
