// RFC 9204 Appendix B, reproduced in both directions: our decoder reads the example bytes and yields the listed
// fields, instructions and table states; our encoder, driven with the choices the example makes, writes the same bytes.

import { describe, expect, it } from 'vitest';
import {
  ByteSink,
  type EncoderInstruction,
  parseDecoderInstructions,
  parseEncoderInstructions,
  QpackDecoder,
  QpackEncoder,
  writeEncoderInstruction,
} from '../../src/qpack/index.js';
import examples from '../fixtures/qpack-examples.json' with { type: 'json' };

interface TableAfter {
  entries: { abs: number; ref: number; name: string; value: string }[];
  acknowledged_insert_count: number;
  size: number;
}
interface Step {
  stream: string;
  hex: string;
  dynamic_table_after?: TableAfter;
  decoded_field_lines?: [string, string][];
  decoded_instruction?: { type: string; stream_id?: number; increment?: number };
}
interface Example {
  section: string;
  instructions: Step[];
}

const EXAMPLES = examples.examples as Example[];
const MAX_CAPACITY = examples.assumed_settings.SETTINGS_QPACK_MAX_TABLE_CAPACITY;
const steps = EXAMPLES.flatMap((e) => e.instructions.map((s) => ({ section: e.section, ...s })));

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array | undefined): string => (b === undefined ? '' : Buffer.from(b).toString('hex'));
const flat = (lines: [string, string][]): string[] => lines.flat();

// The encoder instructions each encoder-stream block holds, per the RFC's interpretation column.
const ENCODER_INSTRUCTIONS: Record<string, EncoderInstruction[]> = {
  'B.2': [
    { type: 'set-dynamic-table-capacity', capacity: 220 },
    { type: 'insert-with-name-reference', isStatic: true, nameIndex: 0, value: 'www.example.com' },
    { type: 'insert-with-name-reference', isStatic: true, nameIndex: 1, value: '/sample/path' },
  ],
  'B.3': [{ type: 'insert-with-literal-name', name: 'custom-key', value: 'custom-value' }],
  'B.4': [{ type: 'duplicate', index: 2 }],
  'B.5': [{ type: 'insert-with-name-reference', isStatic: false, nameIndex: 1, value: 'custom-value2' }],
};

describe('RFC 9204 Appendix B: decoding', () => {
  it('has the five examples', () => {
    expect(EXAMPLES.map((e) => e.section)).toEqual(['B.1', 'B.2', 'B.3', 'B.4', 'B.5']);
  });

  it('decodes every field section and tracks every encoder-stream table state', () => {
    const decoder = new QpackDecoder({ maxTableCapacity: MAX_CAPACITY, maxBlockedStreams: 100 });
    let sections = 0;
    let tables = 0;
    for (const step of steps) {
      if (step.stream === 'Encoder') {
        expect(decoder.handleEncoderStream(hex(step.hex))).toEqual([]);
        const after = step.dynamic_table_after!;
        const snap = decoder.tableSnapshot();
        expect(snap.entries.map((e) => [e.index, e.name, e.value])).toEqual(
          after.entries.map((e) => [e.abs, e.name, e.value]),
        );
        expect(snap.size).toBe(after.size);
        tables++;
      } else if (step.stream !== 'Decoder') {
        const result = decoder.decodeFieldSection(Number(step.stream), hex(step.hex));
        expect(result.status).toBe('done');
        if (result.status === 'done') expect(result.fields).toEqual(flat(step.decoded_field_lines!));
        sections++;
      }
    }
    expect(sections).toBe(3);
    expect(tables).toBe(4);
  });

  it('parses every encoder-stream block into the instructions the RFC lists, and re-encodes them exactly', () => {
    for (const step of steps.filter((s) => s.stream === 'Encoder')) {
      const parsed = parseEncoderInstructions(hex(step.hex));
      expect(parsed, step.section).toEqual(ENCODER_INSTRUCTIONS[step.section]);
      const out = new ByteSink();
      for (const instruction of parsed) writeEncoderInstruction(out, instruction, false);
      expect(toHex(out.take())).toBe(step.hex);
    }
  });

  it('parses every decoder-stream block into the listed instruction', () => {
    const decoderSteps = steps.filter((s) => s.stream === 'Decoder');
    expect(decoderSteps).toHaveLength(3);
    for (const step of decoderSteps) {
      const expected = step.decoded_instruction!;
      const [instruction] = parseDecoderInstructions(hex(step.hex));
      const type = expected.type.replaceAll('_', '-');
      expect(instruction.type).toBe(type);
      if (instruction.type === 'insert-count-increment') expect(instruction.increment).toBe(expected.increment);
      else expect(instruction.streamId).toBe(expected.stream_id);
    }
  });

  it('emits the same decoder-stream bytes when making the same choices', () => {
    // B.4's decoder cancels stream 8 instead of acknowledging it, and has not yet sent an Insert Count Increment
    // for the Duplicate: it is the decoder that received stream 8 (blocked) and its reset before the Duplicate.
    const decoder = new QpackDecoder({ maxTableCapacity: MAX_CAPACITY, maxBlockedStreams: 100 });
    const bytes = (section: string, stream: string): Uint8Array =>
      hex(steps.find((s) => s.section === section && s.stream === stream)!.hex);
    expect(toHex(decoder.pollDecoderStream())).toBe('');
    decoder.decodeFieldSection(0, bytes('B.1', '0'));
    expect(toHex(decoder.pollDecoderStream())).toBe(''); // Required Insert Count 0: no acknowledgment (§4.4.1)
    decoder.handleEncoderStream(bytes('B.2', 'Encoder'));
    decoder.decodeFieldSection(4, bytes('B.2', '4'));
    expect(toHex(decoder.pollDecoderStream())).toBe(toHex(bytes('B.2', 'Decoder')));
    decoder.handleEncoderStream(bytes('B.3', 'Encoder'));
    expect(toHex(decoder.pollDecoderStream())).toBe(toHex(bytes('B.3', 'Decoder')));
    expect(decoder.decodeFieldSection(8, bytes('B.4', '8')).status).toBe('blocked');
    decoder.cancelStream(8);
    expect(toHex(decoder.pollDecoderStream())).toBe(toHex(bytes('B.4', 'Decoder')));
    expect(decoder.handleEncoderStream(bytes('B.4', 'Encoder'))).toEqual([]); // the cancelled section is gone
    expect(decoder.pollUnblocked()).toBeUndefined();
    expect(decoder.blockedStreams).toBe(0);
  });
});

