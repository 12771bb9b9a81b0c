import type { TransportParameters } from '../wire/transport-parameters.js';

/**
 * Transport settings of one endpoint: what it advertises in its transport parameters (RFC 9000 §18.2) and how it
 * behaves. Every field is optional; {@link resolveTransportConfig} fills the defaults.
 */
export interface TransportConfig {
  /** RFC 9000 §10.1 max_idle_timeout we advertise, ms (0 = none from us). Default 30 000. */
  readonly maxIdleTimeoutMs?: number;
  /** Send a PING when the connection has been idle this long (keeps NAT bindings and the idle timer alive). */
  readonly keepAliveIntervalMs?: number;
  /** Give up a handshake that has not completed after this long, ms. Default 10 000. */
  readonly handshakeTimeoutMs?: number;
  /** RFC 9000 §18.2 initial_max_data. Default 1 MiB (auto-tuned up to `maxConnectionWindowBytes`). */
  readonly initialMaxData?: number;
  /** initial_max_stream_data_bidi_local / _bidi_remote / _uni. Default 512 KiB each (auto-tuned). */
  readonly initialMaxStreamData?: number;
  /** RFC 9000 §18.2 initial_max_streams_bidi. Default 100. */
  readonly initialMaxStreamsBidi?: number;
  /** RFC 9000 §18.2 initial_max_streams_uni. Default 100. */
  readonly initialMaxStreamsUni?: number;
  /** Auto-tuning ceilings of the receive windows. Defaults 6 MiB (stream) and 15 MiB (connection). */
  readonly maxStreamWindowBytes?: number;
  readonly maxConnectionWindowBytes?: number;
  /** RFC 9000 §18.2 ack_delay_exponent. Default 3. */
  readonly ackDelayExponent?: number;
  /** RFC 9000 §18.2 max_ack_delay, ms. Default 25. */
  readonly maxAckDelayMs?: number;
  /** RFC 9000 §18.2 active_connection_id_limit. Default 4. */
  readonly activeConnectionIdLimit?: number;
  /** RFC 9221 max_datagram_frame_size; 0 (default) = DATAGRAM frames not accepted. */
  readonly maxDatagramFrameSize?: number;
  /** RFC 9000 §18.2 disable_active_migration. Default false. */
  readonly disableActiveMigration?: boolean;
  /**
   * The largest UDP payload we send. Datagrams start at 1200 bytes (RFC 9000 §14); path MTU discovery (§14.3)
   * probes up to this size. Default 1452 (an Ethernet MTU of 1500 minus the IPv6 and UDP headers).
   */
  readonly maxDatagramSizeBytes?: number;
  /** DPLPMTUD (RFC 9000 §14.3): probe for larger datagrams after the handshake. Default true. */
  readonly pmtud?: boolean;
  /** RFC 9000 §18.2 max_udp_payload_size we accept. Default 2048 (the receive buffers' size). */
  readonly maxUdpPayloadSize?: number;
  /** RFC 9002 §6.2.2 kInitialRtt, ms. Default 333. */
  readonly initialRttMs?: number;
  /** RFC 9287: advertise grease_quic_bit and clear the fixed bit on some packets. Default true. */
  readonly greaseQuicBit?: boolean;
  /** RFC 9000 §18.1: send a reserved transport parameter. Default true. */
  readonly greaseTransportParameter?: boolean;
  /** Datagrams of queued DATAGRAM frames kept before new ones are dropped. Default 64. */
  readonly maxQueuedDatagrams?: number;
  /** Undecryptable packets buffered per connection while keys are missing (RFC 9001 §5.7). Default 16. */
  readonly maxBufferedPackets?: number;
  /** Out-of-order CRYPTO bytes buffered per encryption level (RFC 9000 §7.5 requires ≥ 4096). Default 65 536. */
  readonly maxCryptoBufferBytes?: number;
}

export type ResolvedTransportConfig = Required<Omit<TransportConfig, 'keepAliveIntervalMs'>> & {
  readonly keepAliveIntervalMs: number | undefined;
};

export function resolveTransportConfig(c: TransportConfig = {}): ResolvedTransportConfig {
  return {
    maxIdleTimeoutMs: c.maxIdleTimeoutMs ?? 30_000,
    keepAliveIntervalMs: c.keepAliveIntervalMs,
    handshakeTimeoutMs: c.handshakeTimeoutMs ?? 10_000,
    initialMaxData: c.initialMaxData ?? 1024 * 1024,
    initialMaxStreamData: c.initialMaxStreamData ?? 512 * 1024,
    initialMaxStreamsBidi: c.initialMaxStreamsBidi ?? 100,
    initialMaxStreamsUni: c.initialMaxStreamsUni ?? 100,
    maxStreamWindowBytes: c.maxStreamWindowBytes ?? 6 * 1024 * 1024,
    maxConnectionWindowBytes: c.maxConnectionWindowBytes ?? 15 * 1024 * 1024,
    ackDelayExponent: c.ackDelayExponent ?? 3,
    maxAckDelayMs: c.maxAckDelayMs ?? 25,
    activeConnectionIdLimit: c.activeConnectionIdLimit ?? 4,
    maxDatagramFrameSize: c.maxDatagramFrameSize ?? 0,
    disableActiveMigration: c.disableActiveMigration ?? false,
    maxDatagramSizeBytes: c.maxDatagramSizeBytes ?? 1452,
    pmtud: c.pmtud ?? true,
    maxUdpPayloadSize: c.maxUdpPayloadSize ?? 2048,
    initialRttMs: c.initialRttMs ?? 333,
    greaseQuicBit: c.greaseQuicBit ?? true,
    greaseTransportParameter: c.greaseTransportParameter ?? true,
    maxQueuedDatagrams: c.maxQueuedDatagrams ?? 64,
    maxBufferedPackets: c.maxBufferedPackets ?? 16,
    maxCryptoBufferBytes: c.maxCryptoBufferBytes ?? 65_536,
  };
}

/** The transport parameters this configuration advertises (connection IDs are filled in by the connection). */
export function localTransportParameters(c: ResolvedTransportConfig): Partial<TransportParameters> {
  return {
    maxIdleTimeoutMs: c.maxIdleTimeoutMs,
    maxUdpPayloadSize: c.maxUdpPayloadSize,
    initialMaxData: c.initialMaxData,
    initialMaxStreamDataBidiLocal: c.initialMaxStreamData,
    initialMaxStreamDataBidiRemote: c.initialMaxStreamData,
    initialMaxStreamDataUni: c.initialMaxStreamData,
    initialMaxStreamsBidi: c.initialMaxStreamsBidi,
    initialMaxStreamsUni: c.initialMaxStreamsUni,
    ackDelayExponent: c.ackDelayExponent,
    maxAckDelayMs: c.maxAckDelayMs,
    disableActiveMigration: c.disableActiveMigration,
    activeConnectionIdLimit: c.activeConnectionIdLimit,
    maxDatagramFrameSize: c.maxDatagramFrameSize,
    greaseQuicBit: c.greaseQuicBit,
  };
}
