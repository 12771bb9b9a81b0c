import { ByteWriter, readVarintAt, TransportError, TransportErrorCode, varintLengthFromFirstByte } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tlsExtension } from './test-support/tls-extensions.js';
import { hex, readFixture, toHex } from './test-support/vectors.js';
import {
  defaultTransportParameters,
  TransportParameterId as Id,
  isReservedTransportParameterId,
  reservedTransportParameterId,
  type TransportParameters,
} from './transport-parameters.js';
import {
  type DecodeTransportParametersOptions,
  decodeTransportParameters,
  type EndpointRole,
  encodeTransportParameters,
} from './transport-parameters-codec.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from './versions.js';

const rfc = readFixture<{ rfc9001: { client_initial: { crypto_frame: string } } }>('wire-rfc-vectors.json').rfc9001;
const LOOSE: DecodeTransportParametersOptions = { requireConnectionIds: false };

function tpe(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TransportError);
  expect((thrown as TransportError).code).toBe(TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
}

/** One raw parameter: id, length, value (hex). */
function param(id: number, valueHex: string): string {
  const value = hex(valueHex);
  const w = new ByteWriter(new Uint8Array(20 + value.length));
  w.varint(id).varint(value.length).bytes(value);
  return toHex(w.written());
}

const ISCID = param(Id.INITIAL_SOURCE_CONNECTION_ID, '0102');
const ODCID = param(Id.ORIGINAL_DESTINATION_CONNECTION_ID, '0304');

describe('RFC 9001 Appendix A.2: the transport parameters in the client Initial', () => {
  // CRYPTO frame header (06 00 40f1) then the ClientHello.
  const clientHello = hex(rfc.client_initial.crypto_frame).subarray(4);
  const tp = tlsExtension(clientHello);

  it('decodes every parameter the RFC example sends', () => {
    expect(tp).toBeDefined();
    const p = decodeTransportParameters(tp as Uint8Array, 'client');
    expect(p.initialMaxData).toBe(2 ** 62); // 2^62-1, as a double
    expect(p.initialMaxStreamDataBidiLocal).toBe(65535);
    expect(p.initialMaxStreamDataBidiRemote).toBe(65535);
    expect(p.initialMaxStreamDataUni).toBe(65535);
    expect(p.initialMaxStreamsBidi).toBe(16);
    expect(p.initialMaxStreamsUni).toBe(16);
    expect(p.maxIdleTimeoutMs).toBe(30000);
    expect(toHex(p.initialSourceConnectionId as Uint8Array)).toBe('8394c8f03e515708');
    // Everything else keeps its RFC 9000 §18.2 default.
    expect(p.maxUdpPayloadSize).toBe(65527);
    expect(p.ackDelayExponent).toBe(3);
    expect(p.maxAckDelayMs).toBe(25);
    expect(p.activeConnectionIdLimit).toBe(2);
    expect(p.disableActiveMigration).toBe(false);
    expect(p.originalDestinationConnectionId).toBeUndefined();
    expect(p.maxDatagramFrameSize).toBe(0);
    expect(p.greaseQuicBit).toBe(false);
  });

  it('re-encodes to parameters that decode to the same values', () => {
    const p = decodeTransportParameters(tp as Uint8Array, 'client');
    const again = decodeTransportParameters(encodeTransportParameters(p, { role: 'client' }), 'client');
    expect(again).toEqual(p);
  });

  it('every cut inside a parameter throws TRANSPORT_PARAMETER_ERROR; cuts between parameters decode', () => {
    const bytes = tp as Uint8Array;
    // Parameter boundaries, found by walking the (id, length, value) triples independently of the decoder.
    const boundaries = new Set<number>();
    for (let p = 0; p < bytes.length; ) {
      boundaries.add(p);
      p += varintLengthFromFirstByte(bytes[p]);
      const len = readVarintAt(bytes, p);
      p += varintLengthFromFirstByte(bytes[p]) + len;
    }
    expect(boundaries.size).toBe(8);
    for (let n = 0; n < bytes.length; n++) {
      if (boundaries.has(n))
        expect(() => decodeTransportParameters(bytes.subarray(0, n), 'client', LOOSE)).not.toThrow();
      else {
        tpe(() => decodeTransportParameters(bytes.subarray(0, n), 'client', LOOSE));
        tpe(() => decodeTransportParameters(bytes.subarray(0, n), 'client'));
      }
    }
  });
});

