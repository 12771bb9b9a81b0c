// QuicStream.sendCredit / bufferedBytes: the peer's flow-control credit (RFC 9000 §4.1) as the application sees it.
import { describe, expect, it } from 'vitest';
import type { QuicStream } from '../../src/api/quic-stream.js';
import { readAll, SERVER_HOST, World } from './support/world.js';

const TARGET = { address: SERVER_HOST, port: 443, alpn: 'echo', serverName: 'localhost' } as const;

describe('QuicStream.sendCredit and bufferedBytes', () => {
  it('follow the peer limits: used up by sending, restored as the peer reads, 0 once ended', async () => {
    const world = await World.create();
    const server = await world.server({
      server: { alpn: 'echo', transport: { initialMaxStreamData: 4096, initialMaxData: 1 << 20 } },
    });
    // The server takes each stream but reads it only when told to.
    const incoming: QuicStream[] = [];
    server.connections$.subscribe((c) => c.incomingStreams$.subscribe((s) => incoming.push(s)));
    const client = await world.client();
    const conn = await world.drive(client.connect(TARGET));
    const stream = await conn.openBidirectionalStream();
    expect(stream.sendCredit).toBe(4096); // initial_max_stream_data_bidi_remote of the server
    expect(stream.bufferedBytes).toBe(0);

    const data = new Uint8Array(10_000).fill(7);
    void stream.write(data);
    expect(stream.bufferedBytes).toBe(10_000);
    await world.until(() => incoming.length === 1 && stream.sendCredit === 0, 2000);
    expect(stream.sendCredit).toBe(0); // 4096 bytes sent, the rest waits for MAX_STREAM_DATA

    const received = readAll(incoming[0]); // reading grants credit
    await world.until(() => stream.bufferedBytes === 0, 5000);
    expect(stream.sendCredit).toBeGreaterThan(0);
    void stream.end();
    expect((await world.drive(received)).length).toBe(10_000);
    expect(stream.sendCredit).toBe(0); // ended: nothing more may be written
    await world.drive(Promise.all([client.close(), server.close()]));
  });
});
