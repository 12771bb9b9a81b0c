// Stream-layer micro-benchmarks. Each operation moves 1 MiB, so MB/s ≈ hz (ops/s) × 1.05.
// Compare within one run: every group has a baseline measured alongside.
//   npx vitest bench --run --project quic packages/quic/bench/streams.bench.ts
import { bench, describe } from 'vitest';
import { ReceiveFlowController } from '../src/flow-control/receive-flow-controller.js';
import { ReassemblyBuffer } from '../src/streams/reassembly-buffer.js';
import { RecvStream } from '../src/streams/recv-stream.js';
import { SendBuffer } from '../src/streams/send-buffer.js';
import { SendStream, type StreamChunk } from '../src/streams/send-stream.js';
import { StreamManager } from '../src/streams/stream-manager.js';

const TOTAL = 1 << 20;
const CHUNK = 1200;
/** A "packet buffer" the chunks are views of (reused for every chunk, as a pooled receive buffer would be). */
const packet = new Uint8Array(1500).fill(0x5a);
const view = packet.subarray(100, 100 + CHUNK);
const options = { time: 1500, warmupTime: 300 };

let sink = 0;

describe('reassembly: 1 MiB arriving in order as 1200-byte STREAM frames, read as it arrives', () => {
  const flat = new Uint8Array(TOTAL + CHUNK);
  bench(
    'baseline: memcpy into one preallocated flat buffer + a view per read',
    () => {
      for (let off = 0; off < TOTAL; off += CHUNK) {
        flat.set(view, off);
        sink += flat.subarray(off, off + CHUNK).length;
      }
    },
    options,
  );

  bench(
    'naive: slice() per frame (one allocation each)',
    () => {
      for (let off = 0; off < TOTAL; off += CHUNK) {
        const copy = view.slice();
        sink += copy.length;
      }
    },
    options,
  );

  bench(
    'ReassemblyBuffer insert + read',
    () => {
      const buf = new ReassemblyBuffer();
      for (let off = 0; off < TOTAL; off += CHUNK) {
        buf.insert(off, view);
        for (let v = buf.read(); v !== undefined; v = buf.read()) sink += v.length;
      }
    },
    options,
  );

  bench(
    'ReassemblyBuffer insert + read, pages from Buffer.allocUnsafeSlow (not zero-filled)',
    () => {
      const buf = new ReassemblyBuffer({ allocatePage: Buffer.allocUnsafeSlow });
      for (let off = 0; off < TOTAL; off += CHUNK) {
        buf.insert(off, view);
        for (let v = buf.read(); v !== undefined; v = buf.read()) sink += v.length;
      }
    },
    options,
  );

  bench(
    'RecvStream handleData + read (final size, both flow-control levels)',
    () => {
      const conn = new ReceiveFlowController({ initialWindowBytes: 2 * TOTAL });
      const recv = new RecvStream({ initialWindowBytes: 2 * TOTAL });
      for (let off = 0; off < TOTAL; off += CHUNK) {
        recv.handleData(off, view, false, conn);
        for (let v = recv.read(Number.POSITIVE_INFINITY, conn); v; v = recv.read(Number.POSITIVE_INFINITY, conn)) {
          sink += v.length;
        }
      }
    },
    options,
  );
});

describe('send buffer: 1 MiB written in 64 KiB pieces, emitted as 1200-byte frames, each acknowledged', () => {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < TOTAL / 65536; i++) pieces.push(new Uint8Array(65536).fill(i));

  bench(
    'baseline: FIFO of written arrays, a subarray per frame, dropped on ack',
    () => {
      const queue: Uint8Array[] = [];
      for (const p of pieces) queue.push(p);
      let head = 0;
      let at = 0;
      while (head < queue.length) {
        const p = queue[head];
        const n = Math.min(CHUNK, p.length - at);
        sink += p.subarray(at, at + n).length;
        at += n;
        if (at === p.length) {
          queue[head++] = undefined as unknown as Uint8Array;
          at = 0;
        }
      }
    },
    options,
  );

  bench(
    'SendBuffer takeNew + onAcked',
    () => {
      const buf = new SendBuffer();
      for (const p of pieces) buf.write(p);
      for (let v = buf.takeNew(CHUNK); v.length > 0; v = buf.takeNew(CHUNK)) {
        buf.onAcked(buf.sendOffset - v.length, v.length);
      }
      sink += buf.ackedOffset;
    },
    options,
  );

  bench(
    'SendStream emitNew + onAcked (state machine, stream flow control)',
    () => {
      const s = new SendStream({ initialLimitBytes: 2 * TOTAL });
      const out: StreamChunk = { streamId: 0, offset: 0, data: view, fin: false };
      for (const p of pieces) s.write(p, false);
      while (s.emitNew(CHUNK, Number.POSITIVE_INFINITY, out) > 0) s.onAcked(out.offset, out.data.length, false);
      sink += s.buffer.ackedOffset;
    },
    options,
  );

  bench(
    'SendBuffer with 20% of frames lost and retransmitted',
    () => {
      const buf = new SendBuffer();
      const out = { offset: 0 };
      for (const p of pieces) buf.write(p);
      let n = 0;
      for (;;) {
        let v = buf.takeLost(CHUNK, out);
        let offset = out.offset;
        if (v.length === 0) {
          offset = buf.sendOffset;
          v = buf.takeNew(CHUNK);
          if (v.length === 0) break;
        }
        if (++n % 5 === 0) buf.onLost(offset, v.length);
        else buf.onAcked(offset, v.length);
      }
      sink += buf.ackedOffset;
    },
    options,
  );
});

