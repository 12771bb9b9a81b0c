// RFC 9114 §4.6, §6.2.2, §7.2.3, §7.2.5, §7.2.7: server push.

import { describe, expect, it } from 'vitest';
import { encodeFrame, H3ErrorCode, type H3ServerPush, H3UsageError, H3UsageErrorKind } from '../src/index.js';
import { bodyOf, createHarness, get, ofType, str, text } from './support/harness.js';
import { concat, rawHarness } from './support/raw-peer.js';

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

/** A server that answers every request and pushes /style.css and /app.js with it. */
function pushingServer(h: ReturnType<typeof createHarness>, pushes: H3ServerPush[] = []): H3ServerPush[] {
  h.onServerEvent = (e) => {
    if (e.type !== 'request') return;
    for (const path of ['/style.css', '/app.js']) {
      const push = h.server.promisePush(e.streamId, get(path));
      pushes.push(push);
      push.respond([
        [':status', '200'],
        ['content-type', 'text/plain'],
      ]);
      push.writeBody(text(`content of ${path}`), true);
    }
    h.server.respond(e.streamId, [[':status', '200']]);
    h.server.writeBody(e.streamId, text('index'), true);
  };
  return pushes;
}

describe('server push', () => {
  it('is disabled by default: no MAX_PUSH_ID, so the server cannot promise (§4.6)', () => {
    const h = createHarness();
    let kind: string | undefined;
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      kind = usageKind(() => h.server.promisePush(e.streamId, get('/x')));
      h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
    };
    h.client.request(get(), { endStream: true });
    h.run();
    expect(kind).toBe(H3UsageErrorKind.PUSH_NOT_ALLOWED);
    expect(h.client.maxPushIdValue).toBe(-1);
    expect(h.server.maxPushIdValue).toBe(-1);
  });

  it('promise and deliver: the client gets PUSH_PROMISE then the pushed response on a push stream', () => {
    const h = createHarness({ client: { maxPushId: 9 }, pair: { seed: 3, randomChunks: true } });
    pushingServer(h);
    const req = h.client.request(get('/index.html'), { endStream: true });
    h.run();
    const promises = ofType(h.clientEvents, 'push-promise');
    expect(promises.map((p) => [p.pushId, p.streamId, p.duplicate])).toEqual([
      [0, req.streamId, false],
      [1, req.streamId, false],
    ]);
    expect(promises[0].request).toBe(req);
    expect(promises[1].headers).toEqual(get('/app.js'));
    const pushed = ofType(h.clientEvents, 'response').filter((e) => e.pushId !== undefined);
    expect(pushed.map((e) => e.pushId).sort()).toEqual([0, 1]);
    for (const p of pushed) {
      expect(p.streamId % 4).toBe(3); // server-initiated unidirectional
      const path = p.pushId === 0 ? '/style.css' : '/app.js';
      expect(str(bodyOf(h.clientEvents, p.streamId))).toBe(`content of ${path}`);
    }
    expect(ofType(h.clientEvents, 'end').filter((e) => e.pushId !== undefined)).toHaveLength(2);
    expect(str(bodyOf(h.clientEvents, req.streamId))).toBe('index');
  });

  it('MAX_PUSH_ID bounds the push IDs; the client raises it, never lowers it (§7.2.7)', () => {
    const h = createHarness({ client: { maxPushId: 0 } });
    let second: string | undefined;
    let stream = -1;
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      stream = e.streamId;
      h.server.promisePush(e.streamId, get('/a')).cancel();
      second = usageKind(() => h.server.promisePush(e.streamId, get('/b')));
    };
    h.client.request([[':method', 'POST'], ...get().slice(1)]);
    h.run();
    expect(second).toBe(H3UsageErrorKind.PUSH_NOT_ALLOWED);
    expect(usageKind(() => h.client.setMaxPushId(-1))).toBe(H3UsageErrorKind.INVALID_ARGUMENT);
    h.client.setMaxPushId(3);
    h.run();
    expect(h.server.maxPushIdValue).toBe(3);
    expect(h.server.promisePush(stream, get('/b')).pushId).toBe(1);
    expect(usageKind(() => h.client.setMaxPushId(2))).toBe(H3UsageErrorKind.INVALID_ARGUMENT);
  });

  it('client CANCEL_PUSH before the push stream: the server learns it and cannot deliver', () => {
    const h = createHarness({ client: { maxPushId: 5 } });
    let push: H3ServerPush | undefined;
    h.onServerEvent = (e) => {
      if (e.type === 'request') {
        push = h.server.promisePush(e.streamId, get('/big'));
        h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
      }
    };
    h.onClientEvent = (e) => {
      if (e.type === 'push-promise') h.client.cancelPush(e.pushId);
    };
    h.client.request(get(), { endStream: true });
    h.run();
    expect(ofType(h.serverEvents, 'push-cancelled')).toEqual([{ type: 'push-cancelled', pushId: 0 }]);
    expect(usageKind(() => push?.respond([[':status', '200']]))).toBe(H3UsageErrorKind.STREAM_CLOSED);
  });

  it('client cancel after the push stream arrived: STOP_SENDING(H3_REQUEST_CANCELLED) on the push stream', () => {
    const h = createHarness({ client: { maxPushId: 5 }, pair: { shuffle: false } });
    let push: H3ServerPush | undefined;
    h.onServerEvent = (e) => {
      if (e.type === 'request') {
        push = h.server.promisePush(e.streamId, get('/stream'));
        push.respond([[':status', '200']]);
        push.writeBody(text('first part'));
        h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
      }
    };
    h.onClientEvent = (e) => {
      if (e.type === 'response' && e.pushId !== undefined) h.client.cancelPush(e.pushId);
    };
    h.client.request(get(), { endStream: true });
    h.run();
    const pushStream = push?.streamId ?? -1;
    expect(h.pair.client.stops).toContainEqual([pushStream, E.H3_REQUEST_CANCELLED]);
    expect(ofType(h.serverEvents, 'stop-sending')).toEqual([
      expect.objectContaining({ streamId: pushStream, pushId: 0, code: E.H3_REQUEST_CANCELLED }),
    ]);
    expect(usageKind(() => push?.writeBody(text('more')))).toBe(H3UsageErrorKind.STREAM_CLOSED);
  });

  it('server cancel: CANCEL_PUSH reaches the client; an open push stream is reset (§7.2.3)', () => {
    const h = createHarness({ client: { maxPushId: 5 }, pair: { shuffle: false } });
    const pushes: H3ServerPush[] = [];
    h.onServerEvent = (e) => {
      if (e.type === 'request') {
        pushes.push(h.server.promisePush(e.streamId, get('/never')));
        const open = h.server.promisePush(e.streamId, get('/started'));
        open.respond([[':status', '200']]);
        pushes.push(open);
        h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
      }
    };
    h.client.request(get(), { endStream: true });
    h.run();
    for (const p of pushes) p.cancel();
    h.run();
    expect(ofType(h.clientEvents, 'push-cancelled').map((e) => e.pushId)).toEqual([0, 1]);
    const reset = ofType(h.clientEvents, 'stream-error');
    expect(reset).toEqual([expect.objectContaining({ pushId: 1, code: E.H3_REQUEST_CANCELLED, local: false })]);
  });

  it('the same push promised on two requests: identical fields, reported as a duplicate (§4.6)', () => {
    const h = createHarness({ client: { maxPushId: 5 }, pair: { shuffle: false } });
    let shared: H3ServerPush | undefined;
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      if (shared === undefined) shared = h.server.promisePush(e.streamId, get('/shared.css'));
      else h.server.promiseExistingPush(e.streamId, shared);
      h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
    };
    h.client.request(get('/1'), { endStream: true });
    h.client.request(get('/2'), { endStream: true });
    h.run();
    shared?.respond([[':status', '200']], { endStream: true });
    h.run();
    expect(ofType(h.clientEvents, 'push-promise').map((e) => [e.pushId, e.duplicate])).toEqual([
      [0, false],
      [0, true],
    ]);
    expect(ofType(h.clientEvents, 'response').filter((e) => e.pushId === 0)).toHaveLength(1);
  });

  it('the push stream may arrive before its PUSH_PROMISE: it waits for it (§4.6)', () => {
    const h = createHarness({ client: { maxPushId: 5 }, pair: { shuffle: false } });
    h.run();
    let requestStream = -1;
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      requestStream = e.streamId;
      h.pair.hold(h.pair.server, e.streamId); // hold back the request stream (and its PUSH_PROMISE)
      const push = h.server.promisePush(e.streamId, get('/early'));
      push.respond([[':status', '200']]);
      push.writeBody(text('early bird'), true);
      h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
    };
    h.client.request(get(), { endStream: true });
    h.run();
    expect(ofType(h.clientEvents, 'response')).toHaveLength(0);
    h.pair.release(h.pair.server, requestStream);
    h.run();
    const types = h.clientEvents
      .filter((e) => e.type !== 'settings')
      .map((e) => `${e.type}${'pushId' in e && e.pushId !== undefined ? `#${e.pushId}` : ''}`);
    expect(types.indexOf('push-promise#0')).toBeLessThan(types.indexOf('response#0'));
    expect(types).toContain('end#0');
  });

  it("push streams beyond the client's unidirectional stream limit wait for credit", () => {
    const h = createHarness({
      client: { maxPushId: 10, grease: false },
      server: { grease: false },
      pair: { maxUniStreams: 4, seed: 9 },
    });
    const pushes: H3ServerPush[] = [];
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      for (let i = 0; i < 5; i++) {
        const p = h.server.promisePush(e.streamId, get(`/p${i}`));
        p.respond([[':status', '200']]);
        p.writeBody(text(`push ${i}`), true);
        pushes.push(p);
      }
      h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
    };
    h.client.request(get(), { endStream: true });
    h.run();
    expect(pushes.filter((p) => p.streamId >= 0)).toHaveLength(5);
    const ends = ofType(h.clientEvents, 'end').filter((e) => e.pushId !== undefined);
    expect(ends.map((e) => e.pushId).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const p of pushes) expect(str(bodyOf(h.clientEvents, p.streamId))).toBe(`push ${p.pushId}`);
  });

  it('PRIORITY_UPDATE for a push (0xF0701) reaches the server and its scheduler (RFC 9218 §7.2)', () => {
    const h = rawHarness('server');
    h.raw.openControl([], encodeFrame({ type: 'max-push-id', pushId: 3 }));
    const id = h.raw.openBidi();
    h.raw.write(id, h.raw.headers(id, get()), true);
    h.run();
    const push = h.conn.promisePush(id, get('/p'));
    push.respond([[':status', '200']]);
    h.raw.write(
      2,
      encodeFrame(
        // 2: the raw client's control stream
        { type: 'priority-update', push: true, elementId: push.pushId, priority: 'u=1, i' },
      ),
    );
    h.run();
    expect(ofType(h.events, 'priority')).toEqual([
      { type: 'priority', streamId: push.streamId, pushId: 0, priority: { urgency: 1, incremental: true } },
    ]);
    expect(h.transport.priorities.get(push.streamId)).toEqual({ urgency: 1, incremental: true });
  });
});

