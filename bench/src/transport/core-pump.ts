// The protocol core's cost per packet without sockets, timers or the kernel: a server Connection sends a stream to a
// client Connection in this process, every datagram handed over directly (sans-I/O), on a clock that advances
// 50 µs per round. The baseline in the same run is the packet protection alone (AES-128-GCM seal + header
// protection, then header protection + open, for the same 1452-byte datagrams): the difference is what the QUIC
// logic of both sides costs per packet, the figure to drive down.
import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import { CubicFactory } from '@fos/congestion-cubic';
import { PoolAllocator, type SocketAddress } from '@fos/core';
import { CryptoPacketProtection, type GeneratedCertificate, NodeCryptoProvider, TlsContext } from '@fos/crypto';
import { Connection, HeaderStatus, PacketHeader, parsePacketHeader, QUIC_VERSION_1 } from '@fos/quic';

const MIB = 1024 * 1024;
const ROUND_MS = 0.05;

export interface CorePumpResult {
  readonly packets: number;
  readonly ms: number;
  /** Wall time per 1-RTT data packet, both connections together (this process does all the work). */
  readonly usPerPacket: number;
  /** Packet protection alone for the same number of packets, measured right after. */
  readonly protectionUsPerPacket: number;
}

const CLIENT: SocketAddress = { address: '127.0.0.1', port: 40_000, family: 'IPv4' };
const SERVER: SocketAddress = { address: '127.0.0.1', port: 443, family: 'IPv4' };

/** Sends `mib` MiB from a server to a client Connection with no I/O in between. */
export function measureCorePump(cert: GeneratedCertificate, mib: number): CorePumpResult {
  const size = mib * MIB;
  const provider = new NodeCryptoProvider();
  const serverTls = new TlsContext({ provider, certificates: [{ chain: cert.certPem, key: cert.keyPem }] });
  const clientTls = new TlsContext({ provider, verify: { ca: cert.certPem } });
  const generateCid = () => ({ cid: provider.randomBytes(8), resetToken: provider.randomBytes(16) });
  const pool = new PoolAllocator({ bufferSize: 2048 });
  let now = 1_000;
  const client = new Connection({
    role: 'client',
    version: QUIC_VERSION_1,
    nowMs: now,
    epochMs: Date.now(),
    remote: SERVER,
    localCid: provider.randomBytes(8),
    remoteCid: provider.randomBytes(8),
    generateCid,
    tls: clientTls,
    clientTls: { alpnProtocols: ['fos-bench'], serverName: 'localhost' },
    protection: new CryptoPacketProtection(provider),
    crypto: provider,
    congestion: new CubicFactory(),
  });
  let server: Connection | undefined;
  const createServer = (first: Uint8Array): Connection => {
    const h = new PacketHeader();
    if (parsePacketHeader(first, 0, first.length, 8, h) !== HeaderStatus.OK) throw new Error('bad client Initial');
    return new Connection({
      role: 'server',
      version: h.version,
      nowMs: now,
      epochMs: Date.now(),
      remote: CLIENT,
      localCid: provider.randomBytes(8),
      remoteCid: h.scid.slice(),
      originalDestinationCid: h.dcid.slice(),
      localResetToken: provider.randomBytes(16),
      generateCid,
      tls: serverTls,
      serverTls: { alpnProtocols: ['fos-bench'] },
      protection: new CryptoPacketProtection(provider),
      crypto: provider,
      congestion: new CubicFactory(),
    });
  };
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const transmit = (conn: Connection, queue: Uint8Array[]): void => {
    for (;;) {
      const buf = pool.acquire();
      const n = conn.pollTransmit(now, buf);
      if (n === 0) {
        pool.release(buf);
        return;
      }
      queue.push(buf.subarray(0, n));
    }
  };
  const release = (d: Uint8Array): void => pool.release(new Uint8Array(d.buffer, d.byteOffset, pool.bufferSize));
  const timers = (conn: Connection): void => {
    const t = conn.pollTimeout();
    if (t !== undefined && t <= now) conn.handleTimeout(now);
  };

  const chunk = new Uint8Array(MIB).fill(0x5a);
  let clientStream: number | undefined;
  let serverStream: number | undefined;
  let written = 0;
  let received = 0;
  let packets = 0;
  let t0 = 0;
  transmit(client, toServer);
  for (let round = 0; received < size; round++) {
    if (round > 10_000_000) throw new Error(`core pump stalled at ${received} of ${size} bytes`);
    now += ROUND_MS;
    for (let d = toServer.shift(); d !== undefined; d = toServer.shift()) {
      server ??= createServer(d);
      server.handleDatagram(now, d, CLIENT);
      release(d);
    }
    if (server !== undefined) {
      for (let e = server.pollEvent(); e; e = server.pollEvent()) {
        if (e.type === 'stream-opened') serverStream = e.streamId;
      }
      // Keep a few MiB queued, as an application honouring backpressure would.
      while (serverStream !== undefined && written < size && server.streamBufferedBytes(serverStream) < 4 * MIB) {
        written += MIB;
        server.writeStream(serverStream, chunk, written >= size);
      }
      timers(server);
      transmit(server, toClient);
    }
    // The client reads like a socket delivers: up to 32 datagrams, then it may answer.
    let batch = 0;
    for (let d = toClient.shift(); d !== undefined; d = toClient.shift()) {
      client.handleDatagram(now, d, SERVER);
      release(d);
      if (clientStream !== undefined) packets++;
      if (++batch % 32 === 0) transmit(client, toServer);
    }
    while (client.pollEvent()) {
      // events are not needed: the stream is polled below
    }
    if (clientStream === undefined && client.connectionState === 'established') {
      clientStream = client.openStream(true);
      if (clientStream === undefined) throw new Error('no stream credit');
      client.writeStream(clientStream, new Uint8Array([0x47]), true);
      t0 = performance.now();
    }
    if (clientStream !== undefined) {
      for (let r = client.readStream(clientStream); r && r.length > 0; r = client.readStream(clientStream)) {
        received += r.length;
      }
    }
    timers(client);
    transmit(client, toServer);
  }
  const ms = performance.now() - t0;
  return { packets, ms, usPerPacket: (ms * 1000) / packets, protectionUsPerPacket: protectionOnly(packets) };
}

/** Seal + mask, then mask + open, of `packets` 1452-byte datagrams: what node:crypto costs per packet. */
function protectionOnly(packets: number): number {
  const key = createSecretKey(Buffer.alloc(16, 1));
  const hp = createCipheriv('aes-128-ecb', Buffer.alloc(16, 2), null);
  hp.setAutoPadding(false);
  const nonce = Buffer.alloc(12);
  const buf = Buffer.alloc(1452);
  const header = buf.subarray(0, 21);
  const t0 = performance.now();
  for (let i = 0; i < packets; i++) {
    nonce.writeUInt32BE(i, 8);
    const c = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: 16 });
    c.setAAD(header);
    buf.set(c.update(buf.subarray(21, 1436)), 21);
    c.final();
    buf.set(c.getAuthTag(), 1436);
    hp.update(buf.subarray(25, 41));
    hp.update(buf.subarray(25, 41));
    const d = createDecipheriv('aes-128-gcm', key, nonce, { authTagLength: 16 });
    d.setAuthTag(buf.subarray(1436));
    d.setAAD(header);
    d.update(buf.subarray(21, 1436));
    d.final();
  }
  return ((performance.now() - t0) * 1000) / packets;
}
