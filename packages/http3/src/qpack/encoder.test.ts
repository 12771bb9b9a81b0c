import { BufferOverflowError } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink.js';
import { QpackDecoder } from './decoder.js';
import { type DecoderInstruction, writeDecoderInstruction } from './decoder-instructions.js';
import { defaultIsSensitive, QpackEncoder, type QpackEncoderOptions } from './encoder.js';
import { parseEncoderInstructions } from './encoder-instructions.js';
import { QpackError, QpackErrorCode } from './errors.js';

const { QPACK_DECODER_STREAM_ERROR } = QpackErrorCode;

function decoderBytes(...list: DecoderInstruction[]): Uint8Array {
  const out = new ByteSink();
  for (const i of list) writeDecoderInstruction(out, i);
  return out.take()!;
}

function errorOf(f: () => unknown): QpackError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QpackError);
    return e as QpackError;
  }
  throw new Error('expected a QpackError');
}

/** An encoder wired to a decoder; `ack` controls whether decoder instructions flow back. */
function pair(options: QpackEncoderOptions & { maxTableCapacity: number; maxBlockedStreams: number }) {
  const encoder = new QpackEncoder(options);
  const decoder = new QpackDecoder({
    maxTableCapacity: options.maxTableCapacity,
    maxBlockedStreams: options.maxBlockedStreams,
  });
  const deliverEncoderStream = (): void => {
    const b = encoder.pollEncoderStream();
    if (b !== undefined) decoder.handleEncoderStream(b);
  };
  const ack = (): void => {
    const b = decoder.pollDecoderStream();
    if (b !== undefined) encoder.handleDecoderStream(b);
  };
  return { encoder, decoder, deliverEncoderStream, ack };
}

const REQUEST = [
  ':method',
  'GET',
  ':scheme',
  'https',
  ':authority',
  'example.com',
  ':path',
  '/index.html',
  'user-agent',
  'fos-test/1.0 (a fairly long user agent string)',
  'x-custom',
  'some value',
];

