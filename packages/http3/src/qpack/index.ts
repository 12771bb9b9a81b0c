// @fos/http3/qpack — QPACK field compression for HTTP/3 (RFC 9204), sans-I/O.

export { ByteSink, PendingInput } from './byte-sink.js';
export {
  type BlockedFieldSection,
  type DecodedFieldSection,
  type FieldSectionResult,
  QpackDecoder,
  type QpackDecoderOptions,
} from './decoder.js';
export {
  type DecoderInstruction,
  parseDecoderInstructions,
  writeDecoderInstruction,
} from './decoder-instructions.js';
export { DynamicTable, type DynamicTableEntry, ENTRY_OVERHEAD, entrySize, maxEntries } from './dynamic-table.js';
export {
  defaultIsSensitive,
  type EncodeOptions,
  type EncoderTableEntry,
  type EncoderTableSnapshot,
  QpackEncoder,
  type QpackEncoderOptions,
} from './encoder.js';
export {
  type EncoderInstruction,
  parseEncoderInstructions,
  writeEncoderInstruction,
} from './encoder-instructions.js';
export {
  FieldSectionTooLargeError,
  QpackDecoderStreamError,
  QpackDecompressionFailedError,
  QpackEncoderStreamError,
  QpackError,
  QpackErrorCode,
  type QpackErrorCodeName,
} from './errors.js';
export {
  decodeRequiredInsertCount,
  encodedSizeBound,
  encodeRequiredInsertCount,
} from './field-lines.js';
export {
  huffmanDecode,
  huffmanEncode,
  huffmanEncodedLength,
  maxHuffmanDecodedLength,
} from './huffman.js';
export { defaultInterner } from './interner.js';
export {
  decodePrefixedInt,
  INT_TOO_LARGE,
  INT_TRUNCATED,
  prefixedIntLength,
  type QpackCursor,
  writePrefixedInt,
} from './prefixed-int.js';
export {
  STATIC_NAMES,
  STATIC_TABLE_LENGTH,
  STATIC_VALUES,
  staticIndexOf,
  staticNameIndexOf,
} from './static-table.js';
