// A complete QUIC v1 connection captured by syncsynchalt/illustrated-quic (third-party data, MIT). The data is NOT
// in this repository: it is read from ../shared/vectors/illustrated-quic next to the repo root, and the suite is
// skipped when it is absent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CipherSuite,
  decodePacketNumber,
  type PacketProtector,
  QuicVersion,
  readPacketNumber,
  readVarintAt,
  varintLengthFromFirstByte,
} from '@fos/core';
import { describe, expect, it } from 'vitest';
import { KeyLogLabel, parseKeyLog } from '../keylog/key-log.js';
import { NodeCryptoProvider } from '../provider/node-crypto-provider.js';
import { CryptoPacketProtection } from './crypto-packet-protection.js';

/** <repo root>/../shared/vectors/illustrated-quic, from packages/crypto/src/protection. */
const DIR = fileURLToPath(new URL('../../../../../shared/vectors/illustrated-quic/', import.meta.url));
const present = existsSync(`${DIR}caps/pkt01_cinit0`) && existsSync(`${DIR}keylog.txt`);
const CLIENT_INITIAL_DCID = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
/** README: the server's connection ID "s_cid" and the client's "c_cid" are 5 bytes each. */
const SHORT_HEADER_DCID_LENGTH = 5;

const read = (name: string) => Uint8Array.from(readFileSync(`${DIR}caps/${name}`));
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

interface Layout {
  pnOffset: number;
  /** End of the packet as its Length field says (long header) or the file end (short header). */
  packetEnd: number;
}

/** RFC 9000 §17.2 / §17.3: where the packet number starts (the header's unprotected fields only). */
function layout(pkt: Uint8Array): Layout {
  if ((pkt[0] & 0x80) === 0) return { pnOffset: 1 + SHORT_HEADER_DCID_LENGTH, packetEnd: pkt.length };
  let p = 5; // first byte + version
  p += 1 + pkt[p]; // DCID
  p += 1 + pkt[p]; // SCID
  if (((pkt[0] >> 4) & 0x03) === 0) {
    // Initial: token length + token
    const tokenLength = readVarintAt(pkt, p, pkt.length);
    p += varintLengthFromFirstByte(pkt[p]) + tokenLength;
  }
  const length = readVarintAt(pkt, p, pkt.length);
  p += varintLengthFromFirstByte(pkt[p]);
  return { pnOffset: p, packetEnd: p + length };
}

