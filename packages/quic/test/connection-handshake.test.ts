import { beforeAll, describe, expect, it } from 'vitest';
import { ConnectionPair } from './support/connection-pair.js';
import { type TestTls, testTls } from './support/tls.js';

let tls: TestTls;
beforeAll(async () => {
  tls = await testTls();
});

describe('Connection handshake (two sans-I/O connections back to back)', () => {
  it('completes the handshake and confirms it on both sides', () => {
    const pair = new ConnectionPair(tls);
    pair.handshake();
    pair.run(() => pair.clientEvents.some((e) => e.type === 'handshake-confirmed'), 1000);
    expect(pair.client.alpnProtocol).toBe('test');
    expect(pair.serverEvents.some((e) => e.type === 'handshake-confirmed')).toBe(true);
    expect(pair.clientEvents.some((e) => e.type === 'handshake-confirmed')).toBe(true);
  });

  it('moves stream data both ways', () => {
    const pair = new ConnectionPair(tls);
    pair.handshake();
    const id = pair.client.openStream(true)!;
    const payload = new Uint8Array(100_000).map((_, i) => i & 0xff);
    pair.client.writeStream(id, payload, true);
    const got: Uint8Array[] = [];
    let ended = false;
    pair.run(() => {
      const s = pair.server!;
      if (!pair.serverEvents.some((e) => e.type === 'stream-opened' && e.streamId === id)) return false;
      for (;;) {
        const r = s.readStream(id);
        if (r === undefined) break;
        if (r === null) {
          ended = true;
          break;
        }
        got.push(r.slice());
      }
      return ended;
    }, 20_000);
    const total = Buffer.concat(got);
    expect(total.length).toBe(payload.length);
    expect(Buffer.compare(total, Buffer.from(payload))).toBe(0);
  });
});
