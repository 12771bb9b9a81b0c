// RFC 9114 §7.2.4: SETTINGS parameters, their defaults and validation; RFC 9204 §5 (QPACK), RFC 9220 §3 / RFC 8441
// §3 (extended CONNECT), RFC 9297 §2.1.1 (HTTP datagrams).

import { connectionError, H3ErrorCode } from '../errors.js';
import { isGreaseCodePoint } from './frame-types.js';

/**
 * The largest setting value kept: the largest double below 2^62. A varint above 2^53 is read as the nearest double,
 * and 2^62 − 1 (a peer's "unlimited") rounds to 2^62, which no varint can carry; clamping keeps a received value
 * encodable (a client stores the server's SETTINGS with its tickets, RFC 9114 §7.2.4.2) and equal to itself after a
 * round trip. Values this large mean "no limit" either way.
 */
export const MAX_SETTING_VALUE = 2 ** 62 - 1024;

/** Setting identifiers this implementation understands. */
export const H3SettingId = {
  /** RFC 9204 §5: the decoder's maximum dynamic table capacity. Default 0. */
  QPACK_MAX_TABLE_CAPACITY: 0x01,
  /** RFC 9114 §7.2.4.1: the largest field section the sender accepts. Default unlimited. */
  MAX_FIELD_SECTION_SIZE: 0x06,
  /** RFC 9204 §5: how many streams may be blocked on the decoder. Default 0. */
  QPACK_BLOCKED_STREAMS: 0x07,
  /** RFC 9220 §3 (RFC 8441 §3): extended CONNECT is supported (0 or 1). Default 0. */
  ENABLE_CONNECT_PROTOCOL: 0x08,
  /** RFC 9297 §2.1.1: HTTP datagrams are supported (0 or 1). Default 0. */
  H3_DATAGRAM: 0x33,
} as const;
export type H3SettingId = (typeof H3SettingId)[keyof typeof H3SettingId];

/** One setting as it appears on the wire: [identifier, value]. */
export type H3SettingEntry = readonly [id: number, value: number];

/** A peer's (or our) HTTP/3 settings, with the defaults of RFC 9114 §7.2.4.1 / RFC 9204 §5 filled in. */
export interface H3Settings {
  readonly qpackMaxTableCapacity: number;
  /** `Infinity` when not sent (the default is unlimited). */
  readonly maxFieldSectionSize: number;
  readonly qpackBlockedStreams: number;
  readonly enableConnectProtocol: boolean;
  readonly h3Datagram: boolean;
  /** Settings we do not understand (including grease), in wire order. They are ignored (RFC 9114 §7.2.4). */
  readonly unknown: readonly H3SettingEntry[];
}

/** The settings an endpoint has before any SETTINGS frame arrives (RFC 9114 §7.2.4.2: the defaults). */
export const DEFAULT_SETTINGS: H3Settings = Object.freeze({
  qpackMaxTableCapacity: 0,
  maxFieldSectionSize: Number.POSITIVE_INFINITY,
  qpackBlockedStreams: 0,
  enableConnectProtocol: false,
  h3Datagram: false,
  unknown: Object.freeze([]) as readonly H3SettingEntry[],
});

/**
 * RFC 9114 §7.2.4.1 / §11.2.2: HTTP/2 setting identifiers with no HTTP/3 counterpart (ENABLE_PUSH 0x02,
 * MAX_CONCURRENT_STREAMS 0x03, INITIAL_WINDOW_SIZE 0x04, MAX_FRAME_SIZE 0x05). Receiving one is H3_SETTINGS_ERROR.
 */
export function isHttp2ReservedSetting(id: number): boolean {
  return id >= 0x02 && id <= 0x05;
}

/**
 * Interprets the entries of a received SETTINGS frame. Throws a connection H3Error(H3_SETTINGS_ERROR) for a
 * duplicate identifier (§7.2.4), a reserved HTTP/2 identifier (§7.2.4.1), or a boolean setting other than 0 or 1
 * (RFC 8441 §3, RFC 9297 §2.1.1).
 */
