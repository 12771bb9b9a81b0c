import { describe, expect, it } from 'vitest';
import { AltSvcCache, alternativeKey } from './alt-svc-cache.js';
import { type AltSvcAlternative, parseAltSvc } from './alt-svc-parser.js';

const O = 'https://example.test';

function value(text: string) {
  const v = parseAltSvc(text);
  if (v === undefined) throw new Error('bad test value');
  return v;
}

describe('AltSvcCache (RFC 7838 §2.2, §3.1)', () => {
  it('caches alternatives in preference order until ma expires (default 24 h)', () => {
    const c = new AltSvcCache();
    c.update(O, value('h3=":443"; ma=60, h3="alt.test:8443", h2=":443"'), 1000);
    expect(c.lookup(O, 1000).map((a) => a.protocolId)).toEqual(['h3', 'h3', 'h2']);
    expect(c.lookup(O, 1000, 'h3').map((a) => a.port)).toEqual([443, 8443]);
    expect(c.lookup(O, 1000)[0].expiresAtMs).toBe(61_000);
    expect(c.lookup(O, 60_999, 'h3')).toHaveLength(2);
    expect(c.lookup(O, 61_000, 'h3').map((a) => a.host)).toEqual(['alt.test']);
    expect(c.lookup(O, 1000 + 86_400_000, 'h3')).toHaveLength(0);
    expect(c.size).toBe(0);
  });

  it('a new field value replaces all alternatives; clear removes them', () => {
    const c = new AltSvcCache();
    c.update(O, value('h3=":443"'), 0);
    c.update(O, value('h3=":8443"'), 0);
    expect(c.lookup(O, 0).map((a) => a.port)).toEqual([8443]);
    c.update(O, value('clear'), 0);
    expect(c.lookup(O, 0)).toEqual([]);
    expect(c.size).toBe(0);
  });

  it('subtracts the response Age from the freshness lifetime', () => {
    const c = new AltSvcCache();
    c.update(O, value('h3=":443"; ma=60'), 0, 30);
    expect(c.lookup(O, 0)[0].expiresAtMs).toBe(30_000);
    c.update(O, value('h3=":443"; ma=60'), 0, 90);
    expect(c.lookup(O, 0)).toEqual([]);
  });

  it('is bounded: the least recently used origin goes first', () => {
    const c = new AltSvcCache({ maxOrigins: 3 });
    for (const n of [1, 2, 3]) c.update(`https://o${n}.test`, value('h3=":443"'), 0);
    c.lookup('https://o1.test', 0);
    c.update('https://o4.test', value('h3=":443"'), 0);
    expect(c.size).toBe(3);
    expect(c.lookup('https://o2.test', 0)).toEqual([]);
    expect(c.lookup('https://o1.test', 0)).toHaveLength(1);
  });

  it('removes one alternative (421, RFC 7838 §6) or all', () => {
    const c = new AltSvcCache();
    c.update(O, value('h3=":443", h3=":8443"'), 0);
    c.remove(O, { protocolId: 'h3', host: '', port: 443 });
    expect(c.lookup(O, 0).map((a) => a.port)).toEqual([8443]);
    c.remove(O);
    expect(c.size).toBe(0);
  });

  it('marks broken alternatives with a doubling back-off, capped, reset by success', () => {
    const c = new AltSvcCache({ brokenInitialMs: 300_000, brokenMaxMs: 1_200_000 });
    const key = alternativeKey('example.test', { protocolId: 'h3', host: '', port: 443 });
    expect(key).toBe('h3|example.test|443');
    expect(c.isBroken(key, 0)).toBe(false);
    expect(c.markBroken(key, 0)).toBe(300_000);
    expect(c.isBroken(key, 299_999)).toBe(true);
    expect(c.isBroken(key, 300_000)).toBe(false);
    expect(c.markBroken(key, 300_000)).toBe(900_000); // 10 min
    expect(c.markBroken(key, 900_000)).toBe(2_100_000); // 20 min
    expect(c.markBroken(key, 2_100_000)).toBe(3_300_000); // capped at 20 min
    c.confirm(key);
    expect(c.brokenUntil(key)).toBeUndefined();
    expect(c.markBroken(key, 0)).toBe(300_000);
  });

  it('defaults to 5 minutes doubling up to 48 hours', () => {
    const c = new AltSvcCache();
    let until = 0;
    for (let i = 0; i < 20; i++) until = c.markBroken('k', 0);
    expect(until).toBe(48 * 3_600_000);
  });

  it('on a network change keeps only persist=1 alternatives and forgets broken marks', () => {
    const c = new AltSvcCache();
    c.update(O, value('h3=":443"; persist=1, h3=":8443"'), 0);
    c.update('https://other.test', value('h3=":443"'), 0);
    c.markBroken('k', 0);
    c.networkChanged();
    expect(c.lookup(O, 0).map((a: AltSvcAlternative) => a.port)).toEqual([443]);
    expect(c.lookup('https://other.test', 0)).toEqual([]);
    expect(c.isBroken('k', 0)).toBe(false);
    c.clear();
    expect(c.size).toBe(0);
  });
});
