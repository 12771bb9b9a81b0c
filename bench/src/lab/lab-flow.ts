// One bulk flow of the congestion lab: a client Connection that uploads without end on one stream, and the server
// Connection that reads it, each on its own MemorySocket, driven by a minimal synchronous driver on a VirtualClock.
import type { CongestionControllerFactory, QuicPacketProtection, SocketAddress, Timer, VirtualClock } from '@fos/core';
import {
  Connection,
  type ConnectionEvent,
  HeaderStatus,
  PacketHeader,
  parsePacketHeader,
  QUIC_VERSION_1,
  type TransportConfig,
} from '@fos/quic';
import type { MemoryNetwork, MemorySocket } from '@fos/udp';
import type { LabTls } from './lab-tls.js';

/** The host every sender runs on: all flows share the one sender → receiver link (the bottleneck). */
export const SENDER_HOST = '10.0.0.1';
/** The host every receiver runs on. */
export const RECEIVER_HOST = '10.0.0.2';
const SENDER_PORT_BASE = 40_000;
const RECEIVER_PORT_BASE = 4_430;
/** Stream data is written in pieces of this size (one shared, never modified buffer: the data is irrelevant). */
const CHUNK_BYTES = 64 * 1024;
const CHUNK = new Uint8Array(CHUNK_BYTES);
const ALPN = 'lab';
const CID_LENGTH = 8;

export interface LabFlowOptions {
  readonly index: number;
  readonly clock: VirtualClock;
  readonly network: MemoryNetwork;
  readonly tls: LabTls;
  readonly protection: QuicPacketProtection;
  /** The sender's controller factory (the receiver, which sends only ACKs, uses it too). */
  readonly congestion: CongestionControllerFactory;
  readonly transport: TransportConfig;
  /** Virtual time at which the client starts its handshake. */
  readonly startMs: number;
  /**
   * The receiver reads as soon as data arrives (0, default) or every `readIntervalMs` (for transport experiments:
   * see repro/ack-per-data-packet.ts).
   */
  readonly readIntervalMs?: number;
  /**
   * An application-limited sender: writes `bytes` every `everyMs` instead of keeping the stream full (for transport
   * experiments: see repro/app-limited-growth.ts). Default: a bulk sender.
   */
  readonly appLimited?: { readonly bytes: number; readonly everyMs: number };
}

interface Side {
  conn: Connection | undefined;
  readonly socket: MemorySocket;
  readonly timer: Timer;
}

/**
 * A sender (QUIC client) that keeps one stream's send buffer full for as long as the run lasts, and a receiver
 * (QUIC server) that consumes everything at once, so that the flow is limited by congestion control only.
 */
export class LabFlow {
  readonly index: number;
  /** Application bytes the receiver read so far. */
  bytesReceived = 0;
  /** Virtual time the handshake completed on the sender (NaN before). */
  establishedAtMs = Number.NaN;
  /** Set when a connection closed: the run is broken. */
  failure: string | undefined = undefined;

  private readonly o: LabFlowOptions;
  private readonly sender: Side;
  private readonly receiver: Side;
  private receiverAddress!: SocketAddress;
  private streamId = -1;
  private receiveStreamId = -1;
  private readerTimer: Timer | undefined = undefined;
  private writerTimer: Timer | undefined = undefined;

  private constructor(o: LabFlowOptions) {
    this.o = o;
    this.index = o.index;
    const side = (host: string): Side => {
      const s: Side = {
        conn: undefined,
        socket: o.network.createSocket(host),
        timer: o.clock.createTimer(() => this.onTimer(s)),
      };
      return s;
    };
    this.sender = side(SENDER_HOST);
    this.receiver = side(RECEIVER_HOST);
  }

