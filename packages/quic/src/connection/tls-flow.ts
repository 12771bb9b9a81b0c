// The TLS side of a connection (RFC 9001 §4): CRYPTO bytes in, handshake bytes, keys, transport parameters and
// completion out; 0-RTT acceptance (RFC 9001 §4.6) and compatible version selection (RFC 9368 §2.3) for the server.
import {
  type EncryptionLevel,
  type QuicVersion,
  readVarintAt,
  TransportError,
  TransportErrorCode,
  varintLength,
  writeVarintAt,
} from '@fos/core';
import { PacketNumberSpace } from '../recovery/packet-number-space.js';
import type { TransportParameters, VersionInformation } from '../wire/transport-parameters.js';
import { decodeTransportParameters } from '../wire/transport-parameters-codec.js';
import { areCompatibleVersions } from '../wire/versions.js';
import type { Connection } from './connection.js';
import type { ServerTlsOptions } from './connection-options.js';
import { onFramesLost } from './sent-frames.js';
import { Level } from './sent-record.js';

const LEVEL_OF: Record<EncryptionLevel, Level> = {
  initial: Level.INITIAL,
  handshake: Level.HANDSHAKE,
  application: Level.APPLICATION,
  'early-data': Level.ZERO_RTT,
};
const TLS_LEVEL: readonly EncryptionLevel[] = ['initial', 'handshake', 'application'];

/**
 * Moves bytes and events between a {@link Connection} and its TLS session. Same-package helper like the packet
 * sender and receiver: it works on the connection's internal state.
 */
export class TlsFlow {
  constructor(private readonly c: Connection) {}

  /**
   * Server, RFC 9368 §2.3: with the client's parameters in hand (and before ours are sent), switch to a preferred
   * compatible version the client offered, and name the version in our version_information.
   */
  selectLocalParams(clientParams: Uint8Array, earlyDataOffered: boolean): Uint8Array {
    const c = this.c;
    try {
      const vi = decodeTransportParameters(clientParams, 'client', { requireConnectionIds: false }).versionInformation;
      // 0-RTT packets are protected for the original version: keep it when the client sends early data.
      if (vi !== undefined && !earlyDataOffered && vi.chosenVersion === c.version) {
        const target = c.preferredVersions.find(
          (v) =>
            vi.availableVersions.includes(v) && c.supportedVersions.includes(v) && areCompatibleVersions(c.version, v),
        );
        if (target !== undefined && target !== c.version) c.switchVersion(target);
      }
    } catch {
      // Malformed parameters: the transport-parameters event reports the error.
    }
    (c.localParams as { versionInformation?: VersionInformation }).versionInformation = {
      chosenVersion: c.version,
      availableVersions: [...c.supportedVersions],
    };
    return c.encodeLocalParams();
  }

  /** Moves TLS output into the connection: handshake bytes, keys, parameters, completion. */
  drainTls(nowMs: number): void {
    const c = this.c;
    for (let e = c.tls.pollEvent(); e !== undefined; e = c.tls.pollEvent()) {
      switch (e.type) {
        case 'handshake-data': {
          const level = LEVEL_OF[e.level];
          if (level === Level.ZERO_RTT) break; // never happens in QUIC (RFC 9001 §8.3)
          c.spaceOf(level).crypto.send.write(e.data);
          break;
        }
        case 'secret':
          this.installSecret(nowMs, e.level, e.direction, e.cipherSuite, e.secret);
          break;
        case 'transport-parameters':
          this.onPeerTransportParameters(nowMs, e.data);
          break;
        case 'early-data':
          this.onEarlyData(nowMs, e.accepted);
          break;
        case 'handshake-complete':
          this.onHandshakeComplete(nowMs);
          break;
        case 'session-ticket': {
          // RFC 9000 §7.4.1: remember the server's transport parameters for 0-RTT.
          const params = c.tls.peerTransportParameters;
          c.emit({ type: 'session-ticket', ticket: params ? { ...e.ticket, applicationData: params } : e.ticket });
          break;
        }
        case 'error':
          throw e.error;
        default:
          break;
      }
    }
  }

  /** Feeds in-order CRYPTO bytes of `level` to TLS. */
  feedCrypto(nowMs: number, level: Level): void {
    const c = this.c;
    const stream = c.spaceOf(level).crypto;
    const epoch = c.epochMs(nowMs);
    for (let chunk = stream.read(); chunk !== undefined; chunk = stream.read()) {
      c.tls.handleCryptoData(TLS_LEVEL[level], chunk, epoch);
    }
    this.drainTls(nowMs);
  }

