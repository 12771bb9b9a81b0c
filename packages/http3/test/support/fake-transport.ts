// An in-memory pair of H3Transports (client and server) for H3Connection tests: streams, FIN, RESET_STREAM,
// STOP_SENDING, MAX_STREAMS credit, send buffers with a high-water mark, and a deterministic scheduler that delivers
// in-flight stream data in seeded random order (in order within a stream), optionally split at random boundaries.

import type { H3Connection, H3Role, H3Transport } from '../../src/index.js';

/** A small seeded PRNG (mulberry32) so runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FakePairOptions {
  /** Seed of the delivery order and chunking. Default 1. */
  readonly seed?: number;
  /** Deliver in-flight stream data in random order across streams (always in order within one). Default true. */
  readonly shuffle?: boolean;
  /** Split delivered data at random boundaries (down to 1 byte). Default false. */
  readonly randomChunks?: boolean;
  /** How many bidirectional streams the server lets the client open at a time (MAX_STREAMS). Default 1000. */
  readonly maxBidiStreams?: number;
  /** How many unidirectional streams each side lets the other open at a time. Default 100. */
  readonly maxUniStreams?: number;
  /** Per-stream send buffer high-water mark (`write` returns false above it). Default 65536. */
  readonly highWaterMarkBytes?: number;
}

type Item =
  | { kind: 'data'; data: Uint8Array }
  | { kind: 'fin' }
  | { kind: 'reset'; code: number }
  | { kind: 'stop'; code: number };

interface RecvBuffer {
  chunks: Uint8Array[];
  /** Stream credit was returned to the opener for this stream. */
  granted: boolean;
  finArrived: boolean;
  finRead: boolean;
  reset: boolean;
  stopped: boolean;
}

interface SendBuffer {
  /** Bytes written and not yet read by the peer. */
  buffered: number;
  blocked: boolean;
  finished: boolean;
  reset: boolean;
}

/** One side of the pair. */
export class FakeTransport implements H3Transport {
  conn: H3Connection | undefined;
  peer!: FakeTransport;
  readonly recv = new Map<number, RecvBuffer>();
  readonly send = new Map<number, SendBuffer>();
  /** Streams we opened, per direction. */
  private openedBidi = 0;
  private openedUni = 0;
  /** What the peer allows us (MAX_STREAMS). */
  bidiLimit: number;
  uniLimit: number;
  private bidiBlocked = false;
  private uniBlocked = false;
  closed: { code: number; reason: string } | undefined;
  readonly priorities = new Map<number, { urgency: number; incremental: boolean }>();
  /** Every RESET_STREAM / STOP_SENDING we sent: [streamId, code]. */
  readonly resets: [number, number][] = [];
  readonly stops: [number, number][] = [];

  constructor(
    readonly role: H3Role,
    private readonly pair: FakePair,
  ) {
    this.bidiLimit = role === 'client' ? pair.maxBidiStreams : 0;
    this.uniLimit = pair.maxUniStreams;
  }

  openStream(bidirectional: boolean): number | undefined {
    if (this.closed) return undefined;
    const base = (this.role === 'client' ? 0 : 1) | (bidirectional ? 0 : 2);
    if (bidirectional) {
      if (this.openedBidi >= this.bidiLimit) {
        this.bidiBlocked = true;
        return undefined;
      }
      const id = this.openedBidi++ * 4 + base;
      this.send.set(id, { buffered: 0, blocked: false, finished: false, reset: false });
      this.peer.recv.set(id, newRecv());
      this.recv.set(id, newRecv());
      this.peer.send.set(id, { buffered: 0, blocked: false, finished: false, reset: false });
      return id;
    }
    if (this.openedUni >= this.uniLimit) {
      this.uniBlocked = true;
      return undefined;
    }
    const id = this.openedUni++ * 4 + base;
    this.send.set(id, { buffered: 0, blocked: false, finished: false, reset: false });
    this.peer.recv.set(id, newRecv());
    return id;
  }

  write(streamId: number, data: Uint8Array, fin: boolean): boolean {
    const sb = this.send.get(streamId);
    if (sb === undefined) throw new Error(`write on unknown stream ${streamId}`);
    if (sb.finished) throw new Error(`write after FIN on stream ${streamId}`);
    if (sb.reset || this.closed) return false;
    if (data.length > 0) {
      sb.buffered += data.length;
      this.pair.enqueue(this.peer, streamId, { kind: 'data', data });
    }
    if (fin) {
      sb.finished = true;
      this.pair.enqueue(this.peer, streamId, { kind: 'fin' });
    }
    const below = sb.buffered < this.pair.highWaterMark;
    if (!below) sb.blocked = true;
    return below;
  }

