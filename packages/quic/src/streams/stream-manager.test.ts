import { TransportError, TransportErrorCode } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { RecvState } from './recv-stream.js';
import { SendState } from './send-stream.js';
import { StreamAbortedError, StreamUsageError } from './stream-errors.js';
import type { StreamControlFrame, StreamEvent } from './stream-events.js';
import { type StreamLimits, StreamManager, type StreamManagerOptions } from './stream-manager.js';

const LIMITS: StreamLimits = {
  initialMaxData: 100_000,
  initialMaxStreamDataBidiLocal: 10_000,
  initialMaxStreamDataBidiRemote: 10_000,
  initialMaxStreamDataUni: 10_000,
  initialMaxStreamsBidi: 10,
  initialMaxStreamsUni: 10,
};

function manager(
  role: 'client' | 'server',
  local: Partial<StreamLimits> = {},
  peer: Partial<StreamLimits> = {},
  extra: Partial<StreamManagerOptions> = {},
): StreamManager {
  return new StreamManager({ role, local: { ...LIMITS, ...local }, peer: { ...LIMITS, ...peer }, ...extra });
}

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + seed) & 0xff;
  return out;
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransportError) return e.code;
    throw e;
  }
  return undefined;
}

function events(m: StreamManager): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let e = m.pollEvent(); e; e = m.pollEvent()) out.push(e);
  return out;
}

function controls(m: StreamManager, now = 0, srtt = 0): StreamControlFrame[] {
  const out: StreamControlFrame[] = [];
  for (let f = m.pollControlFrame(now, srtt); f; f = m.pollControlFrame(now, srtt)) out.push(f);
  return out;
}

/** Every STREAM frame `m` would send now, as [id, offset, length, fin]. */
function streamFrames(m: StreamManager, max = 1200): [number, number, number, boolean][] {
  const out: [number, number, number, boolean][] = [];
  for (let c = m.pollStreamFrame(max); c; c = m.pollStreamFrame(max))
    out.push([c.streamId, c.offset, c.data.length, c.fin]);
  return out;
}

describe('stream IDs and opening (RFC 9000 §2.1, §4.6)', () => {
  it('allocates IDs by initiator and direction', () => {
    const c = manager('client');
    expect([c.openStream(true), c.openStream(true), c.openStream(false), c.openStream(false)]).toEqual([0, 4, 2, 6]);
    const s = manager('server');
    expect([s.openStream(true), s.openStream(true), s.openStream(false), s.openStream(false)]).toEqual([1, 5, 3, 7]);
  });

  it('opens within the peer limit, then reports STREAMS_BLOCKED once per limit', () => {
    const c = manager('client', {}, { initialMaxStreamsBidi: 2 });
    expect(c.openStream(true)).toBe(0);
    expect(c.openStream(true)).toBe(4);
    expect(c.openStream(true)).toBeUndefined();
    expect(c.openStream(true)).toBeUndefined();
    expect(controls(c)).toEqual([{ type: 'streams-blocked', bidirectional: true, maximumStreams: 2 }]);
    expect(c.wantsToSend).toBe(false);
    // Uni streams have their own limit.
    expect(c.openStream(false)).toBe(2);
  });

  it('MAX_STREAMS raises the limit (smaller values ignored) and announces streams-available', () => {
    const c = manager('client', {}, { initialMaxStreamsBidi: 1 });
    c.openStream(true);
    expect(c.openStream(true)).toBeUndefined();
    c.handleMaxStreams(true, 1);
    expect(events(c)).toEqual([]);
    c.handleMaxStreams(true, 3);
    expect(events(c)).toEqual([{ type: 'streams-available', bidirectional: true }]);
    expect(c.openStream(true)).toBe(4);
    expect(c.openStream(true)).toBe(8);
    expect(c.openStream(true)).toBeUndefined();
    expect(controls(c)).toEqual([{ type: 'streams-blocked', bidirectional: true, maximumStreams: 3 }]);
  });

  it('MAX_STREAMS or STREAMS_BLOCKED above 2^60 is a FRAME_ENCODING_ERROR (RFC 9000 §19.11, §19.14)', () => {
    const c = manager('client');
    expect(codeOf(() => c.handleMaxStreams(false, 2 ** 61))).toBe(TransportErrorCode.FRAME_ENCODING_ERROR);
    expect(codeOf(() => c.handleStreamsBlocked(true, 2 ** 61))).toBe(TransportErrorCode.FRAME_ENCODING_ERROR);
    c.handleMaxStreams(false, 2 ** 60);
  });

  it('a peer max_streams transport parameter above 2^60 is a TRANSPORT_PARAMETER_ERROR (RFC 9000 §4.6)', () => {
    const c = manager('client');
    expect(codeOf(() => c.setPeerLimits({ ...LIMITS, initialMaxStreamsUni: 2 ** 61 }))).toBe(
      TransportErrorCode.TRANSPORT_PARAMETER_ERROR,
    );
  });
});

