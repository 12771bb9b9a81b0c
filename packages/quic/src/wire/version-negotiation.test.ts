import { ByteWriter } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderStatus, PacketHeader, parsePacketHeader } from './packet-header.js';
import { PacketType } from './packet-type.js';
import { hex, toHex } from './test-support/vectors.js';
import {
  readSupportedVersions,
  versionNegotiationLength,
  versionNegotiationLists,
  writeVersionNegotiation,
} from './version-negotiation.js';
import {
  areCompatibleVersions,
  formatVersion,
  greaseVersion,
  isReservedVersion,
  isSupportedVersion,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  SUPPORTED_VERSIONS,
} from './versions.js';

describe('versions (RFC 9000 §15, RFC 9369 §3.1)', () => {
  it('knows v1 and v2', () => {
    expect(QUIC_VERSION_1).toBe(0x00000001);
    expect(QUIC_VERSION_2).toBe(0x6b3343cf);
    expect(SUPPORTED_VERSIONS).toEqual([QUIC_VERSION_1, QUIC_VERSION_2]);
    expect(isSupportedVersion(QUIC_VERSION_2)).toBe(true);
    expect(isSupportedVersion(0)).toBe(false);
    expect(isSupportedVersion(0xff00001d)).toBe(false); // draft-29
    expect(formatVersion(QUIC_VERSION_2)).toBe('0x6b3343cf');
  });

  it('detects reserved versions 0x?a?a?a?a and builds them from any randomness', () => {
    expect(isReservedVersion(0x0a0a0a0a)).toBe(true);
    expect(isReservedVersion(0xfafafafa)).toBe(true);
    expect(isReservedVersion(0x1a2a3a4a)).toBe(true);
    expect(isReservedVersion(0x1a2a3a4b)).toBe(false);
    expect(isReservedVersion(QUIC_VERSION_1)).toBe(false);
    expect(isReservedVersion(QUIC_VERSION_2)).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (r) => {
        const v = greaseVersion(r);
        expect(isReservedVersion(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect((v >>> 4) & 0x0f0f0f0f).toBe((r >>> 4) & 0x0f0f0f0f);
      }),
    );
  });

  it('v1 and v2 are compatible with each other (RFC 9368 §2.3, RFC 9369 §4)', () => {
    expect(areCompatibleVersions(QUIC_VERSION_1, QUIC_VERSION_2)).toBe(true);
    expect(areCompatibleVersions(QUIC_VERSION_2, QUIC_VERSION_1)).toBe(true);
    expect(areCompatibleVersions(QUIC_VERSION_1, QUIC_VERSION_1)).toBe(true);
    expect(areCompatibleVersions(QUIC_VERSION_1, 0x0a0a0a0a)).toBe(false);
    expect(areCompatibleVersions(0x0a0a0a0a, 0x0a0a0a0a)).toBe(false);
  });
});

describe('Version Negotiation packets (RFC 9000 §17.2.1)', () => {
  it('echoes the client CIDs swapped and lists the versions, with a greased one', () => {
    const clientDcid = hex('0011223344556677');
    const clientScid = hex('aabbcc');
    const grease = greaseVersion(0x12345678);
    const versions = [QUIC_VERSION_1, QUIC_VERSION_2, grease];
    const w = new ByteWriter(new Uint8Array(100));
    const n = writeVersionNegotiation(w, clientDcid, clientScid, [QUIC_VERSION_1, QUIC_VERSION_2], 0x3f, 0x12345678);
    expect(n).toBe(versionNegotiationLength(8, 3, 3));
    // Byte 0: form bit, the 0x40 bit (RFC 9000 §17.2.1 SHOULD), random Unused bits; version 0.
    expect(toHex(w.written())).toBe(
      `ff00000000 03aabbcc 080011223344556677 00000001 6b3343cf ${grease.toString(16).padStart(8, '0')}`.replace(
        / /g,
        '',
      ),
    );
    const out = new PacketHeader();
    expect(parsePacketHeader(w.buf, 0, n, 8, out)).toBe(HeaderStatus.OK);
    expect(out.type).toBe(PacketType.VERSION_NEGOTIATION);
    expect(out.version).toBe(0);
    expect(toHex(out.dcid)).toBe('aabbcc');
    expect(toHex(out.scid)).toBe('0011223344556677');
    const list: number[] = [];
    expect(readSupportedVersions(out, list)).toBe(3);
    expect(list).toEqual(versions);
    expect(versionNegotiationLists(out, QUIC_VERSION_2)).toBe(true);
    expect(versionNegotiationLists(out, 0x0b0b0b0b)).toBe(false);
  });

  it('accepts CIDs up to 255 bytes, as other versions may use them (RFC 8999 §5.1)', () => {
    const w = new ByteWriter(new Uint8Array(1000));
    const n = writeVersionNegotiation(w, new Uint8Array(255), new Uint8Array(200), [QUIC_VERSION_1]);
    const out = new PacketHeader();
    expect(parsePacketHeader(w.buf, 0, n, 8, out)).toBe(HeaderStatus.OK);
    expect(out.dcidLength).toBe(200);
    expect(out.scidLength).toBe(255);
  });

  it('ignores the fixed bit, but drops an empty or ragged version list', () => {
    const out = new PacketHeader();
    const ok = hex('80 00000000 00 00 00000001');
    expect(parsePacketHeader(ok, 0, ok.length, 0, out)).toBe(HeaderStatus.OK);
    const empty = hex('c0 00000000 00 00');
    expect(parsePacketHeader(empty, 0, empty.length, 0, out)).toBe(HeaderStatus.MALFORMED_VERSION_NEGOTIATION);
    const ragged = hex('c0 00000000 00 00 000000');
    expect(parsePacketHeader(ragged, 0, ragged.length, 0, out)).toBe(HeaderStatus.MALFORMED_VERSION_NEGOTIATION);
    expect(versionNegotiationLists(out, 0)).toBe(false);
    expect(() => readSupportedVersions(out, [])).toThrow(RangeError);
  });

  it('round-trips random version lists (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 255 }),
        fc.uint8Array({ maxLength: 255 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 30 }),
        (dcid, scid, versions) => {
          const w = new ByteWriter(new Uint8Array(2000));
          const n = writeVersionNegotiation(w, dcid, scid, versions);
          const out = new PacketHeader();
          expect(parsePacketHeader(w.buf, 0, n, 0, out)).toBe(HeaderStatus.OK);
          const list: number[] = [];
          readSupportedVersions(out, list);
          expect(list).toEqual(versions);
          expect(toHex(out.dcid)).toBe(toHex(scid));
        },
      ),
      { numRuns: 300 },
    );
  });
});