export function settingsFromEntries(entries: readonly H3SettingEntry[]): H3Settings {
  let qpackMaxTableCapacity = 0;
  let maxFieldSectionSize = Number.POSITIVE_INFINITY;
  let qpackBlockedStreams = 0;
  let enableConnectProtocol = false;
  let h3Datagram = false;
  const unknown: H3SettingEntry[] = [];
  const seen = new Set<number>();
  for (const entry of entries) {
    const [id, value] = entry;
    // §7.2.4: the same identifier MUST NOT occur more than once
    if (seen.has(id)) throw connectionError(H3ErrorCode.H3_SETTINGS_ERROR, `duplicate setting 0x${id.toString(16)}`);
    seen.add(id);
    // §7.2.4.1: reserved HTTP/2 settings MUST be treated as H3_SETTINGS_ERROR
    if (isHttp2ReservedSetting(id)) {
      throw connectionError(H3ErrorCode.H3_SETTINGS_ERROR, `reserved HTTP/2 setting 0x${id.toString(16)}`);
    }
    switch (id) {
      case H3SettingId.QPACK_MAX_TABLE_CAPACITY:
        qpackMaxTableCapacity = Math.min(value, MAX_SETTING_VALUE);
        break;
      case H3SettingId.MAX_FIELD_SECTION_SIZE:
        maxFieldSectionSize = Math.min(value, MAX_SETTING_VALUE);
        break;
      case H3SettingId.QPACK_BLOCKED_STREAMS:
        qpackBlockedStreams = Math.min(value, MAX_SETTING_VALUE);
        break;
      case H3SettingId.ENABLE_CONNECT_PROTOCOL:
        enableConnectProtocol = booleanSetting(id, value);
        break;
      case H3SettingId.H3_DATAGRAM:
        h3Datagram = booleanSetting(id, value);
        break;
      default:
        // §7.2.4: unknown identifiers (including grease, §7.2.4.1) are ignored
        unknown.push(entry);
    }
  }
  return {
    qpackMaxTableCapacity,
    maxFieldSectionSize,
    qpackBlockedStreams,
    enableConnectProtocol,
    h3Datagram,
    unknown,
  };
}

function booleanSetting(id: number, value: number): boolean {
  // RFC 8441 §3 (via RFC 9220 §3) and RFC 9297 §2.1.1: the value MUST be 0 or 1
  if (value !== 0 && value !== 1) {
    throw connectionError(H3ErrorCode.H3_SETTINGS_ERROR, `setting 0x${id.toString(16)} must be 0 or 1, got ${value}`);
  }
  return value === 1;
}

/** The settings we send, as options (defaults are omitted from the frame). */
export interface H3LocalSettings {
  readonly qpackMaxTableCapacity?: number;
  /** Omitted (unlimited) when undefined or Infinity. */
  readonly maxFieldSectionSize?: number;
  readonly qpackBlockedStreams?: number;
  readonly enableConnectProtocol?: boolean;
  readonly h3Datagram?: boolean;
}

/**
 * The entries of our SETTINGS frame: every non-default value (RFC 9114 §7.2.4.2: "all settings that differ from
 * their default values"), plus one grease setting when `greaseId` is given (§7.2.4.1: SHOULD include one).
 */
export function settingsEntries(local: H3LocalSettings, greaseId?: number, greaseValue = 0): H3SettingEntry[] {
  const entries: H3SettingEntry[] = [];
  if (local.qpackMaxTableCapacity) entries.push([H3SettingId.QPACK_MAX_TABLE_CAPACITY, local.qpackMaxTableCapacity]);
  if (local.maxFieldSectionSize !== undefined && Number.isFinite(local.maxFieldSectionSize)) {
    entries.push([H3SettingId.MAX_FIELD_SECTION_SIZE, local.maxFieldSectionSize]);
  }
  if (local.qpackBlockedStreams) entries.push([H3SettingId.QPACK_BLOCKED_STREAMS, local.qpackBlockedStreams]);
  if (local.enableConnectProtocol) entries.push([H3SettingId.ENABLE_CONNECT_PROTOCOL, 1]);
  if (local.h3Datagram) entries.push([H3SettingId.H3_DATAGRAM, 1]);
  if (greaseId !== undefined) {
    if (!isGreaseCodePoint(greaseId)) throw new RangeError(`0x${greaseId.toString(16)} is not a reserved setting`);
    entries.push([greaseId, greaseValue]);
  }
  return entries;
}

/**
 * RFC 9114 §7.2.4.2: when 0-RTT was accepted, the server's SETTINGS must not reduce a limit or change a value the
 * client relied on, nor omit one that was non-default. Throws H3_SETTINGS_ERROR when `current` is not compatible
 * with the `remembered` settings the client used.
 */
export function checkResumedSettings(remembered: H3Settings, current: H3Settings): void {
  const fail = (what: string): never => {
    throw connectionError(H3ErrorCode.H3_SETTINGS_ERROR, `SETTINGS ${what} differs from the remembered value`);
  };
  if (current.qpackMaxTableCapacity !== remembered.qpackMaxTableCapacity && remembered.qpackMaxTableCapacity !== 0) {
    fail('QPACK_MAX_TABLE_CAPACITY');
  }
  if (current.maxFieldSectionSize < remembered.maxFieldSectionSize) fail('MAX_FIELD_SECTION_SIZE');
  if (current.qpackBlockedStreams < remembered.qpackBlockedStreams) fail('QPACK_BLOCKED_STREAMS');
  if (remembered.enableConnectProtocol && !current.enableConnectProtocol) fail('ENABLE_CONNECT_PROTOCOL');
  if (remembered.h3Datagram && !current.h3Datagram) fail('H3_DATAGRAM');
}
