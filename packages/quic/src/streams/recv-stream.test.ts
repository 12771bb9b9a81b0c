import { TransportError, TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReceiveFlowController } from '../flow-control/receive-flow-controller.js';
import { RecvState, RecvStream } from './recv-stream.js';

function bytes(n: number, seed = 3): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 13 + seed) & 0xff;
  return out;
}

function setup(window = 1000, connWindow = 10_000) {
  const conn = new ReceiveFlowController({ initialWindowBytes: connWindow });
  const recv = new RecvStream({ initialWindowBytes: window });
  return { conn, recv };
}

function errorCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransportError) return e.code;
    throw e;
  }
  return undefined;
}

function readAll(recv: RecvStream, conn: ReceiveFlowController): Uint8Array {
  const parts: number[] = [];
  for (let v = recv.read(Number.POSITIVE_INFINITY, conn); v; v = recv.read(Number.POSITIVE_INFINITY, conn)) {
    parts.push(...v);
  }
  return Uint8Array.from(parts);
}

describe('RecvStream state machine (RFC 9000 §3.2)', () => {
  it('starts in Recv', () => {
    expect(setup().recv.state).toBe(RecvState.RECV);
  });

  it('Recv → Size Known on STREAM+FIN with data missing', () => {
    const { recv, conn } = setup();
    recv.handleData(10, bytes(10), true, conn);
    expect(recv.state).toBe(RecvState.SIZE_KNOWN);
    expect(recv.finalSize).toBe(20);
  });

  it('Recv → Data Recvd when the FIN frame completes the data', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(20), true, conn);
    expect(recv.state).toBe(RecvState.DATA_RECVD);
  });

  it('Size Known → Data Recvd when the gap is filled', () => {
    const { recv, conn } = setup();
    recv.handleData(10, bytes(10), true, conn);
    recv.handleData(0, bytes(10), false, conn);
    expect(recv.state).toBe(RecvState.DATA_RECVD);
  });

  it('a FIN-only frame after all data moves Recv → Data Recvd', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(10), false, conn);
    recv.handleData(10, new Uint8Array(0), true, conn);
    expect(recv.state).toBe(RecvState.DATA_RECVD);
  });

  it('Data Recvd → Data Read when the application has read everything', () => {
    const { recv, conn } = setup();
    const payload = bytes(20);
    recv.handleData(0, payload, true, conn);
    expect(recv.readable).toBe(true);
    expect(recv.read(15, conn)).toEqual(payload.subarray(0, 15));
    expect(recv.state).toBe(RecvState.DATA_RECVD);
    expect(recv.read(100, conn)).toEqual(payload.subarray(15));
    expect(recv.state).toBe(RecvState.DATA_READ);
    expect(recv.read(100, conn)).toBeNull();
    expect(recv.terminal).toBe(true);
  });

  it('reading the end of a stream whose data was already read returns null (Data Read)', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(5), false, conn);
    expect(recv.read(100, conn)!.length).toBe(5);
    expect(recv.read(100, conn)).toBeUndefined();
    recv.handleData(5, new Uint8Array(0), true, conn);
    expect(recv.readable).toBe(true);
    expect(recv.read(100, conn)).toBeNull();
    expect(recv.state).toBe(RecvState.DATA_READ);
  });

  it.each([
    ['Recv', (r: RecvStream, c: ReceiveFlowController) => r.handleData(0, bytes(5), false, c)],
    ['Size Known', (r: RecvStream, c: ReceiveFlowController) => r.handleData(5, bytes(5), true, c)],
    ['Data Recvd', (r: RecvStream, c: ReceiveFlowController) => r.handleData(0, bytes(10), true, c)],
  ])('%s → Reset Recvd on RESET_STREAM; unread data is discarded', (_name, prepare) => {
    const { recv, conn } = setup();
    prepare(recv, conn);
    expect(recv.handleReset(77, 10, conn)).toBe(true);
    expect(recv.state).toBe(RecvState.RESET_RECVD);
    expect(recv.resetErrorCode).toBe(77);
    expect(recv.buffer.allocatedBytes).toBe(0);
    expect(recv.readable).toBe(false);
    // RFC 9000 §4.5: the final size is accounted in the connection-level controller.
    expect(conn.received).toBe(10);
    expect(conn.consumed).toBe(10);
  });

  it('Reset Recvd → Reset Read when the application sees the reset', () => {
    const { recv, conn } = setup();
    recv.handleReset(1, 0, conn);
    recv.resetRead();
    expect(recv.state).toBe(RecvState.RESET_READ);
    expect(recv.terminal).toBe(true);
  });

  it('data arriving after the reset is discarded (no Reset Recvd → Data Recvd)', () => {
    const { recv, conn } = setup();
    recv.handleReset(1, 10, conn);
    recv.handleData(0, bytes(10), true, conn);
    expect(recv.state).toBe(RecvState.RESET_RECVD);
    expect(recv.buffer.allocatedBytes).toBe(0);
  });

  it('terminal states ignore further frames with a consistent final size', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(10), true, conn);
    readAll(recv, conn);
    expect(recv.state).toBe(RecvState.DATA_READ);
    expect(recv.handleReset(5, 10, conn)).toBe(false);
    recv.handleData(0, bytes(10), true, conn);
    expect(recv.state).toBe(RecvState.DATA_READ);

    const b = setup();
    b.recv.handleReset(1, 4, b.conn);
    b.recv.resetRead();
    expect(b.recv.handleReset(1, 4, b.conn)).toBe(false);
    b.recv.handleData(0, bytes(4), true, b.conn);
    expect(b.recv.state).toBe(RecvState.RESET_READ);
  });
});

