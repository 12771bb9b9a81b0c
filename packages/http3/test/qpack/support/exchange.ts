// Simulates one QPACK connection direction: our encoder encodes header lists, the encoder-stream and field-section
// bytes travel to our decoder (optionally with field sections overtaking encoder-stream bytes), and the decoder's
// instructions travel back (immediately, or never).

import { QpackDecoder, QpackEncoder, type QpackEncoderOptions } from '../../../src/qpack/index.js';

export interface ExchangeOptions {
  readonly tableSize: number;
  readonly maxBlocked: number;
  /** 1: decoder-stream bytes reach the encoder after every section; 0: never. */
  readonly ackMode: number;
  /** Deliver each field section before the encoder-stream bytes written with it (exercises blocking). */
  readonly sectionsFirst?: boolean;
  readonly encoder?: Partial<QpackEncoderOptions>;
}

export interface ExchangeResult {
  /** Decoded lists in stream order. */
  readonly decoded: string[][];
  readonly encoderStreamBytes: number;
  readonly sectionBytes: number;
  readonly maxBlockedSeen: number;
}

export function exchange(lists: readonly (readonly string[])[], options: ExchangeOptions): ExchangeResult {
  const encoder = new QpackEncoder({
    maxTableCapacity: options.tableSize,
    maxBlockedStreams: options.maxBlocked,
    ...options.encoder,
  });
  const decoder = new QpackDecoder({
    maxTableCapacity: options.tableSize,
    maxBlockedStreams: options.maxBlocked,
    maxFieldSectionSize: 1 << 30,
  });
  const decoded = new Map<number, string[]>();
  let encoderStreamBytes = 0;
  let sectionBytes = 0;
  let maxBlockedSeen = 0;
  const collect = (): void => {
    for (let r = decoder.pollUnblocked(); r !== undefined; r = decoder.pollUnblocked())
      decoded.set(r.streamId, r.fields);
  };
  for (let i = 0; i < lists.length; i++) {
    const streamId = 4 * i;
    const section = encoder.encodeFieldSection(streamId, lists[i]);
    const instructions = encoder.pollEncoderStream();
    sectionBytes += section.length;
    encoderStreamBytes += instructions?.length ?? 0;
    const deliverInstructions = (): void => {
      if (instructions !== undefined) {
        decoder.handleEncoderStream(instructions);
        collect();
      }
    };
    if (!options.sectionsFirst) deliverInstructions();
    const result = decoder.decodeFieldSection(streamId, section);
    if (result.status === 'done') decoded.set(streamId, result.fields);
    maxBlockedSeen = Math.max(maxBlockedSeen, decoder.blockedStreams);
    if (options.sectionsFirst) deliverInstructions();
    const feedback = decoder.pollDecoderStream();
    if (options.ackMode === 1 && feedback !== undefined) encoder.handleDecoderStream(feedback);
  }
  collect();
  const out: string[][] = [];
  for (let i = 0; i < lists.length; i++) out.push(decoded.get(4 * i) ?? []);
  return { decoded: out, encoderStreamBytes, sectionBytes, maxBlockedSeen };
}
