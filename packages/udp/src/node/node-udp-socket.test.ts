import type { Socket, SocketOptions } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { PoolAllocator, type SocketAddress, VirtualClock } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { SocketErrorCode } from '../socket-errors.js';
import { NodeUdpSocket } from './node-udp-socket.js';

type SendCallback = (err: Error | null, bytes?: number) => void;

interface PendingSend {
  readonly view: Uint8Array;
  readonly snapshot: Uint8Array;
  readonly callback: SendCallback | undefined;
  readonly fail: boolean;
}

/**
 * A stand-in for a node:dgram socket whose sends complete only when the test says so, in order — the path libuv
 * takes when its send queue is not empty, which loopback traffic rarely reaches — and which cancels queued sends
 * with ECANCELED when closed, as dgram does.
 */
class ManualDgram extends EventEmitter {
  readonly pending: PendingSend[] = [];
  readonly failAt = new Set<number>();
  sends = 0;
  closeCalls = 0;
  /** Sends without a callback complete at once (libuv's synchronous try-send) unless this is set. */
  queueSends = false;
  /** Sends that completed at once. */
  immediate = 0;
  /** Completed sends whose buffer changed while in flight (released and reused too early). */
  clobbered = 0;
  private recvSize = 0;
  private sendSize = 0;

  bind(): void {
    this.emit('listening');
  }
  address() {
    return { address: '127.0.0.1', port: 5555, family: 'IPv4' };
  }
  setRecvBufferSize(n: number): void {
    this.recvSize = 2 * n;
  }
  setSendBufferSize(n: number): void {
    this.sendSize = 2 * n;
  }
  getRecvBufferSize(): number {
    return this.recvSize;
  }
  getSendBufferSize(): number {
    return this.sendSize;
  }
  unref(): this {
    return this;
  }
  send(buffer: Uint8Array, offset: number, length: number, _port: number, _address: string, cb?: SendCallback): void {
    const view = buffer.subarray(offset, offset + length);
    const fail = this.failAt.has(this.sends++);
    // libuv sends at once only when nothing is queued ahead (ordering); a callback-less send leaves no trace.
    if (cb === undefined && !this.queueSends && this.pending.length === 0) {
      this.immediate++;
      return;
    }
    this.pending.push({ view, snapshot: Uint8Array.from(view), callback: cb, fail });
  }
  getSendQueueCount(): number {
    return this.pending.length;
  }
  /** Completes the `n` oldest sends, in order. */
  complete(n = this.pending.length): void {
    for (const p of this.pending.splice(0, n)) {
      if (p.view.some((b, i) => b !== p.snapshot[i])) this.clobbered++;
      if (p.fail) p.callback?.(Object.assign(new Error('too big'), { code: 'EMSGSIZE' }));
      else p.callback?.(null, p.view.length);
    }
  }
  close(cb?: () => void): void {
    this.closeCalls++;
    const cancelled = this.pending.splice(0);
    setImmediate(() => {
      for (const p of cancelled) p.callback?.(Object.assign(new Error('cancelled'), { code: 'ECANCELED' }));
      this.emit('close');
      cb?.();
    });
  }
}

class ManualSocket extends NodeUdpSocket {
  readonly dgram = new ManualDgram();
  lastOptions: SocketOptions | undefined;
  protected override createDgramSocket(options: SocketOptions): Socket {
    this.lastOptions = options;
    return this.dgram as unknown as Socket;
  }
}

const peer: SocketAddress = { address: '127.0.0.2', port: 4433, family: 'IPv4' };

function payload(i: number): Uint8Array {
  return Uint8Array.from({ length: 20 + (i % 50) }, (_, k) => (i * 31 + k) & 0xff);
}

async function bound(reportSendErrors = true) {
  const allocator = new PoolAllocator({ strict: true, slabBuffers: 4 });
  const s = new ManualSocket(allocator, new VirtualClock(), {
    recvBufferSize: 1000,
    sendBufferSize: 2000,
    reportSendErrors,
  });
  await s.bind({ address: '127.0.0.1' });
  return { allocator, s, dgram: s.dgram };
}