describe('QpackEncoder', () => {
  it('uses only the static table and literals when the peer allows no dynamic table (§3.2.3)', () => {
    const e = new QpackEncoder();
    const section = e.encodeFieldSection(0, REQUEST);
    expect(section[0]).toBe(0); // Required Insert Count 0
    expect(e.pollEncoderStream()).toBeUndefined();
    const r = new QpackDecoder().decodeFieldSection(0, section);
    expect(r.status === 'done' && r.fields).toEqual(REQUEST);
  });

  it('inserts repeated lines and references them once acknowledged', () => {
    const { encoder, decoder, deliverEncoderStream, ack } = pair({ maxTableCapacity: 4096, maxBlockedStreams: 0 });
    const first = encoder.encodeFieldSection(0, REQUEST);
    deliverEncoderStream();
    expect(decoder.decodeFieldSection(0, first).status).toBe('done');
    ack();
    const second = encoder.encodeFieldSection(4, REQUEST);
    expect(second.length).toBeLessThan(first.length / 3);
    const r = decoder.decodeFieldSection(4, second);
    expect(r.status === 'done' && r.fields).toEqual(REQUEST);
    // the capacity was set before the first insert (§3.2.2)
    expect(encoder.tableSnapshot().capacity).toBe(4096);
  });

  it('never references an unacknowledged entry with SETTINGS_QPACK_BLOCKED_STREAMS = 0 (§2.1.2)', () => {
    const { encoder, decoder } = pair({ maxTableCapacity: 4096, maxBlockedStreams: 0 });
    for (let i = 0; i < 20; i++) {
      const section = encoder.encodeFieldSection(4 * i, REQUEST);
      // the decoder has received none of the encoder stream: the section must still decode
      expect(decoder.decodeFieldSection(4 * i, section).status).toBe('done');
    }
    expect(encoder.tableSnapshot().blockingStreams).toBe(0);
  });

  it('lets at most SETTINGS_QPACK_BLOCKED_STREAMS streams risk blocking (§2.1.2)', () => {
    const { encoder, decoder } = pair({ maxTableCapacity: 4096, maxBlockedStreams: 2 });
    let blocked = 0;
    for (let i = 0; i < 10; i++) {
      const section = encoder.encodeFieldSection(4 * i, [...REQUEST, 'x-n', String(i % 3)]);
      if (decoder.decodeFieldSection(4 * i, section).status === 'blocked') blocked++;
      expect(encoder.tableSnapshot().blockingStreams).toBeLessThanOrEqual(2);
    }
    expect(blocked).toBe(2);
  });

  it('sends sensitive fields as never-indexed literals and never inserts them (§7.1.3)', () => {
    const { encoder, decoder, deliverEncoderStream, ack } = pair({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
    const fields = [
      'authorization',
      'Bearer abc',
      'cookie',
      'a=1',
      'cookie',
      `long=${'x'.repeat(40)}`,
      'x-secret',
      's',
    ];
    for (let i = 0; i < 3; i++) {
      const section = encoder.encodeFieldSection(4 * i, fields, { neverIndexed: [3] });
      deliverEncoderStream();
      const r = decoder.decodeFieldSection(4 * i, section);
      expect(r.status === 'done' && r.neverIndexed).toEqual([0, 1, 3]);
      ack();
    }
    const values = encoder.tableSnapshot().entries.map((e) => e.value);
    expect(values).not.toContain('Bearer abc');
    expect(values).not.toContain('a=1');
    expect(values).not.toContain('s');
    expect(values).toContain(`long=${'x'.repeat(40)}`);
    expect(defaultIsSensitive('set-cookie', 'a')).toBe(true);
    expect(defaultIsSensitive('proxy-authorization', 'a')).toBe(true);
    expect(defaultIsSensitive('cookie', 'x'.repeat(20))).toBe(false);
    expect(defaultIsSensitive('accept', 'a')).toBe(false);
  });

  it('accepts a custom sensitivity policy', () => {
    const encoder = new QpackEncoder({ maxTableCapacity: 4096, maxBlockedStreams: 10, isSensitive: () => true });
    const r = new QpackDecoder({ maxTableCapacity: 4096 }).decodeFieldSection(
      0,
      encoder.encodeFieldSection(0, REQUEST),
    );
    // static matches stay indexed; every other line is a never-indexed literal
    expect(r.status === 'done' && r.neverIndexed).toEqual([2, 3, 4, 5]);
    expect(parseEncoderInstructions(encoder.pollEncoderStream()!)).toEqual([
      { type: 'set-dynamic-table-capacity', capacity: 4096 },
    ]);
  });

  it('keeps the capacity within its own limit and the peer maximum', () => {
    const e = new QpackEncoder({ maxTableCapacity: 65536, maxBlockedStreams: 1, capacityLimit: 1000 });
    e.encodeFieldSection(0, REQUEST);
    const [first] = parseEncoderInstructions(e.pollEncoderStream()!);
    expect(first).toEqual({ type: 'set-dynamic-table-capacity', capacity: 1000 });
    expect(() => e.setDynamicTableCapacity(70000)).toThrow(RangeError);
  });

  it('rejects invalid decoder-stream instructions with QPACK_DECODER_STREAM_ERROR (§4.4)', () => {
    const mk = () => pair({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
    // Section Acknowledgment for a stream with nothing outstanding (§4.4.1)
    expect(
      errorOf(() => mk().encoder.handleDecoderStream(decoderBytes({ type: 'section-acknowledgment', streamId: 4 })))
        .code,
    ).toBe(QPACK_DECODER_STREAM_ERROR);
    // Insert Count Increment of 0, or beyond what was sent (§4.4.3)
    expect(
      errorOf(() => mk().encoder.handleDecoderStream(decoderBytes({ type: 'insert-count-increment', increment: 0 })))
        .code,
    ).toBe(QPACK_DECODER_STREAM_ERROR);
    const p = mk();
    p.encoder.encodeFieldSection(0, REQUEST);
    const inserts = p.encoder.tableSnapshot().insertCount;
    expect(inserts).toBeGreaterThan(0);
    expect(
      errorOf(() =>
        p.encoder.handleDecoderStream(decoderBytes({ type: 'insert-count-increment', increment: inserts + 1 })),
      ).code,
    ).toBe(QPACK_DECODER_STREAM_ERROR);
    p.encoder.handleDecoderStream(decoderBytes({ type: 'insert-count-increment', increment: inserts }));
    expect(p.encoder.tableSnapshot().knownReceivedCount).toBe(inserts);
    // a second acknowledgment for a stream whose one section was acknowledged
    const q = mk();
    q.encoder.encodeFieldSection(8, REQUEST);
    q.encoder.handleDecoderStream(decoderBytes({ type: 'section-acknowledgment', streamId: 8 }));
    expect(
      errorOf(() => q.encoder.handleDecoderStream(decoderBytes({ type: 'section-acknowledgment', streamId: 8 }))).code,
    ).toBe(QPACK_DECODER_STREAM_ERROR);
    // Stream Cancellation for an unknown stream is harmless
    q.encoder.handleDecoderStream(decoderBytes({ type: 'stream-cancellation', streamId: 99 }));
  });

  it('releases references on Section Acknowledgment and Stream Cancellation, split across chunks', () => {
    const { encoder } = pair({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
    encoder.encodeFieldSection(4, REQUEST);
    encoder.encodeFieldSection(4, REQUEST); // trailers on the same stream
    encoder.encodeFieldSection(1_000_000, REQUEST);
    const refs = () => encoder.tableSnapshot().entries.reduce((n, e) => n + e.refs, 0);
    expect(refs()).toBeGreaterThan(0);
    const bytes = decoderBytes(
      { type: 'section-acknowledgment', streamId: 4 },
      { type: 'stream-cancellation', streamId: 1_000_000 },
    );
    for (let i = 0; i < bytes.length; i++) encoder.handleDecoderStream(bytes.subarray(i, i + 1));
    // stream 4's second section still holds its references (its inserts are acknowledged: nothing blocks)
    expect(refs()).toBeGreaterThan(0);
    expect(encoder.tableSnapshot().blockingStreams).toBe(0);
    encoder.handleDecoderStream(decoderBytes({ type: 'section-acknowledgment', streamId: 4 }));
    expect(refs()).toBe(0);
    expect(encoder.tableSnapshot().blockingStreams).toBe(0);
  });

  it('treats a changed remembered capacity as QPACK_DECODER_STREAM_ERROR once used (§3.2.3)', () => {
    const e = new QpackEncoder({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
    e.encodeFieldSection(0, REQUEST);
    expect(errorOf(() => e.setPeerSettings({ maxTableCapacity: 1024, maxBlockedStreams: 10 })).code).toBe(
      QPACK_DECODER_STREAM_ERROR,
    );
    e.setPeerSettings({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
    const fresh = new QpackEncoder();
    fresh.setPeerSettings({ maxTableCapacity: 1024, maxBlockedStreams: 5 });
    fresh.encodeFieldSection(0, REQUEST);
    expect(fresh.tableSnapshot().capacity).toBe(1024);
  });

  it('writes into a caller buffer exactly what encodeFieldSection returns', () => {
    const a = new QpackEncoder({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
    const b = new QpackEncoder({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
    const out = new Uint8Array(4096);
    for (let i = 0; i < 3; i++) {
      const expected = a.encodeFieldSection(4 * i, REQUEST);
      const n = b.encodeFieldSectionInto(4 * i, REQUEST, out, 7);
      expect(out.subarray(7, 7 + n)).toEqual(expected);
    }
    const before = b.tableSnapshot();
    expect(() => b.encodeFieldSectionInto(40, REQUEST, new Uint8Array(50))).toThrow(BufferOverflowError);
    expect(b.tableSnapshot()).toEqual(before);
  });

  it('rejects non-byte strings and odd lists, and stays consistent afterwards', () => {
    const { encoder, decoder, deliverEncoderStream, ack } = pair({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
    expect(() => encoder.encodeFieldSection(0, ['x-a', 'b', 'x-snow', '\u2603'])).toThrow(TypeError);
    expect(() => encoder.encodeFieldSection(0, ['x-a'])).toThrow(TypeError);
    expect(encoder.tableSnapshot().entries.every((e) => e.refs === 0)).toBe(true);
    deliverEncoderStream();
    for (let i = 1; i < 4; i++) {
      const r = decoder.decodeFieldSection(4 * i, encoder.encodeFieldSection(4 * i, REQUEST));
      deliverEncoderStream();
      expect(r.status === 'done' ? r.fields : decoder.pollUnblocked()?.fields).toEqual(REQUEST);
      ack();
    }
  });

  it('supports explicit table control, refusing to evict entries still in use (§2.1.1)', () => {
    const e = new QpackEncoder({ maxTableCapacity: 100, maxBlockedStreams: 1, autoInsert: false });
    e.setDynamicTableCapacity(100);
    expect(e.insert('x-a', '1')).toBe(0); // 36 bytes
    expect(e.insert('x-b', '2')).toBe(1); // 72
    expect(() => e.insert('x-c', '3')).toThrow(RangeError); // would evict entry 0, unacknowledged
    e.handleDecoderStream(decoderBytes({ type: 'insert-count-increment', increment: 2 }));
    e.encodeFieldSection(4, ['x-a', '1']); // references entry 0
    expect(() => e.insert('x-c', '3')).toThrow(RangeError);
    expect(() => e.setDynamicTableCapacity(40)).toThrow(RangeError);
    e.handleDecoderStream(decoderBytes({ type: 'section-acknowledgment', streamId: 4 }));
    expect(e.insert('x-c', '3')).toBe(2);
    expect(e.duplicate(2)).toBe(3);
    expect(() => e.duplicate(0)).toThrow(RangeError); // evicted
  });
});
