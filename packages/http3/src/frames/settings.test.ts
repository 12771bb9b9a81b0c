import { ByteReader } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { H3Error, H3ErrorCode } from '../errors.js';
import { encodeFrame, encodeSettingsPayload, parseSettingsPayload, readFrame } from './frame-codec.js';
import { greaseCodePoint, isGreaseCodePoint } from './frame-types.js';
import {
  checkResumedSettings,
  DEFAULT_SETTINGS,
  type H3SettingEntry,
  H3SettingId,
  MAX_SETTING_VALUE,
  settingsEntries,
  settingsFromEntries,
} from './settings.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof H3Error) return e.code;
    throw e;
  }
  return undefined;
}

describe('SETTINGS (RFC 9114 §7.2.4)', () => {
  it('values of 2^62 − 1 (a peer\'s "unlimited", e.g. nghttp3) are kept encodable and stable across a round trip', () => {
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]; // varint 2^62 − 1 (RFC 9000 §16)
    const payload = Uint8Array.from([0x01, ...max, 0x06, ...max, 0x07, ...max]);
    const s = settingsFromEntries(parseSettingsPayload(payload));
    expect(s.maxFieldSectionSize).toBe(MAX_SETTING_VALUE);
    expect(s.qpackMaxTableCapacity).toBe(MAX_SETTING_VALUE);
    expect(s.qpackBlockedStreams).toBe(MAX_SETTING_VALUE);
    // What a client stores with its tickets, and reads back for 0-RTT.
    const stored = encodeSettingsPayload(settingsEntries(s));
    expect(settingsFromEntries(parseSettingsPayload(stored))).toEqual(s);
  });

  it('starts from the defaults of §7.2.4.1 / RFC 9204 §5', () => {
    const s = settingsFromEntries([]);
    expect(s).toEqual({ ...DEFAULT_SETTINGS, unknown: [] });
    expect(s.maxFieldSectionSize).toBe(Number.POSITIVE_INFINITY);
    expect(s.qpackMaxTableCapacity).toBe(0);
    expect(s.qpackBlockedStreams).toBe(0);
  });

  it('reads every known setting and keeps unknown and grease ones aside (ignored)', () => {
    const s = settingsFromEntries([
      [H3SettingId.QPACK_MAX_TABLE_CAPACITY, 4096],
      [H3SettingId.MAX_FIELD_SECTION_SIZE, 16384],
      [H3SettingId.QPACK_BLOCKED_STREAMS, 100],
      [H3SettingId.ENABLE_CONNECT_PROTOCOL, 1],
      [H3SettingId.H3_DATAGRAM, 1],
      [0x21, 7],
      [0x00, 3],
      [0xabcdef, 1],
    ]);
    expect(s).toMatchObject({
      qpackMaxTableCapacity: 4096,
      maxFieldSectionSize: 16384,
      qpackBlockedStreams: 100,
      enableConnectProtocol: true,
      h3Datagram: true,
    });
    expect(s.unknown).toEqual([
      [0x21, 7],
      [0x00, 3],
      [0xabcdef, 1],
    ]);
  });

  it('rejects a duplicate identifier with H3_SETTINGS_ERROR', () => {
    expect(
      codeOf(() =>
        settingsFromEntries([
          [6, 1],
          [6, 1],
        ]),
      ),
    ).toBe(H3ErrorCode.H3_SETTINGS_ERROR);
    expect(
      codeOf(() =>
        settingsFromEntries([
          [0x21, 1],
          [0x21, 2],
        ]),
      ),
    ).toBe(H3ErrorCode.H3_SETTINGS_ERROR);
  });

  it('rejects the reserved HTTP/2 identifiers 0x02-0x05 with H3_SETTINGS_ERROR (§7.2.4.1)', () => {
    for (const id of [2, 3, 4, 5])
      expect(codeOf(() => settingsFromEntries([[id, 0]]))).toBe(H3ErrorCode.H3_SETTINGS_ERROR);
  });

  it('rejects ENABLE_CONNECT_PROTOCOL and H3_DATAGRAM values other than 0 or 1 (RFC 8441 §3, RFC 9297 §2.1.1)', () => {
    for (const id of [H3SettingId.ENABLE_CONNECT_PROTOCOL, H3SettingId.H3_DATAGRAM]) {
      expect(codeOf(() => settingsFromEntries([[id, 2]]))).toBe(H3ErrorCode.H3_SETTINGS_ERROR);
      expect(codeOf(() => settingsFromEntries([[id, 0]]))).toBeUndefined();
    }
  });

  it('sends only non-default values plus one grease setting (§7.2.4.1, §7.2.4.2)', () => {
    expect(settingsEntries({})).toEqual([]);
    expect(settingsEntries({ maxFieldSectionSize: Number.POSITIVE_INFINITY, qpackBlockedStreams: 0 })).toEqual([]);
    const entries = settingsEntries(
      { qpackMaxTableCapacity: 4096, maxFieldSectionSize: 65536, qpackBlockedStreams: 16, enableConnectProtocol: true },
      0x21 + 0x1f * 5,
      9,
    );
    expect(entries).toEqual([
      [1, 4096],
      [6, 65536],
      [7, 16],
      [8, 1],
      [0x21 + 0x1f * 5, 9],
    ]);
    expect(() => settingsEntries({}, 0x22)).toThrow(RangeError);
  });

  it('round-trips any entries through a SETTINGS frame', () => {
    const id = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(id, fc.integer({ min: 0, max: 2 ** 40 })), { selector: (e) => e[0] }),
        (entries) => {
          const frame = readFrame(new ByteReader(encodeFrame({ type: 'settings', entries })));
          expect(frame).toEqual({ type: 'settings', entries });
          expect(
            parseSettingsPayload(encodeFrame({ type: 'settings', entries }).subarray(0)).length,
          ).toBeLessThanOrEqual(entries.length + 1);
        },
      ),
    );
  });

  it('grease code points are 0x1f·N + 0x21 (§7.2.4.1, §7.2.8, §6.2.3)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
        const v = greaseCodePoint(r);
        expect(isGreaseCodePoint(v)).toBe(true);
        expect((v - 0x21) % 0x1f).toBe(0);
        expect(Number.isSafeInteger(v)).toBe(true);
      }),
    );
    expect(isGreaseCodePoint(0x21)).toBe(true);
    expect(isGreaseCodePoint(0x40)).toBe(true);
    expect(isGreaseCodePoint(0x41)).toBe(false);
    expect(isGreaseCodePoint(0x20)).toBe(false);
  });

  it('0-RTT: remembered settings may not be reduced (§7.2.4.2)', () => {
    const remembered = settingsFromEntries([
      [1, 4096],
      [6, 1000],
      [7, 10],
      [8, 1],
    ]);
    const same: H3SettingEntry[] = [
      [1, 4096],
      [6, 1000],
      [7, 10],
      [8, 1],
    ];
    expect(codeOf(() => checkResumedSettings(remembered, settingsFromEntries(same)))).toBeUndefined();
    expect(
      codeOf(() =>
        checkResumedSettings(
          remembered,
          settingsFromEntries([
            [1, 4096],
            [6, 2000],
            [7, 20],
            [8, 1],
          ]),
        ),
      ),
    ).toBeUndefined();
    for (const bad of [
      [
        [1, 2048],
        [6, 1000],
        [7, 10],
        [8, 1],
      ],
      [
        [1, 4096],
        [6, 999],
        [7, 10],
        [8, 1],
      ],
      [
        [1, 4096],
        [6, 1000],
        [7, 9],
        [8, 1],
      ],
      [
        [1, 4096],
        [6, 1000],
        [7, 10],
      ],
    ] as H3SettingEntry[][]) {
      expect(codeOf(() => checkResumedSettings(remembered, settingsFromEntries(bad)))).toBe(
        H3ErrorCode.H3_SETTINGS_ERROR,
      );
    }
  });
});
