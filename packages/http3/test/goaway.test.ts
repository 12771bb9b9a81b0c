// RFC 9114 §5.2-§5.4: GOAWAY graceful shutdown in both directions, and connection closure.

import { describe, expect, it } from 'vitest';
import { encodeFrame, H3Connection, H3ErrorCode, H3UsageError, H3UsageErrorKind } from '../src/index.js';
import { createHarness, get, ofType, text } from './support/harness.js';
import { rawHarness } from './support/raw-peer.js';

const E = H3ErrorCode;

function usageKind(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof H3UsageError) return e.kind;
    throw e;
  }
  return undefined;
}

describe('GOAWAY', () => {
  it('server shutdown: in-flight requests finish, new ones are refused (retryable), then H3_NO_ERROR close', () => {
    const h = createHarness();
    const held: number[] = [];
    h.onServerEvent = (e) => {
      if (e.type === 'request') held.push(e.streamId);
    };
    const a = h.client.request(get('/a'), { endStream: true });
    const b = h.client.request(get('/b'), { endStream: true });
    h.run();
    expect(held).toHaveLength(2);
    h.server.shutdown();
    h.run();
    expect(ofType(h.clientEvents, 'goaway')).toEqual([{ type: 'goaway', id: 8 }]);
    const refused = usageKind(() => h.client.request(get('/c')));
    expect(refused).toBe(H3UsageErrorKind.GOING_AWAY);
    expect(h.server.isClosed).toBe(false); // still serving a and b
    for (const id of held) h.server.respond(id, [[':status', '200']], { endStream: true });
    h.run();
    expect(ofType(h.clientEvents, 'response').map((e) => e.streamId)).toEqual([a.streamId, b.streamId]);
    expect(h.server.isClosed).toBe(true);
    expect(ofType(h.serverEvents, 'closed')).toEqual([
      { type: 'closed', code: E.H3_NO_ERROR, reason: 'graceful shutdown', local: true },
    ]);
    expect(ofType(h.clientEvents, 'closed')[0]).toMatchObject({ code: E.H3_NO_ERROR, local: false });
  });

  it('requests at or above the GOAWAY stream ID fail as retryable, requests below it complete (§5.2)', () => {
    const h = createHarness({ pair: { shuffle: false } });
    const seen: number[] = [];
    h.onServerEvent = (e) => {
      if (e.type === 'request') seen.push(e.streamId);
    };
    const r0 = h.client.request(get('/0'), { endStream: true });
    h.run();
    h.server.goaway(4); // stream 0 is accepted, 4 and above are not
    const r1 = h.client.request(get('/1'), { endStream: true }); // sent before the GOAWAY arrives
    h.run();
    expect(seen).toEqual([r0.streamId]);
    const errors = ofType(h.clientEvents, 'stream-error');
    expect(errors).toHaveLength(1);
    expect(errors[0].request).toBe(r1);
    expect(errors[0].retryable).toBe(true);
    h.server.respond(r0.streamId, [[':status', '200']], { endStream: true });
    h.run();
    expect(ofType(h.clientEvents, 'response').map((e) => e.request)).toEqual([r0]);
  });

  it('queued requests (no stream credit yet) fail as retryable when GOAWAY arrives', () => {
    const h = createHarness({ pair: { maxBidiStreams: 1 } });
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.goaway();
    };
    const first = h.client.request([[':method', 'POST'], ...get('/1').slice(1)]); // keeps its stream open
    const queued = h.client.request(get('/2'), { endStream: true });
    expect(queued.streamId).toBe(-1);
    h.run();
    const errors = ofType(h.clientEvents, 'stream-error');
    expect(errors).toHaveLength(1);
    expect(errors[0].request === queued).toBe(true);
    expect(errors[0]).toMatchObject({ retryable: true, code: E.H3_REQUEST_REJECTED, streamId: -1 });
    expect(first.streamId).toBe(0);
  });

  it('GOAWAY IDs may only decrease', () => {
    const h = createHarness();
    h.client.request([[':method', 'POST'], ...get().slice(1)]); // keeps the client busy (it stays open)
    h.run();
    h.server.goaway(H3Connection.GOAWAY_MAX_STREAM_ID);
    h.server.goaway(8);
    expect(usageKind(() => h.server.goaway(12))).toBe(H3UsageErrorKind.INVALID_ARGUMENT);
    expect(usageKind(() => h.server.goaway(6))).toBe(H3UsageErrorKind.INVALID_ARGUMENT); // not a request stream ID
    h.run();
    expect(ofType(h.clientEvents, 'goaway').map((e) => e.id)).toEqual([H3Connection.GOAWAY_MAX_STREAM_ID, 8]);
  });

  it('two-phase server shutdown: GOAWAY(max), then shutdown() with the real limit', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
    };
    h.client.request(get(), { endStream: true });
    h.run();
    h.server.goaway(H3Connection.GOAWAY_MAX_STREAM_ID);
    h.run();
    expect(h.client.isClosed).toBe(true); // an idle client closes once told to go away
    expect(ofType(h.clientEvents, 'closed')[0]).toMatchObject({ code: E.H3_NO_ERROR, local: true });
  });

  it('client shutdown sends GOAWAY with a push ID; the server learns no more pushes are wanted', () => {
    const h = createHarness({ client: { maxPushId: 10 } });
    h.onServerEvent = (e) => {
      if (e.type === 'request') {
        const push = h.server.promisePush(e.streamId, get('/pushed'));
        push.respond([[':status', '200']], { endStream: true });
        h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
      }
    };
    h.client.request(get(), { endStream: true });
    h.run();
    h.client.shutdown();
    h.run();
    expect(ofType(h.serverEvents, 'goaway')).toEqual([{ type: 'goaway', id: 1 }]);
    expect(h.client.isClosed).toBe(true);
    expect(ofType(h.clientEvents, 'closed')[0]).toMatchObject({ code: E.H3_NO_ERROR, local: true });
  });

  it('a server stops promising pushes after the client GOAWAY (§5.2)', () => {
    const h = createHarness({ client: { maxPushId: 10 } });
    let stream = -1;
    h.onServerEvent = (e) => {
      if (e.type === 'request') stream = e.streamId;
    };
    h.client.request(get(), { endStream: true });
    h.run();
    h.client.goaway();
    h.run();
    expect(usageKind(() => h.server.promisePush(stream, get('/x')))).toBe(H3UsageErrorKind.PUSH_NOT_ALLOWED);
  });

  it('close(): immediate closure with a code; outstanding requests are reported, queued ones as retryable', () => {
    const h = createHarness({ pair: { maxBidiStreams: 1 } });
    const sent = h.client.request([[':method', 'POST'], ...get('/1').slice(1)]);
    const queued = h.client.request(get('/2'), { endStream: true });
    h.run();
    h.server.close(E.H3_INTERNAL_ERROR, 'bye');
    h.run();
    expect(ofType(h.serverEvents, 'closed')).toEqual([
      { type: 'closed', code: E.H3_INTERNAL_ERROR, reason: 'bye', local: true },
    ]);
    const errors = ofType(h.clientEvents, 'stream-error');
    expect(errors.find((e) => e.request === sent)?.retryable).toBe(false); // might have been processed (§5.4)
    expect(errors.find((e) => e.request === queued)?.retryable).toBe(true);
    expect(ofType(h.clientEvents, 'closed')[0]).toMatchObject({ code: E.H3_INTERNAL_ERROR, local: false });
    expect(usageKind(() => h.client.request(get()))).toBe(H3UsageErrorKind.CLOSED);
    expect(h.client.pollEvent()).toBeUndefined();
  });

  it('a server receiving GOAWAY from the client keeps serving its requests', () => {
    const h = rawHarness('server');
    h.raw.openControl([], encodeFrame({ type: 'goaway', id: 0 }));
    const id = h.raw.openBidi();
    h.raw.write(id, h.raw.headers(id, get()), true);
    h.run();
    expect(ofType(h.events, 'goaway')).toEqual([{ type: 'goaway', id: 0 }]);
    expect(ofType(h.events, 'request')).toHaveLength(1);
    h.conn.respond(id, [[':status', '200']]);
    h.conn.writeBody(id, text('ok'), true);
    expect(h.conn.isClosed).toBe(false);
  });
});