describe.skipIf(!present)('illustrated-quic capture (QUIC v1, TLS_AES_128_GCM_SHA256)', () => {
  const protection = new CryptoPacketProtection(new NodeCryptoProvider());
  const suite = CipherSuite.TLS_AES_128_GCM_SHA256;
  const names = present
    ? readdirSync(`${DIR}caps`)
        .filter((n) => /^pkt\d\d_/.test(n))
        .sort()
    : [];
  const secrets = present ? parseKeyLog(readFileSync(`${DIR}keylog.txt`, 'utf8')) : [];
  const secret = (label: KeyLogLabel) => {
    const entry = secrets.find((e) => e.label === label);
    if (entry === undefined) throw new Error(`keylog.txt has no ${label}`);
    return entry.secret;
  };

  /** The protector that READS a packet of this kind sent by `from`, and the one that WROTE it. */
  function protectors(kind: string, from: 'c' | 's'): { reader: PacketProtector; writer: PacketProtector } {
    if (kind === 'init') {
      const client = protection.initial(QuicVersion.V1, CLIENT_INITIAL_DCID, 'client');
      const server = protection.initial(QuicVersion.V1, CLIENT_INITIAL_DCID, 'server');
      return from === 'c'
        ? { reader: server.read, writer: client.write }
        : { reader: client.read, writer: server.write };
    }
    const label =
      kind === 'hand'
        ? from === 'c'
          ? KeyLogLabel.CLIENT_HANDSHAKE_TRAFFIC_SECRET
          : KeyLogLabel.SERVER_HANDSHAKE_TRAFFIC_SECRET
        : from === 'c'
          ? KeyLogLabel.CLIENT_TRAFFIC_SECRET_0
          : KeyLogLabel.SERVER_TRAFFIC_SECRET_0;
    return {
      reader: protection.fromSecret(QuicVersion.V1, suite, secret(label)),
      writer: protection.fromSecret(QuicVersion.V1, suite, secret(label)),
    };
  }

  it('holds the twelve packets of the connection', () => {
    expect(names.length).toBe(12);
  });

  for (const name of names) {
    const [, num, from, kind, pnText] = /^pkt(\d\d)_([cs])(init|hand|data)(\d+)$/.exec(name) ?? [];

    it(`${name}: header protection removal gives pkt_unprot${num}, decryption gives pkt_payload${num}`, () => {
      const pkt = read(name);
      const { pnOffset, packetEnd } = layout(pkt);
      const { reader } = protectors(kind, from as 'c' | 's');
      const pnLength = reader.unprotectHeader(pkt, 0, pnOffset, packetEnd);
      expect(pnLength).toBeGreaterThan(0);
      // the whole file, including any zero padding after the packet, equals the header-unprotected copy
      expect(toHex(pkt)).toBe(toHex(read(`pkt_unprot${num}_${from}${kind}${pnText}`)));
      const truncated = readPacketNumber(pkt, pnOffset, pnLength as 1 | 2 | 3 | 4);
      const pn = decodePacketNumber(-1, truncated, (8 * pnLength) as 8 | 16 | 24 | 32);
      expect(pn).toBe(Number(pnText));
      const end = reader.decrypt(pkt, 0, pnOffset + pnLength, packetEnd, pn);
      expect(end).toBe(packetEnd - 16);
      expect(toHex(pkt.subarray(pnOffset + pnLength, end))).toBe(
        toHex(read(`pkt_payload${num}_${from}${kind}${pnText}`)),
      );
    });

    it(`${name}: protecting the decrypted packet reproduces the captured bytes`, () => {
      const original = read(name);
      const { pnOffset, packetEnd } = layout(original);
      const buf = read(`pkt_unprot${num}_${from}${kind}${pnText}`);
      const pnLength = (buf[0] & 0x03) + 1;
      const payload = read(`pkt_payload${num}_${from}${kind}${pnText}`);
      buf.set(payload, pnOffset + pnLength);
      const { writer } = protectors(kind, from as 'c' | 's');
      const end = writer.protect(buf, 0, pnOffset, pnLength, Number(pnText), pnOffset + pnLength + payload.length);
      expect(end).toBe(packetEnd);
      expect(toHex(buf)).toBe(toHex(original));
    });
  }

  it('each datagram splits into its packets by their Length fields (coalescing, RFC 9000 §12.2)', () => {
    const dgrams = readdirSync(`${DIR}caps`)
      .filter((n) => n.startsWith('dgram'))
      .sort();
    const found: string[] = [];
    for (const name of dgrams) {
      const d = read(name);
      let offset = 0;
      // a zero first byte cannot start a QUIC packet (fixed bit): what follows is the client's datagram padding
      while (offset < d.length && d[offset] !== 0) {
        const rest = d.subarray(offset);
        const { packetEnd } = layout(rest);
        found.push(toHex(rest.subarray(0, packetEnd)));
        offset += packetEnd;
      }
      expect(d.subarray(offset).every((b) => b === 0)).toBe(true);
    }
    expect(found).toEqual(names.map((n) => read(n)).map((p) => toHex(p.subarray(0, layout(p).packetEnd))));
  });
});

if (!present) {
  describe('illustrated-quic capture', () => {
    it.skip('skipped: ../shared/vectors/illustrated-quic (third-party data, not in the repo) is not present', () => {});
  });
}
