// What a client keeps in a session ticket's `applicationData`: the server's transport parameters, which 0-RTT uses
// (RFC 9000 §7.4.1), and optionally the application's own context bound to the ticket (RFC 9114 §7.2.4.2: the
// HTTP/3 client remembers the server's SETTINGS).
import type { QuicTlsSessionTicket } from '@fos/core';
import { decodeTicketData, encodeTicketData } from '../connection/tls-flow.js';

/**
 * The first two bytes of the layout with a context: `0x01 0x00 ‖ context length (varint) ‖ context ‖ transport
 * parameters` (the rest is the server's {@link encodeTicketData} layout). Read as transport parameters, 0x01 0x00 is
 * max_idle_timeout with an empty value, which is malformed (RFC 9000 §18.2: an integer parameter is one varint), so
 * the parameters-only layout of tickets without a context — parameters the handshake accepted — never starts with it.
 */
const MARK_0 = 0x01;
const MARK_1 = 0x00;

/** The parts of a client ticket's `applicationData`. */
export interface ClientTicketData {
  /** The server's transport parameters (RFC 9000 §7.4.1); undefined when there are none or they are unreadable. */
  readonly transportParameters: Uint8Array | undefined;
  /** The application's context; undefined when the ticket was stored without one. */
  readonly context: Uint8Array | undefined;
}

/** `applicationData` holding the server's transport parameters and the application's `context`. */
export function encodeClientTicketData(transportParameters: Uint8Array, context: Uint8Array): Uint8Array {
  const inner = encodeTicketData(context, transportParameters);
  const out = new Uint8Array(2 + inner.length);
  out[0] = MARK_0;
  out[1] = MARK_1;
  out.set(inner, 2);
  return out;
}

/**
 * Splits a client ticket's `applicationData` (views, no copies). Parameters only (tickets stored without a context,
 * or by an earlier version): no context. Marked but malformed: neither part (the session still resumes; 0-RTT then
 * has no remembered stream credit).
 */
export function decodeClientTicketData(data: Uint8Array | undefined): ClientTicketData {
  if (data === undefined) return { transportParameters: undefined, context: undefined };
  if (data.length < 2 || data[0] !== MARK_0 || data[1] !== MARK_1)
    return { transportParameters: data, context: undefined };
  const parts = decodeTicketData(data.subarray(2));
  if (parts === undefined) return { transportParameters: undefined, context: undefined };
  return { transportParameters: parts.transportParameters, context: parts.context };
}

/** `ticket` as the client stores it with `context` (its applicationData holds the server's transport parameters). */
export function withTicketContext(ticket: QuicTlsSessionTicket, context: Uint8Array): QuicTlsSessionTicket {
  return {
    ...ticket,
    applicationData: encodeClientTicketData(ticket.applicationData ?? new Uint8Array(0), context),
  };
}

/**
 * A stored ticket as the transport takes it (applicationData: the transport parameters only) and the context it
 * carried. The ticket is returned as is when it has no context.
 */
export function splitTicketContext(ticket: QuicTlsSessionTicket): {
  readonly ticket: QuicTlsSessionTicket;
  readonly context: Uint8Array | undefined;
} {
  const data = ticket.applicationData;
  const parts = decodeClientTicketData(data);
  if (parts.transportParameters === data) return { ticket, context: undefined };
  return { ticket: { ...ticket, applicationData: parts.transportParameters }, context: parts.context };
}
