import { token } from '../di/token.js';

// qlog (draft-ietf-quic-qlog-main-schema / -quic-events, version 0.3 as loaded by qvis): types shared by the
// producers (the QUIC connection) and sinks. Only the main transport and recovery events are typed in detail.

export type QlogVantagePoint = 'client' | 'server' | 'network' | 'unknown';

export interface QlogTraceInfo {
  readonly vantagePoint: QlogVantagePoint;
  /** Original destination connection ID, hex: the group id of the trace and the usual file name. */
  readonly odcid: string;
  readonly title?: string;
  /** Unix epoch ms at trace time 0. */
  readonly referenceTimeMs: number;
}

export type QlogPacketType =
  | 'initial'
  | 'handshake'
  | '0RTT'
  | '1RTT'
  | 'retry'
  | 'version_negotiation'
  | 'stateless_reset'
  | 'unknown';

export interface QlogPacketHeader {
  readonly packet_type: QlogPacketType;
  readonly packet_number?: number;
  readonly dcid?: string;
  readonly scid?: string;
  readonly version?: string;
  readonly token?: { readonly length: number };
}

export interface QlogPacketEvent {
  readonly header: QlogPacketHeader;
  readonly frames?: readonly Record<string, unknown>[];
  readonly raw?: { readonly length: number; readonly payload_length?: number };
  readonly is_coalesced?: boolean;
  readonly trigger?: string;
}

export interface QlogMetricsUpdated {
  readonly min_rtt?: number;
  readonly smoothed_rtt?: number;
  readonly latest_rtt?: number;
  readonly rtt_variance?: number;
  readonly pto_count?: number;
  readonly congestion_window?: number;
  readonly bytes_in_flight?: number;
  readonly ssthresh?: number;
  readonly pacing_rate?: number;
}

/** Data shapes of the events the stack emits; any other name carries a plain record. */
export interface QlogEventDataMap {
  'transport:connection_started': {
    readonly ip_version?: 'ipv4' | 'ipv6';
    readonly src_ip?: string;
    readonly dst_ip?: string;
    readonly src_port?: number;
    readonly dst_port?: number;
    readonly src_cid?: string;
    readonly dst_cid?: string;
  };
  'transport:connection_closed': {
    readonly owner?: 'local' | 'remote';
    readonly connection_code?: number | string;
    readonly application_code?: number | string;
    readonly reason?: string;
    readonly trigger?: string;
  };
  'transport:connection_state_updated': { readonly old?: string; readonly new: string };
  'transport:parameters_set': Record<string, unknown> & { readonly owner: 'local' | 'remote' };
  'transport:packet_sent': QlogPacketEvent;
  'transport:packet_received': QlogPacketEvent;
  'transport:packet_dropped': {
    readonly header?: Partial<QlogPacketHeader>;
    readonly raw?: { readonly length: number };
    readonly trigger?: string;
  };
  'transport:key_updated': { readonly key_type: string; readonly generation?: number; readonly trigger?: string };
  'recovery:metrics_updated': QlogMetricsUpdated;
  'recovery:congestion_state_updated': { readonly old?: string; readonly new: string; readonly trigger?: string };
  'recovery:packet_lost': { readonly header?: Partial<QlogPacketHeader>; readonly trigger?: string };
  'recovery:loss_timer_updated': {
    readonly timer_type?: 'ack' | 'pto';
    readonly packet_number_space?: 'initial' | 'handshake' | 'application_data';
    readonly event_type: 'set' | 'expired' | 'cancelled';
    readonly delta?: number;
  };
}
export type QlogEventName = keyof QlogEventDataMap;

/** One connection's trace. Cheap to call; a disabled sink simply returns no trace. */
export interface QlogTrace {
  /** `timeMs` is relative to the trace's reference time. */
  event<N extends QlogEventName>(timeMs: number, name: N, data: QlogEventDataMap[N]): void;
  event(timeMs: number, name: string, data: Record<string, unknown>): void;
  close(): void;
}

/** Creates traces. Return undefined to leave a connection untraced (the default `NullQlogSink`). */
export interface QlogSink {
  createTrace(info: QlogTraceInfo): QlogTrace | undefined;
}
export const QlogSink = token<QlogSink>('fos.QlogSink');