describe('RecvStream final size (RFC 9000 §4.5)', () => {
  it('a second FIN with a different final size is a FINAL_SIZE_ERROR', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(10), true, conn);
    expect(errorCode(() => recv.handleData(0, bytes(12), true, conn))).toBe(TransportErrorCode.FINAL_SIZE_ERROR);
    expect(errorCode(() => recv.handleData(0, bytes(8), true, conn))).toBe(TransportErrorCode.FINAL_SIZE_ERROR);
  });

  it('data beyond a known final size is a FINAL_SIZE_ERROR', () => {
    const { recv, conn } = setup();
    recv.handleData(5, bytes(5), true, conn);
    expect(errorCode(() => recv.handleData(8, bytes(5), false, conn))).toBe(TransportErrorCode.FINAL_SIZE_ERROR);
  });

  it('a final size below data already received is a FINAL_SIZE_ERROR', () => {
    const { recv, conn } = setup();
    recv.handleData(20, bytes(10), false, conn);
    expect(errorCode(() => recv.handleData(0, bytes(10), true, conn))).toBe(TransportErrorCode.FINAL_SIZE_ERROR);
  });

  it('RESET_STREAM with a final size differing from the known one is a FINAL_SIZE_ERROR', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(10), true, conn);
    expect(errorCode(() => recv.handleReset(0, 11, conn))).toBe(TransportErrorCode.FINAL_SIZE_ERROR);
  });

  it('RESET_STREAM with a final size below data received is a FINAL_SIZE_ERROR', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(30), false, conn);
    expect(errorCode(() => recv.handleReset(0, 29, conn))).toBe(TransportErrorCode.FINAL_SIZE_ERROR);
  });

  it('a repeated FIN with the same final size is fine', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(10), true, conn);
    recv.handleData(5, bytes(5), true, conn);
    expect(recv.state).toBe(RecvState.DATA_RECVD);
  });

  it('reports the frame type of the offending frame', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(10), true, conn);
    try {
      recv.handleReset(0, 9, conn);
      expect.unreachable();
    } catch (e) {
      expect((e as TransportError).frameType).toBe(0x04);
    }
  });
});

describe('RecvStream flow control (RFC 9000 §4.1)', () => {
  it('data beyond the stream limit is a FLOW_CONTROL_ERROR', () => {
    const { recv, conn } = setup(100);
    recv.handleData(0, bytes(100), false, conn);
    expect(errorCode(() => recv.handleData(100, bytes(1), false, conn))).toBe(TransportErrorCode.FLOW_CONTROL_ERROR);
  });

  it('data beyond the connection limit is a FLOW_CONTROL_ERROR', () => {
    const { recv, conn } = setup(1000, 50);
    expect(errorCode(() => recv.handleData(40, bytes(11), false, conn))).toBe(TransportErrorCode.FLOW_CONTROL_ERROR);
  });

  it('a RESET_STREAM final size beyond the limit is a FLOW_CONTROL_ERROR', () => {
    const { recv, conn } = setup(100);
    expect(errorCode(() => recv.handleReset(0, 101, conn))).toBe(TransportErrorCode.FLOW_CONTROL_ERROR);
  });

  it('an offset beyond 2^62 - 1 is rejected', () => {
    const { recv, conn } = setup(100);
    expect(errorCode(() => recv.handleData(2 ** 62, bytes(1), false, conn))).toBe(
      TransportErrorCode.FLOW_CONTROL_ERROR,
    );
  });

  it('the connection counts the highest offset per stream, not the bytes received', () => {
    const { recv, conn } = setup();
    recv.handleData(100, bytes(10), false, conn);
    expect(conn.received).toBe(110);
    recv.handleData(0, bytes(50), false, conn);
    expect(conn.received).toBe(110);
    recv.handleData(100, bytes(10), false, conn);
    expect(conn.received).toBe(110);
  });

  it('credit is consumed as the application reads, not as data arrives', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(600), false, conn);
    expect(recv.fc.consumed).toBe(0);
    expect(conn.consumed).toBe(0);
    expect(recv.fc.maybeUpdate(0, 0)).toBe(false);
    recv.read(550, conn);
    expect(recv.fc.consumed).toBe(550);
    expect(conn.consumed).toBe(550);
    expect(recv.fc.maybeUpdate(0, 0)).toBe(true);
    expect(recv.fc.limit).toBe(1550);
  });
});

