import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendState, SendStream, type StreamChunk } from './send-stream.js';

function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 29 + seed) & 0xff;
  return out;
}

function chunk(): StreamChunk {
  return { streamId: 0, offset: -1, data: new Uint8Array(0), fin: false };
}

/** Emits everything sendable (urgent first), returning [offset, length, fin] triples. */
function drain(s: SendStream, max = 1000, credit = Number.POSITIVE_INFINITY): [number, number, boolean][] {
  const out: [number, number, boolean][] = [];
  const c = chunk();
  for (;;) {
    if (s.emitUrgent(max, c)) {
      out.push([c.offset, c.data.length, c.fin]);
      continue;
    }
    const n = s.emitNew(max, credit, c);
    if (n > 0) {
      credit -= n;
      out.push([c.offset, c.data.length, c.fin]);
      continue;
    }
    return out;
  }
}

function ackAll(s: SendStream, frames: [number, number, boolean][]): void {
  for (const [o, l, f] of frames) s.onAcked(o, l, f);
}

describe('SendStream state machine (RFC 9000 §3.1)', () => {
  it('starts in Ready and accepts data there', () => {
    const s = new SendStream({ initialLimitBytes: 100 });
    expect(s.state).toBe(SendState.READY);
    expect(s.write(bytes(10), false)).toBe(true);
    expect(s.state).toBe(SendState.READY);
  });

  it('Ready → Send on the first STREAM frame', () => {
    const s = new SendStream({ initialLimitBytes: 100 });
    s.write(bytes(10), false);
    drain(s);
    expect(s.state).toBe(SendState.SEND);
  });

  it('Ready → Send on STREAM_DATA_BLOCKED', () => {
    const s = new SendStream({ initialLimitBytes: 0 });
    s.write(bytes(10), false);
    expect(drain(s)).toEqual([]);
    s.onBlockedFrameSent();
    expect(s.state).toBe(SendState.SEND);
  });

  it('Send → Data Sent on STREAM+FIN, → Data Recvd once everything is acknowledged', () => {
    const s = new SendStream({ initialLimitBytes: 1000 });
    s.write(bytes(100), false);
    const first = drain(s, 60);
    expect(s.state).toBe(SendState.SEND);
    s.write(bytes(50), true);
    const rest = drain(s, 60);
    expect(rest.at(-1)).toEqual([100, 50, true]);
    expect(s.state).toBe(SendState.DATA_SENT);
    ackAll(s, rest);
    expect(s.state).toBe(SendState.DATA_SENT); // the first frames are not acknowledged yet
    ackAll(s, first);
    expect(s.state).toBe(SendState.DATA_RECVD);
    expect(s.terminal).toBe(true);
    expect(s.buffer.heldBytes).toBe(0);
  });

  it('Ready → Data Sent directly with a single STREAM+FIN (and a FIN-only frame for an empty stream)', () => {
    const s = new SendStream({ initialLimitBytes: 1000 });
    s.write(bytes(10), true);
    expect(drain(s)).toEqual([[0, 10, true]]);
    expect(s.state).toBe(SendState.DATA_SENT);

    const empty = new SendStream({ initialLimitBytes: 0 });
    empty.write(new Uint8Array(0), true);
    expect(drain(empty)).toEqual([[0, 0, true]]);
    expect(empty.state).toBe(SendState.DATA_SENT);
    empty.onAcked(0, 0, true);
    expect(empty.state).toBe(SendState.DATA_RECVD);
  });

  it('sends a FIN-only frame when the stream ends after all data was sent', () => {
    const s = new SendStream({ initialLimitBytes: 1000 });
    s.write(bytes(30), false);
    expect(drain(s)).toEqual([[0, 30, false]]);
    s.write(new Uint8Array(0), true);
    expect(s.hasUrgent).toBe(true);
    expect(drain(s)).toEqual([[30, 0, true]]);
  });

  it('a FIN first sent on a retransmission moves Send → Data Sent', () => {
    const s = new SendStream({ initialLimitBytes: 1000 });
    s.write(bytes(30), false);
    const [frame] = drain(s);
    s.onLost(frame[0], frame[1], frame[2]);
    s.write(new Uint8Array(0), true); // ended while the only data frame is lost
    expect(drain(s)).toEqual([[0, 30, true]]);
    expect(s.state).toBe(SendState.DATA_SENT);
    s.onAcked(0, 30, true);
    expect(s.state).toBe(SendState.DATA_RECVD);
  });

  it('piggybacks the FIN on the last data frame when data is still queued', () => {
    const s = new SendStream({ initialLimitBytes: 1000 });
    s.write(bytes(30), false);
    s.write(new Uint8Array(0), true);
    expect(drain(s)).toEqual([[0, 30, true]]);
  });

  it('Data Recvd needs the FIN acknowledged too', () => {
    const s = new SendStream({ initialLimitBytes: 1000 });
    s.write(bytes(30), false);
    const data = drain(s);
    s.write(new Uint8Array(0), true);
    const fin = drain(s);
    ackAll(s, data);
    expect(s.state).toBe(SendState.DATA_SENT);
    s.onLost(30, 0, true);
    expect(drain(s)).toEqual([[30, 0, true]]);
    ackAll(s, fin);
    expect(s.state).toBe(SendState.DATA_RECVD);
  });

  it.each([
    ['Ready', (_s: SendStream) => {}],
    ['Send', (s: SendStream) => drain(s, 40)],
    [
      'Data Sent',
      (s: SendStream) => {
        s.write(new Uint8Array(0), true);
        drain(s);
      },
    ],
  ])('%s → Reset Sent on reset; final size = bytes sent so far; Reset Sent → Reset Recvd on ack', (_n, prep) => {
    const s = new SendStream({ initialLimitBytes: 40 });
    s.write(bytes(100), false);
    prep(s);
    const sent = s.buffer.sendOffset;
    expect(s.reset(12, false)).toBe(true);
    expect(s.state).toBe(SendState.RESET_SENT);
    expect(s.resetFinalSize).toBe(sent);
    expect(s.resetErrorCode).toBe(12);
    expect(s.buffer.heldBytes).toBe(0);
    // RFC 9000 §3.3: no STREAM frames after RESET_STREAM, and no retransmission (§13.3).
    s.onLost(0, sent, false);
    expect(drain(s)).toEqual([]);
    expect(s.writable).toBe(false);
    expect(s.onResetAcked()).toBe(true);
    expect(s.state).toBe(SendState.RESET_RECVD);
    expect(s.terminal).toBe(true);
  });

  it('cannot be reset from a terminal state or twice', () => {
    const s = new SendStream({ initialLimitBytes: 100 });
    s.write(bytes(10), true);
    ackAll(s, drain(s));
    expect(s.state).toBe(SendState.DATA_RECVD);
    expect(s.reset(1, false)).toBe(false);
    const t = new SendStream({ initialLimitBytes: 100 });
    expect(t.reset(1, false)).toBe(true);
    expect(t.reset(2, false)).toBe(false);
    expect(t.resetErrorCode).toBe(1);
    expect(t.onResetAcked()).toBe(true);
    expect(t.onResetAcked()).toBe(false);
  });

  it('a reset from Ready (first frame mentioning the stream) has final size 0', () => {
    const s = new SendStream({ initialLimitBytes: 100 });
    s.write(bytes(10), false);
    s.reset(3, true);
    expect(s.resetFinalSize).toBe(0);
    expect(s.resetByStopSending).toBe(true);
  });

  it('is not writable after end()', () => {
    const s = new SendStream({ initialLimitBytes: 100 });
    s.write(bytes(10), true);
    expect(s.writable).toBe(false);
  });
});