  /** Binds both sockets and schedules the handshake at `startMs`. */
  static async create(o: LabFlowOptions): Promise<LabFlow> {
    const flow = new LabFlow(o);
    await flow.sender.socket.bind({ port: SENDER_PORT_BASE + o.index });
    flow.receiverAddress = await flow.receiver.socket.bind({ port: RECEIVER_PORT_BASE + o.index });
    flow.receiver.socket.datagrams$.subscribe((d) => {
      const now = o.clock.now();
      flow.receiver.conn ??= flow.createReceiver(d.data, d.remote, now);
      flow.receiver.conn.handleDatagram(now, d.data, d.remote);
      flow.flush(flow.receiver);
    });
    flow.sender.socket.datagrams$.subscribe((d) => {
      const conn = flow.sender.conn;
      if (conn === undefined) return;
      conn.handleDatagram(o.clock.now(), d.data, d.remote);
      flow.flush(flow.sender);
    });
    const start = o.clock.createTimer(() => flow.startSender());
    start.set(Math.max(o.startMs, o.clock.now()));
    const readEvery = o.readIntervalMs ?? 0;
    if (readEvery > 0) {
      const reader = o.clock.createTimer(() => {
        const conn = flow.receiver.conn;
        if (conn !== undefined && flow.drainNow(conn)) flow.flush(flow.receiver);
        reader.set(o.clock.now() + readEvery);
      });
      reader.set(o.startMs + readEvery);
      flow.readerTimer = reader;
    }
    const app = o.appLimited;
    if (app !== undefined) {
      const writer = o.clock.createTimer(() => {
        const conn = flow.sender.conn;
        if (conn !== undefined && flow.streamId >= 0) {
          conn.writeStream(flow.streamId, CHUNK.subarray(0, Math.min(app.bytes, CHUNK_BYTES)));
          flow.flush(flow.sender);
        }
        writer.set(o.clock.now() + app.everyMs);
      });
      writer.set(o.startMs + app.everyMs);
      flow.writerTimer = writer;
    }
    return flow;
  }

  /** The sending connection (undefined before the flow started). */
  get senderConnection(): Connection | undefined {
    return this.sender.conn;
  }

  get receiverConnection(): Connection | undefined {
    return this.receiver.conn;
  }

  /** Stops both sides' timers (the run is over; nothing is closed gracefully). */
  stop(): void {
    this.sender.timer.clear();
    this.receiver.timer.clear();
    this.readerTimer?.clear();
    this.writerTimer?.clear();
  }

  private startSender(): void {
    const o = this.o;
    const p = o.tls.provider;
    const now = o.clock.now();
    this.sender.conn = new Connection({
      role: 'client',
      version: QUIC_VERSION_1,
      nowMs: now,
      epochMs: o.clock.epochMs(),
      remote: this.receiverAddress,
      localCid: p.randomBytes(CID_LENGTH),
      remoteCid: p.randomBytes(CID_LENGTH),
      generateCid: () => ({ cid: p.randomBytes(CID_LENGTH), resetToken: p.randomBytes(16) }),
      tls: o.tls.client,
      clientTls: { alpnProtocols: [ALPN], serverName: 'localhost' },
      protection: o.protection,
      crypto: p,
      congestion: o.congestion,
      transport: o.transport,
    });
    this.flush(this.sender);
  }

  private createReceiver(first: Uint8Array, remote: SocketAddress, now: number): Connection {
    const o = this.o;
    const p = o.tls.provider;
    const h = new PacketHeader();
    if (parsePacketHeader(first, 0, first.length, CID_LENGTH, h) !== HeaderStatus.OK) {
      throw new Error('lab: the first datagram is not a QUIC Initial');
    }
    return new Connection({
      role: 'server',
      version: h.version,
      nowMs: now,
      epochMs: o.clock.epochMs(),
      remote,
      localCid: p.randomBytes(CID_LENGTH),
      remoteCid: h.scid.slice(),
      originalDestinationCid: h.dcid.slice(),
      localResetToken: p.randomBytes(16),
      generateCid: () => ({ cid: p.randomBytes(CID_LENGTH), resetToken: p.randomBytes(16) }),
      tls: o.tls.server,
      serverTls: { alpnProtocols: [ALPN] },
      protection: o.protection,
      crypto: p,
      congestion: o.congestion,
      transport: o.transport,
    });
  }