describe('RecvStream STOP_SENDING (RFC 9000 §3.5)', () => {
  it('in Recv: asks for STOP_SENDING, discards buffered data and releases its credit', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(100), false, conn);
    recv.handleData(200, bytes(100), false, conn);
    expect(recv.stopSending(9, conn)).toBe(true);
    expect(recv.buffer.allocatedBytes).toBe(0);
    expect(conn.consumed).toBe(300);
    expect(recv.read(10, conn)).toBeNull();
    expect(recv.wantsCredit).toBe(false);
    // Data after STOP_SENDING still counts toward flow control and is consumed at once.
    recv.handleData(300, bytes(100), false, conn);
    expect(conn.received).toBe(400);
    expect(conn.consumed).toBe(400);
    expect(recv.buffer.allocatedBytes).toBe(0);
  });

  it('in Size Known: asks for STOP_SENDING; the stream finishes once all data arrived', () => {
    const { recv, conn } = setup();
    recv.handleData(50, bytes(50), true, conn);
    expect(recv.stopSending(1, conn)).toBe(true);
    recv.handleData(0, bytes(50), false, conn);
    expect(recv.state).toBe(RecvState.DATA_READ);
  });

  it('in Data Recvd: nothing to ask for; the stream is done (Data Read)', () => {
    const { recv, conn } = setup();
    recv.handleData(0, bytes(50), true, conn);
    expect(recv.stopSending(1, conn)).toBe(false);
    expect(recv.state).toBe(RecvState.DATA_READ);
    expect(conn.consumed).toBe(50);
  });

  it('after a reset: no STOP_SENDING', () => {
    const { recv, conn } = setup();
    recv.handleReset(3, 0, conn);
    expect(recv.stopSending(1, conn)).toBe(false);
  });
});

describe('RecvStream property: random chunking, duplicates, overlaps and FIN placement', () => {
  it('reads back the payload exactly, within the window, storing each byte once', () => {
    const arb = fc.record({
      length: fc.integer({ min: 0, max: 4000 }),
      cuts: fc.array(fc.nat(4000), { maxLength: 25 }),
      overlaps: fc.array(fc.tuple(fc.nat(4000), fc.integer({ min: 1, max: 700 })), { maxLength: 10 }),
      dupes: fc.array(fc.nat(100), { maxLength: 8 }),
      finAlone: fc.boolean(),
      order: fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
      readSizes: fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 8 }),
    });
    fc.assert(
      fc.property(arb, ({ length, cuts, overlaps, dupes, finAlone, order, readSizes }) => {
        const pageSize = 512;
        const conn = new ReceiveFlowController({ initialWindowBytes: length });
        const recv = new RecvStream({ initialWindowBytes: length, pageSize, maxRanges: 10_000 });
        const payload = bytes(length, 11);
        const points = [...new Set([0, length, ...cuts.filter((c) => c < length)])].sort((a, b) => a - b);
        const frames: { s: number; e: number; fin: boolean }[] = [];
        for (let i = 0; i + 1 < points.length; i++) {
          frames.push({ s: points[i], e: points[i + 1], fin: !finAlone && points[i + 1] === length });
        }
        for (const [start, len] of overlaps) {
          if (length === 0) break;
          const s = start % length;
          const e = Math.min(length, s + len);
          frames.push({ s, e, fin: !finAlone && e === length });
        }
        for (const d of dupes) if (frames.length > 0) frames.push(frames[d % frames.length]);
        if (finAlone || frames.length === 0) frames.push({ s: length, e: length, fin: true });
        // Random permutation: FIN can arrive first, last or anywhere between.
        const keyed = frames.map((f, i) => ({ f, k: order[i % order.length] + i / 1000 }));
        keyed.sort((a, b) => a.k - b.k);
        const scratch = new Uint8Array(4000);
        const out: Uint8Array[] = [];
        let reads = 0;
        for (const { f } of keyed) {
          scratch.set(payload.subarray(f.s, f.e));
          recv.handleData(f.s, scratch.subarray(0, f.e - f.s), f.fin, conn);
          scratch.fill(0xaa); // the packet buffer is reused
          if (recv.buffer.allocatedBytes > length - recv.buffer.readOffset + 2 * pageSize) {
            expect.fail(`allocated ${recv.buffer.allocatedBytes} for a window of ${length}`);
          }
          const size = readSizes[reads++ % readSizes.length];
          for (let v = recv.read(size, conn); v; v = recv.read(size, conn)) out.push(v);
        }
        for (let v = recv.read(Number.POSITIVE_INFINITY, conn); v; v = recv.read(Number.POSITIVE_INFINITY, conn)) {
          out.push(v);
        }
        const got = Buffer.concat(out);
        expect(got.equals(Buffer.from(payload))).toBe(true);
        expect(recv.state).toBe(RecvState.DATA_READ);
        expect(recv.buffer.storedBytes).toBe(length);
        expect(conn.consumed).toBe(length);
      }),
      { numRuns: 150 },
    );
  });
});
