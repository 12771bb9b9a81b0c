import { type ByteReader, type ByteWriter, varintLength } from '@fos/core';
import type { DatagramFrame } from './frame.js';
import { toFrameError } from './frame-error.js';
import { FrameType } from './frame-type.js';

const EMPTY = new Uint8Array(0);

/**
 * Parses a DATAGRAM body (RFC 9221 §4); `type` 0x30 has no Length (the data runs to the end of the packet), 0x31
 * has one. Empty datagrams are allowed. `data` is a view. Whether DATAGRAM frames are acceptable at all (and how
 * large) is the connection's max_datagram_frame_size rule (RFC 9221 §3), enforced by FrameReader.
 */
export function parseDatagramFrame(
  r: ByteReader,
  type: number,
  out: DatagramFrame = { type: FrameType.DATAGRAM, data: EMPTY },
): DatagramFrame {
  try {
    out.data = type === FrameType.DATAGRAM_LEN ? r.bytes(r.varint()) : r.rest();
    return out;
  } catch (e) {
    throw toFrameError(e, type);
  }
}

/**
 * Writes a DATAGRAM frame; with `withLength = false` (type 0x30) it must be the last frame of the packet.
 */
export function encodeDatagramFrame(w: ByteWriter, frame: DatagramFrame, withLength = true): void {
  if (withLength) w.u8(FrameType.DATAGRAM_LEN).varint(frame.data.length);
  else w.u8(FrameType.DATAGRAM);
  w.bytes(frame.data);
}

/** Bytes {@link encodeDatagramFrame} writes: what max_datagram_frame_size limits (RFC 9221 §3). */
export function encodedLengthDatagramFrame(frame: DatagramFrame, withLength = true): number {
  return 1 + (withLength ? varintLength(frame.data.length) : 0) + frame.data.length;
}