  read(streamId: number): Uint8Array | null | undefined {
    const rb = this.recv.get(streamId);
    if (rb === undefined || rb.reset || rb.stopped) return undefined;
    const chunk = rb.chunks.shift();
    if (chunk === undefined) {
      if (rb.finArrived && !rb.finRead) {
        rb.finRead = true;
        this.pair.maybeGrant(this, streamId);
        return null;
      }
      return rb.finRead ? null : undefined;
    }
    this.peer.onPeerRead(streamId, chunk.length);
    return chunk;
  }

  bufferedBytes(streamId: number): number {
    return this.send.get(streamId)?.buffered ?? 0;
  }

  resetStream(streamId: number, errorCode: number): void {
    const sb = this.send.get(streamId);
    if (sb === undefined || sb.reset || this.closed) return;
    this.resets.push([streamId, errorCode]);
    sb.reset = true;
    sb.buffered = 0;
    this.pair.enqueue(this.peer, streamId, { kind: 'reset', code: errorCode });
  }

  stopSending(streamId: number, errorCode: number): void {
    const rb = this.recv.get(streamId);
    if (rb === undefined || rb.stopped || this.closed) return;
    this.stops.push([streamId, errorCode]);
    rb.stopped = true;
    rb.chunks.length = 0;
    this.pair.maybeGrant(this, streamId);
    // STOP_SENDING travels on the reverse direction: the peer's send side of this stream
    this.pair.enqueue(this.peer, -1 - streamId, { kind: 'stop', code: errorCode });
  }

  setPriority(streamId: number, urgency: number, incremental: boolean): void {
    this.priorities.set(streamId, { urgency, incremental });
  }

  close(errorCode: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code: errorCode, reason };
    this.pair.closeFrom(this, errorCode, reason);
  }

  /** The peer read `n` bytes we sent on `streamId`. */
  onPeerRead(streamId: number, n: number): void {
    const sb = this.send.get(streamId);
    if (sb === undefined) return;
    sb.buffered -= n;
    if (sb.blocked && sb.buffered < this.pair.highWaterMark / 2) {
      sb.blocked = false;
      this.pair.notify(() => this.conn?.handleStreamWritable(streamId));
    }
    // read by the peer = acknowledged, in this simulation
    if (sb.buffered === 0 && n > 0) this.pair.notify(() => this.conn?.handleStreamFlushed(streamId));
  }

  /** The peer granted more stream credit. */
  grant(bidirectional: boolean): void {
    if (bidirectional) this.bidiLimit++;
    else this.uniLimit++;
    const blocked = bidirectional ? this.bidiBlocked : this.uniBlocked;
    if (!blocked) return;
    if (bidirectional) this.bidiBlocked = false;
    else this.uniBlocked = false;
    this.pair.notify(() => this.conn?.handleStreamsAvailable(bidirectional));
  }
}

function newRecv(): RecvBuffer {
  return { chunks: [], granted: false, finArrived: false, finRead: false, reset: false, stopped: false };
}

interface Lane {
  readonly to: FakeTransport;
  /** Stream ID, or -1 - streamId for the reverse (STOP_SENDING) direction. */
  readonly key: number;
  readonly items: Item[];
}

/** A client and a server transport connected in memory. */
export class FakePair {
  readonly client: FakeTransport;
  readonly server: FakeTransport;
  readonly maxBidiStreams: number;
  readonly maxUniStreams: number;
  readonly highWaterMark: number;
  readonly random: () => number;
  private readonly shuffle: boolean;
  private readonly randomChunks: boolean;
  private readonly lanes = new Map<string, Lane>();
  private readonly active: Lane[] = [];
  private readonly notifications: (() => void)[] = [];
  /** Data items delivered so far. */
  delivered = 0;

  constructor(options: FakePairOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.shuffle = options.shuffle ?? true;
    this.randomChunks = options.randomChunks ?? false;
    this.maxBidiStreams = options.maxBidiStreams ?? 1000;
    this.maxUniStreams = options.maxUniStreams ?? 100;
    this.highWaterMark = options.highWaterMarkBytes ?? 65536;
    this.client = new FakeTransport('client', this);
    this.server = new FakeTransport('server', this);
    this.client.peer = this.server;
    this.server.peer = this.client;
  }

  /** Connects the H3Connections that receive each transport's events. */
  attach(client: H3Connection, server: H3Connection): void {
    this.client.conn = client;
    this.server.conn = server;
  }