  private onTimer(side: Side): void {
    const conn = side.conn;
    if (conn === undefined) return;
    conn.handleTimeout(this.o.clock.now());
    this.flush(side);
  }

  /**
   * After any input: handle the connection's events (top up the sender's stream, read everything on the receiver),
   * send what the connection wants into pooled buffers the network takes over, repeat while that produced more to
   * do, then re-arm the connection's one timer.
   */
  private flush(side: Side): void {
    const conn = side.conn!;
    const now = this.o.clock.now();
    this.handleEvents(side, conn, now);
    for (let round = 0; round < 16; round++) {
      this.transmit(side.socket, conn, now);
      if (!this.handleEvents(side, conn, now)) break;
    }
    const t = conn.pollTimeout();
    if (t === undefined) side.timer.clear();
    else side.timer.set(t);
  }

  private transmit(socket: MemorySocket, conn: Connection, now: number): void {
    const allocator = this.o.network.allocator;
    for (;;) {
      const buf = allocator.acquire();
      const n = conn.pollTransmit(now, buf);
      if (n === 0) {
        allocator.release(buf);
        return;
      }
      socket.sendPooled(buf, n, conn.transmitRemote);
    }
  }

  /** Returns whether an event gave the connection something new to send (stream data, flow-control credit). */
  private handleEvents(side: Side, conn: Connection, now: number): boolean {
    let more = false;
    for (let e = conn.pollEvent(); e !== undefined; e = conn.pollEvent()) {
      if (side === this.sender) {
        if (this.onSenderEvent(conn, e, now) && this.o.appLimited === undefined) {
          this.fill(conn);
          more = true;
        }
      } else if (this.onReceiverEvent(conn, e)) {
        more = true;
      }
    }
    return more;
  }

  private onSenderEvent(conn: Connection, e: ConnectionEvent, now: number): boolean {
    switch (e.type) {
      case 'handshake-complete': {
        this.establishedAtMs = now;
        const id = conn.openStream(true);
        if (id === undefined) throw new Error('lab: no stream credit');
        this.streamId = id;
        return true;
      }
      case 'stream-writable':
        return e.streamId === this.streamId;
      case 'closed':
        this.failure ??= `sender closed: ${JSON.stringify(e.info)}`;
        return false;
      default:
        return false;
    }
  }

  private onReceiverEvent(conn: Connection, e: ConnectionEvent): boolean {
    switch (e.type) {
      case 'stream-opened':
        if (this.receiveStreamId < 0) this.receiveStreamId = e.streamId;
        return this.drain(conn);
      case 'stream-readable':
        return e.streamId === this.receiveStreamId && this.drain(conn);
      case 'closed':
        this.failure ??= `receiver closed: ${JSON.stringify(e.info)}`;
        return false;
      default:
        return false;
    }
  }

  /** Tops the sender's stream buffer up until the stream reports it is above its high-water mark. */
  private fill(conn: Connection): void {
    while (conn.writeStream(this.streamId, CHUNK)) {
      // keep writing: the connection keeps the chunk by reference
    }
  }

  /** Reads at once, unless the receiver reads on its own timer. */
  private drain(conn: Connection): boolean {
    return (this.o.readIntervalMs ?? 0) > 0 ? false : this.drainNow(conn);
  }

  /** Reads everything readable (flow-control credit is granted as the receiver consumes); whether it read any. */
  private drainNow(conn: Connection): boolean {
    const id = this.receiveStreamId;
    if (id < 0) return false;
    const before = this.bytesReceived;
    for (let r = conn.readStream(id); r !== undefined && r !== null; r = conn.readStream(id)) {
      this.bytesReceived += r.length;
    }
    return this.bytesReceived > before;
  }
}
