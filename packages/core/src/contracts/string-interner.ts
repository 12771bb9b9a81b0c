import { token } from '../di/token.js';

export interface StringInternerStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
}

/**
 * Maps byte strings (HTTP field names, …) to shared JS strings so a hot decoder allocates no new string for a
 * name it has seen. Memory is bounded: an implementation never holds more than a fixed number of entries.
 */
export interface StringInterner {
  intern(value: string): string;
  /** The string for `bytes[offset, offset+length)` decoded as Latin-1 (one char per byte, lossless). */
  internBytes(bytes: Uint8Array, offset: number, length: number): string;
  stats(): StringInternerStats;
}
export const StringInterner = token<StringInterner>('fos.StringInterner');
