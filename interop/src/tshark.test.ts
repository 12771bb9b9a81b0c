import { describe, expect, it } from 'vitest';
import { HarnessErrorCode } from './errors.js';
import { assessCapture, DEFAULT_FIELDS, type DecodedFrame, packetTypes, parseFieldsOutput } from './tshark.js';

const US = '\u001f';
const F = [...DEFAULT_FIELDS];

// Rows shaped like tshark 4.0's output for a gtlsclient ↔ gtlsserver 1 KB GET (columns = DEFAULT_FIELDS).
function row(cols: Partial<Record<(typeof DEFAULT_FIELDS)[number], string[]>>): string {
  return F.map((f) => (cols[f] ?? []).join(US)).join('\t');
}
const DECRYPTED = [
  row({
    'frame.number': ['1'],
    'quic.header_form': ['1'],
    'quic.long.packet_type': ['0'],
    'quic.version': ['0x00000001'],
    'quic.frame_type': ['6', '0'],
  }),
  row({
    'frame.number': ['2'],
    'quic.header_form': ['1', '1', '0'],
    'quic.long.packet_type': ['0', '2'],
    'quic.version': ['0x00000001', '0x00000001'],
    'quic.frame_type': ['3', '6', '6', '10'],
    'http3.frame_type': ['4'],
  }),
  row({
    'frame.number': ['6'],
    'quic.header_form': ['0'],
    'quic.frame_type': ['24', '30', '7'],
    'http3.frame_type': ['1', '0'],
  }),
].join('\n');
const UNDECRYPTED = [
  row({
    'frame.number': ['1'],
    'quic.header_form': ['1'],
    'quic.long.packet_type': ['0'],
    'quic.version': ['0x00000001'],
    'quic.frame_type': ['6', '0'],
  }),
  row({
    'frame.number': ['3'],
    'quic.header_form': ['1'],
    'quic.long.packet_type': ['2'],
    'quic.version': ['0x00000001'],
    'quic.decryption_failed': ['1'],
    '_ws.expert.message': ['Failed to create decryption context: Secrets are not available'],
  }),
  row({ 'frame.number': ['5'], 'quic.header_form': ['0'] }),
].join('\n');

describe('parseFieldsOutput', () => {
  it('splits columns and multi-occurrence values', () => {
    const [a, b] = parseFieldsOutput(DECRYPTED, F);
    expect(a.frame).toBe(1);
    expect(b.fields['quic.frame_type']).toEqual(['3', '6', '6', '10']);
    expect(b.fields['_ws.malformed']).toEqual([]);
  });

  it('throws BAD_OUTPUT on a line that is not a frame row', () => {
    expect(() => parseFieldsOutput('tshark: something went wrong', F)).toThrow(
      expect.objectContaining({ code: HarnessErrorCode.BAD_OUTPUT }),
    );
  });
});

describe('packetTypes', () => {
  it('names coalesced long and short header packets', () => {
    const frames = parseFieldsOutput(DECRYPTED, F);
    expect(frames.map(packetTypes)).toEqual([['Initial'], ['Initial', 'Handshake', '1-RTT'], ['1-RTT']]);
  });

  it('recognises Version Negotiation (version 0) and Retry', () => {
    const f: DecodedFrame = {
      frame: 1,
      fields: {
        'quic.header_form': ['1', '1'],
        'quic.version': ['0x00000000', '0x00000001'],
        'quic.long.packet_type': ['3'],
      },
    };
    expect(packetTypes(f)).toEqual(['VN', 'Retry']);
  });
});

describe('assessCapture', () => {
  it('passes a fully decrypted capture', () => {
    const h = assessCapture(parseFieldsOutput(DECRYPTED, F));
    expect(h).toMatchObject({ frames: 3, malformed: [], undecrypted: [], ok: true });
  });

  it('flags missing secrets, failed decryption and frameless short-header packets', () => {
    const h = assessCapture(parseFieldsOutput(UNDECRYPTED, F));
    expect(h.ok).toBe(false);
    expect(h.undecrypted).toEqual([3, 5]);
    expect(h.decryptionMessages.map((m) => m.frame)).toEqual([3]);
  });

  it('flags malformed packets', () => {
    const text = row({
      'frame.number': ['9'],
      '_ws.malformed': ['[Malformed Packet: QUIC]'],
      '_ws.expert.message': ['Malformed Packet (Exception occurred)'],
    });
    const h = assessCapture(parseFieldsOutput(text, F));
    expect(h.malformed).toEqual([9]);
    expect(h.ok).toBe(false);
  });

  it('does not count a Retry packet (no frames by design) as undecrypted', () => {
    const text = row({
      'frame.number': ['2'],
      'quic.header_form': ['1'],
      'quic.long.packet_type': ['3'],
      'quic.version': ['0x00000001'],
    });
    expect(assessCapture(parseFieldsOutput(text, F)).ok).toBe(true);
  });
});
