import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StreamAbortedError } from './stream-errors.js';
import { type StreamLimits, StreamManager, type StreamManagerOptions } from './stream-manager.js';
import { FrameLink } from './test-support/frame-link.js';

const BASE: StreamLimits = {
  initialMaxData: 1 << 20,
  initialMaxStreamDataBidiLocal: 256 << 10,
  initialMaxStreamDataBidiRemote: 256 << 10,
  initialMaxStreamDataUni: 256 << 10,
  initialMaxStreamsBidi: 100,
  initialMaxStreamsUni: 100,
};

function pair(
  clientLocal: Partial<StreamLimits> = {},
  serverLocal: Partial<StreamLimits> = {},
  extra: Partial<StreamManagerOptions> = {},
): { client: StreamManager; server: StreamManager } {
  const c = { ...BASE, ...clientLocal };
  const s = { ...BASE, ...serverLocal };
  return {
    client: new StreamManager({ role: 'client', local: c, peer: s, ...extra }),
    server: new StreamManager({ role: 'server', local: s, peer: c, ...extra }),
  };
}

function payload(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function sha(parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Reads everything readable on `id`; returns true at the end of the stream. */
function drainInto(m: StreamManager, id: number, sink: Uint8Array[]): boolean {
  for (;;) {
    const v = m.read(id);
    if (v === null) return true;
    if (v === undefined) return false;
    sink.push(v);
  }
}

describe('stream manager pair scenarios', () => {
  it('serves 2000 request/response streams through a server limit of 1000 (MAX_STREAMS as streams close)', () => {
    const { client, server } = pair({}, { initialMaxStreamsBidi: 1000 });
    const link = new FrameLink(client, server, { framesPerTurn: 256 });
    const TOTAL = 2000;
    let opened = 0;
    let done = 0;
    let maxServerStreams = 0;
    let blockedOpens = 0;
    let corrupt = 0;
    const requests = new Map<number, Uint8Array[]>();
    const responses = new Map<number, Uint8Array[]>();
    const app = (): void => {
      while (opened < TOTAL) {
        const id = client.openStream(true);
        if (id === undefined) {
          blockedOpens++;
          break;
        }
        opened++;
        client.write(id, payload(100, id), true);
      }
      for (let e = server.pollEvent(); e; e = server.pollEvent()) {
        if (e.type !== 'readable') continue;
        const sink = requests.get(e.streamId) ?? [];
        requests.set(e.streamId, sink);
        if (drainInto(server, e.streamId, sink)) {
          if (!Buffer.concat(sink).equals(payload(100, e.streamId))) corrupt++;
          server.write(e.streamId, payload(300, e.streamId + 1), true);
          requests.delete(e.streamId);
        }
      }
      for (let e = client.pollEvent(); e; e = client.pollEvent()) {
        if (e.type !== 'readable') continue;
        const sink = responses.get(e.streamId) ?? [];
        responses.set(e.streamId, sink);
        if (drainInto(client, e.streamId, sink)) {
          if (!Buffer.concat(sink).equals(payload(300, e.streamId + 1))) corrupt++;
          responses.delete(e.streamId);
          done++;
        }
      }
      maxServerStreams = Math.max(maxServerStreams, server.openStreamCount);
    };
    link.settle(20_000, app);
    expect(done).toBe(TOTAL);
    expect(corrupt).toBe(0);
    expect(maxServerStreams).toBeLessThanOrEqual(1000);
    // The client did run into the cumulative limit of 1000 and got past it only through MAX_STREAMS.
    expect(blockedOpens).toBeGreaterThan(0);
    // Everything closed and released on both sides.
    expect(server.openStreamCount).toBe(0);
    expect(client.openStreamCount).toBe(0);
  });

  it('moves data intact both ways under loss, reordering and duplication with small windows', () => {
    const { client, server } = pair(
      { initialMaxData: 48 << 10, initialMaxStreamDataBidiRemote: 16 << 10, initialMaxStreamDataBidiLocal: 16 << 10 },
      { initialMaxData: 48 << 10, initialMaxStreamDataBidiRemote: 16 << 10, initialMaxStreamDataUni: 16 << 10 },
      { maxStreamWindowBytes: 16 << 10, maxConnectionWindowBytes: 48 << 10, pageSize: 4096 },
    );
    const link = new FrameLink(client, server, {
      lossRate: 0.1,
      duplicateRate: 0.05,
      reorder: true,
      framesPerTurn: 24,
      seed: 42,
    });
    const sizes = [0, 1, 1200, 50_000, 130_000, 7777];
    const ids: number[] = [];
    for (let i = 0; i < sizes.length; i++) {
      const id = client.openStream(i % 2 === 0)!;
      ids.push(id);
      const data = payload(sizes[i], id);
      // Written in pieces of various sizes.
      for (let off = 0; off < data.length; off += 3001) client.write(id, data.subarray(off, off + 3001));
      client.end(id);
    }
    const received = new Map<number, Uint8Array[]>();
    const echoed = new Map<number, Uint8Array[]>();
    const finished = new Set<number>();
    const echoFinished = new Set<number>();
    const app = (): void => {
      for (let e = server.pollEvent(); e; e = server.pollEvent()) {
        if (e.type !== 'readable') continue;
        const sink = received.get(e.streamId) ?? [];
        received.set(e.streamId, sink);
        if (drainInto(server, e.streamId, sink)) {
          finished.add(e.streamId);
          // Bidirectional streams echo the data back.
          if (e.streamId % 4 === 0) {
            for (const part of sink) server.write(e.streamId, part.slice());
            server.end(e.streamId);
          }
        }
      }
      for (let e = client.pollEvent(); e; e = client.pollEvent()) {
        if (e.type !== 'readable') continue;
        const sink = echoed.get(e.streamId) ?? [];
        echoed.set(e.streamId, sink);
        if (drainInto(client, e.streamId, sink)) echoFinished.add(e.streamId);
      }
      for (const m of [client, server]) {
        for (const id of ids) {
          const recv = m.getStream(id)?.recv;
          if (recv && recv.buffer.allocatedBytes > (16 << 10) + 2 * 4096) {
            expect.fail(`stream ${id} holds ${recv.buffer.allocatedBytes} bytes`);
          }
        }
      }
    };
    link.settle(200_000, app);
    for (let i = 0; i < sizes.length; i++) {
      const id = ids[i];
      expect(finished.has(id)).toBe(true);
      expect(sha(received.get(id) ?? [])).toBe(sha([payload(sizes[i], id)]));
      if (id % 4 === 0) {
        expect(echoFinished.has(id)).toBe(true);
        expect(sha(echoed.get(id) ?? [])).toBe(sha([payload(sizes[i], id)]));
      }
    }
    expect(client.openStreamCount).toBe(0);
    expect(server.openStreamCount).toBe(0);
    expect(link.framesLost).toBeGreaterThan(20);
  });

  it('two bulk streams at the same urgency share bandwidth within 2%', () => {
    const { client, server } = pair({}, { initialMaxData: 1e9, initialMaxStreamDataBidiRemote: 1e9 });
    const link = new FrameLink(client, server, { framesPerTurn: 10 });
    const a = client.openStream(true)!;
    const b = client.openStream(true)!;
    const chunk = payload(64 << 10, 1);
    for (let i = 0; i < 40; i++) {
      client.write(a, chunk);
      client.write(b, chunk);
    }
    const drainServer = (): void => {
      for (let e = server.pollEvent(); e; e = server.pollEvent()) {
        if (e.type === 'readable') drainInto(server, e.streamId, []);
      }
    };
    for (let t = 0; t < 150; t++) {
      drainServer();
      link.turn();
    }
    const sa = link.bytesByStream.get(a)!;
    const sb = link.bytesByStream.get(b)!;
    expect(sa + sb).toBeGreaterThan(1_500_000);
    expect(Math.abs(sa - sb) / Math.max(sa, sb)).toBeLessThan(0.02);
  });

  it('fairness holds with varying frame budgets', () => {
    const { client } = pair({}, { initialMaxData: 1e9, initialMaxStreamDataBidiRemote: 1e9 });
    const a = client.openStream(true)!;
    const b = client.openStream(true)!;
    client.write(a, payload(2 << 20, 2));
    client.write(b, payload(2 << 20, 3));
    const sent = new Map<number, number>([
      [a, 0],
      [b, 0],
    ]);
    let x = 7;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const c = client.pollStreamFrame(200 + (x % 1200))!;
      sent.set(c.streamId, sent.get(c.streamId)! + c.data.length);
    }
    const sa = sent.get(a)!;
    const sb = sent.get(b)!;
    expect(Math.abs(sa - sb) / Math.max(sa, sb)).toBeLessThan(0.05);
  });

  it('urgency: a lower urgency value is served first; non-incremental streams go one at a time', () => {
    const { client } = pair({}, { initialMaxData: 1e9, initialMaxStreamDataBidiRemote: 1e9 });
    const bulk = client.openStream(true)!;
    const urgent = client.openStream(true)!;
    const first = client.openStream(true)!;
    const second = client.openStream(true)!;
    client.setPriority(urgent, 0, false);
    client.setPriority(first, 2, false);
    client.setPriority(second, 2, false);
    client.write(bulk, payload(10_000, 1));
    client.write(second, payload(3000, 4));
    client.write(first, payload(3000, 3));
    client.write(urgent, payload(3000, 2));
    const order: number[] = [];
    for (let c = client.pollStreamFrame(1000); c; c = client.pollStreamFrame(1000)) {
      if (order.at(-1) !== c.streamId) order.push(c.streamId);
    }
    expect(order).toEqual([urgent, first, second, bulk]);
  });

  it('retransmissions go before new data', () => {
    const { client } = pair({}, { initialMaxData: 1e9, initialMaxStreamDataBidiRemote: 1e9 });
    const a = client.openStream(true)!;
    const b = client.openStream(true)!;
    client.write(a, payload(5000, 1));
    const lostFrame = client.pollStreamFrame(1000)!;
    const lost = { id: lostFrame.streamId, offset: lostFrame.offset, length: lostFrame.data.length };
    client.write(b, payload(5000, 2));
    client.handleStreamFrameLost(lost.id, lost.offset, lost.length, false);
    const next = client.pollStreamFrame(2000)!;
    expect([next.streamId, next.offset, next.data.length]).toEqual([a, 0, lost.length]);
  });

  it('STOP_SENDING round trip: the sender resets, both sides close, credit returns to the connection', () => {
    const { client, server } = pair({}, { initialMaxData: 100_000, initialMaxStreamDataBidiRemote: 60_000 });
    const link = new FrameLink(client, server, { framesPerTurn: 16 });
    const upload = client.openStream(true)!;
    client.write(upload, payload(60_000, 9));
    let stopped = false;
    let clientSawStop = false;
    let serverSawReset = false;
    link.settle(10_000, () => {
      for (let e = server.pollEvent(); e; e = server.pollEvent()) {
        if (e.type === 'readable' && !stopped) {
          stopped = true;
          server.stopSending(e.streamId, 0x10c);
          server.end(e.streamId); // our own direction ends cleanly
        }
        if (e.type === 'reset') {
          serverSawReset = true;
          expect(e.errorCode).toBe(0x10c);
        }
      }
      for (let e = client.pollEvent(); e; e = client.pollEvent()) {
        if (e.type === 'stop-sending') {
          clientSawStop = true;
          expect(() => client.write(upload, payload(1, 1))).toThrow(StreamAbortedError);
        }
        if (e.type === 'readable') expect(drainInto(client, e.streamId, [])).toBe(true);
      }
    });
    expect(clientSawStop).toBe(true);
    expect(serverSawReset).toBe(true);
    expect(server.getStream(upload)).toBeUndefined();
    expect(client.getStream(upload)).toBeUndefined();
    // The connection window was returned: 60 000 more bytes fit on a new stream.
    const next = client.openStream(true)!;
    client.write(next, payload(60_000, 10), true);
    const got: Uint8Array[] = [];
    link.settle(10_000, () => {
      for (let e = server.pollEvent(); e; e = server.pollEvent()) {
        if (e.type === 'readable' && e.streamId === next) drainInto(server, next, got);
      }
    });
    expect(sha(got)).toBe(sha([payload(60_000, 10)]));
  });
});
