// A tiny in-memory "transport" for TLS sessions: moves handshake bytes per encryption level between a client and a
// server session and records every event.
import type { EncryptionLevel, QuicTlsEvent, QuicTlsSession } from '@fos/core';

export interface Recorded {
  readonly client: QuicTlsEvent[];
  readonly server: QuicTlsEvent[];
}

/** Rewrites bytes in flight (to tamper with messages); return the data to deliver. */
export type Interceptor = (from: 'client' | 'server', level: EncryptionLevel, data: Uint8Array) => Uint8Array;

/**
 * Drains both sessions' events, delivering `handshake-data` to the peer, until neither has anything left.
 * Returns every event seen (including those drained earlier into `into`).
 */
export function pump(
  client: QuicTlsSession,
  server: QuicTlsSession,
  epochMs: number,
  options: { into?: Recorded; intercept?: Interceptor; maxRounds?: number } = {},
): Recorded {
  const rec = options.into ?? { client: [], server: [] };
  for (let round = 0; round < (options.maxRounds ?? 20); round++) {
    let moved = false;
    for (const [from, to, log] of [
      ['client', server, rec.client],
      ['server', client, rec.server],
    ] as const) {
      const src = from === 'client' ? client : server;
      for (let e = src.pollEvent(); e !== undefined; e = src.pollEvent()) {
        log.push(e);
        moved = true;
        if (e.type === 'handshake-data') {
          const data = options.intercept ? options.intercept(from, e.level, e.data) : e.data;
          to.handleCryptoData(e.level, data, epochMs);
        }
      }
    }
    if (!moved) return rec;
  }
  throw new Error('pump did not settle');
}

/** Secrets seen in events, keyed `level/direction`. */
export function secrets(events: readonly QuicTlsEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'secret') out.set(`${e.level}/${e.direction}`, Buffer.from(e.secret).toString('hex'));
  }
  return out;
}

export function errorOf(events: readonly QuicTlsEvent[]) {
  const e = events.find((x) => x.type === 'error');
  return e?.type === 'error' ? e.error : undefined;
}

export function ofType<T extends QuicTlsEvent['type']>(events: readonly QuicTlsEvent[], type: T) {
  return events.filter((e): e is Extract<QuicTlsEvent, { type: T }> => e.type === type);
}
