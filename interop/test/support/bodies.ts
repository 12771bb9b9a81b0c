// Response bodies checked the way every client interop suite checks them: size and SHA-256, hashed as they stream.
import { createHash } from 'node:crypto';
import type { ClientResponse } from '@fos/client';
import { expect } from 'vitest';
import type { ServedFile } from '../../src/index.js';

/** Reads a body to its end, hashing as it goes (a 100 MB body is never held in memory). */
export async function digest(res: ClientResponse): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Asserts that a digested body is exactly the served file. */
export function expectFile(got: { size: number; sha256: string }, file: Pick<ServedFile, 'size' | 'sha256'>): void {
  expect(got).toEqual({ size: file.size, sha256: file.sha256 });
}
