import { describe, expect, it } from 'vitest';
import { INSERT_IF_FREE, INSERT_NO, INSERT_YES, InsertionAdvisor } from './insertion-advisor.js';

describe('InsertionAdvisor', () => {
  it('is optimistic about a new name, then follows what its lines do', () => {
    const a = new InsertionAdvisor();
    expect(a.recordMiss('x-id', 'v0')).toBe(INSERT_YES); // first line of a name
    // unique values: weak evidence at first, then recognised as one-off values
    const advice = Array.from({ length: 20 }, (_, i) => a.recordMiss('x-id', `v${i + 1}`));
    expect(advice.slice(-5)).toEqual([INSERT_NO, INSERT_NO, INSERT_NO, INSERT_NO, INSERT_NO]);
    // a value seen recently is still worth an insert that costs nothing
    expect(a.recordMiss('x-id', 'v3')).toBe(INSERT_IF_FREE);
  });

  it('recommends repeated lines of names whose lines repeat', () => {
    const a = new InsertionAdvisor();
    a.recordMiss('accept', 'x');
    expect(a.recordMiss('accept', 'x')).toBe(INSERT_YES);
    a.recordHit('accept', true);
    expect(a.recordMiss('accept', 'y')).toBe(INSERT_IF_FREE);
    expect(a.recordMiss('accept', 'y')).toBe(INSERT_YES);
  });

  it('stops inserting a name whose entries are not used before eviction, probing now and then', () => {
    const a = new InsertionAdvisor();
    for (let i = 0; i < 8; i++) {
      a.recordMiss('x-r', 'same');
      a.recordInsert('x-r');
    }
    const advice = Array.from({ length: 128 }, () => a.recordMiss('x-r', 'same'));
    expect(advice.filter((x) => x !== INSERT_NO)).toHaveLength(2); // one probe per 64 refusals
    // once inserts pay off again, the name is back
    for (let i = 0; i < 4; i++) a.recordHit('x-r', true);
    expect(a.recordMiss('x-r', 'same')).toBe(INSERT_YES);
  });
});
