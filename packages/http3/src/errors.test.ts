import { describe, expect, it } from 'vitest';
import { PeerStreamTracker } from './connection/peer-stream-tracker.js';
import { H3Error, H3ErrorCode, H3UsageError, H3UsageErrorKind, h3ErrorName, isReservedErrorCode } from './errors.js';
import { isBidirectionalStream, isClientInitiatedStream, isLocalStream, isRequestStream } from './transport.js';

describe('error codes (RFC 9114 §8.1, RFC 9204 §6)', () => {
  it('has the registered values', () => {
    expect(H3ErrorCode.H3_NO_ERROR).toBe(0x100);
    expect(H3ErrorCode.H3_VERSION_FALLBACK).toBe(0x110);
    expect(H3ErrorCode.QPACK_DECODER_STREAM_ERROR).toBe(0x202);
    const values = Object.values(H3ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (let c = 0x100; c <= 0x110; c++) expect(values).toContain(c);
  });

  it('names codes, including grease (0x1f·N + 0x21)', () => {
    expect(h3ErrorName(0x10e)).toBe('H3_MESSAGE_ERROR');
    expect(h3ErrorName(0x21 + 0x1f * 4)).toBe('H3_GREASE(0x9d)');
    expect(h3ErrorName(0x999)).toBe('0x999');
    expect(isReservedErrorCode(0x21)).toBe(true);
    expect(isReservedErrorCode(0x100)).toBe(false);
  });

  it('carries the code and scope; usage errors say when a retry elsewhere is safe', () => {
    const e = new H3Error(H3ErrorCode.H3_ID_ERROR, 'x', { streamId: 3, connectionError: false });
    expect([e.code, e.streamId, e.connectionError, e.codeName]).toEqual([0x108, 3, false, 'H3_ID_ERROR']);
    expect(new H3UsageError(H3UsageErrorKind.GOING_AWAY, 'x').retryable).toBe(true);
    expect(new H3UsageError(H3UsageErrorKind.CLOSED, 'x').retryable).toBe(false);
  });
});

describe('stream IDs (RFC 9000 §2.1, RFC 9114 §6.1)', () => {
  it('classifies stream IDs', () => {
    expect([0, 1, 2, 3].map(isBidirectionalStream)).toEqual([true, true, false, false]);
    expect([0, 1, 2, 3].map(isClientInitiatedStream)).toEqual([true, false, true, false]);
    expect([0, 4, 1, 2].map(isRequestStream)).toEqual([true, true, false, false]);
    expect(isLocalStream(3, 'server')).toBe(true);
    expect(isLocalStream(3, 'client')).toBe(false);
    expect(isRequestStream(2 ** 50)).toBe(true);
  });

  it('PeerStreamTracker remembers seen streams with a bounded window', () => {
    const t = new PeerStreamTracker();
    expect(t.highestSeen).toBe(-1);
    t.markSeen(2);
    expect([t.wasSeen(0), t.wasSeen(1), t.wasSeen(2)]).toEqual([false, false, true]);
    t.markSeen(0);
    t.markSeen(1);
    expect([t.wasSeen(0), t.wasSeen(1), t.wasSeen(2), t.wasSeen(3)]).toEqual([true, true, true, false]);
    expect(t.highestSeen).toBe(2);
  });
});
