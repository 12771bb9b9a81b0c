import { FosError } from '@fos/core';

/** Malformed DER (ITU-T X.690) in a certificate. */
export class DerError extends FosError {}

/** One DER TLV: `tag` is the identifier octet (single-octet tags only), offsets index the parsed buffer. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

export const DerTag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Reads the TLV at `offset`, which must end at or before `limit`. Definite lengths only (DER, X.690 §10.1). */
export function readElement(buf: Uint8Array, offset: number, limit: number): DerElement {
  if (offset + 2 > limit) throw new DerError(`DER: truncated header at ${offset}`);
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`DER: multi-octet tag at ${offset}`);
  let p = offset + 1;
  let length = buf[p++];
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new DerError(`DER: unsupported length form at ${offset}`);
    if (p + n > limit) throw new DerError(`DER: truncated length at ${offset}`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++];
  }
  const end = p + length;
  if (end > limit) throw new DerError(`DER: element at ${offset} overruns its container`);
  return { tag, start: offset, contentStart: p, end };
}

/** The elements inside a constructed element. */
export function children(buf: Uint8Array, el: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let p = el.contentStart;
  while (p < el.end) {
    const c = readElement(buf, p, el.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expectTag(el: DerElement, tag: number, what: string): DerElement {
  if (el.tag !== tag) throw new DerError(`DER: ${what}: tag 0x${el.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return el;
}

export function content(buf: Uint8Array, el: DerElement): Uint8Array {
  return buf.subarray(el.contentStart, el.end);
}

export function raw(buf: Uint8Array, el: DerElement): Uint8Array {
  return buf.subarray(el.start, el.end);
}

/** X.690 §8.19 OBJECT IDENTIFIER → dotted decimal. */
export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError('DER: empty OID');
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    value = value * 128 + (bytes[i] & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new DerError('DER: OID arc too large');
    if ((bytes[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    } else if (i === bytes.length - 1) {
      throw new DerError('DER: truncated OID');
    }
  }
  return parts.join('.');
}

/** A small non-negative INTEGER (X.690 §8.3) as a number. */
export function decodeSmallInteger(bytes: Uint8Array): number {
  if (bytes.length === 0 || bytes.length > 6) throw new DerError('DER: INTEGER out of range');
  if (bytes[0] & 0x80) throw new DerError('DER: negative INTEGER');
  let v = 0;
  for (let i = 0; i < bytes.length; i++) v = v * 256 + bytes[i];
  return v;
}

/** RFC 5280 §4.1.2.5.1 UTCTime / §4.1.2.5.2 GeneralizedTime (YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ) → epoch ms. */
export function decodeTime(tag: number, bytes: Uint8Array): number {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  let m: RegExpExecArray | null;
  let year: number;
  if (tag === DerTag.utcTime) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (m === null) throw new DerError(`DER: bad UTCTime ${JSON.stringify(s)}`);
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (tag === DerTag.generalizedTime) {
    m = /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (m === null) throw new DerError(`DER: bad GeneralizedTime ${JSON.stringify(s)}`);
    year = Number(m[1]);
  } else {
    throw new DerError(`DER: tag 0x${tag.toString(16)} is not a time`);
  }
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw new DerError(`DER: invalid time ${JSON.stringify(s)}`);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}