describe('transport parameter validation (RFC 9000 §7.3, §7.4, §18)', () => {
  it('absent parameters take their defaults (§18.2)', () => {
    expect(decodeTransportParameters(new Uint8Array(0), 'client', LOOSE)).toEqual(defaultTransportParameters());
  });

  it('requires initial_source_connection_id, and original_destination_connection_id from a server (§7.3)', () => {
    tpe(() => decodeTransportParameters(new Uint8Array(0), 'client'));
    tpe(() => decodeTransportParameters(hex(ISCID), 'server'));
    expect(decodeTransportParameters(hex(ISCID), 'client').initialSourceConnectionId).toEqual(hex('0102'));
    const server = decodeTransportParameters(hex(ISCID + ODCID), 'server');
    expect(server.originalDestinationConnectionId).toEqual(hex('0304'));
    // A zero-length CID is sent as an empty value (§7.3) and is not "absent".
    expect(
      decodeTransportParameters(hex(param(Id.INITIAL_SOURCE_CONNECTION_ID, '')), 'client').initialSourceConnectionId,
    ).toEqual(new Uint8Array(0));
  });

  const invalid: [string, string, EndpointRole][] = [
    ['max_udp_payload_size 1199', param(Id.MAX_UDP_PAYLOAD_SIZE, '44af'), 'client'],
    ['ack_delay_exponent 21', param(Id.ACK_DELAY_EXPONENT, '15'), 'client'],
    ['max_ack_delay 2^14', param(Id.MAX_ACK_DELAY, '80004000'), 'client'],
    ['active_connection_id_limit 1', param(Id.ACTIVE_CONNECTION_ID_LIMIT, '01'), 'client'],
    ['initial_max_streams_bidi 2^60 + 1', param(Id.INITIAL_MAX_STREAMS_BIDI, 'd000000000000001'), 'client'],
    ['initial_max_streams_uni 2^62 - 1', param(Id.INITIAL_MAX_STREAMS_UNI, 'ffffffffffffffff'), 'client'],
    ['integer with a trailing byte', param(Id.INITIAL_MAX_DATA, '0500'), 'client'],
    ['integer with a short varint', param(Id.INITIAL_MAX_DATA, '4005'.slice(0, 2)), 'client'],
    ['empty integer', param(Id.MAX_IDLE_TIMEOUT, ''), 'client'],
    ['stateless_reset_token of 15 bytes', param(Id.STATELESS_RESET_TOKEN, '00'.repeat(15)), 'server'],
    ['disable_active_migration with a value', param(Id.DISABLE_ACTIVE_MIGRATION, '00'), 'client'],
    ['grease_quic_bit with a value (RFC 9287 §3)', param(Id.GREASE_QUIC_BIT, '01'), 'client'],
    ['initial_source_connection_id of 21 bytes', param(Id.INITIAL_SOURCE_CONNECTION_ID, '00'.repeat(21)), 'client'],
    [
      'preferred_address with a zero-length CID',
      param(Id.PREFERRED_ADDRESS, `${'00'.repeat(24)}00${'00'.repeat(16)}`),
      'server',
    ],
    [
      'preferred_address with a length mismatch',
      param(Id.PREFERRED_ADDRESS, `${'00'.repeat(24)}04aabbccdd${'00'.repeat(17)}`),
      'server',
    ],
    ['preferred_address too short', param(Id.PREFERRED_ADDRESS, '00'.repeat(30)), 'server'],
    ['version_information of 3 bytes (RFC 9368 §4)', param(Id.VERSION_INFORMATION, '000001'), 'server'],
    ['version_information of 6 bytes', param(Id.VERSION_INFORMATION, '000000010000'), 'server'],
    ['version_information with Chosen Version 0', param(Id.VERSION_INFORMATION, '00000000'), 'server'],
    ['version_information with an Available Version 0', param(Id.VERSION_INFORMATION, '0000000100000000'), 'server'],
    [
      'client version_information without its Chosen Version',
      param(Id.VERSION_INFORMATION, '000000016b3343cf'),
      'client',
    ],
    ['duplicate known parameter (§7.4)', param(Id.MAX_IDLE_TIMEOUT, '01') + param(Id.MAX_IDLE_TIMEOUT, '01'), 'client'],
    ['duplicate unknown parameter (§7.4)', param(0x1234, 'aa') + param(0x1234, 'bb'), 'client'],
    ['duplicate reserved parameter (§7.4)', param(27, '') + param(27, ''), 'client'],
    ['original_destination_connection_id from a client (§18.2)', ODCID, 'client'],
    ['stateless_reset_token from a client (§18.2)', param(Id.STATELESS_RESET_TOKEN, '00'.repeat(16)), 'client'],
    ['retry_source_connection_id from a client (§18.2)', param(Id.RETRY_SOURCE_CONNECTION_ID, '01'), 'client'],
    [
      'preferred_address from a client (§18.2)',
      param(Id.PREFERRED_ADDRESS, `${'00'.repeat(24)}01aa${'00'.repeat(16)}`),
      'client',
    ],
    ['a length past the end', '0105', 'client'],
  ];
  it.each(invalid)('%s → TRANSPORT_PARAMETER_ERROR', (_name, h, sender) => {
    const rest = sender === 'server' ? ISCID + ODCID : ISCID;
    tpe(() => decodeTransportParameters(hex(h + rest), sender));
  });

  it('accepts the boundary values', () => {
    const p = decodeTransportParameters(
      hex(
        param(Id.MAX_UDP_PAYLOAD_SIZE, '44b0') +
          param(Id.ACK_DELAY_EXPONENT, '14') +
          param(Id.MAX_ACK_DELAY, '7fff') +
          param(Id.ACTIVE_CONNECTION_ID_LIMIT, '02') +
          param(Id.INITIAL_MAX_STREAMS_BIDI, 'd000000000000000') +
          ISCID,
      ),
      'client',
    );
    expect(p.maxUdpPayloadSize).toBe(1200);
    expect(p.ackDelayExponent).toBe(20);
    expect(p.maxAckDelayMs).toBe(16383);
    expect(p.initialMaxStreamsBidi).toBe(2 ** 60);
  });

  it('ignores unknown and reserved (31·N + 27) parameters (§7.4.2, §18.1)', () => {
    expect(isReservedTransportParameterId(27)).toBe(true);
    expect(isReservedTransportParameterId(reservedTransportParameterId(1000))).toBe(true);
    expect(isReservedTransportParameterId(28)).toBe(false);
    const bytes = hex(param(27, 'deadbeef') + param(0x4141, '') + param(reservedTransportParameterId(7), 'ff') + ISCID);
    expect(decodeTransportParameters(bytes, 'client')).toEqual({
      ...defaultTransportParameters(),
      initialSourceConnectionId: hex('0102'),
    });
  });

  it('decodes version_information, grease_quic_bit, max_datagram_frame_size and preferred_address', () => {
    const pa = `7f000001 1151 ${'00'.repeat(15)}01 2222 04 aabbccdd ${'ee'.repeat(16)}`.replace(/ /g, '');
    const p = decodeTransportParameters(
      hex(
        param(Id.VERSION_INFORMATION, '6b3343cf 6b3343cf 00000001 1a2a3a4a'.replace(/ /g, '')) +
          param(Id.GREASE_QUIC_BIT, '') +
          param(Id.MAX_DATAGRAM_FRAME_SIZE, '80010000') +
          param(Id.PREFERRED_ADDRESS, pa) +
          param(Id.DISABLE_ACTIVE_MIGRATION, '') +
          ISCID +
          ODCID,
      ),
      'server',
    );
    expect(p.versionInformation).toEqual({
      chosenVersion: QUIC_VERSION_2,
      availableVersions: [QUIC_VERSION_2, QUIC_VERSION_1, 0x1a2a3a4a],
    });
    expect(p.greaseQuicBit).toBe(true);
    expect(p.maxDatagramFrameSize).toBe(65536);
    expect(p.disableActiveMigration).toBe(true);
    expect(p.preferredAddress).toEqual({
      ipv4Address: hex('7f000001'),
      ipv4Port: 0x1151,
      ipv6Address: hex(`${'00'.repeat(15)}01`),
      ipv6Port: 0x2222,
      connectionId: hex('aabbccdd'),
      statelessResetToken: hex('ee'.repeat(16)),
    });
    // A server's Available Versions may omit its Chosen Version, or be empty (RFC 9368 §3).
    const s = decodeTransportParameters(hex(param(Id.VERSION_INFORMATION, '00000001') + ISCID + ODCID), 'server');
    expect(s.versionInformation).toEqual({ chosenVersion: QUIC_VERSION_1, availableVersions: [] });
  });

  it('copies byte values, so the result outlives the handshake buffer', () => {
    const bytes = hex(ISCID);
    const p = decodeTransportParameters(bytes, 'client');
    bytes.fill(0);
    expect(p.initialSourceConnectionId).toEqual(hex('0102'));
  });
});

