// Readers for the qifs QPACK offline-interop corpus (third-party data: read from ../shared/vectors/qifs relative
// to the repository root when it exists, never copied into the repository). Formats: qifs/README.md.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The corpus directory, or undefined when it is not present next to the repository. */
export const QIFS_DIR: string | undefined = (() => {
  const dir = fileURLToPath(new URL('../../../../../../shared/vectors/qifs', import.meta.url));
  return existsSync(`${dir}/README.md`) ? dir : undefined;
})();

export const QIFS_MISSING_REASON =
  'qifs corpus not found at ../shared/vectors/qifs (third-party data, not in the repo)';

/** A header list as a flat [name, value, …] array. */
export type HeaderList = string[];

/** Parses a .qif file: `name<TAB>value` lines, blank line between lists, `#` comments (read as Latin-1 bytes). */
export function parseQif(text: string): HeaderList[] {
  const lists: HeaderList[] = [];
  let current: HeaderList = [];
  for (const line of text.split('\n')) {
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

export function readQif(name: string): HeaderList[] {
  return parseQif(readFileSync(`${QIFS_DIR}/qifs/${name}.qif`, 'latin1'));
}

export function qifNames(): string[] {
  return readdirSync(`${QIFS_DIR}/qifs`)
    .filter((f) => f.endsWith('.qif'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** One record of an encoded file: stream 0 = encoder stream, else a complete field section. */
export interface EncodedRecord {
  readonly streamId: number;
  readonly data: Uint8Array;
}

/** Parses the (uint64 stream ID, uint32 length, data) record format. */
export function parseEncoded(bytes: Uint8Array): EncodedRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: EncodedRecord[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 12) throw new Error('truncated record header');
    const streamId = Number(view.getBigUint64(pos));
    const length = view.getUint32(pos + 8);
    pos += 12;
    if (bytes.length - pos < length) throw new Error('truncated record');
    records.push({ streamId, data: bytes.subarray(pos, pos + length) });
    pos += length;
  }
  return records;
}

export interface EncodedFile {
  readonly implementation: string;
  readonly qif: string;
  readonly tableSize: number;
  readonly maxBlocked: number;
  readonly ackMode: number;
  readonly path: string;
}

/** Every `<qif>.out.<T>.<B>.<A>` file of an implementation directory under encoded/qpack-05. */
export function encodedFiles(implementation: string): EncodedFile[] {
  const dir = `${QIFS_DIR}/encoded/qpack-05/${implementation}`;
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const m = /^(.+)\.out\.(\d+)\.(\d+)\.(\d)$/.exec(f);
      if (!m) throw new Error(`unexpected file name ${f}`);
      return {
        implementation,
        qif: m[1],
        tableSize: Number(m[2]),
        maxBlocked: Number(m[3]),
        ackMode: Number(m[4]),
        path: `${dir}/${f}`,
      };
    });
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
