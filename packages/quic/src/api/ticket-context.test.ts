import { TransportError, TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTicketData } from '../connection/tls-flow.js';
import { decodeTransportParameters } from '../wire/transport-parameters-codec.js';
import {
  decodeClientTicketData,
  encodeClientTicketData,
  splitTicketContext,
  withTicketContext,
} from './ticket-context.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const toHex = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : Buffer.from(b).toString('hex');

// initial_max_data (0x04) = 1024 and initial_source_connection_id (0x0f) = 01 02: a valid parameter list.
const PARAMS = hex('04 02 4400 0f 02 0102');

const TICKET = {
  serverName: 'example.com',
  alpnProtocol: 'h3',
  cipherSuite: 0x1301,
  ticket: hex('aabbcc'),
  psk: new Uint8Array(32),
  ageAdd: 7,
  receivedAtEpochMs: 1_000,
  lifetimeSeconds: 3600,
  maxEarlyDataSize: 0xffffffff,
} as const;

describe('client ticket data layout', () => {
  it('known vector: mark, context length, context, transport parameters', () => {
    const data = encodeClientTicketData(PARAMS, hex('aabb'));
    expect(toHex(data)).toBe('0100' + '02aabb' + '040244000f020102');
    const parts = decodeClientTicketData(data);
    expect(toHex(parts.context)).toBe('aabb');
    expect(toHex(parts.transportParameters)).toBe(toHex(PARAMS));
    // The rest after the mark is the server's layout.
    expect(toHex(data.subarray(2))).toBe(toHex(encodeTicketData(hex('aabb'), PARAMS)));
  });

  it('an empty context is a context (distinct from none)', () => {
    const parts = decodeClientTicketData(encodeClientTicketData(PARAMS, new Uint8Array(0)));
    expect(parts.context).toEqual(new Uint8Array(0));
    expect(toHex(parts.transportParameters)).toBe(toHex(PARAMS));
  });

  it('the earlier layout (transport parameters only) has no context and keeps its parameters', () => {
    const parts = decodeClientTicketData(PARAMS);
    expect(parts.context).toBeUndefined();
    expect(parts.transportParameters).toBe(PARAMS);
    expect(decodeClientTicketData(undefined)).toEqual({ transportParameters: undefined, context: undefined });
    expect(decodeClientTicketData(new Uint8Array(0))).toEqual({
      transportParameters: new Uint8Array(0),
      context: undefined,
    });
  });

  it('every truncation inside the mark or the context gives no context, never a throw', () => {
    const data = encodeClientTicketData(PARAMS, hex('aabbccdd'));
    for (let n = 0; n < 2 + 1 + 4; n++) {
      const parts = decodeClientTicketData(data.subarray(0, n));
      expect(parts.context, `prefix of ${n} bytes`).toBeUndefined();
    }
    // A marked layout whose context length runs past the end: malformed, neither part.
    expect(decodeClientTicketData(hex('0100 40ff aabb'))).toEqual({
      transportParameters: undefined,
      context: undefined,
    });
    expect(decodeClientTicketData(hex('0100'))).toEqual({ transportParameters: undefined, context: undefined });
  });

  it('no transport parameter list the handshake accepts starts with the mark (RFC 9000 §18.2)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (rest) => {
        const bytes = new Uint8Array(2 + rest.length);
        bytes.set([0x01, 0x00]);
        bytes.set(rest, 2);
        let error: unknown;
        try {
          decodeTransportParameters(bytes, 'server', { requireConnectionIds: false });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TransportError);
        expect((error as TransportError).code).toBe(TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
      }),
    );
  });

  it('encode → decode round-trips any parameters and context', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 20_000 }), (params, context) => {
        const parts = decodeClientTicketData(encodeClientTicketData(params, context));
        expect(parts.context).toEqual(context);
        expect(parts.transportParameters).toEqual(params);
      }),
      { numRuns: 200 },
    );
  });

  it('withTicketContext / splitTicketContext: the transport gets the parameters back, the context comes apart', () => {
    const stored = withTicketContext({ ...TICKET, applicationData: PARAMS }, hex('0102'));
    expect(stored.ticket).toBe(TICKET.ticket);
    const { ticket, context } = splitTicketContext(stored);
    expect(toHex(context)).toBe('0102');
    expect(toHex(ticket.applicationData)).toBe(toHex(PARAMS));
    expect(ticket.psk).toBe(TICKET.psk);
    // Without a context the ticket is handed over as is.
    const plain = { ...TICKET, applicationData: PARAMS };
    expect(splitTicketContext(plain)).toEqual({ ticket: plain, context: undefined });
    expect(splitTicketContext(plain).ticket).toBe(plain);
    // Malformed: resumable, without parameters or context.
    const broken = splitTicketContext({ ...TICKET, applicationData: hex('0100 05') });
    expect(broken.context).toBeUndefined();
    expect(broken.ticket.applicationData).toBeUndefined();
    expect(broken.ticket.ticket).toBe(TICKET.ticket);
  });
});
