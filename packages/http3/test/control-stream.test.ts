// RFC 9114 §6.2, §7.2, §8; RFC 9204 §4.2; RFC 9218 §7.2: connection-level rules, driven by a hand-written peer.

import { describe, expect, it } from 'vitest';
import { encodeFrame, H3ErrorCode, H3FrameType } from '../src/index.js';
import { concat, hexBytes, rawHarness } from './support/raw-peer.js';

const E = H3ErrorCode;
const GET: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/'],
];

/** Sends `bytes` right after SETTINGS on the raw peer's control stream; returns the connection's close code. */
function afterSettings(role: 'client' | 'server', ...bytes: Uint8Array[]): number | undefined {
  const h = rawHarness(role);
  h.raw.openControl([], ...bytes);
  h.run();
  return h.closeCode();
}

describe('control stream (RFC 9114 §6.2.1)', () => {
  it('accepts SETTINGS first, with grease and unknown settings, then grease and unknown frames', () => {
    for (const role of ['client', 'server'] as const) {
      const h = rawHarness(role);
      h.raw.openControl(
        [
          [0x21, 1],
          [0x1f * 7 + 0x21, 99],
          [0x1234, 5],
        ],
        encodeFrame({ type: 'unknown', frameType: 0x21, payload: hexBytes('0102') }),
        encodeFrame({ type: 'unknown', frameType: 0xabcdef, payload: new Uint8Array(100) }),
      );
      h.run();
      expect(h.closeCode()).toBeUndefined();
      const settings = h.events.find((e) => e.type === 'settings');
      expect(settings).toBeDefined();
    }
  });

  it('sends SETTINGS first with a grease setting, then a grease frame, and opens a grease stream type (§7.2.4.1, §7.2.8, §6.2.3)', () => {
    const h = rawHarness('server', { conn: { grease: true } });
    h.raw.openControl();
    h.run();
    const ids = h.conn.ownStreamIds;
    const frames = h.raw.frames(ids.control, 1);
    expect(frames[0].type).toBe('settings');
    const entries = frames[0].type === 'settings' ? frames[0].entries : [];
    expect(entries.filter(([id]) => (id - 0x21) % 0x1f === 0 && id >= 0x21)).toHaveLength(1);
    expect(entries).toContainEqual([1, 4096]);
    expect(frames[1].type).toBe('unknown');
    expect(h.raw.received(ids.qpackEncoder)[0]).toBe(0x02);
    expect(h.raw.received(ids.qpackDecoder)[0]).toBe(0x03);
    const greaseStream = ids.qpackDecoder + 4;
    const bytes = h.raw.received(greaseStream);
    expect(bytes.length).toBeGreaterThan(0);
    expect(h.peerTransport.recv.get(greaseStream)?.finArrived).toBe(true);
  });

  it('H3_MISSING_SETTINGS when the first frame is anything else (even a grease frame)', () => {
    for (const role of ['client', 'server'] as const) {
      for (const first of [
        encodeFrame({ type: 'goaway', id: 0 }),
        encodeFrame({ type: 'unknown', frameType: 0x21, payload: new Uint8Array(0) }),
        encodeFrame({ type: 'max-push-id', pushId: 1 }),
      ]) {
        const h = rawHarness(role);
        h.raw.openUni(concat(Uint8Array.of(0), first));
        h.run();
        expect(h.closeCode()).toBe(E.H3_MISSING_SETTINGS);
        expect(h.events.find((e) => e.type === 'connection-error')).toMatchObject({ code: E.H3_MISSING_SETTINGS });
        expect(h.events.at(-1)).toMatchObject({ type: 'closed', code: E.H3_MISSING_SETTINGS, local: true });
      }
    }
  });

  it('H3_FRAME_UNEXPECTED for a second SETTINGS', () => {
    expect(afterSettings('server', encodeFrame({ type: 'settings', entries: [] }))).toBe(E.H3_FRAME_UNEXPECTED);
  });

  it('H3_FRAME_UNEXPECTED for DATA, HEADERS and PUSH_PROMISE on the control stream', () => {
    for (const role of ['client', 'server'] as const) {
      expect(afterSettings(role, encodeFrame({ type: 'data', payload: hexBytes('00') }))).toBe(E.H3_FRAME_UNEXPECTED);
      expect(afterSettings(role, encodeFrame({ type: 'headers', fieldSection: hexBytes('0000') }))).toBe(
        E.H3_FRAME_UNEXPECTED,
      );
      expect(
        afterSettings(role, encodeFrame({ type: 'push-promise', pushId: 0, fieldSection: hexBytes('0000') })),
      ).toBe(E.H3_FRAME_UNEXPECTED);
    }
  });

  it('H3_FRAME_UNEXPECTED for the reserved HTTP/2 frame types (§7.2.8)', () => {
    for (const type of [0x02, 0x06, 0x08, 0x09]) {
      expect(afterSettings('server', Uint8Array.of(type, 0))).toBe(E.H3_FRAME_UNEXPECTED);
    }
  });

  it('H3_FRAME_ERROR for a malformed single-varint frame, H3_EXCESSIVE_LOAD for an oversized SETTINGS', () => {
    expect(afterSettings('client', hexBytes('07020400'))).toBe(E.H3_FRAME_ERROR); // GOAWAY with a trailing byte
    expect(afterSettings('client', hexBytes('0709c000000000000000ff'))).toBe(E.H3_FRAME_ERROR); // 9-byte payload
    expect(afterSettings('server', hexBytes('0d00'))).toBe(E.H3_FRAME_ERROR); // empty MAX_PUSH_ID
    const h = rawHarness('server', { conn: { maxControlFrameBytes: 64 } });
    h.raw.openUni(concat(Uint8Array.of(0), hexBytes('0441'), new Uint8Array(65)));
    h.run();
    expect(h.closeCode()).toBe(E.H3_EXCESSIVE_LOAD);
  });

  it('H3_SETTINGS_ERROR for duplicate, reserved HTTP/2 and out-of-range settings', () => {
    for (const entries of [
      [
        [6, 100],
        [6, 100],
      ],
      [[2, 0]],
      [[3, 100]],
      [[4, 65535]],
      [[5, 16384]],
      [[8, 2]],
      [[0x33, 7]],
    ] as [number, number][][]) {
      const h = rawHarness('client');
      h.raw.openControl(entries);
      h.run();
      expect(h.closeCode(), JSON.stringify(entries)).toBe(E.H3_SETTINGS_ERROR);
    }
  });

  it('H3_CLOSED_CRITICAL_STREAM when the control, encoder or decoder stream ends or is reset', () => {
    for (const type of [0x00, 0x02, 0x03]) {
      for (const how of ['fin', 'reset'] as const) {
        const h = rawHarness('server');
        if (type !== 0) h.raw.openControl();
        const bytes =
          type === 0 ? concat(Uint8Array.of(0), encodeFrame({ type: 'settings', entries: [] })) : Uint8Array.of(type);
        const id = h.raw.openUni(bytes, how === 'fin');
        h.run();
        if (how === 'reset') {
          h.peerTransport.resetStream(id, E.H3_NO_ERROR);
          h.run();
        }
        expect(h.closeCode(), `type ${type} ${how}`).toBe(E.H3_CLOSED_CRITICAL_STREAM);
      }
    }
  });

  it('H3_CLOSED_CRITICAL_STREAM when the peer asks us to stop sending on our control or QPACK streams', () => {
    for (const which of ['control', 'qpackEncoder', 'qpackDecoder'] as const) {
      const h = rawHarness('client');
      h.raw.openControl();
      h.run();
      const id = h.conn.ownStreamIds[which];
      h.peerTransport.stopSending(id, E.H3_NO_ERROR);
      h.run();
      expect(h.closeCode(), which).toBe(E.H3_CLOSED_CRITICAL_STREAM);
    }
  });

  it('H3_STREAM_CREATION_ERROR for a second control, encoder or decoder stream', () => {
    for (const type of [0x00, 0x02, 0x03]) {
      const h = rawHarness('server');
      h.raw.openControl();
      const bytes =
        type === 0 ? concat(Uint8Array.of(0), encodeFrame({ type: 'settings', entries: [] })) : Uint8Array.of(type);
      h.raw.openUni(bytes);
      if (type !== 0) h.raw.openUni(Uint8Array.of(type));
      h.run();
      expect(h.closeCode(), `type ${type}`).toBe(E.H3_STREAM_CREATION_ERROR);
    }
  });

  it('H3_STREAM_CREATION_ERROR for a client-initiated push stream and a server-initiated bidirectional stream', () => {
    const s = rawHarness('server');
    s.raw.openControl();
    s.raw.openUni(hexBytes('0100'));
    s.run();
    expect(s.closeCode()).toBe(E.H3_STREAM_CREATION_ERROR);

    const c = rawHarness('client');
    c.raw.openControl();
    c.peerTransport.bidiLimit = 10;
    const id = c.raw.openBidi();
    c.raw.write(id, c.raw.headers(id, [[':status', '200']]));
    c.run();
    expect(c.closeCode()).toBe(E.H3_STREAM_CREATION_ERROR);
  });

  it('aborts reading unknown and reserved stream types with H3_STREAM_CREATION_ERROR, never a connection error', () => {
    const h = rawHarness('server');
    h.raw.openControl();
    const grease = h.raw.openUni(hexBytes('21 00 01 02'));
    const unknown = h.raw.openUni(hexBytes('4041 ff'));
    const early = h.raw.openUni(new Uint8Array(0), true); // closed before its type: tolerated (§6.2)
    const split = h.raw.openUni(hexBytes('80'));
    h.run();
    h.peerTransport.resetStream(split, 0x21); // reset inside the type varint: tolerated
    h.run();
    expect(h.closeCode()).toBeUndefined();
    expect(h.transport.stops).toEqual(
      expect.arrayContaining([
        [grease, E.H3_STREAM_CREATION_ERROR],
        [unknown, E.H3_STREAM_CREATION_ERROR],
      ]),
    );
    expect(h.transport.stops.some(([id]) => id === early)).toBe(false);
  });

  it('MAX_PUSH_ID: H3_FRAME_UNEXPECTED at a client, H3_ID_ERROR when it decreases (§7.2.7)', () => {
    expect(afterSettings('client', encodeFrame({ type: 'max-push-id', pushId: 3 }))).toBe(E.H3_FRAME_UNEXPECTED);
    expect(
      afterSettings(
        'server',
        encodeFrame({ type: 'max-push-id', pushId: 3 }),
        encodeFrame({ type: 'max-push-id', pushId: 3 }),
      ),
    ).toBeUndefined();
    expect(
      afterSettings(
        'server',
        encodeFrame({ type: 'max-push-id', pushId: 3 }),
        encodeFrame({ type: 'max-push-id', pushId: 2 }),
      ),
    ).toBe(E.H3_ID_ERROR);
  });

  it('CANCEL_PUSH beyond MAX_PUSH_ID, or for a push never promised, is H3_ID_ERROR (§7.2.3)', () => {
    expect(afterSettings('server', encodeFrame({ type: 'cancel-push', pushId: 0 }))).toBe(E.H3_ID_ERROR);
    expect(
      afterSettings(
        'server',
        encodeFrame({ type: 'max-push-id', pushId: 5 }),
        encodeFrame({ type: 'cancel-push', pushId: 2 }),
      ),
    ).toBe(E.H3_ID_ERROR);
    expect(afterSettings('client', encodeFrame({ type: 'cancel-push', pushId: 0 }))).toBe(E.H3_ID_ERROR);
  });

  it('GOAWAY at a client: a non-request stream ID or an increase is H3_ID_ERROR (§5.2, §7.2.6)', () => {
    expect(afterSettings('client', encodeFrame({ type: 'goaway', id: 2 }))).toBe(E.H3_ID_ERROR);
    // a repeated ID is fine (the idle client then closes gracefully once its control stream is acknowledged)
    expect([undefined, E.H3_NO_ERROR]).toContain(
      afterSettings('client', encodeFrame({ type: 'goaway', id: 8 }), encodeFrame({ type: 'goaway', id: 8 })),
    );
    expect(
      afterSettings('client', encodeFrame({ type: 'goaway', id: 8 }), encodeFrame({ type: 'goaway', id: 12 })),
    ).toBe(E.H3_ID_ERROR);
    expect(
      afterSettings('server', encodeFrame({ type: 'goaway', id: 5 }), encodeFrame({ type: 'goaway', id: 3 })),
    ).toBe(undefined);
    expect(
      afterSettings('server', encodeFrame({ type: 'goaway', id: 5 }), encodeFrame({ type: 'goaway', id: 6 })),
    ).toBe(E.H3_ID_ERROR);
  });

  it('PRIORITY_UPDATE (RFC 9218 §7.2): H3_FRAME_UNEXPECTED at a client, H3_ID_ERROR for a bad ID, H3_GENERAL_PROTOCOL_ERROR for a bad value', () => {
    const pu = (push: boolean, elementId: number, priority: string) =>
      encodeFrame({ type: 'priority-update', push, elementId, priority });
    expect(afterSettings('client', pu(false, 0, 'u=1'))).toBe(E.H3_FRAME_UNEXPECTED);
    expect(afterSettings('server', pu(false, 0, 'u=1'))).toBeUndefined();
    expect(afterSettings('server', pu(false, 2, 'u=1'))).toBe(E.H3_ID_ERROR);
    expect(afterSettings('server', pu(false, 1, 'u=1'))).toBe(E.H3_ID_ERROR);
    expect(afterSettings('server', pu(true, 0, 'u=1'))).toBe(E.H3_ID_ERROR);
    expect(afterSettings('server', pu(false, 4, 'u=1,,'))).toBe(E.H3_GENERAL_PROTOCOL_ERROR);
  });
});