describe('peer-initiated streams (RFC 9000 §3.2, §4.6)', () => {
  it('opens all lower-numbered streams of the type implicitly, in order', () => {
    const s = manager('server');
    s.handleStreamFrame(8, 0, bytes(5), false);
    expect(events(s)).toEqual([
      { type: 'stream-opened', streamId: 0, bidirectional: true },
      { type: 'stream-opened', streamId: 4, bidirectional: true },
      { type: 'stream-opened', streamId: 8, bidirectional: true },
      { type: 'readable', streamId: 8 },
    ]);
    expect(s.openStreamCount).toBe(3);
    s.handleStreamFrame(4, 0, bytes(1), false);
    expect(events(s)).toEqual([{ type: 'readable', streamId: 4 }]);
  });

  it('MAX_STREAM_DATA or STOP_SENDING opens a peer bidirectional stream', () => {
    const s = manager('server');
    s.handleMaxStreamData(0, 50_000);
    expect(s.getStream(0)?.send?.fc.limit).toBe(50_000);
    s.handleStopSending(4, 7);
    expect(events(s)).toEqual([
      { type: 'stream-opened', streamId: 0, bidirectional: true },
      { type: 'stream-opened', streamId: 4, bidirectional: true },
      { type: 'stop-sending', streamId: 4, errorCode: 7 },
    ]);
  });

  it('a stream beyond the advertised limit is a STREAM_LIMIT_ERROR', () => {
    const s = manager('server', { initialMaxStreamsBidi: 3, initialMaxStreamsUni: 1 });
    s.handleStreamFrame(8, 0, bytes(1), false); // index 2 < 3
    expect(codeOf(() => s.handleStreamFrame(12, 0, bytes(1), false))).toBe(TransportErrorCode.STREAM_LIMIT_ERROR);
    expect(codeOf(() => s.handleResetStream(6, 0, 0))).toBe(TransportErrorCode.STREAM_LIMIT_ERROR);
    expect(codeOf(() => s.handleMaxStreamData(12, 10))).toBe(TransportErrorCode.STREAM_LIMIT_ERROR);
  });

  it('uses the right initial windows on each kind of stream (RFC 9000 §18.2)', () => {
    const c = manager(
      'client',
      { initialMaxStreamDataBidiLocal: 1, initialMaxStreamDataBidiRemote: 2, initialMaxStreamDataUni: 3 },
      { initialMaxStreamDataBidiLocal: 10, initialMaxStreamDataBidiRemote: 20, initialMaxStreamDataUni: 30 },
    );
    const bidi = c.getStream(c.openStream(true)!)!;
    expect(bidi.recv!.fc.advertised).toBe(1);
    expect(bidi.send!.fc.limit).toBe(20);
    const uni = c.getStream(c.openStream(false)!)!;
    expect(uni.recv).toBeUndefined();
    expect(uni.send!.fc.limit).toBe(30);
    c.handleStreamFrame(1, 0, bytes(2), false); // server bidi
    expect(c.getStream(1)!.recv!.fc.advertised).toBe(2);
    expect(c.getStream(1)!.send!.fc.limit).toBe(10);
    c.handleStreamFrame(3, 0, bytes(3), false); // server uni
    expect(c.getStream(3)!.send).toBeUndefined();
    expect(c.getStream(3)!.recv!.fc.advertised).toBe(3);
  });
});

