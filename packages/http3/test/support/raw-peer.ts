// A hand-driven peer: writes arbitrary bytes on streams of one FakeTransport (no H3Connection behind it), to send
// the H3Connection under test frames and messages our own implementation would refuse to produce.

import { ByteReader } from '@fos/core';
import {
  encodeFrame,
  H3Connection,
  type H3ConnectionOptions,
  type H3Event,
  type H3Frame,
  type H3SettingEntry,
  readFrame,
} from '../../src/index.js';
import { QpackEncoder, type QpackEncoderOptions } from '../../src/qpack/index.js';
import { FakePair, type FakePairOptions, type FakeTransport } from './fake-transport.js';

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export const hexBytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

export class RawPeer {
  /** Static-only QPACK by default (no encoder stream needed). */
  readonly qpack: QpackEncoder;

  constructor(
    readonly t: FakeTransport,
    qpack: QpackEncoderOptions = {},
  ) {
    this.qpack = new QpackEncoder({ huffman: false, ...qpack });
  }

  /** Opens a unidirectional stream and writes `bytes` on it. */
  openUni(bytes: Uint8Array, fin = false): number {
    const id = this.t.openStream(false);
    if (id === undefined) throw new Error('no uni stream credit');
    this.t.write(id, bytes, fin);
    return id;
  }

  /** Opens our control stream with a SETTINGS frame (and optional more bytes). */
  openControl(entries: H3SettingEntry[] = [], ...more: Uint8Array[]): number {
    return this.openUni(concat(Uint8Array.of(0x00), encodeFrame({ type: 'settings', entries }), ...more));
  }

  openBidi(): number {
    const id = this.t.openStream(true);
    if (id === undefined) throw new Error('no bidi stream credit');
    return id;
  }

  write(streamId: number, bytes: Uint8Array, fin = false): void {
    this.t.write(streamId, bytes, fin);
  }

  frame(frame: H3Frame): Uint8Array {
    return encodeFrame(frame);
  }

  /** A HEADERS frame for `fields`, encoded as `streamId` (no validation at all). */
  headers(streamId: number, fields: [string, string][]): Uint8Array {
    const section = this.qpack.encodeFieldSection(streamId, fields.flat());
    return encodeFrame({ type: 'headers', fieldSection: section });
  }

  /** QPACK encoder-stream bytes produced by `headers()` calls so far. */
  encoderStreamBytes(): Uint8Array | undefined {
    return this.qpack.pollEncoderStream();
  }

  data(bytes: Uint8Array): Uint8Array {
    return encodeFrame({ type: 'data', payload: bytes });
  }

  /** Everything the connection under test wrote on `streamId` and we have not read yet. */
  received(streamId: number): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let c = this.t.read(streamId); c; c = this.t.read(streamId)) parts.push(c);
    return concat(...parts);
  }

  /** The frames the connection under test wrote on a request stream (or after a uni stream header of `skip` bytes). */
  frames(streamId: number, skip = 0): H3Frame[] {
    const bytes = this.received(streamId).subarray(skip);
    const r = new ByteReader(bytes);
    const out: H3Frame[] = [];
    while (r.remaining > 0) out.push(readFrame(r));
    return out;
  }
}

export interface RawHarness {
  readonly pair: FakePair;
  /** The H3Connection under test. */
  readonly conn: H3Connection;
  readonly raw: RawPeer;
  readonly events: H3Event[];
  /** The raw side's transport (to see how the connection under test closed it, or what it reset). */
  readonly peerTransport: FakeTransport;
  readonly transport: FakeTransport;
  run(): void;
  /** The code the connection under test closed the connection with, if it did. */
  closeCode(): number | undefined;
}

/** An H3Connection with `role` facing a RawPeer. */
export function rawHarness(
  role: 'client' | 'server',
  options: {
    conn?: Partial<Omit<H3ConnectionOptions, 'transport'>>;
    pair?: FakePairOptions;
    qpack?: QpackEncoderOptions;
  } = {},
): RawHarness {
  const pair = new FakePair({ shuffle: false, ...options.pair });
  const transport = role === 'client' ? pair.client : pair.server;
  const peerTransport = transport.peer;
  const conn = new H3Connection({ grease: false, random: pair.random, ...options.conn, transport });
  transport.conn = conn;
  const events: H3Event[] = [];
  conn.start();
  const h: RawHarness = {
    pair,
    conn,
    raw: new RawPeer(peerTransport, options.qpack),
    events,
    peerTransport,
    transport,
    run() {
      for (let i = 0; i < 10_000; i++) {
        pair.run();
        let moved = false;
        for (let e = conn.pollEvent(); e; e = conn.pollEvent()) {
          events.push(e);
          moved = true;
        }
        if (!moved) return;
      }
    },
    closeCode() {
      return transport.closed?.code;
    },
  };
  return h;
}
