import { createHash, randomFillSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HarnessError, HarnessErrorCode } from './errors.js';
import { makeTempDir } from './lifecycle.js';

/** A file written into a docroot, and what a download of it must match. */
export interface ServedFile {
  /** Name relative to the docroot (`1k.bin`, `sub/x.bin`). */
  name: string;
  /** Absolute path on disk. */
  path: string;
  /** The request path (`/1k.bin`). */
  urlPath: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
}

/** A docroot with its files by name. */
export interface Docroot {
  dir: string;
  files: Record<string, ServedFile>;
  /** The file called `name`; throws when there is none. */
  file(name: string): ServedFile;
}

const CHUNK = 1 << 20;

/** Writes `size` random bytes to `path` (1 MiB at a time through one reused buffer) and returns their SHA-256. */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad size ${size}`);
  mkdirSync(dirname(path), { recursive: true });
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
  const fh = await open(path, 'w');
  try {
    for (let left = size; left > 0; ) {
      const n = Math.min(left, buf.length);
      const view = buf.subarray(0, n);
      randomFillSync(view);
      hash.update(view);
      await fh.write(view, 0, n);
      left -= n;
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/**
 * Creates files of random content (sizes in bytes, e.g. `{ '1k.bin': 1024, '1m.bin': 1 << 20 }`) in `dir`
 * (default: a new tracked temp dir) and returns their hashes.
 */
export async function createDocroot(sizes: Record<string, number>, dir?: string): Promise<Docroot> {
  const root = dir ?? makeTempDir('htdocs');
  mkdirSync(root, { recursive: true });
  const files: Record<string, ServedFile> = {};
  for (const [name, size] of Object.entries(sizes)) {
    if (name.startsWith('/') || name.split('/').includes('..')) throw new RangeError(`bad file name ${name}`);
    const path = join(root, name);
    files[name] = { name, path, urlPath: `/${name}`, size, sha256: await writeRandomFile(path, size) };
  }
  return {
    dir: root,
    files,
    file(name) {
      const f = files[name];
      if (!f) throw new RangeError(`no file ${name} in docroot ${root}`);
      return f;
    },
  };
}

/** Lower-case hex SHA-256 of a file, read 1 MiB at a time. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/**
 * Checks that the file at `path` has exactly the served file's size and SHA-256; throws {@link HarnessError}
 * `CONTENT_MISMATCH` (missing file, wrong size or wrong hash) otherwise.
 */
export async function verifyDownload(path: string, expected: Pick<ServedFile, 'size' | 'sha256'>): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new HarnessError(HarnessErrorCode.CONTENT_MISMATCH, `downloaded file ${path} is missing`, { cause: err });
  }
  if (size !== expected.size) {
    throw new HarnessError(HarnessErrorCode.CONTENT_MISMATCH, `${path}: ${size} bytes, expected ${expected.size}`);
  }
  const sha = await sha256File(path);
  if (sha !== expected.sha256) {
    throw new HarnessError(HarnessErrorCode.CONTENT_MISMATCH, `${path}: sha256 ${sha}, expected ${expected.sha256}`);
  }
}
