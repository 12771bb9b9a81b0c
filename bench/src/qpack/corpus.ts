// The qifs QPACK corpus (third-party: read from ../shared/vectors/qifs relative to the repository root, never
// copied into the repository) and a simulated exchange through our encoder and decoder.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QpackDecoder, QpackEncoder, type QpackEncoderOptions } from '@fos/http3/qpack';

/** The corpus directory, or undefined when it is absent. */
export const QIFS_DIR: string | undefined = (() => {
  const dir = fileURLToPath(new URL('../../../../shared/vectors/qifs', import.meta.url));
  return existsSync(`${dir}/README.md`) ? dir : undefined;
})();

export const QIFS_MISSING_REASON =
  'qifs corpus not found at ../shared/vectors/qifs (third-party data, not in the repo)';

/** Header lists of a .qif file, each a flat [name, value, …] array (format: qifs/README.md). */
export function readQif(name: string): string[][] {
  const lists: string[][] = [];
  let current: string[] = [];
  for (const line of readFileSync(`${QIFS_DIR}/qifs/${name}.qif`, 'latin1').split('\n')) {
    if (line.startsWith('#')) continue;
    if (line === '') {
      if (current.length > 0) lists.push(current);
      current = [];
      continue;
    }
    const tab = line.indexOf('\t');
    current.push(line.slice(0, tab), line.slice(tab + 1));
  }
  if (current.length > 0) lists.push(current);
  return lists;
}

/** One corpus encoder output: `<qif>.out.<T>.<B>.<A>` under encoded/qpack-05/<implementation>. */
export interface CorpusFile {
  readonly implementation: string;
  readonly qif: string;
  readonly tableSize: number;
  readonly maxBlocked: number;
  readonly ackMode: number;
  readonly path: string;
}

export function corpusFiles(implementation: string): CorpusFile[] {
  const dir = `${QIFS_DIR}/encoded/qpack-05/${implementation}`;
  const out: CorpusFile[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = /^(.+)\.out\.(\d+)\.(\d+)\.(\d)$/.exec(f);
    if (!m) continue;
    out.push({
      implementation,
      qif: m[1],
      tableSize: Number(m[2]),
      maxBlocked: Number(m[3]),
      ackMode: Number(m[4]),
      path: `${dir}/${f}`,
    });
  }
  return out;
}

/** Compressed size of a corpus file: encoder-stream bytes + field-section bytes (record headers excluded). */
export function corpusFileSize(path: string): { encoderStream: number; sections: number } {
  const bytes = readFileSync(path);
  let pos = 0;
  let encoderStream = 0;
  let sections = 0;
  while (pos + 12 <= bytes.length) {
    const streamId = bytes.readBigUInt64BE(pos);
    const length = bytes.readUInt32BE(pos + 8);
    pos += 12 + length;
    if (streamId === 0n) encoderStream += length;
    else sections += length;
  }
  return { encoderStream, sections };
}

export interface ExchangeParameters {
  readonly tableSize: number;
  readonly maxBlocked: number;
  /** 1: the decoder's acknowledgments reach the encoder after every section; 0: never (qifs ack modes). */
  readonly ackMode: number;
  readonly encoder?: Partial<QpackEncoderOptions>;
}

/**
 * Encodes `lists` with our encoder and decodes them with our decoder, exchanging encoder/decoder stream bytes as
 * the parameters say. Returns the compressed sizes; throws if any list does not decode back exactly.
 */
export function ourSize(
  lists: readonly string[][],
  p: ExchangeParameters,
): { encoderStream: number; sections: number } {
  const encoder = new QpackEncoder({ maxTableCapacity: p.tableSize, maxBlockedStreams: p.maxBlocked, ...p.encoder });
  const decoder = new QpackDecoder({
    maxTableCapacity: p.tableSize,
    maxBlockedStreams: p.maxBlocked,
    maxFieldSectionSize: 1 << 30,
  });
  let encoderStream = 0;
  let sections = 0;
  for (let i = 0; i < lists.length; i++) {
    const section = encoder.encodeFieldSection(4 * i, lists[i]);
    const instructions = encoder.pollEncoderStream();
    sections += section.length;
    if (instructions !== undefined) {
      encoderStream += instructions.length;
      decoder.handleEncoderStream(instructions);
    }
    const r = decoder.decodeFieldSection(4 * i, section);
    if (r.status !== 'done' || r.fields.length !== lists[i].length || r.fields.some((s, j) => s !== lists[i][j])) {
      throw new Error(`list ${i} did not round-trip`);
    }
    const feedback = decoder.pollDecoderStream();
    if (p.ackMode === 1 && feedback !== undefined) encoder.handleDecoderStream(feedback);
  }
  return { encoderStream, sections };
}
