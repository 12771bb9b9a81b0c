// A minimal classic-pcap writer (LINKTYPE_RAW, IPv4/UDP) so tests can feed tshark hand-made datagrams.
import { writeFileSync } from 'node:fs';

const LINKTYPE_RAW = 101;

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Writes one 127.0.0.1:50000 → 127.0.0.1:`dstPort` UDP datagram per payload into a pcap file. */
export function writeUdpPcap(path: string, payloads: readonly Uint8Array[], dstPort: number): void {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0); // magic, microsecond timestamps
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65_535, 16); // snaplen
  global.writeUInt32LE(LINKTYPE_RAW, 20);
  const records = payloads.map((payload, i) => {
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(50_000, 0);
    udp.writeUInt16BE(dstPort, 2);
    udp.writeUInt16BE(8 + payload.length, 4); // checksum 0: not computed (allowed for IPv4)
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + payload.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    ip.writeUInt16BE(ipv4Checksum(ip), 10);
    const packet = Buffer.concat([ip, udp, payload]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(packet.length, 8);
    rec.writeUInt32LE(packet.length, 12);
    return Buffer.concat([rec, packet]);
  });
  writeFileSync(path, Buffer.concat([global, ...records]));
}
