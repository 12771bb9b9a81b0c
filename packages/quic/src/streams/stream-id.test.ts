import { describe, expect, it } from 'vitest';
import {
  isBidirectional,
  isClientInitiated,
  isLocallyInitiated,
  localStreamType,
  StreamType,
  streamIdOf,
  streamIndex,
  streamType,
} from './stream-id.js';
import { LocalStreamLimit, RemoteStreamLimit } from './stream-limits.js';

describe('stream IDs (RFC 9000 §2.1 Table 1)', () => {
  it('decodes initiator and direction from the two low bits', () => {
    expect([0, 1, 2, 3].map(streamType)).toEqual([
      StreamType.CLIENT_BIDI,
      StreamType.SERVER_BIDI,
      StreamType.CLIENT_UNI,
      StreamType.SERVER_UNI,
    ]);
    expect([0, 1, 2, 3].map(isBidirectional)).toEqual([true, true, false, false]);
    expect([0, 1, 2, 3].map(isClientInitiated)).toEqual([true, false, true, false]);
    expect(isLocallyInitiated(4, 'client')).toBe(true);
    expect(isLocallyInitiated(4, 'server')).toBe(false);
    expect(isLocallyInitiated(7, 'server')).toBe(true);
  });

  it('numbers successive streams of a type 4 apart, also beyond 2^32', () => {
    expect(streamIdOf(StreamType.SERVER_UNI, 0)).toBe(3);
    expect(streamIdOf(StreamType.SERVER_UNI, 2)).toBe(11);
    const big = streamIdOf(StreamType.CLIENT_UNI, 2 ** 40);
    expect(big).toBe(2 ** 42 + 2);
    expect(streamType(big)).toBe(StreamType.CLIENT_UNI);
    expect(streamIndex(big)).toBe(2 ** 40);
    expect(isBidirectional(big)).toBe(false);
  });

  it('maps a role and direction to the type it opens', () => {
    expect(localStreamType('client', true)).toBe(0);
    expect(localStreamType('server', true)).toBe(1);
    expect(localStreamType('client', false)).toBe(2);
    expect(localStreamType('server', false)).toBe(3);
  });
});

describe('stream count limits (RFC 9000 §4.6)', () => {
  it('LocalStreamLimit: opens below the limit, reports blocked once per limit, grows only', () => {
    const l = new LocalStreamLimit(1);
    expect(l.canOpen).toBe(true);
    l.opened++;
    expect(l.shouldReportBlocked()).toBe(true);
    expect(l.shouldReportBlocked()).toBe(false);
    expect(l.updateLimit(1)).toBe(false);
    expect(l.updateLimit(2)).toBe(true);
    expect(l.canOpen).toBe(true);
  });

  it('RemoteStreamLimit: grows with closed streams, in batches of an eighth, capped at 2^60', () => {
    const r = new RemoteStreamLimit(16);
    expect(r.onClosed()).toBe(false); // +1 < batch of 2
    expect(r.onClosed()).toBe(true);
    expect(r.markAdvertised()).toBe(18);
    const big = new RemoteStreamLimit(2 ** 60);
    expect(big.advertised).toBe(2 ** 60);
    expect(big.onClosed()).toBe(false);
    expect(big.target).toBe(2 ** 60);
  });
});