describe('STREAM_STATE_ERROR for frames on the wrong kind of stream (RFC 9000 §19.4-§19.13)', () => {
  const cases: [string, (m: StreamManager) => void][] = [
    ['STREAM on a locally initiated stream not yet opened (§19.8)', (m) => m.handleStreamFrame(0, 0, bytes(1), false)],
    ['STREAM on our send-only stream (§19.8)', (m) => m.handleStreamFrame(m.openStream(false)!, 0, bytes(1), false)],
    ['RESET_STREAM on our send-only stream (§19.4)', (m) => m.handleResetStream(m.openStream(false)!, 0, 0)],
    ['STREAM_DATA_BLOCKED on our send-only stream (§19.13)', (m) => m.handleStreamDataBlocked(m.openStream(false)!, 0)],
    ['STOP_SENDING on a receive-only stream (§19.5)', (m) => m.handleStopSending(3, 0)],
    ['MAX_STREAM_DATA on a receive-only stream (§19.10)', (m) => m.handleMaxStreamData(3, 100)],
    ['MAX_STREAM_DATA on a locally initiated stream not yet opened (§19.10)', (m) => m.handleMaxStreamData(4, 100)],
    ['STOP_SENDING on a locally initiated stream not yet opened (§19.5)', (m) => m.handleStopSending(8, 0)],
    ['RESET_STREAM on a locally initiated stream not yet opened', (m) => m.handleResetStream(0, 0, 0)],
    ['MAX_STREAM_DATA on our uni stream not yet opened', (m) => m.handleMaxStreamData(2, 100)],
  ];
  it.each(cases)('%s', (_name, act) => {
    const client = manager('client');
    expect(codeOf(() => act(client))).toBe(TransportErrorCode.STREAM_STATE_ERROR);
  });

  it('the same frames on the right kind of stream are fine', () => {
    const c = manager('client');
    const uni = c.openStream(false)!;
    c.handleMaxStreamData(uni, 100_000);
    c.handleStopSending(uni, 1);
    c.handleStreamFrame(3, 0, bytes(1), false);
    c.handleResetStream(3, 0, 1);
    c.handleStreamDataBlocked(7, 0);
    const bidi = c.openStream(true)!;
    c.handleStreamFrame(bidi, 0, bytes(3), false);
    c.handleMaxStreamData(bidi, 20_000);
  });
});

