export {
  formatKeyLogLine,
  type KeyLogEntry,
  KeyLogFormatError,
  KeyLogLabel,
  type KeyLogWriter,
  parseKeyLog,
  parseKeyLogLine,
} from './key-log.js';
export { createKeyLogFileWriter, type KeyLogFile } from './key-log-file.js';
