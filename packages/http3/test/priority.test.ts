// RFC 9218: the Priority header field and PRIORITY_UPDATE frames reach the server and its transport scheduler.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIORITY, encodeFrame } from '../src/index.js';
import { createHarness, get, ofType } from './support/harness.js';
import { rawHarness } from './support/raw-peer.js';

describe('priorities (RFC 9218)', () => {
  it('the priority header field sets the request priority and the stream scheduler (§5, §10)', () => {
    const h = createHarness();
    const css = h.client.request(get('/style.css', 'a', [['priority', 'u=0']]), { endStream: true });
    const img = h.client.request(get('/image.jpg', 'a', [['priority', 'u=5, i']]), { endStream: true });
    const plain = h.client.request(get('/plain'), { endStream: true });
    h.run();
    const reqs = ofType(h.serverEvents, 'request');
    const of = (id: number) => reqs.find((e) => e.streamId === id)?.priority;
    expect(of(css.streamId)).toEqual({ urgency: 0, incremental: false });
    expect(of(img.streamId)).toEqual({ urgency: 5, incremental: true });
    expect(of(plain.streamId)).toBe(DEFAULT_PRIORITY);
    expect(h.pair.server.priorities.get(css.streamId)).toEqual({ urgency: 0, incremental: false });
    expect(h.pair.server.priorities.get(img.streamId)).toEqual({ urgency: 5, incremental: true });
    expect(h.pair.server.priorities.has(plain.streamId)).toBe(false); // the transport default applies
  });

  it('a client reprioritizes with PRIORITY_UPDATE; the server applies it and reports it (§6, §7.2)', () => {
    const h = createHarness();
    const req = h.client.request([[':method', 'POST'], ...get('/prefetch.js', 'a', [['priority', 'u=7']]).slice(1)]);
    h.run();
    req.setPriority({ urgency: 0, incremental: true });
    h.run();
    expect(ofType(h.serverEvents, 'priority')).toEqual([
      { type: 'priority', streamId: req.streamId, priority: { urgency: 0, incremental: true } },
    ]);
    expect(h.pair.server.priorities.get(req.streamId)).toEqual({ urgency: 0, incremental: true });
    expect(h.server.priorityOf(req.streamId)).toEqual({ urgency: 0, incremental: true });
  });

  it('a PRIORITY_UPDATE that arrives before its request stream is kept and overrides the header (§7)', () => {
    const h = rawHarness('server');
    h.raw.openControl([], encodeFrame({ type: 'priority-update', push: false, elementId: 4, priority: 'u=1' }));
    h.run();
    for (let i = 0; i < 2; i++) {
      const id = h.raw.openBidi();
      h.raw.write(id, h.raw.headers(id, get('/', 'a', [['priority', 'u=6']])), true);
    }
    h.run();
    const reqs = ofType(h.events, 'request');
    expect(reqs.map((e) => [e.streamId, e.priority.urgency]).sort((a, b) => a[0] - b[0])).toEqual([
      [0, 6],
      [4, 1],
    ]);
    expect(h.transport.priorities.get(4)).toEqual({ urgency: 1, incremental: false });
  });

  it('PRIORITY_UPDATEs for streams already closed are ignored; pending ones are bounded', () => {
    const h = rawHarness('server', { conn: { maxPendingPriorityUpdates: 2 } });
    const updates = [0, 4, 8, 12].map((id) =>
      encodeFrame({ type: 'priority-update', push: false, elementId: id, priority: 'u=2' }),
    );
    h.raw.openControl([], ...updates);
    h.run();
    for (let i = 0; i < 4; i++) {
      const id = h.raw.openBidi();
      h.raw.write(id, h.raw.headers(id, get()), true);
    }
    h.run();
    // only the last two updates were kept
    const urgencies = ofType(h.events, 'request')
      .sort((a, b) => a.streamId - b.streamId)
      .map((e) => e.priority.urgency);
    expect(urgencies).toEqual([3, 3, 2, 2]);
    h.raw.write(2, encodeFrame({ type: 'priority-update', push: false, elementId: 0, priority: 'u=0' }));
    h.run();
    expect(h.closeCode()).toBeUndefined();
  });

  it('a server can override the scheduling priority itself (§8)', () => {
    const h = createHarness();
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.setPriority(e.streamId, { urgency: 1, incremental: false });
    };
    const req = h.client.request([[':method', 'POST'], ...get().slice(1)]);
    h.run();
    expect(h.pair.server.priorities.get(req.streamId)).toEqual({ urgency: 1, incremental: false });
  });
});