describe('closing and forgetting streams', () => {
  it('releases a stream when both parts are terminal and ignores its later frames', () => {
    const s = manager('server');
    s.handleStreamFrame(0, 0, bytes(10), true);
    expect(s.read(0)!.length).toBe(10);
    expect(s.read(0)).toBeNull();
    expect(s.getStream(0)!.recv!.state).toBe(RecvState.DATA_READ);
    s.end(0);
    const frames = streamFrames(s);
    expect(frames).toEqual([[0, 0, 0, true]]);
    s.handleStreamFrameAcked(0, 0, 0, true);
    expect(s.getStream(0)).toBeUndefined();
    expect(events(s).map((e) => e.type)).toEqual(['stream-opened', 'readable', 'flushed', 'closed']);
    // Retransmissions and late frames for the forgotten stream: ignored, not re-opened.
    s.handleStreamFrame(0, 0, bytes(10), true);
    s.handleResetStream(0, 1, 10);
    s.handleMaxStreamData(0, 1e6);
    s.handleStopSending(0, 1);
    s.handleStreamFrameLost(0, 0, 0, true);
    expect(s.getStream(0)).toBeUndefined();
    expect(events(s)).toEqual([]);
    expect(s.read(0)).toBeNull();
  });

  it('a local uni stream closes once all data is acknowledged; late frames are ignored', () => {
    const c = manager('client');
    const id = c.openStream(false)!;
    c.write(id, bytes(100), true);
    for (const [sid, off, len, fin] of streamFrames(c)) c.handleStreamFrameAcked(sid, off, len, fin);
    expect(c.getStream(id)).toBeUndefined();
    c.handleMaxStreamData(id, 1e6);
    c.handleStopSending(id, 3);
    expect(events(c)).toEqual([
      { type: 'flushed', streamId: id },
      { type: 'closed', streamId: id },
    ]);
  });

  it('issues MAX_STREAMS as peer streams close, keeping the concurrency (RFC 9000 §4.6)', () => {
    const s = manager('server', { initialMaxStreamsUni: 4 });
    for (let id = 2; id < 16; id += 4) s.handleStreamFrame(id, 0, bytes(1), true);
    expect(codeOf(() => s.handleStreamFrame(18, 0, bytes(1), true))).toBe(TransportErrorCode.STREAM_LIMIT_ERROR);
    for (let id = 2; id < 16; id += 4) {
      s.read(id);
      s.read(id);
    }
    expect(s.openStreamCount).toBe(0);
    expect(controls(s)).toEqual([{ type: 'max-streams', bidirectional: false, maximumStreams: 8 }]);
    s.handleStreamFrame(18, 0, bytes(1), true);
    expect(s.getStream(18)).toBeDefined();
  });

  it('batches MAX_STREAMS for large limits', () => {
    const s = manager('server', { initialMaxStreamsBidi: 80 });
    for (let i = 0; i < 9; i++) {
      const id = i * 4;
      s.handleResetStream(id, 0, 0);
      s.resetStream(id, 0);
    }
    events(s);
    const frames = controls(s);
    const resets = frames.filter((f) => f.type === 'reset-stream');
    for (const f of resets) s.handleControlFrameAcked(f);
    // 9 streams closed; the batch is 80 / 8 = 10: nothing yet.
    expect(controls(s).filter((f) => f.type === 'max-streams')).toEqual([]);
    s.handleResetStream(36, 0, 0);
    s.resetStream(36, 0);
    events(s);
    for (const f of controls(s)) s.handleControlFrameAcked(f);
    expect(controls(s)).toEqual([{ type: 'max-streams', bidirectional: true, maximumStreams: 90 }]);
  });

  it('resends MAX_STREAMS when the peer reports STREAMS_BLOCKED below it', () => {
    const s = manager('server', { initialMaxStreamsUni: 1 });
    s.handleStreamFrame(2, 0, bytes(1), true);
    s.read(2);
    s.read(2);
    const [f] = controls(s);
    expect(f).toEqual({ type: 'max-streams', bidirectional: false, maximumStreams: 2 });
    s.handleControlFrameLost({ type: 'max-streams', bidirectional: false, maximumStreams: 2 });
    expect(controls(s)).toEqual([f]);
    s.handleStreamsBlocked(false, 1);
    expect(controls(s)).toEqual([f]);
    s.handleStreamsBlocked(false, 2);
    expect(controls(s)).toEqual([]);
  });
});

