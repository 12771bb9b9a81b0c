// Test-only helpers (excluded from the build): fixtures of this package and the team's shared vector directory.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** packages/quic */
const packageRoot = resolve(here, '../../..');
/** The repository root (…/main). */
const repoRoot = resolve(packageRoot, '../..');

/** Third-party vectors live outside the repository, in `../shared/vectors` relative to the repository root. */
export const SHARED_VECTORS_DIR = resolve(repoRoot, '../shared/vectors');
export const ILLUSTRATED_QUIC_DIR = resolve(SHARED_VECTORS_DIR, 'illustrated-quic');
/** Whether the illustrated-quic capture (syncsynchalt/illustrated-quic, MIT) is available on this machine. */
export const HAS_ILLUSTRATED_QUIC = existsSync(resolve(ILLUSTRATED_QUIC_DIR, 'caps', 'dgram01_c01'));

/** Reads one file of illustrated-quic/caps (never copied into the repository). */
export function readCap(name: string): Uint8Array {
  return new Uint8Array(readFileSync(resolve(ILLUSTRATED_QUIC_DIR, 'caps', name)));
}

/** Reads a JSON fixture of this package (packages/quic/test/fixtures). */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(resolve(packageRoot, 'test', 'fixtures', name), 'utf8')) as T;
}

/** Hex (whitespace ignored) to bytes. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex length: ${s}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** Bytes to lowercase hex. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
