// RFC 9114 §4.1.2, §4.2, §4.2.2, §4.3: malformed messages received from a hand-driven peer are stream errors of
// type H3_MESSAGE_ERROR; the connection survives them.

import { describe, expect, it } from 'vitest';
import { encodeFrame, H3ErrorCode } from '../src/index.js';
import { ofType, text } from './support/harness.js';
import { concat, rawHarness } from './support/raw-peer.js';

const E = H3ErrorCode;
const GET: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/'],
];

/** Sends a request (header fields, optional DATA payloads, FIN) to a server under test. */
function sendRequest(fields: [string, string][], bodies: Uint8Array[] = [], options: { server?: object } = {}) {
  const h = rawHarness('server', { conn: options.server });
  h.raw.openControl();
  const id = h.raw.openBidi();
  const frames = [h.raw.headers(id, fields), ...bodies.map((b) => h.raw.data(b))];
  h.raw.write(id, concat(...frames), true);
  h.run();
  return { h, id };
}

describe('malformed requests are H3_MESSAGE_ERROR stream errors (§4.1.2)', () => {
  const cases: [string, [string, string][]][] = [
    ['missing :path', GET.slice(0, 3)],
    ['uppercase name', [...GET, ['Accept', '*/*']]],
    ['pseudo-header after a regular field', [GET[0], ['accept', '*/*'], ...GET.slice(1)]],
    ['unknown pseudo-header', [...GET, [':foo', 'x']]],
    [':status in a request', [...GET, [':status', '200']]],
    ['connection-specific field', [...GET, ['transfer-encoding', 'chunked']]],
    ['TE other than trailers', [...GET, ['te', 'gzip']]],
    [
      'CONNECT with :path',
      [
        [':method', 'CONNECT'],
        [':authority', 'a:443'],
        [':path', '/'],
      ],
    ],
    ['extended CONNECT not enabled', [[':method', 'CONNECT'], [':protocol', 'websocket'], ...GET.slice(1)]],
    ['NUL in a value', [...GET, ['x', 'a\0']]],
  ];
  for (const [name, fields] of cases) {
    it(name, () => {
      const { h, id } = sendRequest(fields);
      expect(h.closeCode()).toBeUndefined();
      expect(h.transport.resets).toContainEqual([id, E.H3_MESSAGE_ERROR]);
      expect(h.transport.stops).toContainEqual([id, E.H3_MESSAGE_ERROR]);
      expect(ofType(h.events, 'request')).toHaveLength(0); // never passed to the application
      // the connection keeps working
      const next = h.raw.openBidi();
      h.raw.write(next, h.raw.headers(next, GET), true);
      h.run();
      expect(ofType(h.events, 'request').map((e) => e.streamId)).toEqual([next]);
    });
  }

  it('extended CONNECT is accepted when enabled (RFC 9220)', () => {
    const { h } = sendRequest([[':method', 'CONNECT'], [':protocol', 'websocket'], ...GET.slice(1)], [], {
      server: { enableConnectProtocol: true },
    });
    expect(ofType(h.events, 'request')[0].info.protocol).toBe('websocket');
  });

  it('content-length larger than the DATA received', () => {
    const { h, id } = sendRequest([[':method', 'POST'], ...GET.slice(1), ['content-length', '10']], [text('12345')]);
    expect(ofType(h.events, 'request')).toHaveLength(1);
    expect(ofType(h.events, 'stream-error')).toEqual([
      expect.objectContaining({ streamId: id, code: E.H3_MESSAGE_ERROR, local: true }),
    ]);
    expect(ofType(h.events, 'end')).toHaveLength(0);
    expect(h.transport.resets).toContainEqual([id, E.H3_MESSAGE_ERROR]);
  });

  it('content-length smaller than the DATA received (detected at the DATA frame header)', () => {
    const { h, id } = sendRequest(
      [[':method', 'POST'], ...GET.slice(1), ['content-length', '3']],
      [text('12'), text('345')],
    );
    expect(ofType(h.events, 'data').map((e) => e.data.length)).toEqual([2]);
    expect(ofType(h.events, 'stream-error')[0]).toMatchObject({ streamId: id, code: E.H3_MESSAGE_ERROR });
  });

  it('malformed trailers', () => {
    const h = rawHarness('server');
    h.raw.openControl();
    const id = h.raw.openBidi();
    h.raw.write(id, concat(h.raw.headers(id, GET), h.raw.headers(id, [[':path', '/x']])), true);
    h.run();
    expect(ofType(h.events, 'stream-error')[0]).toMatchObject({ streamId: id, code: E.H3_MESSAGE_ERROR });
  });

  it('a request header section above our SETTINGS_MAX_FIELD_SECTION_SIZE gets 431 and STOP_SENDING(H3_NO_ERROR) (§4.2.2)', () => {
    const { h, id } = sendRequest([...GET, ['x-big', 'v'.repeat(300)]], [], { server: { maxFieldSectionSize: 256 } });
    expect(ofType(h.events, 'request')).toHaveLength(0);
    const frames = h.raw.frames(id);
    expect(frames).toHaveLength(1);
    expect(frames[0].type).toBe('headers');
    expect(h.transport.stops).toContainEqual([id, E.H3_NO_ERROR]);
    expect(h.peerTransport.recv.get(id)?.finArrived).toBe(true);
  });

  it('a HEADERS frame too large to buffer is refused the same way, without decoding it', () => {
    const { h, id } = sendRequest([...GET, ['x-big', 'v'.repeat(3000)]], [], { server: { maxFieldSectionSize: 256 } });
    expect(h.raw.frames(id).map((f) => f.type)).toEqual(['headers']);
    expect(h.closeCode()).toBeUndefined();
  });
});

