import { randomBytes } from 'node:crypto';
import { bench, describe } from 'vitest';
import { CidTable } from './cid-table.js';

// Routing lookup on the per-datagram path: 10 000 connections × 4 CIDs of 8 bytes; each lookup reads the DCID in
// place from a 1200-byte datagram. Baselines in the same run: a Map keyed by the hex string of the DCID (what a
// naive router does) and by a latin1 string of it.
const N = 40_000;
const cids = Array.from({ length: N }, () => new Uint8Array(randomBytes(8)));
const datagrams = cids.map((cid) => {
  const d = new Uint8Array(1200);
  d[0] = 0x40;
  d.set(cid, 1);
  return d;
});
const table = new CidTable<number>(0x12345678);
const hexMap = new Map<string, number>();
const latinMap = new Map<string, number>();
cids.forEach((cid, i) => {
  table.add(cid, i);
  hexMap.set(Buffer.from(cid).toString('hex'), i);
  latinMap.set(String.fromCharCode(...cid), i);
});

function hex(b: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += (b[offset + i] < 16 ? '0' : '') + b[offset + i].toString(16);
  return s;
}

let sink = 0;
let k = 0;
describe('CID routing lookup (10 000 connections, 40 000 CIDs)', () => {
  bench('CidTable.getAt (seeded 30-bit hash key, bytes compared in place)', () => {
    for (let i = 0; i < 1000; i++) {
      const d = datagrams[k++ % N];
      sink += table.getAt(d, 1, 8) ?? 0;
    }
  });
  bench('Map<hex string> (string built per lookup)', () => {
    for (let i = 0; i < 1000; i++) {
      const d = datagrams[k++ % N];
      sink += hexMap.get(hex(d, 1, 8)) ?? 0;
    }
  });
  bench('Map<Buffer.toString("hex")> (subarray + native hex per lookup)', () => {
    for (let i = 0; i < 1000; i++) {
      const d = datagrams[k++ % N];
      sink += hexMap.get(Buffer.from(d.buffer, d.byteOffset + 1, 8).toString('hex')) ?? 0;
    }
  });
  bench('Map<latin1 string> (String.fromCharCode per lookup)', () => {
    for (let i = 0; i < 1000; i++) {
      const d = datagrams[k++ % N];
      sink += latinMap.get(String.fromCharCode(d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8])) ?? 0;
    }
  });
});

export { sink };
