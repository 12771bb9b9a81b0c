// QPACK speed on the qifs fb-req-hq header lists (383 requests, 4534 field lines): encoding and decoding with the
// dynamic table (4096 bytes, 100 blocked streams, immediate acknowledgments) beside a static-table-only baseline
// (table size 0) measured in the same run. One iteration processes all 383 lists with a fresh encoder/decoder;
// lists per second = hz x 383, field lines per second = hz x 4534.
//
//   npx vitest bench --run --project bench src/qpack/qpack-speed.bench.ts

import { QpackDecoder, QpackEncoder } from '@fos/http3/qpack';
import { bench, describe } from 'vitest';
import { QIFS_DIR, readQif } from './corpus.js';

const lists = QIFS_DIR === undefined ? [] : readQif('fb-req-hq');

interface Encoded {
  readonly tableSize: number;
  readonly steps: { encoder: Uint8Array | undefined; section: Uint8Array }[];
}

function encodeAll(tableSize: number): Encoded {
  const encoder = new QpackEncoder({ maxTableCapacity: tableSize, maxBlockedStreams: 100 });
  const decoder = new QpackDecoder({ maxTableCapacity: tableSize, maxBlockedStreams: 100 });
  const steps: Encoded['steps'] = [];
  for (let i = 0; i < lists.length; i++) {
    const section = encoder.encodeFieldSection(4 * i, lists[i]);
    const instructions = encoder.pollEncoderStream();
    if (instructions !== undefined) decoder.handleEncoderStream(instructions);
    decoder.decodeFieldSection(4 * i, section);
    const acks = decoder.pollDecoderStream();
    if (acks !== undefined) encoder.handleDecoderStream(acks);
    steps.push({ encoder: instructions, section });
  }
  return { tableSize, steps };
}

function decodeAll(encoded: Encoded): number {
  const decoder = new QpackDecoder({ maxTableCapacity: encoded.tableSize, maxBlockedStreams: 100 });
  let fields = 0;
  for (let i = 0; i < encoded.steps.length; i++) {
    const step = encoded.steps[i];
    if (step.encoder !== undefined) decoder.handleEncoderStream(step.encoder);
    const r = decoder.decodeFieldSection(4 * i, step.section);
    if (r.status === 'done') fields += r.fields.length;
    decoder.pollDecoderStream();
  }
  return fields;
}

const dynamicEncoded = lists.length > 0 ? encodeAll(4096) : undefined;
const staticEncoded = lists.length > 0 ? encodeAll(0) : undefined;

describe.skipIf(lists.length === 0)('QPACK encode, fb-req-hq (383 lists per iteration)', () => {
  bench('dynamic table 4096 B, acks', () => {
    encodeAll(4096);
  });
  bench('baseline: static table only', () => {
    encodeAll(0);
  });
});

describe.skipIf(lists.length === 0)('QPACK decode, fb-req-hq (383 lists per iteration)', () => {
  bench('dynamic table 4096 B', () => {
    decodeAll(dynamicEncoded!);
  });
  bench('baseline: static table only', () => {
    decodeAll(staticEncoded!);
  });
});
