// The platform's ceiling for a JavaScript QUIC bulk transfer, measured in the same run as our stack: a minimal
// sender (AES-128-GCM seal + AES-ECB header-protection mask + node:dgram send per packet, the calls any
// node:crypto QUIC sender must make) and a minimal receiver (mask + open per packet), two processes, loopback, no
// QUIC logic at all. Our client ← our server goodput is reported as a fraction of this figure.
import { fork } from 'node:child_process';
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

const MIB = 1024 * 1024;
/** The same UDP payload size our stack reaches after DPLPMTUD on loopback (its default search ceiling). */
const DATAGRAM = 1452;
const HEADER = 21; // a short header with an 8-byte DCID (1 + 8) and 4-byte packet number, padded to the sample
const TAG = 16;
const PAYLOAD = DATAGRAM - HEADER - TAG;
/** Packets in flight before the sender waits for the receiver's credit (a window, as flow control would give). */
const WINDOW = 1024;
/** The receiver reports its count every this many packets (about as often as our ACKs go out). */
const CREDIT_EVERY = 32;

export interface CeilingResult {
  readonly mib: number;
  readonly ms: number;
  readonly senderCpuMs: number;
  readonly receiverCpuMs: number;
  /** Datagrams the receiver never got (a receive buffer overflow); goodput counts delivered bytes only. */
  readonly lost: number;
}

/** dgram's address lookup for an IP literal, synchronous (Node's default defers every send by a tick). */
function ipLiteralLookup(address: string, _options: unknown, callback: (e: null, a: string, f: number) => void): void {
  callback(null, address, 4);
}

function keys(): { aead: KeyObject; hp: Buffer } {
  return { aead: createSecretKey(Buffer.alloc(16, 3)), hp: Buffer.alloc(16, 4) };
}

/** The receiving half (a child process): unmask + open every datagram, report progress and the CPU used. */
async function receiver(packets: number): Promise<void> {
  const { aead, hp } = keys();
  const ecb = createCipheriv('aes-128-ecb', hp, null);
  ecb.setAutoPadding(false);
  const nonce = Buffer.alloc(12);
  const out = Buffer.alloc(2048);
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * MIB });
  let count = 0;
  let highest = -1;
  let finished = false;
  let cpu0: NodeJS.CpuUsage | undefined;
  socket.on('message', (m, rinfo) => {
    if (finished) return;
    cpu0 ??= process.cpuUsage();
    const mask = ecb.update(m.subarray(HEADER, HEADER + 16));
    m[0] ^= mask[0] & 0x1f;
    const pn = m.readUInt32BE(9);
    nonce.writeUInt32BE(pn, 8);
    const d = createDecipheriv('aes-128-gcm', aead, nonce, { authTagLength: TAG });
    d.setAuthTag(m.subarray(m.length - TAG));
    d.setAAD(m.subarray(0, HEADER));
    out.set(d.update(m.subarray(HEADER, m.length - TAG)));
    d.final();
    count++;
    if (pn > highest) highest = pn;
    // The credit is the highest packet number seen + 1, so a dropped datagram does not stall the sender.
    if (count % CREDIT_EVERY === 0 || pn === packets - 1) {
      const credit = Buffer.alloc(4);
      credit.writeUInt32BE(highest + 1);
      socket.send(credit, rinfo.port, rinfo.address);
    }
    if (pn === packets - 1) {
      finished = true;
      const cpu = process.cpuUsage(cpu0);
      process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000, received: count });
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  process.send?.({ port: socket.address().port });
}

/** Sends `mib` MiB of sealed, masked 1452-byte datagrams to a receiver in another process. */
export async function measureCeiling(mib: number): Promise<CeilingResult> {
  const packets = Math.ceil((mib * MIB) / PAYLOAD);
  const child = fork(fileURLToPath(import.meta.url), ['ceiling-receiver', String(packets)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * MIB, lookup: ipLiteralLookup as never });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`ceiling receiver exited with ${code}`)));
    });
    const done = new Promise<{ cpuMs: number; received: number }>((resolve) =>
      child.once('message', (m) => resolve(m as { cpuMs: number; received: number })),
    );
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { aead, hp } = keys();
    const ecb = createCipheriv('aes-128-ecb', hp, null);
    ecb.setAutoPadding(false);
    const nonce = Buffer.alloc(12);
    const plaintext = Buffer.alloc(PAYLOAD, 0x5a);
    const pool: Buffer[] = [];
    for (let i = 0; i < 2 * WINDOW; i++) pool.push(Buffer.alloc(DATAGRAM));
    // Sent as our socket sends: no completion callback (a buffer is reused only after 2 × WINDOW sends, and at most
    // WINDOW are uncredited, so it was delivered by then) and a synchronous IP-literal lookup.
    let sent = 0;
    let credited = 0;
    let scheduled = false;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const pump = (): void => {
      scheduled = false;
      // Up to 64 sends per event-loop turn, as our driver does.
      for (let k = 0; k < 64 && sent < packets && sent - credited < WINDOW; k++, sent++) {
        const b = pool[sent % pool.length];
        b[0] = 0x43;
        b.writeUInt32BE(sent, 9);
        nonce.writeUInt32BE(sent, 8);
        const c = createCipheriv('aes-128-gcm', aead, nonce, { authTagLength: TAG });
        c.setAAD(b.subarray(0, HEADER));
        b.set(c.update(plaintext), HEADER);
        c.final();
        b.set(c.getAuthTag(), DATAGRAM - TAG);
        const mask = ecb.update(b.subarray(HEADER, HEADER + 16));
        b[0] ^= mask[0] & 0x1f;
        socket.send(b, 0, DATAGRAM, port, '127.0.0.1');
      }
      if (sent < packets && sent - credited < WINDOW) {
        scheduled = true;
        setImmediate(pump);
      }
    };
    socket.on('message', (m) => {
      credited = Math.max(credited, m.readUInt32BE(0));
      if (!scheduled) pump();
    });
    pump();
    // The last datagram ends the run; should it be dropped, it is sent again until the receiver reports.
    const last = setInterval(() => {
      if (sent === packets) socket.send(pool[(packets - 1) % pool.length], 0, DATAGRAM, port, '127.0.0.1');
    }, 50);
    const r = await done;
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(last);
    return {
      mib: (r.received * PAYLOAD) / MIB,
      ms,
      senderCpuMs: (cpu.user + cpu.system) / 1000,
      receiverCpuMs: r.cpuMs,
      lost: packets - r.received,
    };
  } finally {
    socket.close();
    child.kill();
  }
}

if (process.argv[2] === 'ceiling-receiver') await receiver(Number(process.argv[3]));