describe('receive-side flow control through the manager (RFC 9000 §4.1, §4.2)', () => {
  it('grants credit only as the application reads', () => {
    const s = manager('server', { initialMaxStreamDataBidiRemote: 1000, initialMaxData: 4000 });
    s.handleStreamFrame(0, 0, bytes(1000), false);
    expect(controls(s)).toEqual([]);
    expect(codeOf(() => s.handleStreamFrame(0, 1000, bytes(1), false))).toBe(TransportErrorCode.FLOW_CONTROL_ERROR);
    s.read(0, 400);
    expect(controls(s)).toEqual([]); // 600 left of 1000: above half
    s.read(0, 200);
    expect(controls(s)).toEqual([{ type: 'max-stream-data', streamId: 0, maximumStreamData: 1600 }]);
    s.handleStreamFrame(0, 1000, bytes(600), false);
  });

  it('sends MAX_DATA when the connection credit falls below half', () => {
    const s = manager('server', { initialMaxStreamDataBidiRemote: 10_000, initialMaxData: 2000 });
    s.handleStreamFrame(0, 0, bytes(900), false);
    s.handleStreamFrame(4, 0, bytes(900), false);
    expect(codeOf(() => s.handleStreamFrame(8, 0, bytes(201), false))).toBe(TransportErrorCode.FLOW_CONTROL_ERROR);
    s.read(0);
    s.read(4, 200);
    expect(controls(s)).toEqual([{ type: 'max-data', maximumData: 3100 }]);
  });

  it('stream offsets count toward the connection window even with gaps', () => {
    const s = manager('server', { initialMaxStreamDataBidiRemote: 10_000, initialMaxData: 1000 });
    s.handleStreamFrame(0, 900, bytes(100), false);
    expect(s.connRecv.received).toBe(1000);
    expect(codeOf(() => s.handleStreamFrame(4, 0, bytes(1), false))).toBe(TransportErrorCode.FLOW_CONTROL_ERROR);
  });

  it('a peer reset releases the stream credit to the connection', () => {
    const s = manager('server', { initialMaxStreamDataBidiRemote: 10_000, initialMaxData: 1000 });
    s.handleStreamFrame(0, 0, bytes(300), false);
    s.handleResetStream(0, 9, 800);
    expect(s.connRecv.consumed).toBe(800);
    expect(controls(s)).toEqual([{ type: 'max-data', maximumData: 1800 }]);
  });

  it('auto-tunes a fast reader: MAX_STREAM_DATA steps grow, and the connection window follows', () => {
    const s = manager(
      'server',
      { initialMaxStreamDataBidiRemote: 1000, initialMaxData: 1500 },
      {},
      { maxStreamWindowBytes: 8000, maxConnectionWindowBytes: 100_000 },
    );
    let limit = 1000;
    let sent = 0;
    let now = 0;
    const steps: number[] = [];
    for (let i = 0; i < 12; i++) {
      const n = limit - sent;
      s.handleStreamFrame(0, sent, bytes(n), false);
      sent = limit;
      s.read(0);
      now += 1; // 1 ms per window with a 50 ms RTT: window-limited
      for (const f of controls(s, now, 50)) {
        if (f.type === 'max-stream-data') {
          steps.push(f.maximumStreamData - limit);
          limit = f.maximumStreamData;
        } else if (f.type === 'max-data') s.handleControlFrameAcked(f);
      }
    }
    expect(steps[0]).toBe(1000);
    expect(Math.max(...steps)).toBe(8000);
    expect(s.getStream(0)!.recv!.fc.windowBytes).toBe(8000);
    expect(s.connRecv.windowBytes).toBeGreaterThanOrEqual(12_000);
  });

  it('DATA_BLOCKED / STREAM_DATA_BLOCKED from the peer trigger a resend of a lost update', () => {
    const s = manager('server', { initialMaxStreamDataBidiRemote: 1000, initialMaxData: 1000 });
    s.handleStreamFrame(0, 0, bytes(1000), false);
    s.read(0);
    const frames = controls(s);
    expect(frames).toEqual([
      { type: 'max-data', maximumData: 2000 },
      { type: 'max-stream-data', streamId: 0, maximumStreamData: 2000 },
    ]);
    s.handleDataBlocked(1000);
    s.handleStreamDataBlocked(0, 1000);
    expect(controls(s)).toEqual(frames);
    // Blocked at the current limit: nothing to add (the application has not read more).
    s.handleDataBlocked(2000);
    s.handleStreamDataBlocked(0, 2000);
    expect(controls(s)).toEqual([]);
  });

  it('resends only the most recent MAX_DATA / MAX_STREAM_DATA when lost (RFC 9000 §13.3)', () => {
    const s = manager('server', { initialMaxStreamDataBidiRemote: 1000, initialMaxData: 1000 });
    s.handleStreamFrame(0, 0, bytes(1000), false);
    s.read(0);
    const first = controls(s);
    s.handleStreamFrame(0, 1000, bytes(1000), false);
    s.read(0);
    const second = controls(s);
    for (const f of first) s.handleControlFrameLost(f);
    expect(controls(s)).toEqual([]);
    for (const f of second) s.handleControlFrameLost(f);
    expect(controls(s)).toEqual(second);
  });

  it('stops sending MAX_STREAM_DATA once the final size is known', () => {
    const s = manager('server', { initialMaxStreamDataBidiRemote: 1000 });
    s.handleStreamFrame(0, 0, bytes(900), true);
    s.read(0);
    expect(controls(s).filter((f) => f.type === 'max-stream-data')).toEqual([]);
  });
});

