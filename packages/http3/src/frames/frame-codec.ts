// RFC 9114 §7.1 frame layout and §7.2 frame payloads (plus RFC 9218 §7.2 PRIORITY_UPDATE): encode into a caller's
// ByteWriter, parse from a payload view. Parsers never copy: byte fields are views of the input.

import {
  BufferOverflowError,
  type ByteReader,
  ByteWriter,
  readVarintAt,
  TruncatedInputError,
  varintLength,
} from '@fos/core';
import { connectionError, type H3Error, H3ErrorCode } from '../errors.js';
import { frameTypeName, H3FrameType, isHttp2ReservedFrameType } from './frame-types.js';
import type { H3SettingEntry } from './settings.js';

/** A decoded HTTP/3 frame. Byte fields are views of the parsed input. */
export type H3Frame =
  | { readonly type: 'data'; readonly payload: Uint8Array }
  | { readonly type: 'headers'; readonly fieldSection: Uint8Array }
  | { readonly type: 'cancel-push'; readonly pushId: number }
  | { readonly type: 'settings'; readonly entries: readonly H3SettingEntry[] }
  | { readonly type: 'push-promise'; readonly pushId: number; readonly fieldSection: Uint8Array }
  | { readonly type: 'goaway'; readonly id: number }
  | { readonly type: 'max-push-id'; readonly pushId: number }
  | {
      readonly type: 'priority-update';
      /** false: 0xF0700 (request stream ID); true: 0xF0701 (push ID). */
      readonly push: boolean;
      readonly elementId: number;
      /** The Priority Field Value (RFC 9218 §7.2), ASCII. */
      readonly priority: string;
    }
  /** A reserved (grease, §7.2.8) or unknown extension frame (§9): ignored on receipt. */
  | { readonly type: 'unknown'; readonly frameType: number; readonly payload: Uint8Array };

function frameError(reason: string): H3Error {
  return connectionError(H3ErrorCode.H3_FRAME_ERROR, reason);
}

/**
 * Reads one varint of a frame payload at `pos` (bounded by `end`); a truncated varint is H3_FRAME_ERROR
 * (RFC 9114 §7.1: a payload that "terminates before the end of the identified fields").
 */
function payloadVarint(buf: Uint8Array, pos: number, end: number, what: string): number {
  try {
    return readVarintAt(buf, pos, end);
  } catch (e) {
    if (e instanceof TruncatedInputError) throw frameError(`truncated ${what}`);
    throw e;
  }
}

/** Parses a payload that is exactly one varint (CANCEL_PUSH, GOAWAY, MAX_PUSH_ID). */
export function parseSingleVarintPayload(payload: Uint8Array, frameType: number): number {
  const name = frameTypeName(frameType);
  if (payload.length === 0) throw frameError(`empty ${name} payload`);
  const value = payloadVarint(payload, 0, payload.length, `${name} payload`);
  // §7.1, §10.8: the payload must contain exactly the identified fields
  if (1 << (payload[0] >> 6) !== payload.length) throw frameError(`extra bytes after the ${name} varint`);
  return value;
}

/** RFC 9114 §7.2.4: a SETTINGS payload is a sequence of (identifier, value) varint pairs. */
export function encodeSettingsPayload(entries: readonly H3SettingEntry[]): Uint8Array {
  const frame: H3Frame = { type: 'settings', entries };
  const out = new Uint8Array(framePayloadLength(frame));
  const w = new ByteWriter(out);
  for (const [id, value] of entries) w.varint(id).varint(value);
  return out;
}

/** RFC 9114 §7.2.4: a SETTINGS payload is a sequence of (identifier, value) varint pairs. */
export function parseSettingsPayload(payload: Uint8Array): H3SettingEntry[] {
  const entries: H3SettingEntry[] = [];
  const end = payload.length;
  let pos = 0;
  while (pos < end) {
    const id = payloadVarint(payload, pos, end, 'setting identifier');
    pos += 1 << (payload[pos] >> 6);
    // §7.1: a pair cut short is a payload that ends before its fields
    if (pos >= end) throw frameError('setting without a value');
    const value = payloadVarint(payload, pos, end, 'setting value');
    pos += 1 << (payload[pos] >> 6);
    entries.push([id, value]);
  }
  return entries;
}

