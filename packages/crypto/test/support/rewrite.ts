// Helpers that take a flight of handshake messages apart and put it back together, to tamper with it in tests.
import { type HandshakeMessage, HandshakeReassembler } from '../../src/tls/wire/handshake-framing.js';

export function splitFlight(data: Uint8Array): HandshakeMessage[] {
  const r = new HandshakeReassembler(1 << 24);
  r.push(data);
  const out: HandshakeMessage[] = [];
  for (let m = r.next(); m !== undefined; m = r.next()) out.push(m);
  return out;
}

export function joinFlight(messages: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(messages.map((m) => Buffer.from(m))));
}

/** Replaces every message of `type` in a flight with what `fn` returns (a whole message, header included). */
export function rewrite(data: Uint8Array, type: number, fn: (m: HandshakeMessage) => Uint8Array): Uint8Array {
  return joinFlight(splitFlight(data).map((m) => (m.type === type ? fn(m) : m.message)));
}
