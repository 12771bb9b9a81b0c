import { describe, expect, it } from 'vitest';
import table from '../../test/fixtures/qpack-static-table.json' with { type: 'json' };
import {
  STATIC_BY_NAME,
  STATIC_NAMES,
  STATIC_TABLE_LENGTH,
  STATIC_VALUES,
  staticIndexOf,
  staticNameIndexOf,
} from './static-table.js';

describe('static table (RFC 9204 Appendix A)', () => {
  it('holds the 99 entries of the RFC, in order', () => {
    expect(STATIC_TABLE_LENGTH).toBe(99);
    expect(table.entries).toHaveLength(99);
    for (const e of table.entries) {
      expect([STATIC_NAMES[e.index], STATIC_VALUES[e.index]], `index ${e.index}`).toEqual([e.name, e.value]);
    }
  });

  it('finds every (name, value) and the lowest index of every name', () => {
    for (const e of table.entries) {
      expect(staticIndexOf(e.name, e.value)).toBe(e.index);
      const lowest = table.entries.find((x) => x.name === e.name)!.index;
      expect(staticNameIndexOf(e.name)).toBe(lowest);
      expect(STATIC_BY_NAME.get(e.name)?.index).toBe(lowest);
    }
    expect(staticIndexOf(':method', 'PATCH')).toBe(-1);
    expect(staticIndexOf('x-unknown', '')).toBe(-1);
    expect(staticNameIndexOf('x-unknown')).toBe(-1);
    expect(staticIndexOf(':status', '200')).toBe(25);
  });
});