/** RFC 9114 §7.2.5: Push ID (i), then the encoded field section. */
export function parsePushPromisePayload(payload: Uint8Array): { pushId: number; fieldSection: Uint8Array } {
  if (payload.length === 0) throw frameError('empty PUSH_PROMISE payload');
  const pushId = payloadVarint(payload, 0, payload.length, 'PUSH_PROMISE push ID');
  return { pushId, fieldSection: payload.subarray(1 << (payload[0] >> 6)) };
}

/** RFC 9218 §7.2: Prioritized Element ID (i), then the Priority Field Value (ASCII). */
export function parsePriorityUpdatePayload(payload: Uint8Array): { elementId: number; priority: string } {
  if (payload.length === 0) throw frameError('empty PRIORITY_UPDATE payload');
  const elementId = payloadVarint(payload, 0, payload.length, 'PRIORITY_UPDATE element ID');
  const start = 1 << (payload[0] >> 6);
  let priority = '';
  for (let i = start; i < payload.length; i++) priority += String.fromCharCode(payload[i]);
  return { elementId, priority };
}

/**
 * Parses the payload of a frame of type `frameType` (its header already consumed). Throws a connection H3Error:
 * H3_FRAME_ERROR for a malformed payload (§7.1), H3_FRAME_UNEXPECTED for a reserved HTTP/2 type (§7.2.8).
 */
export function parseFramePayload(frameType: number, payload: Uint8Array): H3Frame {
  switch (frameType) {
    case H3FrameType.DATA:
      return { type: 'data', payload };
    case H3FrameType.HEADERS:
      return { type: 'headers', fieldSection: payload };
    case H3FrameType.CANCEL_PUSH:
      return { type: 'cancel-push', pushId: parseSingleVarintPayload(payload, frameType) };
    case H3FrameType.SETTINGS:
      return { type: 'settings', entries: parseSettingsPayload(payload) };
    case H3FrameType.PUSH_PROMISE: {
      const p = parsePushPromisePayload(payload);
      return { type: 'push-promise', pushId: p.pushId, fieldSection: p.fieldSection };
    }
    case H3FrameType.GOAWAY:
      return { type: 'goaway', id: parseSingleVarintPayload(payload, frameType) };
    case H3FrameType.MAX_PUSH_ID:
      return { type: 'max-push-id', pushId: parseSingleVarintPayload(payload, frameType) };
    case H3FrameType.PRIORITY_UPDATE_REQUEST:
    case H3FrameType.PRIORITY_UPDATE_PUSH: {
      const p = parsePriorityUpdatePayload(payload);
      return {
        type: 'priority-update',
        push: frameType === H3FrameType.PRIORITY_UPDATE_PUSH,
        elementId: p.elementId,
        priority: p.priority,
      };
    }
  }
  // §7.2.8: HTTP/2 frame types reserved in HTTP/3 MUST be treated as H3_FRAME_UNEXPECTED
  if (isHttp2ReservedFrameType(frameType)) {
    throw connectionError(H3ErrorCode.H3_FRAME_UNEXPECTED, `reserved HTTP/2 frame type 0x${frameType.toString(16)}`);
  }
  return { type: 'unknown', frameType, payload };
}

/**
 * One-shot parse of a complete frame at the reader's position (RFC 9114 §7.1: Type (i), Length (i), Payload).
 * A frame cut short is H3_FRAME_ERROR. For streams use `FrameReader`, which accepts arbitrary chunking.
 */
export function readFrame(r: ByteReader): H3Frame {
  const start = r.pos;
  try {
    const type = r.varint();
    const length = r.varint();
    if (length > r.remaining) throw frameError(`frame payload of ${length} bytes truncated to ${r.remaining}`);
    return parseFramePayload(type, r.bytes(length));
  } catch (e) {
    r.pos = start;
    if (e instanceof TruncatedInputError) throw frameError('truncated frame header');
    throw e;
  }
}

// ---- encoding ----