  /** RFC 9001 §5.1: packet protection for a traffic secret TLS derived (0-RTT, Handshake, 1-RTT). */
  installSecret(
    nowMs: number,
    level: Exclude<EncryptionLevel, 'initial'>,
    direction: 'read' | 'write',
    cipherSuite: number,
    secret: Uint8Array,
  ): void {
    const c = this.c;
    const protector = c.protection.fromSecret(c.version as QuicVersion, cipherSuite as never, secret);
    if (level === 'early-data') {
      if (direction === 'write') c.zeroRttWrite = protector;
      else c.zeroRttRead = protector;
    } else if (level === 'handshake') {
      const space = c.spaces[Level.HANDSHAKE];
      if (direction === 'write') space.write = protector;
      else space.read = protector;
      c.loss.setHandshakeKeysAvailable(nowMs);
    } else {
      const space = c.spaces[Level.APPLICATION];
      if (direction === 'write') {
        space.write = protector;
        c.keys.installWrite(protector);
      } else {
        space.read = protector;
        c.keys.installRead(protector);
      }
    }
    c.qlog?.event(c.qlogTime(nowMs), 'transport:key_updated', {
      key_type: `${direction === 'write' ? (c.role === 'client' ? 'client' : 'server') : c.role === 'client' ? 'server' : 'client'}_${level === 'early-data' ? '0rtt' : level === 'handshake' ? 'handshake' : '1rtt'}_secret`,
      trigger: 'tls',
    });
  }

  /** Client: RFC 9000 §7.4.1 — 0-RTT uses the server's remembered transport parameters. */
  rememberedParams(bytes: Uint8Array): void {
    try {
      const p = decodeTransportParameters(bytes, 'server', { requireConnectionIds: false });
      this.applyPeerLimits(p);
    } catch {
      // Unusable remembered parameters: 0-RTT simply has no stream credit.
    }
  }

  applyPeerLimits(p: TransportParameters): void {
    const c = this.c;
    c.streams.setPeerLimits(p);
  }

  /**
   * Server: RFC 9001 §4.6.3 / RFC 9000 §7.4.1 — accept 0-RTT only if our parameters did not shrink, and
   * (RFC 9114 §7.2.4.2) if the application accepts the context stored in the ticket.
   */
  acceptEarlyData(ticketData: Uint8Array | undefined, tls: ServerTlsOptions): boolean {
    const c = this.c;
    const stored = ticketData === undefined ? undefined : decodeTicketData(ticketData);
    if (stored === undefined) return false;
    const accepts = tls.acceptEarlyDataContext ?? ((old: Uint8Array) => equal(old, tls.earlyDataContext ?? EMPTY));
    try {
      if (!accepts(stored.context)) return false;
      const old = decodeTransportParameters(stored.transportParameters, 'server', { requireConnectionIds: false });
      const now = c.localParams;
      return (
        (now.initialMaxData ?? 0) >= old.initialMaxData &&
        (now.initialMaxStreamDataBidiLocal ?? 0) >= old.initialMaxStreamDataBidiLocal &&
        (now.initialMaxStreamDataBidiRemote ?? 0) >= old.initialMaxStreamDataBidiRemote &&
        (now.initialMaxStreamDataUni ?? 0) >= old.initialMaxStreamDataUni &&
        (now.initialMaxStreamsBidi ?? 0) >= old.initialMaxStreamsBidi &&
        (now.initialMaxStreamsUni ?? 0) >= old.initialMaxStreamsUni &&
        (now.activeConnectionIdLimit ?? 2) >= old.activeConnectionIdLimit &&
        (now.maxDatagramFrameSize ?? 0) >= old.maxDatagramFrameSize
      );
    } catch {
      return false;
    }
  }

