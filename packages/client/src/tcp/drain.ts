import type { Writable } from 'node:stream';

/**
 * Resolves when `stream` can take more data ('drain') or will never ('close'); rejects on 'error'. Removes all
 * three listeners either way (no listener build-up across a long upload).
 */
export function waitForDrain(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      stream.removeListener('error', fail);
      resolve();
    };
    const fail = (e: unknown): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      stream.removeListener('error', fail);
      reject(e);
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', fail);
  });
}
