import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type QlogSink, type QlogTrace, type QlogTraceInfo, qlogJsonSeqEvent, qlogJsonSeqHeader } from '@fos/core';

export interface FileQlogSinkOptions {
  /** Directory the `.sqlog` files go to (created if missing). */
  readonly directory: string;
  /** File name of a trace. Default `<odcid>_<vantage point>.sqlog` (client and server of one test share an ODCID). */
  readonly fileName?: (info: QlogTraceInfo) => string;
  /** Characters of records collected before they are written (default 64 Ki). */
  readonly bufferBytes?: number;
}

/**
 * A {@link QlogSink} writing one qlog 0.3 JSON-SEQ file (RFC 7464 records, as qvis loads them) per connection into a
 * directory. Records are collected in memory and written in chunks of `bufferBytes` (one synchronous write each, so
 * nothing is lost when the process exits right after a close); a trace's file is finished when the connection closes
 * it. `close()` finishes every trace still open.
 */
export class FileQlogSink implements QlogSink {
  readonly directory: string;
  private readonly fileName: (info: QlogTraceInfo) => string;
  private readonly bufferBytes: number;
  private readonly open = new Set<FileTrace>();

  constructor(options: FileQlogSinkOptions) {
    this.directory = options.directory;
    this.fileName = options.fileName ?? ((info) => `${info.odcid}_${info.vantagePoint}.sqlog`);
    this.bufferBytes = options.bufferBytes ?? 64 * 1024;
    mkdirSync(this.directory, { recursive: true });
  }

  createTrace(info: QlogTraceInfo): QlogTrace | undefined {
    const path = join(this.directory, sanitize(this.fileName(info)));
    let fd: number;
    try {
      fd = openSync(path, 'w', 0o644);
    } catch {
      return undefined; // tracing must never take the connection down
    }
    const trace = new FileTrace(fd, info, this.bufferBytes, (t) => this.open.delete(t));
    this.open.add(trace);
    return trace;
  }

  /** Traces still open (connections not closed yet). */
  get openTraces(): number {
    return this.open.size;
  }

  /** Finishes every trace still open. */
  async close(): Promise<void> {
    for (const t of [...this.open]) t.close();
  }
}

class FileTrace implements QlogTrace {
  private chunks: string[] = [];
  private pending = 0;
  private fd: number | undefined;

  constructor(
    fd: number,
    info: QlogTraceInfo,
    private readonly bufferBytes: number,
    private readonly onClose: (trace: FileTrace) => void,
  ) {
    this.fd = fd;
    this.append(qlogJsonSeqHeader(info));
  }

  event(timeMs: number, name: string, data: object): void {
    if (this.fd === undefined) return;
    this.append(qlogJsonSeqEvent(timeMs, name, data));
  }

  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.flush();
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // already gone
    }
    this.onClose(this);
  }

  private append(record: string): void {
    this.chunks.push(record);
    this.pending += record.length;
    if (this.pending >= this.bufferBytes) this.flush();
  }

  private flush(): void {
    const fd = this.fd;
    if (fd === undefined || this.chunks.length === 0) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.pending = 0;
    try {
      writeSync(fd, text);
    } catch {
      // A failing disk ends the trace, not the connection.
      this.fd = undefined;
      try {
        closeSync(fd);
      } catch {
        // ignore
      }
      this.onClose(this);
    }
  }
}

/** File names come from connection IDs (hex) and vantage points; keep them plain anyway. */
function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