  /** @internal */
  enqueue(to: FakeTransport, key: number, item: Item): void {
    const name = `${to.role}:${key}`;
    let lane = this.lanes.get(name);
    if (lane === undefined) {
      lane = { to, key, items: [] };
      this.lanes.set(name, lane);
    }
    if (lane.items.length === 0) this.active.push(lane);
    lane.items.push(item);
  }

  /** @internal */
  notify(fn: () => void): void {
    this.notifications.push(fn);
  }

  /** @internal A stream's receiving side finished at `receiver`: grant the opener one more stream (MAX_STREAMS). */
  maybeGrant(receiver: FakeTransport, streamId: number): void {
    const opener = streamId % 2 === 0 ? this.client : this.server;
    if (opener === receiver) return;
    const rb = receiver.recv.get(streamId);
    if (rb === undefined || rb.granted) return;
    rb.granted = true;
    opener.grant(streamId % 4 < 2);
  }

  /** @internal */
  closeFrom(from: FakeTransport, code: number, reason: string): void {
    const to = from.peer;
    this.notify(() => {
      if (to.closed) return;
      to.closed = { code, reason };
      to.conn?.handleConnectionClosed(code, reason);
    });
  }

  private readonly held = new Set<string>();

  /** Holds back everything `from` sends on `streamId` (stream data and FIN/reset) until `release`. */
  hold(from: FakeTransport, streamId: number): void {
    this.held.add(`${from.peer.role}:${streamId}`);
  }

  /** Lets a held lane flow again. */
  release(from: FakeTransport, streamId: number): void {
    this.held.delete(`${from.peer.role}:${streamId}`);
  }

  /** Delivers one pending item; returns false when there is nothing left to do. */
  step(): boolean {
    const n = this.notifications.shift();
    if (n !== undefined) {
      n();
      return true;
    }
    let eligible = this.active.length;
    if (this.held.size > 0) {
      eligible = 0;
      for (let i = 0; i < this.active.length; i++) {
        if (!this.held.has(`${this.active[i].to.role}:${this.active[i].key}`)) {
          // move eligible lanes to the front
          const t = this.active[eligible];
          this.active[eligible] = this.active[i];
          this.active[i] = t;
          eligible++;
        }
      }
    }
    if (eligible === 0) return false;
    const index = this.shuffle ? Math.floor(this.random() * eligible) : 0;
    const lane = this.active[index];
    let item = lane.items[0];
    if (item.kind === 'data' && this.randomChunks && item.data.length > 1) {
      const cut = 1 + Math.floor(this.random() * item.data.length);
      if (cut < item.data.length) {
        lane.items[0] = { kind: 'data', data: item.data.subarray(cut) };
        item = { kind: 'data', data: item.data.subarray(0, cut) };
      } else {
        lane.items.shift();
      }
    } else {
      lane.items.shift();
    }
    if (lane.items.length === 0) {
      this.active[index] = this.active[this.active.length - 1];
      this.active.pop();
    }
    this.deliver(lane, item);
    return true;
  }

  private deliver(lane: Lane, item: Item): void {
    const to = lane.to;
    if (to.closed) return;
    this.delivered++;
    if (item.kind === 'stop') {
      const streamId = -1 - lane.key;
      const sb = to.send.get(streamId);
      if (sb === undefined || sb.reset) return;
      // RFC 9000 §3.5: the transport answers STOP_SENDING with RESET_STREAM carrying the same code
      to.resetStream(streamId, item.code);
      to.conn?.handleStopSending(streamId, item.code);
      return;
    }
    const streamId = lane.key;
    const rb = to.recv.get(streamId);
    if (rb === undefined || rb.stopped) {
      if (item.kind === 'data') to.peer.onPeerRead(streamId, item.data.length);
      return;
    }
    if (rb.reset) return;
    if (item.kind === 'data') {
      rb.chunks.push(item.data);
      to.conn?.handleStreamReadable(streamId);
    } else if (item.kind === 'fin') {
      rb.finArrived = true;
      to.conn?.handleStreamReadable(streamId);
    } else {
      rb.reset = true;
      for (const c of rb.chunks) to.peer.onPeerRead(streamId, c.length);
      rb.chunks.length = 0;
      this.maybeGrant(to, streamId);
      to.conn?.handleStreamReset(streamId, item.code);
    }
  }

  /** Runs until nothing is left (or `maxSteps`); `onIdle` may add work (e.g. poll events and respond). */
  run(maxSteps = 1_000_000): number {
    let steps = 0;
    while (steps < maxSteps && this.step()) steps++;
    if (steps >= maxSteps) throw new Error('FakePair.run: too many steps');
    return steps;
  }
}