describe('encodeTransportParameters', () => {
  it('omits defaults and can add a greased reserved parameter (§18.1)', () => {
    expect(encodeTransportParameters(defaultTransportParameters())).toEqual(new Uint8Array(0));
    const grease = { id: reservedTransportParameterId(3), value: hex('0102030405') };
    const bytes = encodeTransportParameters({ initialMaxData: 1000, initialSourceConnectionId: hex('aa') }, { grease });
    expect(toHex(bytes)).toBe(`0402 43e8 0f01aa ${toHex(hex(param(grease.id, '0102030405')))}`.replace(/ /g, ''));
    const p = decodeTransportParameters(bytes, 'client');
    expect(p.initialMaxData).toBe(1000);
    expect(() => encodeTransportParameters({}, { grease: { id: 28, value: new Uint8Array(0) } })).toThrow(RangeError);
  });

  it('refuses values a peer must reject', () => {
    expect(() => encodeTransportParameters({ maxUdpPayloadSize: 1000 })).toThrow(RangeError);
    expect(() => encodeTransportParameters({ ackDelayExponent: 21 })).toThrow(RangeError);
    expect(() => encodeTransportParameters({ activeConnectionIdLimit: 1 })).toThrow(RangeError);
    expect(() => encodeTransportParameters({ initialMaxStreamsUni: 2 ** 60 + 2 ** 12 })).toThrow(RangeError);
    expect(() => encodeTransportParameters({ statelessResetToken: new Uint8Array(15) })).toThrow(RangeError);
    expect(() => encodeTransportParameters({ statelessResetToken: new Uint8Array(16) }, { role: 'client' })).toThrow(
      RangeError,
    );
  });

  const cid = fc.uint8Array({ maxLength: 20 });
  const int = fc.oneof(
    fc.integer({ min: 0, max: 63 }),
    fc.integer({ min: 0, max: 2 ** 30 }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  );
  const arbitraryParams = (role: EndpointRole): fc.Arbitrary<TransportParameters> =>
    fc
      .record({
        originalDestinationConnectionId: cid,
        maxIdleTimeoutMs: int,
        statelessResetToken: fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined }),
        maxUdpPayloadSize: fc.integer({ min: 1200, max: 65527 }),
        initialMaxData: int,
        initialMaxStreamDataBidiLocal: int,
        initialMaxStreamDataBidiRemote: int,
        initialMaxStreamDataUni: int,
        initialMaxStreamsBidi: fc.integer({ min: 0, max: 2 ** 50 }),
        initialMaxStreamsUni: fc.integer({ min: 0, max: 2 ** 50 }),
        ackDelayExponent: fc.integer({ min: 0, max: 20 }),
        maxAckDelayMs: fc.integer({ min: 0, max: 2 ** 14 - 1 }),
        disableActiveMigration: fc.boolean(),
        preferredAddress: fc.option(
          fc.record({
            ipv4Address: fc.uint8Array({ minLength: 4, maxLength: 4 }),
            ipv4Port: fc.integer({ min: 0, max: 65535 }),
            ipv6Address: fc.uint8Array({ minLength: 16, maxLength: 16 }),
            ipv6Port: fc.integer({ min: 0, max: 65535 }),
            connectionId: fc.uint8Array({ minLength: 1, maxLength: 20 }),
            statelessResetToken: fc.uint8Array({ minLength: 16, maxLength: 16 }),
          }),
          { nil: undefined },
        ),
        activeConnectionIdLimit: fc.integer({ min: 2, max: 2 ** 20 }),
        initialSourceConnectionId: cid,
        retrySourceConnectionId: fc.option(cid, { nil: undefined }),
        versionInformation: fc.option(
          fc
            .array(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 5 })
            .map((v) => ({ chosenVersion: v[0], availableVersions: v })),
          { nil: undefined },
        ),
        maxDatagramFrameSize: int,
        greaseQuicBit: fc.boolean(),
      })
      .map((p) =>
        role === 'server'
          ? p
          : {
              ...p,
              originalDestinationConnectionId: undefined,
              statelessResetToken: undefined,
              preferredAddress: undefined,
              retrySourceConnectionId: undefined,
            },
      );

  it.each(['client', 'server'] as const)('encode → decode round-trips random %s parameters (fast-check)', (role) => {
    fc.assert(
      fc.property(
        arbitraryParams(role),
        fc.option(fc.uint8Array({ maxLength: 30 })),
        fc.nat(10000),
        (p, greaseValue, n) => {
          const grease = greaseValue ? { id: reservedTransportParameterId(n), value: greaseValue } : undefined;
          const bytes = encodeTransportParameters(p, { role, grease });
          expect(decodeTransportParameters(bytes, role)).toEqual(p);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random bytes decode or throw TRANSPORT_PARAMETER_ERROR, nothing else (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom<EndpointRole>('client', 'server'),
        (bytes, role) => {
          try {
            decodeTransportParameters(bytes, role, LOOSE);
          } catch (e) {
            expect(e).toBeInstanceOf(TransportError);
            expect((e as TransportError).code).toBe(TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
