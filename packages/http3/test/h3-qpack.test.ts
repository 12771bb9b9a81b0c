// QPACK (RFC 9204) wired into HTTP/3: dynamic tables in both directions, blocked streams, Stream Cancellation, the
// encoder/decoder streams' error codes, and SETTINGS configuring our encoder.

import { describe, expect, it } from 'vitest';
import { H3ErrorCode } from '../src/index.js';
import { parseDecoderInstructions, QpackEncoder } from '../src/qpack/index.js';
import { bodyOf, createHarness, get, ofType, str, text } from './support/harness.js';
import { concat, hexBytes, rawHarness } from './support/raw-peer.js';

const E = H3ErrorCode;

function appHeaders(i: number): [string, string][] {
  return get(`/item/${i}`, 'shop.example', [
    ['user-agent', 'fos-test-agent/1.0 (a long user agent string that is worth indexing)'],
    ['x-session', 'session-4f1c2a9b7d'],
    ['accept-language', 'en-GB,en;q=0.9'],
  ]);
}

describe('QPACK in HTTP/3', () => {
  it('uses the dynamic table in both directions (SETTINGS from the peer enable our encoder)', () => {
    const h = createHarness({ pair: { seed: 5, randomChunks: true } });
    h.onServerEvent = (e) => {
      if (e.type !== 'request') return;
      h.server.respond(e.streamId, [
        [':status', '200'],
        ['server', 'fos-test-server'],
        ['x-request-path', e.info.path ?? ''],
        ['cache-control', 'private, max-age=60, stale-while-revalidate=30'],
      ]);
      h.server.writeBody(e.streamId, text(e.info.path ?? ''), true);
    };
    h.run(); // SETTINGS exchange first, so both encoders may use the peer's table
    const reqs = Array.from({ length: 60 }, (_, i) => h.client.request(appHeaders(i), { endStream: true }));
    h.run();
    for (const [i, r] of reqs.entries()) expect(str(bodyOf(h.clientEvents, r.streamId))).toBe(`/item/${i}`);
    const requests = ofType(h.serverEvents, 'request');
    expect(requests).toHaveLength(60);
    for (const [i, r] of reqs.entries()) {
      expect(requests.find((e) => e.streamId === r.streamId)?.headers).toEqual(appHeaders(i));
    }
    const c = h.client.qpackState();
    const s = h.server.qpackState();
    expect(c.encoderInsertCount).toBeGreaterThan(0);
    expect(s.encoderInsertCount).toBeGreaterThan(0);
    expect(s.decoderInsertCount).toBe(c.encoderInsertCount);
    expect(c.decoderInsertCount).toBe(s.encoderInsertCount);
    // the decoders acknowledged everything (Section Acknowledgment / Insert Count Increment)
    expect(c.encoderKnownReceivedCount).toBe(c.encoderInsertCount);
    expect(s.encoderKnownReceivedCount).toBe(s.encoderInsertCount);
  });

  it('a peer advertising QPACK_MAX_TABLE_CAPACITY 0 gets static-only sections', () => {
    const h = createHarness({ server: { qpackMaxTableCapacity: 0, qpackBlockedStreams: 0 } });
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.respond(e.streamId, [[':status', '204']], { endStream: true });
    };
    h.run();
    for (let i = 0; i < 10; i++) h.client.request(appHeaders(i), { endStream: true });
    h.run();
    expect(ofType(h.serverEvents, 'request')).toHaveLength(10);
    expect(h.client.qpackState().encoderInsertCount).toBe(0);
    expect(h.server.qpackState().encoderInsertCount).toBeGreaterThanOrEqual(0);
  });

  it('a field section blocked on the encoder stream waits, then completes when the inserts arrive (RFC 9204 §2.2.1)', () => {
    const h = createHarness({ pair: { shuffle: false } });
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
    };
    h.run();
    const encoderStream = h.client.ownStreamIds.qpackEncoder;
    h.pair.hold(h.pair.client, encoderStream);
    const reqs = Array.from({ length: 5 }, (_, i) => h.client.request(appHeaders(i), { endStream: true }));
    h.run();
    expect(h.client.qpackState().encoderInsertCount).toBeGreaterThan(0);
    expect(ofType(h.serverEvents, 'request')).toHaveLength(0); // all blocked on inserts not yet received
    h.pair.release(h.pair.client, encoderStream);
    h.run();
    expect(ofType(h.serverEvents, 'request').map((e) => e.streamId)).toEqual(reqs.map((r) => r.streamId));
    expect(ofType(h.clientEvents, 'response')).toHaveLength(5);
  });

  it('a request reset while its header section is blocked makes the decoder send a Stream Cancellation (RFC 9204 §4.4.2)', () => {
    const h = createHarness({ pair: { shuffle: false } });
    h.run();
    const written: Uint8Array[] = [];
    const serverDecoder = h.server.ownStreamIds.qpackDecoder;
    const write = h.pair.server.write.bind(h.pair.server);
    h.pair.server.write = (id, data, fin) => {
      if (id === serverDecoder) written.push(data);
      return write(id, data, fin);
    };
    const encoderStream = h.client.ownStreamIds.qpackEncoder;
    h.pair.hold(h.pair.client, encoderStream);
    const req = h.client.request(appHeaders(1), { endStream: true });
    h.run();
    req.cancel();
    h.run();
    h.pair.release(h.pair.client, encoderStream);
    h.run();
    const instructions = parseDecoderInstructions(concat(...written));
    expect(instructions).toContainEqual({ type: 'stream-cancellation', streamId: req.streamId });
    expect(ofType(h.serverEvents, 'request')).toHaveLength(0);
    // the client's encoder released the references of the cancelled section
    const later = h.client.request(appHeaders(2), { endStream: true });
    h.onServerEvent = (e) => {
      if (e.type === 'request') h.server.respond(e.streamId, [[':status', '200']], { endStream: true });
    };
    h.run();
    expect(ofType(h.clientEvents, 'response').map((e) => e.streamId)).toEqual([later.streamId]);
  });

  it('more blocked streams than our SETTINGS_QPACK_BLOCKED_STREAMS is QPACK_DECOMPRESSION_FAILED (RFC 9204 §2.1.2)', () => {
    const h = rawHarness('server', { conn: { qpackBlockedStreams: 1 } });
    const qpack = new QpackEncoder({ maxTableCapacity: 4096, maxBlockedStreams: 5, autoInsert: false, huffman: false });
    h.raw.openControl();
    qpack.setDynamicTableCapacity(4096);
    qpack.insert('x-a', '1');
    const fields = ['x-a', '1', ...get().flat()];
    // pseudo-headers must come first: put x-a last
    fields.push(...fields.splice(0, 2));
    const a = h.raw.openBidi();
    h.raw.write(a, h.raw.frame({ type: 'headers', fieldSection: qpack.encodeFieldSection(a, fields) }), true);
    h.run();
    expect(h.closeCode()).toBeUndefined();
    const b = h.raw.openBidi();
    h.raw.write(b, h.raw.frame({ type: 'headers', fieldSection: qpack.encodeFieldSection(b, fields) }), true);
    h.run();
    expect(h.closeCode()).toBe(E.QPACK_DECOMPRESSION_FAILED);
  });

  it('a blocked request completes when a raw encoder stream delivers the inserts', () => {
    const h = rawHarness('server');
    const qpack = new QpackEncoder({
      maxTableCapacity: 4096,
      maxBlockedStreams: 16,
      autoInsert: false,
      huffman: false,
    });
    h.raw.openControl();
    qpack.setDynamicTableCapacity(4096);
    qpack.insert('x-a', '1');
    const id = h.raw.openBidi();
    h.raw.write(
      id,
      h.raw.frame({ type: 'headers', fieldSection: qpack.encodeFieldSection(id, [...get().flat(), 'x-a', '1']) }),
      true,
    );
    h.run();
    expect(ofType(h.events, 'request')).toHaveLength(0);
    h.raw.openUni(concat(Uint8Array.of(0x02), qpack.pollEncoderStream() ?? new Uint8Array(0)));
    h.run();
    expect(ofType(h.events, 'request')[0].headers).toContainEqual(['x-a', '1']);
    expect(ofType(h.events, 'end')).toHaveLength(1);
  });

  it('garbage on the encoder stream is QPACK_ENCODER_STREAM_ERROR, on the decoder stream QPACK_DECODER_STREAM_ERROR', () => {
    const a = rawHarness('server', { conn: { qpackMaxTableCapacity: 100 } });
    a.raw.openControl();
    a.raw.openUni(hexBytes('02 3f e1 1f')); // Set Dynamic Table Capacity 4096 > our 100
    a.run();
    expect(a.closeCode()).toBe(E.QPACK_ENCODER_STREAM_ERROR);

    const b = rawHarness('server');
    b.raw.openControl();
    b.raw.openUni(hexBytes('03 00')); // Insert Count Increment of 0
    b.run();
    expect(b.closeCode()).toBe(E.QPACK_DECODER_STREAM_ERROR);
  });

  it('a field section referencing entries never inserted is QPACK_DECOMPRESSION_FAILED', () => {
    const h = rawHarness('server', { conn: { qpackBlockedStreams: 0 } });
    h.raw.openControl();
    const id = h.raw.openBidi();
    // Required Insert Count 1 while no stream may block
    h.raw.write(id, h.raw.frame({ type: 'headers', fieldSection: hexBytes('0200 80') }), true);
    h.run();
    expect(h.closeCode()).toBe(E.QPACK_DECOMPRESSION_FAILED);
  });
});
