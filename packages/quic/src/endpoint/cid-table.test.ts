import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CidTable } from './cid-table.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('CidTable', () => {
  it('behaves like a map keyed by the CID bytes (model check against Map<hex>)', () => {
    const cid = fc.uint8Array({ minLength: 0, maxLength: 20 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), cid, value: fc.nat(5) }),
      fc.record({ kind: fc.constant('delete' as const), cid }),
      fc.record({ kind: fc.constant('get' as const), cid }),
    );
    fc.assert(
      fc.property(fc.integer(), fc.array(op, { maxLength: 200 }), (seed, ops) => {
        const table = new CidTable<number>(seed);
        const model = new Map<string, number>();
        const known: Uint8Array[] = [];
        for (const o of ops) {
          // Re-use earlier CIDs half of the time so deletes and duplicate adds hit.
          const c = known.length > 0 && o.cid.length % 2 === 0 ? known[o.cid.length % known.length] : o.cid;
          const k = hex(c);
          if (o.kind === 'add') {
            expect(table.add(c.slice(), o.value)).toBe(!model.has(k));
            if (!model.has(k)) model.set(k, o.value);
            known.push(c);
          } else if (o.kind === 'delete') {
            expect(table.delete(c)).toBe(model.delete(k));
          } else {
            expect(table.get(c)).toBe(model.get(k));
          }
          expect(table.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(table.get(Buffer.from(k, 'hex'))).toBe(v);
      }),
    );
  });

  it('looks CIDs up in place inside a datagram, without copying', () => {
    const table = new CidTable<string>(1234);
    const cid = Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2);
    table.add(cid, 'conn');
    const datagram = new Uint8Array(100);
    datagram.set(cid, 1);
    expect(table.getAt(datagram, 1, 8)).toBe('conn');
    expect(table.getAt(datagram, 2, 8)).toBeUndefined();
    expect(table.getAt(datagram, 1, 7)).toBeUndefined();
  });

  it('delete with a value only removes the entry of that owner', () => {
    const table = new CidTable<string>(0);
    const cid = Uint8Array.of(1, 2, 3, 4);
    table.add(cid, 'a');
    expect(table.delete(cid, 'b')).toBe(false);
    expect(table.get(cid)).toBe('a');
    expect(table.delete(cid, 'a')).toBe(true);
    expect(table.size).toBe(0);
  });

  it('keeps chains short for 10 000 random 8-byte CIDs', () => {
    const table = new CidTable<number>(0x9e3779b9);
    for (let i = 0; i < 10_000; i++) table.add(new Uint8Array(randomBytes(8)), i);
    expect(table.size).toBe(10_000);
    expect(table.longestChain()).toBeLessThanOrEqual(3);
  });
});