/** The frame's wire type. */
export function frameTypeOf(frame: H3Frame): number {
  switch (frame.type) {
    case 'data':
      return H3FrameType.DATA;
    case 'headers':
      return H3FrameType.HEADERS;
    case 'cancel-push':
      return H3FrameType.CANCEL_PUSH;
    case 'settings':
      return H3FrameType.SETTINGS;
    case 'push-promise':
      return H3FrameType.PUSH_PROMISE;
    case 'goaway':
      return H3FrameType.GOAWAY;
    case 'max-push-id':
      return H3FrameType.MAX_PUSH_ID;
    case 'priority-update':
      return frame.push ? H3FrameType.PRIORITY_UPDATE_PUSH : H3FrameType.PRIORITY_UPDATE_REQUEST;
    case 'unknown':
      return frame.frameType;
  }
}

/** Length of the frame's payload in bytes. */
export function framePayloadLength(frame: H3Frame): number {
  switch (frame.type) {
    case 'data':
    case 'unknown':
      return frame.payload.length;
    case 'headers':
      return frame.fieldSection.length;
    case 'cancel-push':
    case 'max-push-id':
      return varintLength(frame.pushId);
    case 'goaway':
      return varintLength(frame.id);
    case 'settings': {
      let n = 0;
      for (const [id, value] of frame.entries) n += varintLength(id) + varintLength(value);
      return n;
    }
    case 'push-promise':
      return varintLength(frame.pushId) + frame.fieldSection.length;
    case 'priority-update':
      return varintLength(frame.elementId) + frame.priority.length;
  }
}

/** Length of a frame header (Type + Length varints, RFC 9114 §7.1). */
export function frameHeaderLength(frameType: number, payloadLength: number): number {
  return varintLength(frameType) + varintLength(payloadLength);
}

/** Total encoded length of `frame`. */
export function encodedFrameLength(frame: H3Frame): number {
  const length = framePayloadLength(frame);
  return frameHeaderLength(frameTypeOf(frame), length) + length;
}

/** Writes a frame header (RFC 9114 §7.1). */
export function writeFrameHeader(w: ByteWriter, frameType: number, payloadLength: number): void {
  w.varint(frameType).varint(payloadLength);
}

/**
 * Writes `frame` (header and payload). Throws BufferOverflowError when `w` lacks room, RangeError for a non-ASCII
 * PRIORITY_UPDATE value, and refuses to write a reserved HTTP/2 frame type (§7.2.8: MUST NOT be sent).
 */
export function writeFrame(w: ByteWriter, frame: H3Frame): void {
  const type = frameTypeOf(frame);
  if (isHttp2ReservedFrameType(type)) throw new RangeError(`frame type 0x${type.toString(16)} must not be sent`);
  if (frame.type === 'priority-update' && !isAscii(frame.priority)) {
    throw new RangeError('PRIORITY_UPDATE field value must be ASCII');
  }
  const length = framePayloadLength(frame);
  const total = frameHeaderLength(type, length) + length;
  // checked up front so that a failed write leaves nothing half-written
  if (w.remaining < total) throw new BufferOverflowError(total, w.remaining);
  writeFrameHeader(w, type, length);
  switch (frame.type) {
    case 'data':
    case 'unknown':
      w.bytes(frame.payload);
      return;
    case 'headers':
      w.bytes(frame.fieldSection);
      return;
    case 'cancel-push':
    case 'max-push-id':
      w.varint(frame.pushId);
      return;
    case 'goaway':
      w.varint(frame.id);
      return;
    case 'settings':
      for (const [id, value] of frame.entries) w.varint(id).varint(value);
      return;
    case 'push-promise':
      w.varint(frame.pushId).bytes(frame.fieldSection);
      return;
    case 'priority-update': {
      w.varint(frame.elementId);
      const s = frame.priority;
      for (let i = 0; i < s.length; i++) w.u8(s.charCodeAt(i));
      return;
    }
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Encodes `frame` into a new array of exactly its length (for control frames; not for the hot path). */
export function encodeFrame(frame: H3Frame): Uint8Array {
  const out = new Uint8Array(encodedFrameLength(frame));
  writeFrame(new ByteWriter(out), frame);
  return out;
}
