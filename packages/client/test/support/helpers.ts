import type { LookupFunction } from 'node:net';

/** Resolves every name to 127.0.0.1 (tests never depend on the machine's resolver); `*.invalid` fails like DNS. */
export const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  const cb = callback as unknown as (...args: unknown[]) => void;
  if (hostname.endsWith('.invalid')) {
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname,
    });
    process.nextTick(cb, err);
    return;
  }
  if ((options as { all?: boolean }).all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
  else process.nextTick(cb, null, '127.0.0.1', 4);
};

/** Collects a body stream into bytes, counting chunks. */
export async function readAll(
  stream: ReadableStream<Uint8Array> | null,
): Promise<{ bytes: Uint8Array; chunks: number }> {
  if (stream === null) return { bytes: new Uint8Array(0), chunks: 0 };
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}

/** Settles like `promise` and reports whether it settled (for driving a VirtualClock until it does). */
export function track<T>(promise: Promise<T>): {
  readonly settled: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
  readonly promise: Promise<T>;
} {
  const state = {
    settled: false,
    value: undefined as T | undefined,
    error: undefined as unknown,
    promise,
  };
  promise.then(
    (v) => {
      state.settled = true;
      state.value = v;
    },
    (e: unknown) => {
      state.settled = true;
      state.error = e;
    },
  );
  return state;
}
