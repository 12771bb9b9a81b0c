// RFC 9114 §7.2.4.2 / RFC 9204 §3.2.3: a client attempting 0-RTT starts from the server settings it remembered
// (`resumedPeerSettings`), holds the server to them when 0-RTT was accepted, and drops them when it was rejected
// (`handleEarlyDataRejected`, RFC 9001 §4.6.2). Driven by a hand-written server peer.

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  H3ErrorCode,
  H3SettingId,
  type H3Settings,
  H3UsageError,
  H3UsageErrorKind,
  settingsFromEntries,
} from '../src/index.js';
import { QpackDecoder, QpackEncoderStreamError, QpackErrorCode } from '../src/qpack/index.js';
import { type RawHarness, rawHarness } from './support/raw-peer.js';

const E = H3ErrorCode;
const S = H3SettingId;

/** What a server with a 4096-byte table, 16 blocked streams and a 16 KiB field-section limit advertised. */
const REMEMBERED: H3Settings = settingsFromEntries([
  [S.QPACK_MAX_TABLE_CAPACITY, 4096],
  [S.QPACK_BLOCKED_STREAMS, 16],
  [S.MAX_FIELD_SECTION_SIZE, 16384],
]);

const GET: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/index.html'],
  ['user-agent', 'resumed-settings-test'],
];

function client(resumedPeerSettings: H3Settings | undefined): RawHarness {
  return rawHarness('client', { conn: { resumedPeerSettings } });
}

/** The client's QPACK encoder-stream bytes (after the stream type byte). */
function encoderStream(h: RawHarness): Uint8Array {
  return h.raw.received(h.conn.ownStreamIds.qpackEncoder).subarray(1);
}

/** Sends a request in "0-RTT" (before the server's SETTINGS) and lets it travel. */
function earlyRequest(h: RawHarness): void {
  h.conn.request(GET, { endStream: true });
  h.run();
}

function settingsEvents(h: RawHarness): H3Settings[] {
  return h.events.flatMap((e) => (e.type === 'settings' ? [e.settings] : []));
}

