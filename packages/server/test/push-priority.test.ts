import { describe, expect, it } from 'vitest';
import type { Http3Response } from '../src/exchange/response.js';
import { headerOf, requestHeaders, str } from './support/h3-client.js';
import { World } from './support/world.js';

describe('server push (RFC 9114 §4.6)', () => {
  it('delivers a hand-written and a handler-dispatched pushed response to an H3Connection client', async () => {
    const world = await World.create();
    const pushed: (Http3Response | undefined)[] = [];
    const server = await world.server({
      handler: async (req, res) => {
        if (req.path === '/') {
          const css = res.push('/style.css', { headers: { accept: 'text/css' } });
          pushed.push(css);
          if (css !== undefined) {
            css.setHeader('content-type', 'text/css');
            void css.end('body { color: red }');
          }
          pushed.push(res.push('/app.js', { dispatch: true }));
          await res.end('<html>index</html>');
          return;
        }
        // the pushed /app.js runs through here: a request like any other, with pushId set
        res.setHeader('x-pushed', String(req.pushId !== undefined));
        await res.end(`console.log(${JSON.stringify(req.path)})`);
      },
    });
    const client = await world.client({ maxPushId: 10 });
    const r = await world.drive(client.get('/'));
    expect(str(r.body)).toBe('<html>index</html>');
    expect(r.promisedPushIds).toEqual([0, 1]);
    expect(pushed.every((p) => p !== undefined)).toBe(true);
    const [css, js] = [client.pushes.get(0)!, client.pushes.get(1)!];
    expect(css.requestHeaders).toEqual([
      [':method', 'GET'],
      [':scheme', 'https'],
      [':authority', 'localhost'],
      [':path', '/style.css'],
      ['accept', 'text/css'],
    ]);
    const cssRes = await world.drive(css.response);
    expect(cssRes.status).toBe(200);
    expect(str(cssRes.body)).toBe('body { color: red }');
    const jsRes = await world.drive(js.response);
    expect(str(jsRes.body)).toBe('console.log("/app.js")');
    expect(headerOf(jsRes.headers, 'x-pushed')).toBe('true');
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('push() returns undefined when the client never allowed push, when its MAX_PUSH_ID is used up, or when disabled', async () => {
    const world = await World.create();
    const results: boolean[] = [];
    const handler = async (_req: unknown, res: Http3Response) => {
      results.push(res.push('/a') !== undefined, res.push('/b') !== undefined);
      for (const _ of [0]) await res.end('x');
    };
    const server = await world.server({ handler: (req, res) => handler(req, res) });
    const noPush = await world.client(); // no MAX_PUSH_ID: push disabled (RFC 9114 §4.6)
    await world.drive(noPush.get('/'));
    const onePush = await world.client({ maxPushId: 0 }); // push ID 0 only
    await world.drive(onePush.get('/'));
    expect(results).toEqual([false, false, true, false]);
    await world.drive(server.close({ graceMs: 0 }));

    const disabled = await world.server({ push: false, handler: (req, res) => handler(req, res) });
    results.length = 0;
    const c = await world.client({ maxPushId: 10 });
    await world.drive(c.get('/'));
    expect(results).toEqual([false, false]);
    await world.drive(disabled.close({ graceMs: 0 }));
    await world.closeClients();
  });

  it('a push the client cancels (CANCEL_PUSH) aborts the pushed response', async () => {
    const world = await World.create();
    let pushedResponse: Http3Response | undefined;
    let writeError: unknown;
    const server = await world.server({
      handler: async (_req, res) => {
        pushedResponse = res.push('/huge');
        await res.end('index');
        const p = pushedResponse;
        if (p === undefined) return;
        try {
          for (;;) await p.write(new Uint8Array(16384));
        } catch (e) {
          writeError = e;
        }
      },
    });
    const client = await world.client({ maxPushId: 5 });
    await world.drive(client.get('/'));
    await world.until(() => client.pushes.has(0));
    client.h3.cancelPush(0);
    client.flush();
    expect(await world.until(() => writeError !== undefined)).toBe(true);
    expect(pushedResponse?.aborted).toBe(true);
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
  });
});

describe('priorities (RFC 9218)', () => {
  /** Two large responses on a bottleneck: which finishes first. */
  async function race(
    priorities: [string | undefined, string | undefined],
    update?: { urgency: number; afterBytes: number },
  ) {
    const world = await World.create({ link: { delayMs: 10, rateBps: 40_000_000, queueBytes: 256 * 1024 } });
    const seen: Record<string, number> = {};
    const finalUrgency: Record<string, number> = {};
    const server = await world.server({
      handler: async (req, res) => {
        seen[req.path] = req.priority.urgency;
        const chunk = new Uint8Array(64 * 1024);
        for (let i = 0; i < 24; i++) await res.write(chunk);
        finalUrgency[req.path] = req.priority.urgency;
        await res.end();
      },
    });
    const client = await world.client();
    const order: string[] = [];
    const headers = (p: string | undefined) => (p === undefined ? [] : ([['priority', p]] as [string, string][]));
    const a = client.request(requestHeaders('GET', '/first', headers(priorities[0])));
    const b = client.request(requestHeaders('GET', '/second', headers(priorities[1])));
    if (update !== undefined) {
      // RFC 9218 §7.2: a PRIORITY_UPDATE for the first request, once that much of its response arrived
      if (update.afterBytes > 0) await world.until(() => a.pending.bytes >= update.afterBytes);
      a.request.setPriority({ urgency: update.urgency, incremental: false });
      client.flush();
    }
    void a.done.then(() => order.push('/first'));
    void b.done.then(() => order.push('/second'));
    await world.drive(Promise.all([a.done, b.done]));
    await world.drive(server.close({ graceMs: 0 }));
    await world.closeClients();
    return { order, seen, finalUrgency };
  }

  it('the scheduler serves the more urgent response first (priority header, RFC 9218 §5)', async () => {
    const both = await race(['u=5', 'u=1']);
    expect(both.seen).toEqual({ '/first': 5, '/second': 1 });
    expect(both.order).toEqual(['/second', '/first']);
    // the control: same urgency, the first request finishes first (round robin would not reorder them)
    const same = await race([undefined, undefined]);
    expect(same.order).toEqual(['/first', '/second']);
  });

  it('a PRIORITY_UPDATE overrides the header: before the request arrived, and while it is answered (RFC 9218 §7.2)', async () => {
    const before = await race(['u=0', 'u=3'], { urgency: 7, afterBytes: 0 });
    expect(before.seen['/first']).toBe(7);
    expect(before.order).toEqual(['/second', '/first']);
    const during = await race(['u=0', 'u=3'], { urgency: 7, afterBytes: 100_000 });
    expect(during.seen['/first']).toBe(0);
    expect(during.finalUrgency['/first']).toBe(7);
    expect(during.order).toEqual(['/second', '/first']);
  });
});