describe('SendStream flow control and backpressure', () => {
  it('respects the stream credit and the connection credit', () => {
    const s = new SendStream({ initialLimitBytes: 100 });
    s.write(bytes(300), false);
    expect(drain(s, 1000, 60)).toEqual([[0, 60, false]]);
    expect(drain(s, 1000)).toEqual([[60, 40, false]]);
    expect(s.fc.blocked).toBe(true);
    expect(s.hasSendableNew).toBe(false);
    s.fc.updateLimit(300);
    expect(drain(s, 1000)).toEqual([[100, 200, false]]);
  });

  it('does not need credit for retransmissions or the FIN', () => {
    const s = new SendStream({ initialLimitBytes: 100 });
    s.write(bytes(100), false);
    drain(s);
    s.write(new Uint8Array(0), true);
    s.onLost(0, 100, false);
    expect(drain(s, 1000, 0)).toEqual([
      [0, 100, true], // the retransmission reaching the final size carries the FIN
    ]);
  });

  it('write() reports the high-water mark of unsent bytes and drained() fires at half of it', () => {
    const s = new SendStream({ initialLimitBytes: 1e9, highWaterMarkBytes: 1000, coalesceBelowBytes: 0 });
    expect(s.write(bytes(300), false)).toBe(true);
    expect(s.write(bytes(300), false)).toBe(true);
    expect(s.write(bytes(300), false)).toBe(true);
    expect(s.write(bytes(300), false)).toBe(false);
    expect(s.drained()).toBe(false);
    // Sending (not acknowledging) is what drains: unacknowledged bytes are bounded by the congestion window.
    const first = drain(s, 300, 300);
    expect(first.length).toBe(1);
    expect(s.buffer.unsentBytes).toBe(900);
    expect(s.drained()).toBe(false);
    drain(s, 300, 600);
    expect(s.buffer.unsentBytes).toBe(300);
    expect(s.buffer.heldBytes).toBe(1200);
    expect(s.drained()).toBe(true);
    expect(s.drained()).toBe(false);
    // Below the mark again, writes are accepted.
    expect(s.write(bytes(300), false)).toBe(true);
  });
});

