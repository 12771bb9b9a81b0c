import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * Appends TLS secrets in the NSS key log format (one line per secret, as Node's `keylog` event delivers them) to a
 * file, for Wireshark. The file is opened on the first line and shared by every connection of the client.
 */
export class KeylogWriter {
  private stream: WriteStream | undefined;

  constructor(readonly path: string) {}

  write(line: Uint8Array): void {
    this.stream ??= createWriteStream(this.path, { flags: 'a', mode: 0o600 });
    this.stream.write(line);
  }

  /** Appends one line given without its newline (the QUIC TLS engine's key log callback). */
  writeLine(line: string): void {
    this.stream ??= createWriteStream(this.path, { flags: 'a', mode: 0o600 });
    this.stream.write(`${line}\n`);
  }

  close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (s === undefined) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}
