import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALT_SVC_DEFAULT_MAX_AGE_SECONDS,
  ALT_SVC_MAX_ALTERNATIVES,
  type AltSvcAlternative,
  type AltSvcValue,
  DELTA_SECONDS_CAP,
  decodeProtocolId,
  encodeProtocolId,
  formatAltSvc,
  parseAltSvc,
} from './alt-svc-parser.js';

function alt(
  protocolId: string,
  host: string,
  port: number,
  extra: Partial<AltSvcAlternative> = {},
): AltSvcAlternative {
  return { protocolId, host, port, maxAgeSeconds: ALT_SVC_DEFAULT_MAX_AGE_SECONDS, persist: false, ...extra };
}

function alternatives(value: string): readonly AltSvcAlternative[] | undefined {
  const parsed = parseAltSvc(value);
  if (parsed === undefined) return undefined;
  if (parsed.clear) throw new Error('unexpected clear');
  return parsed.alternatives;
}

/** Every alternative a parse returns is well-formed. */
function checkInvariants(value: AltSvcValue | undefined): void {
  if (value === undefined || value.clear) return;
  expect(value.alternatives.length).toBeLessThanOrEqual(ALT_SVC_MAX_ALTERNATIVES);
  for (const a of value.alternatives) {
    expect(a.protocolId.length).toBeGreaterThan(0);
    expect(Number.isInteger(a.port) && a.port >= 1 && a.port <= 65_535).toBe(true);
    expect(Number.isInteger(a.maxAgeSeconds) && a.maxAgeSeconds >= 0 && a.maxAgeSeconds <= DELTA_SECONDS_CAP).toBe(
      true,
    );
    expect(a.host).toBe(a.host.toLowerCase());
  }
}

// Examples from RFC 7838 §3, §3.1 and RFC 9114 §3.1.1, plus field values seen from real servers.
const VECTORS: Array<[string, AltSvcValue]> = [
  ['h2=":8000"', { clear: false, alternatives: [alt('h2', '', 8000)] }],
  ['h2="new.example.org:80"', { clear: false, alternatives: [alt('h2', 'new.example.org', 80)] }],
  ['w%3Dx%3Ay#z=":443"', { clear: false, alternatives: [alt('w=x:y#z', '', 443)] }],
  ['x%25y=":443"', { clear: false, alternatives: [alt('x%y', '', 443)] }],
  [
    'h2="alt.example.com:8000", h2=":443"',
    { clear: false, alternatives: [alt('h2', 'alt.example.com', 8000), alt('h2', '', 443)] },
  ],
  ['h2=":443"; ma=3600', { clear: false, alternatives: [alt('h2', '', 443, { maxAgeSeconds: 3600 })] }],
  [
    'h2=":443"; ma=2592000; persist=1',
    { clear: false, alternatives: [alt('h2', '', 443, { maxAgeSeconds: 2_592_000, persist: true })] },
  ],
  ['h3=":50781"', { clear: false, alternatives: [alt('h3', '', 50781)] }],
  ['clear', { clear: true }],
  [
    'h3=":443"; ma=86400, h3-29=":443"; ma=86400',
    { clear: false, alternatives: [alt('h3', '', 443), alt('h3-29', '', 443)] },
  ],
  ['h3=":443"; ma="60"', { clear: false, alternatives: [alt('h3', '', 443, { maxAgeSeconds: 60 })] }],
  [
    'h3=":443"; foo=bar; ma=10; baz="q\\"uoted"',
    { clear: false, alternatives: [alt('h3', '', 443, { maxAgeSeconds: 10 })] },
  ],
  ['h3="[2001:DB8::1]:443"', { clear: false, alternatives: [alt('h3', '2001:db8::1', 443)] }],
  ['h3="Alt.Example.COM:443"', { clear: false, alternatives: [alt('h3', 'alt.example.com', 443)] }],
  ['h3="192.0.2.7:8443"', { clear: false, alternatives: [alt('h3', '192.0.2.7', 8443)] }],
  [
    'h3=":443"\t;\tma=5 ,h2=":8443"',
    { clear: false, alternatives: [alt('h3', '', 443, { maxAgeSeconds: 5 }), alt('h2', '', 8443)] },
  ],
  ['h3=":443"; persist=2', { clear: false, alternatives: [alt('h3', '', 443)] }],
  ['h3=":443"; persist="1"', { clear: false, alternatives: [alt('h3', '', 443, { persist: true })] }],
  ['h3=":443"; MA=7', { clear: false, alternatives: [alt('h3', '', 443, { maxAgeSeconds: 7 })] }],
  ['h3=":443"; ma=7; ma=9', { clear: false, alternatives: [alt('h3', '', 443, { maxAgeSeconds: 7 })] }],
  ['h3=":443"; ma=0', { clear: false, alternatives: [alt('h3', '', 443, { maxAgeSeconds: 0 })] }],
  [
    'h3=":443"; ma=99999999999999',
    { clear: false, alternatives: [alt('h3', '', 443, { maxAgeSeconds: DELTA_SECONDS_CAP })] },
  ],
  [', ,h3=":443" , ', { clear: false, alternatives: [alt('h3', '', 443)] }],
  ['h3=":443", clear', { clear: true }],
  ['h3="a\\.b:443"', { clear: false, alternatives: [alt('h3', 'a.b', 443)] }],
];

