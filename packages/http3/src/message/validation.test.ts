import { describe, expect, it } from 'vitest';
import { H3Error, H3ErrorCode } from '../errors.js';
import { fieldSectionSize, flattenHeaders, type H3Headers, joinCookies, pairHeaders } from './headers.js';
import {
  checkFieldValue,
  responseHasNoContent,
  validatePushRequest,
  validateRequest,
  validateResponse,
  validateTrailers,
} from './validation.js';

const GET: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/'],
];

function messageError(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    if (e instanceof H3Error && e.code === H3ErrorCode.H3_MESSAGE_ERROR && !e.connectionError) return true;
    throw e;
  }
}

describe('request validation (RFC 9114 §4.2, §4.3.1, §4.4)', () => {
  it('accepts valid requests', () => {
    expect(validateRequest(GET)).toMatchObject({ method: 'GET', scheme: 'https', authority: 'example.com', path: '/' });
    expect(validateRequest([...GET, ['te', 'trailers'], ['content-length', '0']]).contentLength).toBe(0);
    expect(
      validateRequest([
        [':method', 'OPTIONS'],
        [':scheme', 'https'],
        [':authority', 'a'],
        [':path', '*'],
      ]),
    ).toBeTruthy();
    expect(
      validateRequest([
        [':method', 'GET'],
        [':scheme', 'https'],
        [':path', '/'],
        ['host', 'a'],
      ]).authority,
    ).toBe(undefined);
    expect(
      validateRequest([
        [':method', 'CONNECT'],
        [':authority', 'a.example:443'],
      ]).method,
    ).toBe('CONNECT');
    expect(
      validateRequest(
        [
          [':method', 'CONNECT'],
          [':protocol', 'websocket'],
          [':scheme', 'https'],
          [':authority', 'a'],
          [':path', '/chat'],
        ],
        { enableConnectProtocol: true },
      ).protocol,
    ).toBe('websocket');
    expect(
      validateRequest([
        [':method', 'GET'],
        [':scheme', 'foo'],
        [':path', 'x'],
      ]).scheme,
    ).toBe('foo');
    expect(validateRequest([...GET, ['content-length', '5, 5'], ['content-length', '5']]).contentLength).toBe(5);
    expect(validateRequest([...GET, ['x-empty', ''], ['x-inner', 'a b\tc'], ['x-obs', 'caf\xe9']])).toBeTruthy();
  });

  const bad: [string, H3Headers, boolean?][] = [
    ['missing :method', GET.filter(([n]) => n !== ':method')],
    ['missing :scheme', GET.filter(([n]) => n !== ':scheme')],
    ['missing :path', GET.filter(([n]) => n !== ':path')],
    ['duplicate :method', [...GET.slice(0, 1), ...GET]],
    ['duplicate :path', [...GET, [':path', '/x']]],
    ['duplicate :authority', [GET[0], GET[1], GET[2], GET[2], GET[3]]],
    ['pseudo-header after a regular field', [GET[0], GET[1], ['accept', '*/*'], GET[2], GET[3]]],
    ['unknown pseudo-header', [...GET, [':foo', 'bar']]],
    ['response pseudo-header in a request', [...GET, [':status', '200']]],
    [
      ':protocol without ENABLE_CONNECT_PROTOCOL',
      [
        [':method', 'CONNECT'],
        [':protocol', 'ws'],
        [':scheme', 'https'],
        [':authority', 'a'],
        [':path', '/'],
      ],
    ],
    [':protocol on GET', [...GET, [':protocol', 'ws']], true],
    ['uppercase field name', [...GET, ['Accept', '*/*']]],
    ['invalid character in a field name', [...GET, ['a b', 'x']]],
    ['empty field name', [...GET, ['', 'x']]],
    ['NUL in a value', [...GET, ['x', 'a\0b']]],
    ['CR in a value', [...GET, ['x', 'a\rb']]],
    ['LF in a value', [...GET, ['x', 'a\nb']]],
    ['leading space in a value', [...GET, ['x', ' a']]],
    ['trailing tab in a value', [...GET, ['x', 'a\t']]],
    ['DEL in a value', [...GET, ['x', 'a\x7f']]],
    ['connection', [...GET, ['connection', 'close']]],
    ['keep-alive', [...GET, ['keep-alive', 'timeout=5']]],
    ['proxy-connection', [...GET, ['proxy-connection', 'keep-alive']]],
    ['transfer-encoding', [...GET, ['transfer-encoding', 'chunked']]],
    ['upgrade', [...GET, ['upgrade', 'websocket']]],
    ['te other than trailers', [...GET, ['te', 'gzip']]],
    ['no :authority nor host for https', [GET[0], GET[1], GET[3]]],
    ['empty :authority', [GET[0], GET[1], [':authority', ''], GET[3]]],
    ['empty host', [GET[0], GET[1], GET[3], ['host', '']]],
    [':authority and host differ', [...GET, ['host', 'other.com']]],
    ['two host fields', [GET[0], GET[1], GET[3], ['host', 'a'], ['host', 'a']]],
    ['userinfo in :authority', [GET[0], GET[1], [':authority', 'user@example.com'], GET[3]]],
    ['empty :path', [GET[0], GET[1], GET[2], [':path', '']]],
    ['relative :path', [GET[0], GET[1], GET[2], [':path', 'index.html']]],
    ['* :path on GET', [GET[0], GET[1], GET[2], [':path', '*']]],
    ['invalid :method', [[':method', 'GE T'], GET[1], GET[2], GET[3]]],
    ['empty :method', [[':method', ''], GET[1], GET[2], GET[3]]],
    ['invalid :scheme', [GET[0], [':scheme', '1http'], GET[2], GET[3]]],
    [
      'CONNECT with :path',
      [
        [':method', 'CONNECT'],
        [':authority', 'a:1'],
        [':path', '/'],
      ],
    ],
    [
      'CONNECT with :scheme',
      [
        [':method', 'CONNECT'],
        [':authority', 'a:1'],
        [':scheme', 'https'],
      ],
    ],
    ['CONNECT without :authority', [[':method', 'CONNECT']]],
    ['invalid content-length', [...GET, ['content-length', '-1']]],
    ['conflicting content-length', [...GET, ['content-length', '5'], ['content-length', '6']]],
    ['content-length list with different values', [...GET, ['content-length', '5, 6']]],
  ];
  for (const [name, headers, connect] of bad) {
    it(`rejects ${name} with H3_MESSAGE_ERROR`, () => {
      expect(messageError(() => validateRequest(headers, { enableConnectProtocol: connect ?? false }))).toBe(true);
    });
  }
});