describe('server push: protocol errors at the client', () => {
  function client(maxPushId?: number) {
    const h = rawHarness('client', { conn: { maxPushId } });
    h.raw.openControl();
    const req = h.conn.request(get(), { endStream: true });
    h.run();
    return { h, req };
  }
  const promise = (h: ReturnType<typeof rawHarness>, streamId: number, pushId: number, fields = get('/p')) => {
    const section = h.raw.qpack.encodeFieldSection(streamId, fields.flat());
    return encodeFrame({ type: 'push-promise', pushId, fieldSection: section });
  };

  it('a push stream without MAX_PUSH_ID, or beyond it, is H3_ID_ERROR (§4.6)', () => {
    const a = client();
    a.h.raw.openUni(Uint8Array.of(0x01, 0x00));
    a.h.run();
    expect(a.h.closeCode()).toBe(E.H3_ID_ERROR);
    const b = client(2);
    b.h.raw.openUni(Uint8Array.of(0x01, 0x03));
    b.h.run();
    expect(b.h.closeCode()).toBe(E.H3_ID_ERROR);
  });

  it('a PUSH_PROMISE beyond MAX_PUSH_ID is H3_ID_ERROR (§7.2.5)', () => {
    const { h, req } = client(1);
    h.raw.write(req.streamId, promise(h, req.streamId, 2));
    h.run();
    expect(h.closeCode()).toBe(E.H3_ID_ERROR);
  });

  it('a second push stream for the same push ID is H3_ID_ERROR (§6.2.2)', () => {
    const { h, req } = client(4);
    h.raw.write(req.streamId, promise(h, req.streamId, 1));
    h.raw.openUni(Uint8Array.of(0x01, 0x01));
    h.raw.openUni(Uint8Array.of(0x01, 0x01));
    h.run();
    expect(h.closeCode()).toBe(E.H3_ID_ERROR);
  });

  it('the same push ID promised with different fields is H3_GENERAL_PROTOCOL_ERROR (§7.2.5)', () => {
    const { h, req } = client(4);
    h.raw.write(req.streamId, concat(promise(h, req.streamId, 0, get('/a')), promise(h, req.streamId, 0, get('/b'))));
    h.run();
    expect(h.closeCode()).toBe(E.H3_GENERAL_PROTOCOL_ERROR);
  });

  it('PUSH_PROMISE on a push stream is H3_FRAME_UNEXPECTED (§4.1)', () => {
    const { h, req } = client(4);
    h.raw.write(req.streamId, promise(h, req.streamId, 0));
    const pushStream = h.raw.openUni(Uint8Array.of(0x01, 0x00));
    h.raw.write(pushStream, promise(h, pushStream, 1));
    h.run();
    expect(h.closeCode()).toBe(E.H3_FRAME_UNEXPECTED);
  });

  it('a promise for a request that cannot be pushed (POST) is declined with CANCEL_PUSH (§4.6)', () => {
    const { h, req } = client(4);
    h.raw.write(req.streamId, promise(h, req.streamId, 0, [[':method', 'POST'], ...get('/form').slice(1)]));
    h.run();
    expect(h.closeCode()).toBeUndefined();
    expect(ofType(h.events, 'push-promise')).toHaveLength(0);
    const control = h.conn.ownStreamIds.control;
    const frames = h.raw.frames(control, 1);
    expect(frames).toContainEqual({ type: 'cancel-push', pushId: 0 });
    // its push stream, if it comes, is refused with STOP_SENDING(H3_REQUEST_CANCELLED)
    const ps = h.raw.openUni(Uint8Array.of(0x01, 0x00));
    h.run();
    expect(h.transport.stops).toContainEqual([ps, E.H3_REQUEST_CANCELLED]);
  });
});