describe('NodeUdpSocket send FIFO (asynchronous completions)', () => {
  it('holds each buffer until its own callback, releasing in order, with no early reuse', async () => {
    const { allocator, s, dgram } = await bound();
    for (let i = 0; i < 100; i++) {
      if (i % 2 === 0) s.send(payload(i), peer);
      else {
        const b = allocator.acquire();
        const p = payload(i);
        b.set(p);
        s.sendPooled(b, p.length, peer);
      }
    }
    expect(allocator.stats().inUse).toBe(100);
    expect(s.stats().inFlightSends).toBe(100);
    dgram.complete(40);
    expect(allocator.stats().inUse).toBe(60);
    expect(s.stats()).toMatchObject({ datagramsSent: 40, inFlightSends: 60 });
    // Churn the pool: a buffer released too early would now be overwritten while still in flight.
    for (let i = 100; i < 200; i++) s.send(payload(i), peer);
    dgram.complete();
    expect(dgram.clobbered).toBe(0);
    const expectedBytes = Array.from({ length: 200 }, (_, i) => payload(i).length).reduce((a, b) => a + b, 0);
    expect(s.stats()).toMatchObject({ datagramsSent: 200, bytesSent: expectedBytes, inFlightSends: 0 });
    expect(allocator.stats().inUse).toBe(0);
  });

  it('keeps counts aligned when a send in the middle of the queue fails', async () => {
    const { allocator, s, dgram } = await bound();
    const errors: string[] = [];
    s.events$.subscribe((e) => e.type === 'error' && errors.push(e.error.code));
    dgram.failAt.add(5);
    for (let i = 0; i < 10; i++) s.send(payload(i), peer);
    dgram.complete();
    expect(errors).toEqual([SocketErrorCode.EMSGSIZE]);
    const okBytes = [0, 1, 2, 3, 4, 6, 7, 8, 9].reduce((sum, i) => sum + payload(i).length, 0);
    expect(s.stats()).toMatchObject({ datagramsSent: 9, sendErrors: 1, bytesSent: okBytes });
    expect(allocator.stats().inUse).toBe(0);
  });

  it('closes the dgram socket only after queued sends completed, so none is cancelled', async () => {
    const { allocator, s, dgram } = await bound();
    const errors: string[] = [];
    s.events$.subscribe((e) => e.type === 'error' && errors.push(e.error.code));
    for (let i = 0; i < 5; i++) s.send(payload(i), peer);
    let resolved = false;
    const closing = s.close().then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(dgram.closeCalls).toBe(0);
    expect(resolved).toBe(false);
    dgram.complete(2);
    expect(dgram.closeCalls).toBe(0);
    dgram.complete();
    expect(dgram.closeCalls).toBe(1);
    await closing;
    expect(errors).toEqual([]);
    expect(s.stats()).toMatchObject({ datagramsSent: 5, inFlightSends: 0 });
    expect(allocator.stats().inUse).toBe(0);
  });

  it('creates udp4/udp6 sockets as the bind address asks and applies the buffer sizes', async () => {
    const { s } = await bound();
    expect(s.lastOptions).toMatchObject({ type: 'udp4', reuseAddr: false });
    expect([s.recvBufferSize, s.sendBufferSize]).toEqual([2000, 4000]);
    const v6 = new ManualSocket(new PoolAllocator(), new VirtualClock(), { ipv6Only: true });
    await v6.bind({ address: '::1' });
    expect(v6.lastOptions).toMatchObject({ type: 'udp6', ipv6Only: true });
    const fam = new ManualSocket(new PoolAllocator(), new VirtualClock());
    await fam.bind({ family: 'IPv6', ipv6Only: false, reuseAddress: true });
    expect(fam.lastOptions).toMatchObject({ type: 'udp6', ipv6Only: false, reuseAddr: true });
  });
});

describe('NodeUdpSocket sends without callbacks (the default)', () => {
  it('releases each buffer right after a synchronous send', async () => {
    const { allocator, s, dgram } = await bound(false);
    for (let i = 0; i < 50; i++) s.send(payload(i), peer);
    expect(dgram.immediate).toBe(50);
    expect(allocator.stats()).toMatchObject({ inUse: 0 });
    const bytes = Array.from({ length: 50 }, (_, i) => payload(i).length).reduce((a, b) => a + b, 0);
    expect(s.stats()).toMatchObject({ datagramsSent: 50, bytesSent: bytes, inFlightSends: 0 });
  });

  it('holds buffers while libuv has sends queued, with no early reuse, and frees them once the queue drains', async () => {
    const { allocator, s, dgram } = await bound(false);
    dgram.queueSends = true;
    for (let i = 0; i < 40; i++) s.send(payload(i), peer);
    expect(allocator.stats().inUse).toBe(40);
    dgram.complete(10); // the queue is still not empty: nothing may be released
    s.send(payload(40), peer);
    expect(allocator.stats().inUse).toBe(41);
    dgram.complete();
    dgram.queueSends = false;
    // The next send finds the queue empty: every held buffer is released, then its own.
    for (let i = 41; i < 100; i++) s.send(payload(i), peer);
    expect(dgram.clobbered).toBe(0);
    expect(allocator.stats().inUse).toBe(0);
    expect(s.stats()).toMatchObject({ datagramsSent: 100, inFlightSends: 0 });
  });

  it('frees held buffers on its own timer when no further send comes', async () => {
    const { allocator, s, dgram } = await bound(false);
    dgram.queueSends = true;
    for (let i = 0; i < 5; i++) s.send(payload(i), peer);
    dgram.complete();
    await new Promise((r) => setTimeout(r, 20));
    expect(allocator.stats().inUse).toBe(0);
    expect(s.stats().inFlightSends).toBe(0);
  });

  it('closes the dgram socket only once its send queue drained', async () => {
    const { allocator, s, dgram } = await bound(false);
    dgram.queueSends = true;
    for (let i = 0; i < 5; i++) s.send(payload(i), peer);
    let resolved = false;
    const closing = s.close().then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(dgram.closeCalls).toBe(0);
    expect(resolved).toBe(false);
    dgram.complete();
    await closing;
    expect(dgram.closeCalls).toBe(1);
    expect(allocator.stats().inUse).toBe(0);
  });
});