// Malformed values: nothing usable, so the field is ignored (cached alternatives stay as they were).
const MALFORMED = [
  '',
  '   ',
  'h3=443',
  'h3=":0"',
  'h3=":65536"',
  'h3="host"',
  'h3=":44a"',
  'h3=":"',
  '=":443"',
  'h3":443"',
  'h3 =":443"',
  'h3= ":443"',
  'h3=":443"; ma=-1',
  'h3=":443"; ma',
  'h3=":443"; ma=1.5',
  'h3=":443" garbage',
  'h3=":443";',
  'h3=":443"; =5',
  'Clear',
  'clear clear',
  'h3="[::1:443"',
  'h3="[::1]x:443"',
  'h3="[not-ip]:443"',
  'h3="bad host:443"',
  'h3="b@d:443"',
  'h%2=":443"',
  'h%zz=":443"',
  'h3=":443',
  'h3="\u0001:443"',
  'h3="\u0100host:443"',
  'h3=":443"; ma="7',
  '\u{1F600}=":443"',
];

describe('parseAltSvc (RFC 7838 §3)', () => {
  it.each(VECTORS)('parses %j', (input, expected) => {
    const parsed = parseAltSvc(input);
    expect(parsed).toEqual(expected);
    checkInvariants(parsed);
  });

  it.each(MALFORMED)('ignores malformed %j', (input) => {
    expect(parseAltSvc(input)).toBeUndefined();
  });

  it('keeps the well-formed elements of a partly malformed list', () => {
    expect(alternatives('h3=443, h2=":8443"')).toEqual([alt('h2', '', 8443)]);
    expect(alternatives('h3=":1"; ma=x, h3=":2"')).toEqual([alt('h3', '', 2)]);
    expect(alternatives('h3="a b:1", h3=":3"')).toEqual([alt('h3', '', 3)]);
    // RFC 3986 §3.2.2: sub-delims (such as ",") are reg-name characters, so this one is well-formed.
    expect(alternatives('h3="a,b:1"')).toEqual([alt('h3', 'a,b', 1)]);
    expect(alternatives('h3="unterminated, h3=":4"')).toBeUndefined();
  });

  it(`keeps at most ${ALT_SVC_MAX_ALTERNATIVES} alternatives`, () => {
    const many = Array.from({ length: 40 }, (_, i) => `h3=":${i + 1}"`).join(', ');
    const parsed = alternatives(many)!;
    expect(parsed).toHaveLength(ALT_SVC_MAX_ALTERNATIVES);
    expect(parsed.at(-1)!.port).toBe(ALT_SVC_MAX_ALTERNATIVES);
  });

  it('ignores oversized field values', () => {
    expect(parseAltSvc(`h3=":443"; x="${'a'.repeat(20_000)}"`)).toBeUndefined();
  });

  it('never throws on any truncation of the vectors; what it returns is well-formed', () => {
    for (const [input] of VECTORS) {
      for (let n = 0; n <= input.length; n++) {
        const parsed = parseAltSvc(input.slice(0, n));
        checkInvariants(parsed);
      }
    }
  });

  it('never throws on arbitrary input (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (input) => {
        checkInvariants(parseAltSvc(input));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on grammar-shaped noise (fast-check)', () => {
    const pieces = [
      'h3',
      'h2',
      '=',
      '"',
      ':',
      '443',
      '[',
      ']',
      '::1',
      ';',
      ' ',
      '\t',
      'ma',
      'persist',
      '1',
      ',',
      '\\',
      '%',
      '%25',
      'clear',
      'x.y',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        checkInvariants(parseAltSvc(parts.join('')));
      }),
      { numRuns: 1500 },
    );
  });
});