  onPeerTransportParameters(nowMs: number, bytes: Uint8Array): void {
    const c = this.c;
    const peerRole = c.role === 'client' ? 'server' : 'client';
    const p = decodeTransportParameters(bytes, peerRole);
    // RFC 9000 §7.3: authenticate the connection IDs used during the handshake.
    if (!equal(p.initialSourceConnectionId, c.peerCids.initialCid)) {
      throw new TransportError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, 'initial_source_connection_id mismatch');
    }
    if (c.role === 'client') {
      if (!equal(p.originalDestinationConnectionId, c.originalDcid)) {
        throw new TransportError(
          TransportErrorCode.TRANSPORT_PARAMETER_ERROR,
          'original_destination_connection_id mismatch',
        );
      }
      if (!equal(p.retrySourceConnectionId, c.retrySourceCid)) {
        throw new TransportError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, 'retry_source_connection_id mismatch');
      }
      if (p.statelessResetToken) c.peerCids.setInitialResetToken(p.statelessResetToken);
      // RFC 9368 §4: the server's chosen version must be the one in use.
      const vi = p.versionInformation;
      if (vi && vi.chosenVersion !== c.version) {
        throw new TransportError(TransportErrorCode.VERSION_NEGOTIATION_ERROR, 'chosen version mismatch');
      }
    }
    // RFC 9368 §4: the client's chosen version is the one its first Initial used.
    if (c.role === 'server' && p.versionInformation && p.versionInformation.chosenVersion !== c.originalVersion) {
      throw new TransportError(TransportErrorCode.VERSION_NEGOTIATION_ERROR, 'client chosen version mismatch');
    }
    c.peerParams = p;
    this.applyPeerLimits(p);
    c.loss.setPeerMaxAckDelay(nowMs, p.maxAckDelayMs);
    c.localCids.setPeerLimit(p.activeConnectionIdLimit);
    c.pmtud.limitTo(p.maxUdpPayloadSize);
    // RFC 9000 §10.1: the effective idle timeout is the minimum of both non-zero values.
    const peerIdle = p.maxIdleTimeoutMs;
    if (peerIdle > 0 && (c.idleTimeoutMs === 0 || peerIdle < c.idleTimeoutMs)) c.idleTimeoutMs = peerIdle;
    c.frameReader.maxDatagramFrameSize = c.config.maxDatagramFrameSize;
    c.qlog?.event(c.qlogTime(nowMs), 'transport:parameters_set', {
      owner: 'remote',
      max_idle_timeout: p.maxIdleTimeoutMs,
      initial_max_data: p.initialMaxData,
      initial_max_streams_bidi: p.initialMaxStreamsBidi,
      active_connection_id_limit: p.activeConnectionIdLimit,
      max_datagram_frame_size: p.maxDatagramFrameSize,
    });
  }

  onEarlyData(nowMs: number, accepted: boolean): void {
    const c = this.c;
    c.emit({ type: 'early-data', accepted });
    if (accepted || c.role !== 'client') return;
    // RFC 9001 §4.6.2: rejected 0-RTT is lost, and what it assumed may no longer hold. The same streams carry on in
    // 1-RTT (same ALPN, same stream IDs): their data starts over from offset 0 under the server's new limits, which
    // replace the remembered ones even where smaller (RFC 9000 §7.4.1). Other frames are sent again as lost.
    c.zeroRttWrite = undefined;
    const r = c.loss.discardSpace(nowMs, PacketNumberSpace.APPLICATION_DATA);
    for (const rec of r.discarded) onFramesLost(c, rec.frames, true);
    // The new parameters came first (EncryptedExtensions); after a HelloRetryRequest they are still to come.
    c.streams.onEarlyDataRejected(c.peerParams);
  }

  onHandshakeComplete(nowMs: number): void {
    const c = this.c;
    c.handshakeComplete = true;
    c.onActivity(nowMs);
    if (!c.established) {
      c.established = true;
      c.setState('established');
    }
    c.emit({ type: 'handshake-complete', alpn: c.tls.alpnProtocol, resumed: c.tls.resumed });
    // RFC 9001 §4.9.3: 0-RTT keys are no longer needed once 1-RTT keys are in use.
    if (c.role === 'client') c.zeroRttWrite = undefined;
    if (c.role === 'server') {
      // RFC 9001 §4.1.2: the server's handshake is confirmed when complete; HANDSHAKE_DONE tells the client.
      c.handshakeDonePending = true;
      c.confirmHandshake(nowMs);
      const token = c.mintNewToken?.(c.path.remote);
      if (token) c.newTokensToSend.push(token);
    }
    c.issueConnectionIds();
  }
}

function equal(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const EMPTY = new Uint8Array(0);

/**
 * What a server stores in its session tickets (opaque to the client): the application's early-data context, then
 * our transport parameters — `context length (varint) ‖ context ‖ transport parameters`.
 */
export function encodeTicketData(context: Uint8Array | undefined, transportParameters: Uint8Array): Uint8Array {
  const ctx = context ?? EMPTY;
  const n = varintLength(ctx.length);
  const out = new Uint8Array(n + ctx.length + transportParameters.length);
  writeVarintAt(out, 0, ctx.length, n);
  out.set(ctx, n);
  out.set(transportParameters, n + ctx.length);
  return out;
}

/** The parts of {@link encodeTicketData}'s output, or undefined when malformed. */
export function decodeTicketData(
  data: Uint8Array,
): { readonly context: Uint8Array; readonly transportParameters: Uint8Array } | undefined {
  if (data.length === 0) return undefined;
  const n = 1 << (data[0] >> 6);
  if (n > data.length) return undefined;
  const length = readVarintAt(data, 0);
  if (n + length > data.length) return undefined;
  return { context: data.subarray(n, n + length), transportParameters: data.subarray(n + length) };
}
