import type { Datagram, DatagramSocket, SocketAddress, SocketError, SocketEvent } from '@fos/core';
import { PoolAllocator, VirtualClock } from '@fos/core';
import { type LinkConditions, MemoryNetwork, type NetworkTraceEvent, type Seed } from '../../src/index.js';

/** A received datagram, copied out of the borrowed buffer. */
export interface Received {
  readonly data: Uint8Array;
  readonly remote: SocketAddress;
  readonly receivedAt: number;
}

/** Copies every datagram a socket emits (the emitted `data` is borrowed). */
export function collect(socket: DatagramSocket): Received[] {
  const out: Received[] = [];
  socket.datagrams$.subscribe((d: Datagram) => {
    out.push({ data: Uint8Array.from(d.data), remote: d.remote, receivedAt: d.receivedAt });
  });
  return out;
}

/** Collects every SocketError a socket reports. */
export function collectErrors(socket: DatagramSocket): SocketError[] {
  const out: SocketError[] = [];
  socket.events$.subscribe((e: SocketEvent) => {
    if (e.type === 'error') out.push(e.error);
  });
  return out;
}

/** A simulated network on a fresh VirtualClock and a strict pool, recording its trace. */
export function simulation(options: { seed?: Seed; defaultLink?: LinkConditions; bufferSize?: number } = {}) {
  const clock = new VirtualClock();
  const allocator = new PoolAllocator({ strict: true, bufferSize: options.bufferSize ?? 2048 });
  const trace: NetworkTraceEvent[] = [];
  const network = new MemoryNetwork({
    clock,
    seed: options.seed ?? 1,
    allocator,
    defaultLink: options.defaultLink,
    onTrace: (e) => trace.push(e),
  });
  return { clock, allocator, network, trace };
}

/** FNV-1a over the bytes: a content fingerprint for round-trip checks. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}

/**
 * A self-checking datagram: [seq u32][size-8 bytes derived from seq][FNV-1a of everything before, u32].
 * `size` ≥ 8.
 */
export function sequencedPayload(seq: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, seq);
  let x = (seq * 2654435761) >>> 0;
  for (let i = 4; i < size - 4; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  v.setUint32(size - 4, fnv1a(b.subarray(0, size - 4)));
  return b;
}

/** Checks a datagram built by `sequencedPayload`; returns its seq, or -1 when it is damaged. */
export function checkSequenced(data: Uint8Array): number {
  if (data.length < 8) return -1;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const seq = v.getUint32(0);
  const expected = sequencedPayload(seq, data.length);
  for (let i = 0; i < data.length; i++) if (data[i] !== expected[i]) return -1;
  return seq;
}

/** Number of differing bits. */
export function bitDistance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i] ^ b[i];
    while (x) {
      d += x & 1;
      x >>>= 1;
    }
  }
  return d;
}

/** |measured − p| ≤ k·σ for a binomial proportion over n trials. */
export function binomialSigma(p: number, n: number): number {
  return Math.sqrt((p * (1 - p)) / n);
}
