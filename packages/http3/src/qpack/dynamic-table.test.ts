import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamicTable, entrySize, maxEntries } from './dynamic-table.js';

describe('dynamic table (RFC 9204 §3.2)', () => {
  it('sizes entries as name + value + 32 (§3.2.1) and computes MaxEntries (§4.5.1.1)', () => {
    expect(entrySize(':authority', 'www.example.com')).toBe(57);
    expect(entrySize('', '')).toBe(32);
    expect(maxEntries(220)).toBe(6);
    expect(maxEntries(4096)).toBe(128);
    expect(maxEntries(31)).toBe(0);
  });

  it('inserts with increasing absolute indices and evicts the oldest first (§3.2.2)', () => {
    const t = new DynamicTable();
    t.setCapacity(120);
    expect(t.insert('a', '1')).toBe(0); // 34
    expect(t.insert('b', '2')).toBe(1); // 34
    expect(t.insert('c', '3')).toBe(2); // 34 → 102
    expect(t.size).toBe(102);
    expect(t.insert('d', '4')).toBe(3); // evicts 0
    expect(t.dropped).toBe(1);
    expect(t.has(0)).toBe(false);
    expect(t.has(3)).toBe(true);
    expect(t.entries().map((e) => e.name)).toEqual(['b', 'c', 'd']);
    t.setCapacity(40); // §3.2.2: shrinking evicts
    expect(t.entries().map((e) => e.name)).toEqual(['d']);
    t.setCapacity(0);
    expect(t.length).toBe(0);
    expect(t.size).toBe(0);
    expect(t.insertCount).toBe(4);
  });

  it('keeps the name of an entry that its own insertion evicts (§3.2.2)', () => {
    const t = new DynamicTable();
    t.setCapacity(40);
    t.insert('name', 'v');
    const name = t.name(0);
    t.insert(name, 'w'); // evicts entry 0 first
    expect(t.entries()).toEqual([{ index: 1, name: 'name', value: 'w' }]);
  });

  it('matches a reference model under random inserts and capacity changes (fast-check)', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('insert' as const),
        name: fc.string({ maxLength: 6 }),
        value: fc.string({ maxLength: 40 }),
      }),
      fc.record({ kind: fc.constant('capacity' as const), capacity: fc.nat(400) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const t = new DynamicTable(4);
        const model: { index: number; name: string; value: string }[] = [];
        let inserted = 0;
        let capacity = 0;
        const size = () => model.reduce((n, e) => n + entrySize(e.name, e.value), 0);
        for (const o of ops) {
          if (o.kind === 'capacity') {
            capacity = o.capacity;
            t.setCapacity(capacity);
            while (size() > capacity) model.shift();
          } else {
            if (entrySize(o.name, o.value) > capacity) continue;
            while (size() + entrySize(o.name, o.value) > capacity) model.shift();
            model.push({ index: inserted++, name: o.name, value: o.value });
            expect(t.insert(o.name, o.value)).toBe(inserted - 1);
          }
          expect(t.entries()).toEqual(model);
          expect(t.size).toBe(size());
        }
      }),
    );
  });
});
