// Appends key log lines to a file (SSLKEYLOGFILE), for drivers and the CLI. Not for sans-I/O code.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { KeyLogWriter } from './key-log.js';

/** A key log file opened once; `write` appends a line, `close` releases the descriptor. */
export interface KeyLogFile {
  readonly path: string;
  readonly write: KeyLogWriter;
  close(): void;
}

/**
 * Opens `path` for appending (created with mode 0600: the file holds secrets) and returns a writer that appends
 * one line per call with a synchronous write, so lines from concurrent connections never interleave and nothing
 * is lost if the process exits. Key logging is a debugging aid; do not enable it in production.
 * Lines written after `close()` are dropped.
 */
export function createKeyLogFileWriter(path: string): KeyLogFile {
  let fd: number | undefined = openSync(path, 'a', 0o600);
  return {
    path,
    write: (line: string) => {
      if (fd !== undefined) writeSync(fd, `${line}\n`);
    },
    close: () => {
      if (fd !== undefined) {
        closeSync(fd);
        fd = undefined;
      }
    },
  };
}
