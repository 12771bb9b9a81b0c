import type { Readable, Writable } from 'node:stream';

/** A writable the CLI prints to, with what it needs to know about the terminal. */
export type CliOutput = Writable & { readonly isTTY?: boolean; readonly columns?: number };

/** Where the CLI reads and writes: the process by default, streams in tests. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborts the running command (the bin wires Ctrl-C to it). */
  readonly signal?: AbortSignal;
}

/** The process's streams and environment. */
export function processIo(signal?: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal };
}

/** Writes `text` and resolves once the stream took it (waits for 'drain' when its buffer is full). */
export function write(out: Writable, text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    out.once('error', onError);
    const ok = out.write(text, (e) => {
      if (e) reject(e);
    });
    const done = (): void => {
      out.removeListener('error', onError);
      resolve();
    };
    if (ok) done();
    else out.once('drain', done);
  });
}
