// Flow control and concurrency of the real HTTP/3 path: response and request bodies move only as fast as the other
// side consumes them (RFC 9000 §4.1), concurrency stays within the server's MAX_STREAMS (RFC 9000 §4.6), and
// cancelling a request resets its stream with H3_REQUEST_CANCELLED (RFC 9114 §4.1.1).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/index.js';
import { H3World, readBody } from '../support/h3-world.js';
import { patternBytes } from '../support/servers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const H3_REQUEST_CANCELLED = 0x10c;

describe('HTTP/3 over QUIC: backpressure, stream limits, cancellation', () => {
  it('reads the response from QUIC only as the body is consumed', async () => {
    const world = new H3World();
    const total = 8 << 20;
    const data = patternBytes(total, 5);
    let written = 0;
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        ex.respond(200, [['content-length', String(total)]]);
        for (let o = 0; o < total; o += 32 << 10) {
          await ex.write(data.subarray(o, o + (32 << 10)));
          written = o + (32 << 10);
        }
        ex.end();
      },
    });
    const { client } = await world.client();
    const res = await world.drive(client.fetch('https://localhost/big'));
    // Nobody reads: the server gets stuck once the windows and buffers are full.
    await world.advance(5_000);
    const stalledAt = written;
    await world.advance(5_000);
    expect(written).toBe(stalledAt);
    expect(stalledAt).toBeLessThan(total / 2);
    const body = await readBody(world, res);
    expect(sha(body)).toBe(sha(data));
    expect(written).toBe(total);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('pulls a streaming request body only as the server reads it', async () => {
    const world = new H3World();
    const chunk = 16 << 10;
    const count = 256; // 4 MiB
    const parts = Array.from({ length: count }, (_, i) => patternBytes(chunk, i + 1));
    let pulled = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      for (const p of parts) {
        pulled += p.length;
        yield p;
      }
    }
    let resume!: () => void;
    const server = await world.server({
      handler: async (ex) => {
        ex.pauseReading();
        resume = () => ex.resumeReading();
        await ex.whenEnded();
        ex.respond(200);
        await ex.write(new TextEncoder().encode(sha(ex.body)), true);
      },
    });
    const { client } = await world.client();
    const response = client.fetch('https://localhost/upload', { method: 'POST', body: body() });
    await world.advance(5_000);
    const stalledAt = pulled;
    await world.advance(5_000);
    expect(pulled).toBe(stalledAt);
    expect(stalledAt).toBeLessThan((chunk * count) / 2);
    resume();
    const res = await world.drive(response);
    expect((await readBody(world, res)).toString()).toBe(sha(Buffer.concat(parts)));
    expect(pulled).toBe(chunk * count);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it("keeps concurrency within the server's MAX_STREAMS: 40 requests, limit 5, one connection", async () => {
    const world = new H3World();
    const server = await world.server({
      transport: { initialMaxStreamsBidi: 5 },
      handler: async (ex) => {
        await ex.whenEnded();
        await server.sleep(30);
        ex.respond(200);
        await ex.write(new TextEncoder().encode(ex.path), true);
      },
    });
    const { client } = await world.client();
    let queuedSeen = 0;
    const all = Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await client.fetch(`https://localhost/r${i}`);
        return res.text();
      }),
    );
    // While the first five are served, the others wait in the pool (not in QUIC).
    await world.advance(100);
    for (const s of client.h3Stats()) queuedSeen = Math.max(queuedSeen, s.queued);
    const texts = await world.drive(all);
    expect(texts).toEqual(Array.from({ length: 40 }, (_, i) => `/r${i}`));
    expect(server.connections).toHaveLength(1);
    expect(server.connections[0].maxConcurrent).toBeLessThanOrEqual(5);
    expect(server.connections[0].maxConcurrent).toBeGreaterThanOrEqual(2);
    expect(queuedSeen).toBeGreaterThan(0);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('cancels with H3_REQUEST_CANCELLED when aborted while waiting, and in the middle of the body', async () => {
    const world = new H3World();
    const server = await world.server({
      handler: async (ex) => {
        await ex.whenEnded();
        if (ex.path === '/slow') return; // never answers
        ex.respond(200);
        await ex.write(patternBytes(10_000, 1)); // and holds the stream open
      },
    });
    const { client } = await world.client();
    const early = new AbortController();
    const pending = client.fetch('https://localhost/slow', { signal: early.signal });
    await world.advance(200);
    early.abort();
    expect(await world.driveError(pending)).toBeInstanceOf(AbortError);
    expect(await world.drive(server.requests[0].whenFailed())).toBe(H3_REQUEST_CANCELLED);

    const late = new AbortController();
    const res = await world.drive(client.fetch('https://localhost/hold', { signal: late.signal }));
    const reader = res.body!.getReader();
    const first = await world.drive(reader.read());
    expect(first.value?.byteLength).toBeGreaterThan(0);
    late.abort();
    const err = await world.driveError(reader.read());
    expect(err).toBeInstanceOf(AbortError);
    expect(await world.drive(server.requests[1].whenFailed())).toBe(H3_REQUEST_CANCELLED);

    // Cancelling the body stream (no signal) does the same.
    const res3 = await world.drive(client.fetch('https://localhost/hold'));
    await world.drive(res3.body!.cancel());
    expect(await world.drive(server.requests[2].whenFailed())).toBe(H3_REQUEST_CANCELLED);
    // The connection survives cancellations.
    expect(server.connections).toHaveLength(1);
    await world.drive(client.close());
    await world.drive(server.close());
  });
});
