import type { H3Transport } from '@fos/http3';
import { describe, expect, it } from 'vitest';
import { StreamCreditTransport } from './stream-credit.js';

/** A transport whose peer allows `limit` bidirectional streams (RFC 9000 §4.6), raised by hand. */
function fakeQuic(limit: number) {
  const state = { limit, opened: 0, blockedCalls: 0 };
  const transport: H3Transport = {
    role: 'client',
    openStream(bidi) {
      if (!bidi) return 2 + 4 * 100;
      if (state.opened >= state.limit) {
        state.blockedCalls++;
        return undefined;
      }
      return 4 * state.opened++;
    },
    write: () => true,
    read: () => undefined,
    bufferedBytes: () => 0,
    resetStream: () => {},
    stopSending: () => {},
    setPriority: () => {},
    close: () => {},
  };
  return { state, transport };
}

describe('StreamCreditTransport', () => {
  it('reports the initial limit minus opened streams without probing', () => {
    const q = fakeQuic(3);
    const t = new StreamCreditTransport(q.transport);
    t.setInitialLimit(3);
    expect(t.available()).toBe(3);
    expect(t.openStream(true)).toBe(0);
    expect(t.available()).toBe(2);
    expect(q.state.opened).toBe(1);
  });

  it('probes once the known credit is used up, keeps the probed IDs and hands them out in order', () => {
    const q = fakeQuic(2);
    const t = new StreamCreditTransport(q.transport);
    t.setInitialLimit(2);
    expect(t.openStream(true)).toBe(0);
    expect(t.openStream(true)).toBe(4);
    expect(t.available()).toBe(0); // the probe failed: QUIC is blocked (it sends STREAMS_BLOCKED)
    expect(q.state.blockedCalls).toBe(1);
    expect(t.available()).toBe(0); // no second probe before streams-available
    expect(q.state.blockedCalls).toBe(1);
    q.state.limit = 5; // MAX_STREAMS 5 arrives
    t.onStreamsAvailable();
    expect(t.available()).toBe(3); // probed 8, 12, 16 and kept them
    expect(t.openStream(true)).toBe(8);
    expect(t.openStream(true)).toBe(12);
    expect(t.available()).toBe(1);
    expect(t.openStream(true)).toBe(16);
    expect(t.openStream(true)).toBeUndefined();
  });

  it('never probes past 8 streams ahead, and leaves unidirectional streams alone', () => {
    const q = fakeQuic(1000);
    const t = new StreamCreditTransport(q.transport);
    expect(t.available()).toBe(8);
    expect(q.state.opened).toBe(8);
    expect(t.openStream(false)).toBe(402);
    expect(t.openStream(true)).toBe(0);
    expect(t.available()).toBe(8); // one more probed to stay 8 ahead
    expect(q.state.opened).toBe(9);
  });
});
