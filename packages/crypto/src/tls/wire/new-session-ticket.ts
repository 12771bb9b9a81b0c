import { ByteReader } from '@fos/core';
import { HandshakeType } from '../constants.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';
import { beginHandshake } from './handshake-framing.js';
import { expectEnd, readU32, readVector } from './tls-reader.js';
import { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4.6.1 NewSessionTicket. */
export interface NewSessionTicket {
  readonly lifetimeSeconds: number;
  readonly ageAdd: number;
  readonly nonce: Uint8Array;
  readonly ticket: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function encodeNewSessionTicket(nst: NewSessionTicket): Uint8Array {
  const w = new TlsWriter(32 + nst.ticket.length);
  beginHandshake(w, HandshakeType.new_session_ticket);
  w.u32(nst.lifetimeSeconds).u32(nst.ageAdd).vector(1, nst.nonce).vector(2, nst.ticket);
  writeExtensions(w, nst.extensions);
  return w.end().finish();
}

export function parseNewSessionTicket(body: Uint8Array): NewSessionTicket {
  const r = new ByteReader(body);
  const lifetimeSeconds = readU32(r, 'ticket_lifetime');
  const ageAdd = readU32(r, 'ticket_age_add');
  const nonce = readVector(r, 1, 0, 255, 'ticket_nonce');
  const ticket = readVector(r, 2, 1, 0xffff, 'ticket');
  const extensions = readExtensions(r, 0, 0xfffe, 'NewSessionTicket');
  expectEnd(r, 'NewSessionTicket');
  return { lifetimeSeconds, ageAdd, nonce, ticket, extensions };
}