describe('send-side flow control through the manager', () => {
  it('sends within the stream limit, reports STREAM_DATA_BLOCKED once per limit, resumes on MAX_STREAM_DATA', () => {
    const c = manager('client', {}, { initialMaxStreamDataBidiRemote: 1000 });
    const id = c.openStream(true)!;
    c.write(id, bytes(2500));
    expect(streamFrames(c, 600)).toEqual([
      [id, 0, 595, false],
      [id, 595, 405, false],
    ]);
    expect(controls(c)).toEqual([{ type: 'stream-data-blocked', streamId: id, maximumStreamData: 1000 }]);
    c.write(id, bytes(10));
    expect(controls(c)).toEqual([]);
    c.handleMaxStreamData(id, 900);
    expect(streamFrames(c)).toEqual([]);
    c.handleMaxStreamData(id, 2000);
    expect(streamFrames(c)).toEqual([[id, 1000, 1000, false]]);
    expect(controls(c)).toEqual([{ type: 'stream-data-blocked', streamId: id, maximumStreamData: 2000 }]);
  });

  it('reports DATA_BLOCKED once per connection limit', () => {
    const c = manager('client', {}, { initialMaxData: 1000 });
    const a = c.openStream(true)!;
    const b = c.openStream(true)!;
    c.write(a, bytes(3000));
    c.write(b, bytes(3000));
    const sent = streamFrames(c).reduce((n, f) => n + f[2], 0);
    expect(sent).toBe(1000);
    expect(controls(c)).toEqual([{ type: 'data-blocked', maximumData: 1000 }]);
    expect(streamFrames(c)).toEqual([]);
    expect(controls(c)).toEqual([]);
    c.handleMaxData(500); // smaller: ignored
    expect(streamFrames(c)).toEqual([]);
    c.handleMaxData(2500);
    expect(streamFrames(c).reduce((n, f) => n + f[2], 0)).toBe(1500);
    expect(controls(c)).toEqual([{ type: 'data-blocked', maximumData: 2500 }]);
    // A lost DATA_BLOCKED is resent only while still blocked at that limit.
    c.handleControlFrameLost({ type: 'data-blocked', maximumData: 1000 });
    expect(controls(c)).toEqual([]);
    c.handleControlFrameLost({ type: 'data-blocked', maximumData: 2500 });
    expect(controls(c)).toEqual([{ type: 'data-blocked', maximumData: 2500 }]);
  });

  it('setPeerLimits raises the limits of streams opened before the parameters were known (0-RTT)', () => {
    const c = new StreamManager({
      role: 'client',
      local: LIMITS,
      peer: { ...LIMITS, initialMaxStreamDataBidiRemote: 10 },
    });
    const id = c.openStream(true)!;
    c.write(id, bytes(100));
    expect(streamFrames(c)).toEqual([[id, 0, 10, false]]);
    c.setPeerLimits({ ...LIMITS, initialMaxStreamDataBidiRemote: 100 });
    expect(streamFrames(c)).toEqual([[id, 10, 90, false]]);
  });

  it('never exceeds maxFrameBytes (header included)', () => {
    const c = manager('client');
    const id = c.openStream(true)!;
    c.write(id, bytes(5000));
    for (const max of [1200, 100, 30, 12]) {
      const f = c.pollStreamFrame(max)!;
      const header = 1 + 1 + (f.offset > 0 ? (f.offset < 64 ? 1 : 2) : 0) + (f.data.length < 64 ? 1 : 2);
      expect(header + f.data.length).toBeLessThanOrEqual(max);
    }
    expect(c.pollStreamFrame(3)).toBeUndefined();
  });
});