describe('stream layer end to end: 1 MiB from one StreamManager to another (poll → handle → read → ack)', () => {
  const limits = {
    initialMaxData: 1 << 30,
    initialMaxStreamDataBidiLocal: 1 << 30,
    initialMaxStreamDataBidiRemote: 1 << 30,
    initialMaxStreamDataUni: 1 << 30,
    initialMaxStreamsBidi: 100,
    initialMaxStreamsUni: 100,
  };
  const piece = new Uint8Array(65536).fill(7);

  const pkt = new Uint8Array(1500);
  const dst = new Uint8Array(TOTAL + CHUNK);
  bench(
    'baseline: copy each 1200-byte frame into a packet buffer and back out',
    () => {
      for (let off = 0; off < TOTAL; off += CHUNK) {
        pkt.set(piece.subarray(off % 65536, (off % 65536) + Math.min(CHUNK, 65536 - (off % 65536))), 0);
        dst.set(pkt.subarray(0, CHUNK), off);
      }
      sink += dst[0];
    },
    options,
  );

  bench(
    'StreamManager → StreamManager',
    () => {
      const a = new StreamManager({ role: 'client', local: limits, peer: limits });
      const b = new StreamManager({ role: 'server', local: limits, peer: limits });
      const id = a.openStream(true)!;
      for (let i = 0; i < TOTAL / 65536; i++) a.write(id, piece);
      for (let c = a.pollStreamFrame(1200); c !== undefined; c = a.pollStreamFrame(1200)) {
        packet.set(c.data, 0);
        const offset = c.offset;
        const length = c.data.length;
        b.handleStreamFrame(id, offset, packet.subarray(0, length), false);
        for (let v = b.read(id); v; v = b.read(id)) sink += v.length;
        a.handleStreamFrameAcked(id, offset, length, false);
      }
      for (let e = b.pollEvent(); e; e = b.pollEvent()) sink++;
    },
    options,
  );
});

describe('stream objects: 1000 peer streams opened (one byte each) and read', () => {
  const limits = {
    initialMaxData: 1 << 30,
    initialMaxStreamDataBidiLocal: 1 << 20,
    initialMaxStreamDataBidiRemote: 1 << 20,
    initialMaxStreamDataUni: 1 << 20,
    initialMaxStreamsBidi: 1 << 20,
    initialMaxStreamsUni: 1 << 20,
  };
  const one = new Uint8Array(1);
  const open = (m: StreamManager, n: number, type: number): void => {
    for (let i = 0; i < n; i++) {
      m.handleStreamFrame(i * 4 + type, 0, one, false);
      m.read(i * 4 + type);
    }
    for (let e = m.pollEvent(); e; e = m.pollEvent()) sink++;
  };

  // Heap per idle stream, printed when run with NODE_OPTIONS=--expose-gc (a figure, not a timing).
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    for (const [label, type] of [
      ['receive-only (peer uni)', 2],
      ['bidirectional (peer bidi)', 0],
    ] as const) {
      const m = new StreamManager({ role: 'server', local: limits, peer: limits });
      gc();
      const before = process.memoryUsage().heapUsed;
      open(m, 10_000, type);
      gc();
      const perStream = (process.memoryUsage().heapUsed - before) / 10_000;
      console.log(`heap per idle ${label} stream: ${perStream.toFixed(0)} B (${m.openStreamCount} open)`);
    }
    gc();
    const before = process.memoryUsage().heapUsed;
    const managers: StreamManager[] = [];
    for (let i = 0; i < 1000; i++) managers.push(new StreamManager({ role: 'server', local: limits, peer: limits }));
    gc();
    console.log(`heap per idle StreamManager: ${((process.memoryUsage().heapUsed - before) / 1000).toFixed(0)} B`);
    sink += managers.length;
  }

  bench(
    'open + read + event drain, 1000 bidirectional streams',
    () => open(new StreamManager({ role: 'server', local: limits, peer: limits }), 1000, 0),
    options,
  );
});

export { sink };
