// The qifs QPACK offline-interop corpus (third-party; read from ../shared/vectors/qifs, skipped when absent):
// every ls-qpack / nghttp3 / proxygen encoding decodes to its header lists, the error inputs fail with a QPACK error,
// and our own encoder's output for every list round-trips through our decoder.

import { describe, expect, it } from 'vitest';
import { QpackDecoder, QpackError } from '../../src/qpack/index.js';
import { exchange } from './support/exchange.js';
import {
  encodedFiles,
  type HeaderList,
  parseEncoded,
  QIFS_DIR,
  QIFS_MISSING_REASON,
  qifNames,
  readBytes,
  readQif,
} from './support/qifs.js';

const IMPLEMENTATIONS = ['ls-qpack', 'nghttp3', 'proxygen'] as const;
const present = QIFS_DIR !== undefined;

/** Decodes a corpus file the way its README says: initial capacity = T, at most B blocked streams. */
function decodeFile(bytes: Uint8Array, tableSize: number, maxBlocked: number): Map<number, string[]> {
  const decoder = new QpackDecoder({
    maxTableCapacity: tableSize,
    maxBlockedStreams: maxBlocked,
    initialTableCapacity: tableSize,
    maxFieldSectionSize: 1 << 30,
  });
  const out = new Map<number, string[]>();
  for (const { streamId, data } of parseEncoded(bytes)) {
    if (streamId === 0) {
      decoder.handleEncoderStream(data);
      for (let r = decoder.pollUnblocked(); r !== undefined; r = decoder.pollUnblocked()) out.set(r.streamId, r.fields);
    } else {
      const r = decoder.decodeFieldSection(streamId, data);
      if (r.status === 'done') out.set(streamId, r.fields);
      expect(decoder.blockedStreams).toBeLessThanOrEqual(maxBlocked);
    }
    decoder.pollDecoderStream();
  }
  expect(decoder.blockedStreams).toBe(0);
  return out;
}

const qifCache = new Map<string, HeaderList[]>();
const lists = (qif: string): HeaderList[] => {
  let l = qifCache.get(qif);
  if (l === undefined) {
    l = readQif(qif);
    qifCache.set(qif, l);
  }
  return l;
};

describe.skipIf(!present)(`qifs corpus: decoding other encoders${present ? '' : ` (${QIFS_MISSING_REASON})`}`, () => {
  for (const impl of IMPLEMENTATIONS) {
    it(`decodes every ${impl} file to its header lists`, () => {
      const files = encodedFiles(impl);
      expect(files.length).toBe(impl === 'proxygen' ? 48 : 64);
      let sections = 0;
      for (const f of files) {
        const expected = lists(f.qif);
        const decoded = decodeFile(readBytes(f.path), f.tableSize, f.maxBlocked);
        expect(decoded.size, f.path).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) {
          const got = decoded.get(i + 1);
          if (got === undefined || got.length !== expected[i].length || got.some((s, j) => s !== expected[i][j])) {
            expect(got, `${f.path} stream ${i + 1}`).toEqual(expected[i]);
          }
        }
        sections += decoded.size;
      }
      expect(sections).toBeGreaterThan(0);
    });
  }

  it('decodes the RFC 9204 Appendix B file and the draft examples', () => {
    const rfc = decodeFile(readBytes(`${QIFS_DIR}/encoded/qpack-05/examples/examples.out.220.100.1`), 220, 100);
    expect([...rfc.entries()]).toEqual([
      [4, [':path', '/index.html']],
      [8, [':authority', 'www.example.com', ':path', '/sample/path']],
      [12, [':authority', 'www.example.com', ':path', '/', 'custom-key', 'custom-value']],
    ]);
    const draft = decodeFile(readBytes(`${QIFS_DIR}/encoded/qpack-05/draft-examples.out`), 220, 100);
    expect([...draft.values()]).toEqual(lists('draft-examples'));
  });
});

describe.skipIf(!present)(`qifs corpus: error inputs${present ? '' : ` (${QIFS_MISSING_REASON})`}`, () => {
  // README table: err9 and err10 became valid under RFC 9204; every other one must fail with a QPACK error.
  const VALID: Record<string, string[]> = {
    err9: [':authority', ''],
    err10: ['x-xss-protection', '1; mode=block'],
  };
  for (let n = 1; n <= 12; n++) {
    const name = `err${n}`;
    it(`${name} ${VALID[name] ? 'decodes' : 'fails with a QPACK error'} at every table size`, () => {
      for (const tableSize of [0, 256, 4096]) {
        for (const maxBlocked of [0, 100]) {
          let error: unknown;
          let decoded: Map<number, string[]> | undefined;
          try {
            decoded = decodeFile(readBytes(`${QIFS_DIR}/encoded/errors/${name}`), tableSize, maxBlocked);
          } catch (e) {
            error = e;
          }
          if (VALID[name]) {
            expect(error).toBeUndefined();
            expect(decoded!.get(1)).toEqual(VALID[name]);
          } else {
            expect(error, `${name} T=${tableSize} B=${maxBlocked}`).toBeInstanceOf(QpackError);
            const code = (error as QpackError).code;
            expect(code).toBe(name === 'err11' || name === 'err12' ? 0x201 : 0x200);
          }
        }
      }
    });
  }
});

describe.skipIf(!present)(`qifs corpus: our encoder round-trips${present ? '' : ` (${QIFS_MISSING_REASON})`}`, () => {
  for (const tableSize of [0, 256, 4096]) {
    for (const maxBlocked of [0, 100]) {
      for (const ackMode of [0, 1]) {
        it(`every qif list at T=${tableSize} B=${maxBlocked} A=${ackMode}`, () => {
          let total = 0;
          for (const qif of qifNames()) {
            const input = lists(qif);
            for (const sectionsFirst of maxBlocked > 0 ? [false, true] : [false]) {
              const r = exchange(input, { tableSize, maxBlocked, ackMode, sectionsFirst });
              expect(r.maxBlockedSeen).toBeLessThanOrEqual(maxBlocked);
              for (let i = 0; i < input.length; i++) {
                if (r.decoded[i].length !== input[i].length || r.decoded[i].some((s, j) => s !== input[i][j])) {
                  expect(r.decoded[i], `${qif} list ${i}`).toEqual(input[i]);
                }
              }
              if (tableSize === 0) expect(r.encoderStreamBytes).toBe(0);
              total += input.length;
            }
          }
          expect(total).toBeGreaterThan(1000);
        });
      }
    }
  }
});