describe('malformed responses are H3_MESSAGE_ERROR stream errors', () => {
  function respond(...frames: ((h: ReturnType<typeof rawHarness>, id: number) => Uint8Array)[]) {
    const h = rawHarness('client');
    h.raw.openControl();
    const req = h.conn.request(GET, { endStream: true });
    h.run();
    h.raw.write(req.streamId, concat(...frames.map((f) => f(h, req.streamId))), true);
    h.run();
    return { h, req };
  }
  const headers =
    (fields: [string, string][]) =>
    (h: ReturnType<typeof rawHarness>, id: number): Uint8Array =>
      h.raw.headers(id, fields);
  const data = (s: string) => (h: ReturnType<typeof rawHarness>) => h.raw.data(text(s));

  it('missing :status, 101, pseudo-header after a field, request pseudo-header', () => {
    for (const fields of [
      [['server', 'x']],
      [[':status', '101']],
      [
        ['server', 'x'],
        [':status', '200'],
      ],
      [
        [':status', '200'],
        [':path', '/'],
      ],
    ] as [string, string][][]) {
      const { h, req } = respond(headers(fields));
      const err = ofType(h.events, 'stream-error');
      expect(err).toHaveLength(1);
      expect(err[0].request).toBe(req);
      expect(err[0]).toMatchObject({ code: E.H3_MESSAGE_ERROR, local: true });
      expect(ofType(h.events, 'response')).toHaveLength(0);
      expect(h.transport.stops).toContainEqual([req.streamId, E.H3_MESSAGE_ERROR]);
    }
  });

  it('a stream that ends with only interim responses', () => {
    const { h } = respond(headers([[':status', '103']]));
    expect(ofType(h.events, 'informational')).toHaveLength(1);
    expect(ofType(h.events, 'stream-error')[0]).toMatchObject({ code: E.H3_MESSAGE_ERROR });
  });

  it('content-length mismatch and content in a HEAD / 204 response', () => {
    const a = respond(
      headers([
        [':status', '200'],
        ['content-length', '5'],
      ]),
      data('1234'),
    );
    expect(ofType(a.h.events, 'stream-error')[0]).toMatchObject({ code: E.H3_MESSAGE_ERROR });
    const b = respond(headers([[':status', '204']]), data('x'));
    expect(ofType(b.h.events, 'stream-error')[0]).toMatchObject({ code: E.H3_MESSAGE_ERROR });
    const ok = respond(
      headers([
        [':status', '204'],
        ['content-length', '7'],
      ]),
    );
    expect(ofType(ok.h.events, 'end')).toHaveLength(1);
  });

  it('DATA after an interim response is an invalid frame sequence (H3_FRAME_UNEXPECTED)', () => {
    const { h } = respond(headers([[':status', '100']]), data('x'));
    expect(h.closeCode()).toBe(E.H3_FRAME_UNEXPECTED);
  });

  it('a response header section above our limit fails the stream with QPACK_DECOMPRESSION_FAILED (RFC 9204 §7.4)', () => {
    const h = rawHarness('client', { conn: { maxFieldSectionSize: 200 } });
    h.raw.openControl();
    const req = h.conn.request(GET, { endStream: true });
    h.run();
    h.raw.write(
      req.streamId,
      h.raw.headers(req.streamId, [
        [':status', '200'],
        ['x', 'y'.repeat(300)],
      ]),
      true,
    );
    h.run();
    expect(ofType(h.events, 'stream-error')[0]).toMatchObject({ code: E.QPACK_DECOMPRESSION_FAILED, local: true });
    expect(h.closeCode()).toBeUndefined();
  });

  it("the client refuses to send a header section above the server's SETTINGS_MAX_FIELD_SECTION_SIZE", () => {
    const h = rawHarness('client');
    h.raw.openControl([[6, 100]]);
    h.run();
    expect(() => h.conn.request([...GET, ['x', 'y'.repeat(100)]])).toThrow(/field-section-too-large/);
    expect(ofType(h.events, 'settings')[0].settings.maxFieldSectionSize).toBe(100);
  });

  it('grease and unknown frames inside a response are ignored', () => {
    const g = () => encodeFrame({ type: 'unknown', frameType: 0x40, payload: text('pad') });
    const { h } = respond(g, headers([[':status', '200']]), g, data('ok'), g);
    expect(ofType(h.events, 'end')).toHaveLength(1);
    expect(ofType(h.events, 'stream-error')).toHaveLength(0);
  });
});