describe('RESET_STREAM and STOP_SENDING through the manager', () => {
  it('answers STOP_SENDING with RESET_STREAM carrying the peer code; writes then fail', () => {
    const c = manager('client');
    const id = c.openStream(true)!;
    c.write(id, bytes(3000));
    streamFrames(c, 1000);
    c.handleStopSending(id, 42);
    expect(events(c)).toEqual([{ type: 'stop-sending', streamId: id, errorCode: 42 }]);
    expect(controls(c)).toEqual([{ type: 'reset-stream', streamId: id, applicationErrorCode: 42, finalSize: 3000 }]);
    expect(streamFrames(c)).toEqual([]);
    expect(() => c.write(id, bytes(1))).toThrow(StreamAbortedError);
    try {
      c.write(id, bytes(1));
    } catch (e) {
      expect((e as StreamAbortedError).kind).toBe('stopped-by-peer');
      expect((e as StreamAbortedError).errorCode).toBe(42);
    }
    // A second STOP_SENDING changes nothing.
    c.handleStopSending(id, 43);
    expect(controls(c)).toEqual([]);
  });

  it('can answer STOP_SENDING with its own code', () => {
    const c = manager('client', {}, {}, { resetCodeForStopSending: (peer) => peer + 1000 });
    const id = c.openStream(true)!;
    c.handleStopSending(id, 1);
    expect(controls(c)).toEqual([{ type: 'reset-stream', streamId: id, applicationErrorCode: 1001, finalSize: 0 }]);
  });

  it('resends a lost RESET_STREAM unchanged until acknowledged (RFC 9000 §13.3)', () => {
    const c = manager('client');
    const id = c.openStream(false)!;
    c.write(id, bytes(100));
    streamFrames(c);
    c.resetStream(id, 5);
    const [reset] = controls(c);
    expect(reset).toEqual({ type: 'reset-stream', streamId: id, applicationErrorCode: 5, finalSize: 100 });
    c.handleStreamFrameLost(id, 0, 100, false);
    expect(streamFrames(c)).toEqual([]); // no retransmission after a reset
    c.handleControlFrameLost(reset);
    expect(controls(c)).toEqual([reset]);
    expect(c.getStream(id)!.send!.state).toBe(SendState.RESET_SENT);
    c.handleControlFrameAcked(reset);
    expect(c.getStream(id)).toBeUndefined();
    expect(events(c)).toEqual([{ type: 'closed', streamId: id }]);
  });

  it('delivers a peer reset as an event with the error code; reading then throws', () => {
    const s = manager('server');
    s.handleStreamFrame(2, 0, bytes(50), false);
    s.handleResetStream(2, 99, 80);
    expect(s.readableBytes(2)).toBe(0);
    try {
      s.read(2);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StreamAbortedError);
      expect((e as StreamAbortedError).kind).toBe('reset-by-peer');
      expect((e as StreamAbortedError).errorCode).toBe(99);
    }
    expect(events(s)).toEqual([
      { type: 'stream-opened', streamId: 2, bidirectional: false },
      { type: 'readable', streamId: 2 },
      { type: 'reset', streamId: 2, errorCode: 99, finalSize: 80 },
      { type: 'closed', streamId: 2 },
    ]);
  });

  it('polling the reset event is "App Read Reset": the stream closes', () => {
    const s = manager('server');
    s.handleResetStream(2, 1, 0);
    expect(events(s).map((e) => e.type)).toEqual(['stream-opened', 'reset', 'closed']);
    expect(s.openStreamCount).toBe(0);
  });

  it('application STOP_SENDING: frame queued, resent while in Recv, discarded data credited', () => {
    const s = manager('server', { initialMaxData: 1000 });
    s.handleStreamFrame(2, 0, bytes(600), false);
    s.stopSending(2, 8);
    const frames = controls(s);
    expect(frames).toContainEqual({ type: 'stop-sending', streamId: 2, applicationErrorCode: 8 });
    expect(frames).toContainEqual({ type: 'max-data', maximumData: 1600 });
    expect(s.read(2)).toBeNull();
    s.handleControlFrameLost({ type: 'stop-sending', streamId: 2, applicationErrorCode: 8 });
    expect(controls(s)).toEqual([{ type: 'stop-sending', streamId: 2, applicationErrorCode: 8 }]);
    s.handleResetStream(2, 8, 600);
    s.handleControlFrameLost({ type: 'stop-sending', streamId: 2, applicationErrorCode: 8 });
    expect(controls(s).filter((f) => f.type === 'stop-sending')).toEqual([]);
  });

  it('rejects invalid error codes and wrong-direction calls from the application', () => {
    const c = manager('client');
    const uni = c.openStream(false)!;
    expect(() => c.resetStream(uni, -1)).toThrow(StreamUsageError);
    expect(() => c.resetStream(uni, 2 ** 62)).toThrow(StreamUsageError);
    expect(() => c.read(uni)).toThrow(StreamUsageError);
    expect(() => c.stopSending(uni, 0)).toThrow(StreamUsageError);
    c.handleStreamFrame(3, 0, bytes(1), false);
    expect(() => c.write(3, bytes(1))).toThrow(StreamUsageError);
    expect(() => c.resetStream(3, 0)).toThrow(StreamUsageError);
    expect(() => c.write(99, bytes(1))).toThrow(StreamUsageError);
    c.end(uni);
    expect(() => c.write(uni, bytes(1))).toThrow(StreamUsageError);
    expect(() => c.setPriority(uni, 8, false)).toThrow(StreamUsageError);
  });
});