describe('RFC 9204 Appendix B: encoding', () => {
  it('produces every example byte for byte, with the encoder table states the RFC shows', () => {
    const encoder = new QpackEncoder({
      maxTableCapacity: MAX_CAPACITY,
      maxBlockedStreams: 100,
      huffman: false,
      autoInsert: false,
    });
    const checkTable = (after: TableAfter | undefined, label: string): void => {
      const snap = encoder.tableSnapshot();
      expect(
        snap.entries.map((e) => [e.index, e.refs, e.name, e.value]),
        label,
      ).toEqual(after!.entries.map((e) => [e.abs, e.ref, e.name, e.value]));
      expect(snap.knownReceivedCount, label).toBe(after!.acknowledged_insert_count);
      expect(snap.size, label).toBe(after!.size);
    };
    // The choices each example makes: what the encoder inserts, and the Base of B.2's section.
    const encoderActions: Record<string, () => void> = {
      'B.2': () => {
        encoder.setDynamicTableCapacity(220);
        expect(encoder.insert(':authority', 'www.example.com')).toBe(0);
        expect(encoder.insert(':path', '/sample/path')).toBe(1);
      },
      'B.3': () => expect(encoder.insert('custom-key', 'custom-value')).toBe(2),
      'B.4': () => expect(encoder.duplicate(0)).toBe(3),
      'B.5': () => expect(encoder.insert('custom-key', 'custom-value2')).toBe(4),
    };
    let compared = 0;
    for (const step of steps) {
      const label = `${step.section} ${step.stream}`;
      if (step.stream === 'Encoder') {
        encoderActions[step.section]();
        expect(toHex(encoder.pollEncoderStream()), label).toBe(step.hex);
      } else if (step.stream === 'Decoder') {
        encoder.handleDecoderStream(hex(step.hex));
      } else {
        const options = step.section === 'B.2' ? { base: 0 } : undefined;
        const section = encoder.encodeFieldSection(Number(step.stream), flat(step.decoded_field_lines!), options);
        expect(toHex(section), label).toBe(step.hex);
        expect(encoder.pollEncoderStream(), label).toBeUndefined();
      }
      if (step.dynamic_table_after) {
        checkTable(step.dynamic_table_after, label);
        compared++;
      }
    }
    expect(compared).toBe(steps.length);
  });
});