describe('request stream framing (RFC 9114 §4.1, §7)', () => {
  function serverWith(...frames: Uint8Array[]): { code: number | undefined; resets: [number, number][] } {
    const h = rawHarness('server');
    h.raw.openControl();
    const id = h.raw.openBidi();
    h.raw.write(id, concat(...frames), true);
    h.run();
    return { code: h.closeCode(), resets: h.transport.resets };
  }
  const headers = (fields: [string, string][] = GET) => rawHarness('client').raw.headers(0, fields);

  it('H3_FRAME_UNEXPECTED for DATA before HEADERS and for HEADERS or DATA after the trailers', () => {
    expect(serverWith(encodeFrame({ type: 'data', payload: hexBytes('00') })).code).toBe(E.H3_FRAME_UNEXPECTED);
    const trailers = headers([['x-t', '1']]);
    expect(serverWith(headers(), trailers, trailers).code).toBe(E.H3_FRAME_UNEXPECTED);
    expect(serverWith(headers(), trailers, encodeFrame({ type: 'data', payload: hexBytes('00') })).code).toBe(
      E.H3_FRAME_UNEXPECTED,
    );
  });

  it('H3_FRAME_UNEXPECTED for control frames, PUSH_PROMISE (at a server) and HTTP/2 types on a request stream', () => {
    for (const f of [
      encodeFrame({ type: 'settings', entries: [] }),
      encodeFrame({ type: 'goaway', id: 0 }),
      encodeFrame({ type: 'max-push-id', pushId: 0 }),
      encodeFrame({ type: 'cancel-push', pushId: 0 }),
      encodeFrame({ type: 'priority-update', push: false, elementId: 0, priority: '' }),
      encodeFrame({ type: 'push-promise', pushId: 0, fieldSection: hexBytes('0000') }),
      Uint8Array.of(0x06, 0x00),
    ]) {
      expect(serverWith(headers(), f).code).toBe(E.H3_FRAME_UNEXPECTED);
    }
  });

  it('ignores grease and unknown frames before, between and after the message frames', () => {
    const g = encodeFrame({ type: 'unknown', frameType: 0x21 + 0x1f * 3, payload: hexBytes('abcdef') });
    const r = serverWith(
      g,
      headers(),
      g,
      encodeFrame({ type: 'data', payload: hexBytes('') }),
      g,
      headers([['x', 'y']]),
      g,
    );
    expect(r.code).toBeUndefined();
    expect(r.resets).toEqual([]);
  });

  it('H3_FRAME_ERROR when a stream ends inside a frame (§7.1)', () => {
    const full = headers();
    expect(serverWith(full.subarray(0, full.length - 1)).code).toBe(E.H3_FRAME_ERROR);
    expect(serverWith(full, hexBytes('00')).code).toBe(E.H3_FRAME_ERROR);
  });

  it('H3_REQUEST_INCOMPLETE when a request stream ends before its header section (§4.1)', () => {
    const r = serverWith();
    expect(r.code).toBeUndefined();
    expect(r.resets).toEqual([[0, E.H3_REQUEST_INCOMPLETE]]);
    const r2 = serverWith(encodeFrame({ type: 'unknown', frameType: 0x21, payload: hexBytes('') }));
    expect(r2.resets).toEqual([[0, E.H3_REQUEST_INCOMPLETE]]);
  });

  it('a frame type split across packets is reassembled (e.g. a 4-byte PRIORITY_UPDATE type on the control stream)', () => {
    const h = rawHarness('server', { pair: { randomChunks: true, seed: 7 } });
    h.raw.openControl([], encodeFrame({ type: 'priority-update', push: false, elementId: 8, priority: 'u=0' }));
    h.run();
    expect(h.closeCode()).toBeUndefined();
    expect(H3FrameType.PRIORITY_UPDATE_REQUEST).toBe(0xf0700);
  });
});
