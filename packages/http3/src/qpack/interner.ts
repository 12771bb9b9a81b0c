import { HashStringInterner, type StringInterner } from '@fos/core';
import { STATIC_NAMES } from './static-table.js';

let shared: StringInterner | undefined;

/**
 * The interner encoders and decoders use when none is given: one process-wide `HashStringInterner` preloaded (and
 * pinned) with the static-table names. It is bounded (4096 slots), so sharing it across connections costs a peer
 * nothing but cache misses.
 */
export function defaultInterner(): StringInterner {
  shared ??= new HashStringInterner({ preload: [...new Set(STATIC_NAMES)] });
  return shared;
}