describe('response validation (RFC 9114 §4.3.2, §4.5)', () => {
  it('accepts valid responses', () => {
    expect(validateResponse([[':status', '200']])).toEqual({ status: 200, contentLength: -1 });
    expect(
      validateResponse([
        [':status', '103'],
        ['link', '</a.css>; rel=preload'],
      ]).status,
    ).toBe(103);
    expect(
      validateResponse([
        [':status', '204'],
        ['content-length', '7'],
      ]).contentLength,
    ).toBe(7);
  });
  const bad: [string, H3Headers][] = [
    ['missing :status', [['content-type', 'text/plain']]],
    [
      'duplicate :status',
      [
        [':status', '200'],
        [':status', '200'],
      ],
    ],
    ['non-numeric :status', [[':status', '2OO']]],
    ['two-digit :status', [[':status', '99']]],
    ['status above 599', [[':status', '600']]],
    ['101 Switching Protocols', [[':status', '101']]],
    [
      'request pseudo-header in a response',
      [
        [':status', '200'],
        [':path', '/'],
      ],
    ],
    [
      'pseudo-header after a regular field',
      [
        ['server', 'x'],
        [':status', '200'],
      ],
    ],
    [
      'te in a response',
      [
        [':status', '200'],
        ['te', 'trailers'],
      ],
    ],
    [
      'transfer-encoding',
      [
        [':status', '200'],
        ['transfer-encoding', 'chunked'],
      ],
    ],
    [
      'uppercase name',
      [
        [':status', '200'],
        ['Server', 'x'],
      ],
    ],
  ];
  for (const [name, headers] of bad) {
    it(`rejects ${name} with H3_MESSAGE_ERROR`, () => expect(messageError(() => validateResponse(headers))).toBe(true));
  }
});

describe('trailers and pushes', () => {
  it('rejects pseudo-headers and connection-specific fields in trailers (§4.3)', () => {
    expect(messageError(() => validateTrailers([['grpc-status', '0']]))).toBe(false);
    expect(messageError(() => validateTrailers([[':status', '200']]))).toBe(true);
    expect(messageError(() => validateTrailers([['connection', 'close']]))).toBe(true);
    expect(messageError(() => validateTrailers([['X', '1']]))).toBe(true);
  });

  it('accepts only safe, cacheable pushed requests without content (§4.6)', () => {
    expect(validatePushRequest(GET).method).toBe('GET');
    expect(validatePushRequest([[':method', 'HEAD'], ...GET.slice(1)]).method).toBe('HEAD');
    expect(messageError(() => validatePushRequest([[':method', 'POST'], ...GET.slice(1)]))).toBe(true);
    expect(messageError(() => validatePushRequest([...GET, ['content-length', '3']]))).toBe(true);
  });

  it('knows which responses have no content (RFC 9110 §6.4.1)', () => {
    expect(responseHasNoContent('HEAD', 200)).toBe(true);
    expect(responseHasNoContent('GET', 204)).toBe(true);
    expect(responseHasNoContent('GET', 304)).toBe(true);
    expect(responseHasNoContent('GET', 103)).toBe(true);
    expect(responseHasNoContent('GET', 200)).toBe(false);
  });
});

describe('field helpers', () => {
  it('computes the §4.2.2 field section size and converts to and from QPACK flat lists', () => {
    expect(fieldSectionSize(GET)).toBe(7 + 3 + 7 + 5 + 10 + 11 + 5 + 1 + 4 * 32);
    expect(pairHeaders(flattenHeaders(GET))).toEqual(GET);
    expect(
      joinCookies([
        ['cookie', 'a=1'],
        ['x', 'y'],
        ['cookie', 'b=2'],
      ]),
    ).toBe('a=1; b=2');
    expect(joinCookies([])).toBeUndefined();
    expect(checkFieldValue('\u0100')).toBeDefined();
  });
});