describe('0-RTT with remembered settings (RFC 9114 §7.2.4.2)', () => {
  it('before SETTINGS the remembered values apply: QPACK uses the remembered table capacity (RFC 9204 §3.2.3)', () => {
    const h = client(REMEMBERED);
    expect(h.conn.peerSettings).toBe(REMEMBERED);
    earlyRequest(h);
    const q = h.conn.qpackState();
    expect(q.encoderCapacity).toBe(4096);
    expect(q.encoderInsertCount).toBeGreaterThan(0);
    // What the server's decoder sees: a table capacity its remembered limit allows, and one a smaller one refuses.
    const bytes = encoderStream(h);
    new QpackDecoder({ maxTableCapacity: 4096 }).handleEncoderStream(bytes);
    expect(() => new QpackDecoder({ maxTableCapacity: 1024 }).handleEncoderStream(bytes)).toThrow(
      QpackEncoderStreamError,
    );
  });

  it('without remembered settings the defaults apply: no dynamic table before SETTINGS', () => {
    const h = client(undefined);
    expect(h.conn.peerSettings).toBe(DEFAULT_SETTINGS);
    earlyRequest(h);
    expect(h.conn.qpackState()).toMatchObject({ encoderCapacity: 0, encoderInsertCount: 0 });
    expect(encoderStream(h)).toHaveLength(0);
  });

  it('a request above the remembered SETTINGS_MAX_FIELD_SECTION_SIZE is refused before it is sent (§4.2.2)', () => {
    const h = client(REMEMBERED);
    let error: unknown;
    try {
      h.conn.request([...GET, ['x-big', 'v'.repeat(20_000)]], { endStream: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(H3UsageError);
    expect((error as H3UsageError).kind).toBe(H3UsageErrorKind.FIELD_SECTION_TOO_LARGE);
  });

  describe('0-RTT accepted: the SETTINGS must stay compatible', () => {
    it('the same or larger limits are accepted and replace the remembered values', () => {
      const h = client(REMEMBERED);
      earlyRequest(h);
      h.raw.openControl([
        [S.QPACK_MAX_TABLE_CAPACITY, 4096],
        [S.QPACK_BLOCKED_STREAMS, 100],
        [S.MAX_FIELD_SECTION_SIZE, 65536],
        [S.H3_DATAGRAM, 1],
      ]);
      h.run();
      expect(h.closeCode()).toBeUndefined();
      expect(h.conn.peerSettings).toMatchObject({
        qpackBlockedStreams: 100,
        maxFieldSectionSize: 65536,
        h3Datagram: true,
      });
      expect(settingsEvents(h)).toHaveLength(1);
    });

    for (const [label, entries] of [
      [
        'a smaller SETTINGS_MAX_FIELD_SECTION_SIZE',
        [
          [S.QPACK_MAX_TABLE_CAPACITY, 4096],
          [S.QPACK_BLOCKED_STREAMS, 16],
          [S.MAX_FIELD_SECTION_SIZE, 1000],
        ],
      ],
      [
        'fewer QPACK blocked streams',
        [
          [S.QPACK_MAX_TABLE_CAPACITY, 4096],
          [S.QPACK_BLOCKED_STREAMS, 1],
          [S.MAX_FIELD_SECTION_SIZE, 16384],
        ],
      ],
      ['SETTINGS_QPACK_BLOCKED_STREAMS omitted (0 < 16)', [[S.QPACK_MAX_TABLE_CAPACITY, 4096]]],
    ] as const) {
      it(`${label}: H3_SETTINGS_ERROR`, () => {
        const h = client(REMEMBERED);
        earlyRequest(h);
        h.raw.openControl(entries.map(([id, v]) => [id, v] as [number, number]));
        h.run();
        expect(h.closeCode()).toBe(E.H3_SETTINGS_ERROR);
        expect(h.events.find((e) => e.type === 'connection-error')).toMatchObject({ code: E.H3_SETTINGS_ERROR });
      });
    }

    it('a remembered boolean setting taken back: H3_SETTINGS_ERROR', () => {
      const h = client(settingsFromEntries([[S.ENABLE_CONNECT_PROTOCOL, 1]]));
      h.raw.openControl([]);
      h.run();
      expect(h.closeCode()).toBe(E.H3_SETTINGS_ERROR);
    });

    for (const capacity of [0, 1024, 8192]) {
      it(`a remembered table capacity of 4096 answered with ${capacity}: QPACK_DECODER_STREAM_ERROR (RFC 9204 §3.2.3)`, () => {
        for (const used of [true, false]) {
          const h = client(REMEMBERED);
          if (used) earlyRequest(h);
          h.raw.openControl([
            [S.QPACK_MAX_TABLE_CAPACITY, capacity],
            [S.QPACK_BLOCKED_STREAMS, 16],
            [S.MAX_FIELD_SECTION_SIZE, 16384],
          ]);
          h.run();
          expect(h.closeCode(), `table used: ${used}`).toBe(QpackErrorCode.QPACK_DECODER_STREAM_ERROR);
        }
      });
    }

    it('a remembered capacity of 0 may become non-zero (RFC 9204 §3.2.3)', () => {
      const h = client(settingsFromEntries([]));
      earlyRequest(h);
      expect(h.conn.qpackState().encoderCapacity).toBe(0);
      h.raw.openControl([
        [S.QPACK_MAX_TABLE_CAPACITY, 2048],
        [S.QPACK_BLOCKED_STREAMS, 8],
      ]);
      h.run();
      expect(h.closeCode()).toBeUndefined();
      h.conn.request(GET, { endStream: true });
      h.run();
      expect(h.conn.qpackState().encoderCapacity).toBe(2048);
    });
  });

  describe('0-RTT rejected (RFC 9001 §4.6.2): the remembered settings no longer apply', () => {
    it('the defaults apply until SETTINGS, which are not held to the remembered values', () => {
      const h = client(REMEMBERED);
      h.conn.handleEarlyDataRejected();
      expect(h.conn.peerSettings).toBe(DEFAULT_SETTINGS);
      // Nothing was sent in 0-RTT: RFC 9204 §3.2.3, no dynamic table until SETTINGS.
      earlyRequest(h);
      expect(h.conn.qpackState()).toMatchObject({ encoderCapacity: 0, encoderInsertCount: 0 });
      // Smaller limits than remembered, capacity changed: fine after a rejection.
      h.raw.openControl([
        [S.QPACK_MAX_TABLE_CAPACITY, 1024],
        [S.MAX_FIELD_SECTION_SIZE, 1000],
      ]);
      h.run();
      expect(h.closeCode()).toBeUndefined();
      expect(h.conn.peerSettings).toMatchObject({ qpackMaxTableCapacity: 1024, maxFieldSectionSize: 1000 });
      h.conn.request(GET, { endStream: true });
      h.run();
      expect(h.conn.qpackState().encoderCapacity).toBe(1024);
    });

    it('a table the rejected 0-RTT data set up is kept: a server maximum at least as large is fine', () => {
      for (const capacity of [4096, 8192]) {
        const h = client(REMEMBERED);
        earlyRequest(h); // sets the capacity to 4096 and inserts
        h.conn.handleEarlyDataRejected();
        expect(h.conn.peerSettings).toBe(DEFAULT_SETTINGS);
        h.raw.openControl([[S.QPACK_MAX_TABLE_CAPACITY, capacity]]);
        h.run();
        expect(h.closeCode(), `capacity ${capacity}`).toBeUndefined();
        expect(h.conn.qpackState().encoderCapacity).toBe(4096);
        // Still usable: another request goes out.
        h.conn.request(GET, { endStream: true });
        h.run();
        expect(h.closeCode()).toBeUndefined();
      }
    });

    it('a server maximum below the table the resent 0-RTT data uses: H3_INTERNAL_ERROR, after the SETTINGS event', () => {
      for (const capacity of [0, 1024]) {
        const h = client(REMEMBERED);
        earlyRequest(h);
        h.conn.handleEarlyDataRejected();
        h.raw.openControl([[S.QPACK_MAX_TABLE_CAPACITY, capacity]]);
        h.run();
        expect(h.closeCode(), `capacity ${capacity}`).toBe(E.H3_INTERNAL_ERROR);
        const types = h.events.map((e) => e.type);
        expect(types.indexOf('settings')).toBeGreaterThanOrEqual(0);
        expect(types.indexOf('settings')).toBeLessThan(types.indexOf('connection-error'));
      }
    });

    it('without remembered settings, or after SETTINGS, a rejection changes nothing', () => {
      const plain = client(undefined);
      plain.conn.handleEarlyDataRejected();
      expect(plain.conn.peerSettings).toBe(DEFAULT_SETTINGS);
      const late = client(REMEMBERED);
      late.raw.openControl([
        [S.QPACK_MAX_TABLE_CAPACITY, 4096],
        [S.QPACK_BLOCKED_STREAMS, 16],
        [S.MAX_FIELD_SECTION_SIZE, 16384],
      ]);
      late.run();
      const settings = late.conn.peerSettings;
      late.conn.handleEarlyDataRejected();
      expect(late.conn.peerSettings).toBe(settings);
      expect(late.closeCode()).toBeUndefined();
    });
  });
});