describe('events', () => {
  it('readable is edge-triggered: again only after the stream was drained', () => {
    const s = manager('server');
    s.handleStreamFrame(0, 0, bytes(10), false);
    s.handleStreamFrame(0, 10, bytes(10), false);
    expect(events(s).filter((e) => e.type === 'readable')).toHaveLength(1);
    s.read(0, 5);
    s.handleStreamFrame(0, 20, bytes(10), false);
    expect(events(s)).toEqual([]);
    s.read(0);
    s.read(0);
    s.handleStreamFrame(0, 30, bytes(10), false);
    expect(events(s)).toEqual([{ type: 'readable', streamId: 0 }]);
  });

  it('signals the end of the stream as readable', () => {
    const s = manager('server');
    s.handleStreamFrame(0, 0, bytes(10), false);
    s.read(0);
    events(s);
    s.handleStreamFrame(0, 10, new Uint8Array(0), true);
    expect(events(s)).toEqual([{ type: 'readable', streamId: 0 }]);
    expect(s.read(0)).toBeNull();
  });

  it('writable follows a write that hit the high-water mark once sending drains it; flushed once all is acked', () => {
    const c = manager('client', {}, {}, { highWaterMarkBytes: 2000, coalesceBelowBytes: 0 });
    const id = c.openStream(true)!;
    expect(c.write(id, bytes(1500))).toBe(true);
    expect(c.write(id, bytes(1500))).toBe(false);
    const frames = streamFrames(c);
    expect(events(c)).toEqual([{ type: 'writable', streamId: id }]);
    for (const [sid, off, len, fin] of frames) c.handleStreamFrameAcked(sid, off, len, fin);
    expect(events(c)).toEqual([{ type: 'flushed', streamId: id }]);
  });
});
