import type { StreamControlFrame } from '../stream-events.js';
import type { StreamManager } from '../stream-manager.js';

/** Options of a {@link FrameLink}. */
export interface FrameLinkOptions {
  /** Probability that a frame is lost. Default 0. */
  readonly lossRate?: number;
  /** Probability that a delivered STREAM frame is delivered twice. Default 0. */
  readonly duplicateRate?: number;
  /** Shuffle the frames of each turn. Default false. */
  readonly reorder?: boolean;
  /** STREAM frame budget (bytes, header included) per frame. Default 1200. */
  readonly maxFrameBytes?: number;
  /** STREAM frames each side may send per turn. Default 64. */
  readonly framesPerTurn?: number;
  /** Smoothed RTT passed to `pollControlFrame`, ms. Default 10. */
  readonly srttMs?: number;
  readonly seed?: number;
}

interface StreamItem {
  kind: 'stream';
  streamId: number;
  offset: number;
  data: Uint8Array;
  fin: boolean;
}
interface ControlItem {
  kind: 'control';
  frame: StreamControlFrame;
}
type Item = StreamItem | ControlItem;

interface Pending {
  from: StreamManager;
  item: Item;
  lost: boolean;
}

/**
 * Test harness: moves the frames two stream managers produce between them, like a connection over a lossy,
 * reordering network would (frames instead of packets; acknowledgements and losses are reported one turn later).
 * Each delivered STREAM frame's data goes through a scratch buffer that is scribbled over after the call, like a
 * pooled packet buffer.
 */
export class FrameLink {
  nowMs = 0;
  framesSent = 0;
  framesLost = 0;
  /** STREAM payload bytes sent per stream ID by `a` (for fairness measurements). */
  readonly bytesByStream = new Map<number, number>();
  private readonly lossRate: number;
  private readonly duplicateRate: number;
  private readonly reorder: boolean;
  private readonly maxFrameBytes: number;
  private readonly framesPerTurn: number;
  private readonly srttMs: number;
  private seed: number;
  private pending: Pending[] = [];
  private readonly scratch = new Uint8Array(65536);

  constructor(
    readonly a: StreamManager,
    readonly b: StreamManager,
    options: FrameLinkOptions = {},
  ) {
    this.lossRate = options.lossRate ?? 0;
    this.duplicateRate = options.duplicateRate ?? 0;
    this.reorder = options.reorder ?? false;
    this.maxFrameBytes = options.maxFrameBytes ?? 1200;
    this.framesPerTurn = options.framesPerTurn ?? 64;
    this.srttMs = options.srttMs ?? 10;
    this.seed = options.seed ?? 1;
  }

  /** A deterministic pseudo-random number in [0, 1). */
  random(): number {
    // mulberry32
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** One turn: report last turn's fates, then each side sends what it can. Returns the frames sent. */
  turn(): number {
    this.nowMs += 1;
    const fates = this.pending;
    this.pending = [];
    for (const p of fates) this.reportFate(p);
    let sent = 0;
    sent += this.send(this.a, this.b);
    sent += this.send(this.b, this.a);
    return sent;
  }

  /** Turns until nothing moves and nothing is pending, or `maxTurns`. Returns the turns taken. */
  settle(maxTurns = 100_000, eachTurn?: () => void): number {
    let idle = 0;
    for (let t = 0; t < maxTurns; t++) {
      eachTurn?.();
      if (this.turn() === 0 && this.pending.length === 0) {
        if (++idle >= 2) return t;
      } else {
        idle = 0;
      }
    }
    throw new Error(`link did not settle in ${maxTurns} turns`);
  }

  private send(from: StreamManager, to: StreamManager): number {
    const batch: Item[] = [];
    for (
      let f = from.pollControlFrame(this.nowMs, this.srttMs);
      f;
      f = from.pollControlFrame(this.nowMs, this.srttMs)
    ) {
      batch.push({ kind: 'control', frame: f });
    }
    for (let i = 0; i < this.framesPerTurn; i++) {
      const c = from.pollStreamFrame(this.maxFrameBytes);
      if (c === undefined) break;
      const overhead = 1 + varintLen(c.streamId) + (c.offset > 0 ? varintLen(c.offset) : 0) + varintLen(c.data.length);
      if (overhead + c.data.length > this.maxFrameBytes) throw new Error('STREAM frame larger than allowed');
      batch.push({ kind: 'stream', streamId: c.streamId, offset: c.offset, data: c.data.slice(), fin: c.fin });
      if (from === this.a)
        this.bytesByStream.set(c.streamId, (this.bytesByStream.get(c.streamId) ?? 0) + c.data.length);
    }
    if (this.reorder) {
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j], batch[i]];
      }
    }
    for (const item of batch) {
      this.framesSent++;
      const lost = this.random() < this.lossRate;
      if (lost) this.framesLost++;
      else {
        this.deliver(to, item);
        if (item.kind === 'stream' && this.random() < this.duplicateRate) this.deliver(to, item);
      }
      this.pending.push({ from, item, lost });
    }
    return batch.length;
  }

  private deliver(to: StreamManager, item: Item): void {
    if (item.kind === 'stream') {
      const view = this.scratch.subarray(0, item.data.length);
      view.set(item.data);
      to.handleStreamFrame(item.streamId, item.offset, view, item.fin);
      view.fill(0xdd);
      return;
    }
    const f = item.frame;
    switch (f.type) {
      case 'max-data':
        to.handleMaxData(f.maximumData);
        break;
      case 'max-stream-data':
        to.handleMaxStreamData(f.streamId, f.maximumStreamData);
        break;
      case 'max-streams':
        to.handleMaxStreams(f.bidirectional, f.maximumStreams);
        break;
      case 'data-blocked':
        to.handleDataBlocked(f.maximumData);
        break;
      case 'stream-data-blocked':
        to.handleStreamDataBlocked(f.streamId, f.maximumStreamData);
        break;
      case 'streams-blocked':
        to.handleStreamsBlocked(f.bidirectional, f.maximumStreams);
        break;
      case 'reset-stream':
        to.handleResetStream(f.streamId, f.applicationErrorCode, f.finalSize);
        break;
      case 'stop-sending':
        to.handleStopSending(f.streamId, f.applicationErrorCode);
        break;
    }
  }

  private reportFate(p: Pending): void {
    const { from, item, lost } = p;
    if (item.kind === 'stream') {
      if (lost) from.handleStreamFrameLost(item.streamId, item.offset, item.data.length, item.fin);
      else from.handleStreamFrameAcked(item.streamId, item.offset, item.data.length, item.fin);
    } else if (lost) from.handleControlFrameLost(item.frame);
    else from.handleControlFrameAcked(item.frame);
  }
}

function varintLen(v: number): number {
  return v < 0x40 ? 1 : v < 0x4000 ? 2 : v < 0x4000_0000 ? 4 : 8;
}
