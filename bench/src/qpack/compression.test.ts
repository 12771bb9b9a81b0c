// Compressed size of every qifs header list set through our encoder beside the corpus encoders (ls-qpack, nghttp3,
// proxygen) for the same parameters (table size T, max blocked streams B, ack mode A). Total = encoder-stream bytes
// + field-section bytes. Prints a markdown table; at T = 4096 our total must stay within 1.1x the best corpus
// encoder's for the same list set and parameters.

import { describe, expect, it } from 'vitest';
import { corpusFileSize, corpusFiles, ourSize, QIFS_DIR, QIFS_MISSING_REASON, readQif } from './corpus.js';

const IMPLEMENTATIONS = ['ls-qpack', 'nghttp3', 'proxygen'] as const;
const MAX_RATIO = 1.1;

interface Row {
  qif: string;
  tableSize: number;
  maxBlocked: number;
  ackMode: number;
  ours: number;
  corpus: Partial<Record<(typeof IMPLEMENTATIONS)[number], number>>;
}

describe.skipIf(QIFS_DIR === undefined)(
  `QPACK compression vs the qifs encoders${QIFS_DIR ? '' : ` (${QIFS_MISSING_REASON})`}`,
  () => {
    it('reports sizes and stays within 1.1x the best corpus encoder at table size 4096', () => {
      const rows = new Map<string, Row>();
      for (const impl of IMPLEMENTATIONS) {
        for (const f of corpusFiles(impl)) {
          const key = `${f.qif}.${f.tableSize}.${f.maxBlocked}.${f.ackMode}`;
          let row = rows.get(key);
          if (row === undefined) {
            row = {
              qif: f.qif,
              tableSize: f.tableSize,
              maxBlocked: f.maxBlocked,
              ackMode: f.ackMode,
              ours: 0,
              corpus: {},
            };
            rows.set(key, row);
          }
          const s = corpusFileSize(f.path);
          row.corpus[impl] = s.encoderStream + s.sections;
        }
      }
      const lists = new Map<string, string[][]>();
      for (const row of rows.values()) {
        let l = lists.get(row.qif);
        if (l === undefined) {
          l = readQif(row.qif);
          lists.set(row.qif, l);
        }
        const s = ourSize(l, row);
        row.ours = s.encoderStream + s.sections;
      }
      const sorted = [...rows.values()].sort(
        (a, b) =>
          a.qif.localeCompare(b.qif) ||
          a.tableSize - b.tableSize ||
          a.maxBlocked - b.maxBlocked ||
          a.ackMode - b.ackMode,
      );
      const lines = [
        '| header lists | T | B | A | ours | ls-qpack | nghttp3 | proxygen | ours / best |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ];
      const failures: string[] = [];
      for (const r of sorted) {
        const best = Math.min(...Object.values(r.corpus));
        const ratio = r.ours / best;
        const cell = (impl: (typeof IMPLEMENTATIONS)[number]): string =>
          r.corpus[impl] === undefined ? '–' : String(r.corpus[impl]);
        lines.push(
          `| ${r.qif} | ${r.tableSize} | ${r.maxBlocked} | ${r.ackMode} | ${r.ours} | ${cell('ls-qpack')} | ${cell('nghttp3')} | ${cell('proxygen')} | ${ratio.toFixed(3)} |`,
        );
        if (r.tableSize === 4096 && ratio > MAX_RATIO)
          failures.push(`${r.qif} T=${r.tableSize} B=${r.maxBlocked} A=${r.ackMode}: ${ratio.toFixed(3)}`);
      }
      console.log(`\nQPACK compressed size in bytes (encoder stream + field sections)\n\n${lines.join('\n')}\n`);
      expect(sorted.length).toBe(64);
      expect(failures).toEqual([]);
    });
  },
);