describe('SendStream property: random acknowledgement and loss sequences', () => {
  it('every byte is acknowledged, retransmissions come from lost ranges only, memory is freed as acked', () => {
    const arb = fc.record({
      writes: fc.array(fc.integer({ min: 0, max: 2500 }), { minLength: 1, maxLength: 12 }),
      ops: fc.array(
        fc.tuple(
          fc.constantFrom('send', 'send', 'ack', 'lose', 'write', 'late-ack', 'end'),
          fc.nat(),
          fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 1400 })),
        ),
        { maxLength: 250 },
      ),
    });
    fc.assert(
      fc.property(arb, ({ writes, ops }) => {
        const total = writes.reduce((a, b) => a + b, 0);
        const payload = bytes(total, 3);
        const s = new SendStream({ initialLimitBytes: Number.MAX_SAFE_INTEGER, blockBytes: 1024 });
        const acked = new Uint8Array(total);
        const lostPending = new Uint8Array(total);
        let modelSendOffset = 0;
        let finAcked = false;
        let written = 0;
        let w = 0;
        const inFlight: [number, number, boolean][] = [];
        // Frames declared lost whose acknowledgement may still arrive (spurious loss, RFC 9000 §13.3).
        const declaredLost: [number, number, boolean][] = [];
        const c = chunk();
        let ended = false;
        const writeNext = (): void => {
          if (w >= writes.length) return;
          const n = writes[w++];
          s.write(payload.subarray(written, written + n), false);
          written += n;
        };
        // The application ends the stream separately, at a random moment after its last write.
        const end = (): void => {
          if (ended || w < writes.length) return;
          ended = true;
          s.write(new Uint8Array(0), true);
        };
        const send = (max: number): boolean => {
          if (s.emitUrgent(max, c)) {
            for (let i = c.offset; i < c.offset + c.data.length; i++) {
              // Retransmitted bytes come from lost ranges only, and are never already acknowledged.
              if (lostPending[i] !== 1 || acked[i] === 1) expect.fail(`byte ${i} resent without being lost`);
              lostPending[i] = 0;
            }
          } else if (s.emitNew(max, Number.POSITIVE_INFINITY, c) > 0) {
            expect(c.offset).toBe(modelSendOffset);
            modelSendOffset += c.data.length;
          } else {
            return false;
          }
          if (!Buffer.from(c.data).equals(Buffer.from(payload.subarray(c.offset, c.offset + c.data.length)))) {
            expect.fail('emitted bytes differ from the payload');
          }
          if (c.fin) expect(c.offset + c.data.length).toBe(total);
          inFlight.push([c.offset, c.data.length, c.fin]);
          return true;
        };
        const ack = (i: number): void => {
          const [o, l, f] = inFlight.splice(i, 1)[0];
          s.onAcked(o, l, f);
          for (let k = o; k < o + l; k++) {
            acked[k] = 1;
            lostPending[k] = 0;
          }
          if (f) finAcked = true;
        };
        const lateAck = (i: number): void => {
          inFlight.push(declaredLost.splice(i, 1)[0]);
          ack(inFlight.length - 1);
        };
        const lose = (i: number): void => {
          const [o, l, f] = inFlight.splice(i, 1)[0];
          declaredLost.push([o, l, f]);
          s.onLost(o, l, f);
          for (let k = o; k < o + l; k++) if (acked[k] === 0) lostPending[k] = 1;
        };
        const checkMemory = (): void => {
          const unacked = s.buffer.writeOffset - s.buffer.ackedOffset;
          // Memory is freed as the acknowledged prefix advances (chunk granularity: one chunk of slack).
          if (s.buffer.heldBytes > unacked + 2500) expect.fail(`held ${s.buffer.heldBytes} with ${unacked} unacked`);
        };
        writeNext();
        for (const [kind, pick, size] of ops) {
          if (kind === 'write') writeNext();
          else if (kind === 'end') end();
          else if (kind === 'send') send(size);
          else if (kind === 'late-ack') {
            if (declaredLost.length > 0) lateAck(pick % declaredLost.length);
          } else if (inFlight.length > 0) {
            if (kind === 'ack') ack(pick % inFlight.length);
            else lose(pick % inFlight.length);
          }
          checkMemory();
        }
        // Then a clean network: everything eventually gets through.
        while (w < writes.length) writeNext();
        end();
        for (let round = 0; round < 10_000 && s.state !== SendState.DATA_RECVD; round++) {
          while (send(1200));
          while (inFlight.length > 0) {
            ack(0);
            checkMemory();
          }
        }
        expect(s.state).toBe(SendState.DATA_RECVD);
        expect(acked.every((b) => b === 1)).toBe(true);
        expect(finAcked).toBe(true);
        expect(s.buffer.heldBytes).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('rewind (0-RTT rejected, RFC 9001 §4.6.2)', () => {
  it('everything sent goes out again from offset 0 under the new, smaller limit, FIN included', () => {
    const s = new SendStream({ initialLimitBytes: 1000 });
    s.write(bytes(100), true);
    expect(drain(s)).toEqual([[0, 100, true]]);
    expect(s.state).toBe(SendState.DATA_SENT);
    s.onLost(0, 100, true); // what the discarded 0-RTT packet would have reported; rewind forgets it
    s.rewind(40);
    expect(s.state).toBe(SendState.SEND);
    expect(s.fc.limit).toBe(40);
    expect(s.fc.used).toBe(0);
    expect(s.hasUrgent).toBe(false); // no retransmission bypassing the new limit
    expect(drain(s)).toEqual([[0, 40, false]]);
    s.fc.updateLimit(100);
    expect(drain(s)).toEqual([[40, 60, true]]);
  });

  it('leaves a reset stream as it is', () => {
    const s = new SendStream({ initialLimitBytes: 1000 });
    s.write(bytes(10), false);
    drain(s);
    s.reset(7, false);
    s.rewind(5);
    expect(s.isReset).toBe(true);
    expect(s.fc.limit).toBe(1000);
  });
});