const alpnArb = fc.string({ unit: fc.nat(255).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 16 });
const hostArb = fc.oneof(fc.constant(''), fc.domain(), fc.ipV4(), fc.ipV6());
const alternativeArb = fc.record({
  protocolId: alpnArb,
  host: hostArb,
  port: fc.integer({ min: 1, max: 65_535 }),
  maxAgeSeconds: fc.oneof(fc.constant(ALT_SVC_DEFAULT_MAX_AGE_SECONDS), fc.integer({ min: 0, max: DELTA_SECONDS_CAP })),
  persist: fc.boolean(),
});
const owsArb = fc.constantFrom('', ' ', '  ', '\t', ' \t ');

function normalised(list: readonly AltSvcAlternative[]): AltSvcAlternative[] {
  return list.map((a) => ({ ...a, host: a.host.toLowerCase() }));
}

describe('formatAltSvc / parseAltSvc round trip (fast-check)', () => {
  it('parse(format(x)) == x', () => {
    fc.assert(
      fc.property(fc.array(alternativeArb, { minLength: 1, maxLength: 6 }), (list) => {
        const parsed = parseAltSvc(formatAltSvc({ clear: false, alternatives: list }));
        expect(parsed).toEqual({ clear: false, alternatives: normalised(list) });
      }),
      { numRuns: 500 },
    );
  });

  it('optional whitespace and empty list elements do not change the result', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(alternativeArb, owsArb, owsArb, fc.boolean()), { minLength: 1, maxLength: 5 }),
        (items) => {
          const text = items
            .map(([a, ows1, ows2, empty]) => {
              let s = formatAltSvc({ clear: false, alternatives: [a] }).replaceAll('; ', `${ows1};${ows2}`);
              if (empty) s = `${ows1},${ows2}${s}`;
              return `${ows2}${s}${ows1}`;
            })
            .join(',');
          expect(parseAltSvc(text)).toEqual({ clear: false, alternatives: normalised(items.map(([a]) => a)) });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('protocol-id percent-encoding round-trips and is canonical (RFC 7838 §3)', () => {
    fc.assert(
      fc.property(alpnArb, (name) => {
        const encoded = encodeProtocolId(name);
        expect(decodeProtocolId(encoded)).toBe(name);
        expect(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(encoded)).toBe(true);
        expect(/%[0-9A-F]{2}/.test(encoded) || !encoded.includes('%')).toBe(true);
        expect(/%[0-9A-F]?[a-f]/.test(encoded)).toBe(false);
      }),
      { numRuns: 1000 },
    );
    expect(encodeProtocolId('h2')).toBe('h2');
    expect(encodeProtocolId('w=x:y#z')).toBe('w%3Dx%3Ay#z');
    expect(encodeProtocolId('x%y')).toBe('x%25y');
    expect(() => encodeProtocolId('')).toThrow(RangeError);
    expect(() => encodeProtocolId('\u0100')).toThrow(RangeError);
  });

  it('formats clear', () => {
    expect(formatAltSvc({ clear: true })).toBe('clear');
  });
});
