import { readFileSync } from 'node:fs';
import { defaultCongestionControllerFactory } from '@fos/congestion-cubic';
import {
  Clock,
  CongestionControllerFactory,
  CryptoProvider,
  DatagramSocket,
  type DependencyContainer,
  registerCore,
  tryResolve,
} from '@fos/core';
import { createKeyLogFileWriter, type KeyLogFile, registerCrypto, spkiSha256, toDerCertificates } from '@fos/crypto';
import {
  checkResumedSettings,
  encodeSettingsPayload,
  type H3Settings,
  parseSettingsPayload,
  registerHttp3,
  resolveLocalSettings,
  settingsEntries,
  settingsFromEntries,
} from '@fos/http3';
import { registerQuic } from '@fos/quic';
import { registerUdp } from '@fos/udp';
import { ServerError, ServerErrorCode } from './errors.js';
import { type ServerCertificateInfo, ServerResources } from './http3-server.js';
import {
  Http3ServerOptions,
  resolveEarlyData,
  resolveTicketOptions,
  SERVER_DEFAULTS,
  type ServerCertificate,
} from './options.js';

/** RFC 9114 §3.1: the ALPN token of HTTP/3 over QUIC v1 (and v2, RFC 9369). */
export const H3_ALPN = 'h3';

/**
 * Composes an HTTP/3 server in `container`:
 * - core (`Clock`, `BufferAllocator`, `StringInterner`, `QlogSink`) unless a `Clock` is registered already, and
 *   UDP sockets (`registerUdp`) unless a `DatagramSocket` is (e.g. `registerMemoryNetwork` for tests);
 * - crypto (`registerCrypto`) with the certificate and the ticket options, keeping a registered `CryptoProvider`;
 * - congestion control: what the container already has under `CongestionControllerFactory`, else CUBIC;
 * - QUIC (`registerQuic`): the server endpoint (ALPN `h3`, 0-RTT, Retry, limits, qlog);
 * - HTTP/3 (`registerHttp3`): connection defaults (QPACK, field-section size);
 * - `Http3ServerOptions` → `options`.
 *
 * Then `Http3Server.listen(container)` binds and serves. `options.certificate` is required here
 * (`createHttp3Server` generates one when it is missing).
 */
export function registerServer(container: DependencyContainer, options: Http3ServerOptions): DependencyContainer {
  const certificate = options.certificate;
  if (certificate === undefined) {
    throw new ServerError(ServerErrorCode.CERTIFICATE, 'registerServer needs options.certificate');
  }
  const { chain, key } = loadCertificate(certificate);
  const tickets = resolveTicketOptions(options.tickets);
  if (!container.isRegistered(Clock, true)) registerCore(container);
  if (!container.isRegistered(DatagramSocket, true)) registerUdp(container);
  const keyLogFile: KeyLogFile | undefined =
    options.keyLogFile !== undefined ? createKeyLogFileWriter(options.keyLogFile) : undefined;
  const userKeyLog = options.keyLog;
  const keyLog =
    keyLogFile !== undefined || userKeyLog !== undefined
      ? (line: string) => {
          keyLogFile?.write(line);
          userKeyLog?.(line);
        }
      : undefined;
  registerCrypto(container, {
    provider: tryResolve(container, CryptoProvider),
    // RFC 8446 §4.6.1: tickets are sealed under the server's keys; shared keys let other processes resume them.
    tls: { certificates: [{ chain, key }], keyLog, tickets },
  });
  container.register(CongestionControllerFactory, { useValue: defaultCongestionControllerFactory(container) });
  const limits = options.limits ?? {};
  const early = resolveEarlyData(options.earlyData);
  const h3 = {
    ...options.http3,
    maxFieldSectionSize: limits.maxFieldSectionSize ?? options.http3?.maxFieldSectionSize,
  };
  // RFC 9114 §7.2.4.2: our SETTINGS go into the session tickets; a resuming client relies on them in 0-RTT, so 0-RTT
  // is accepted only when the settings now in force are compatible with the ticket's.
  const settings = settingsEntries(resolveLocalSettings(h3));
  const current = settingsFromEntries(settings);
  registerQuic(container, {
    bind: { address: options.host ?? SERVER_DEFAULTS.host, port: options.port ?? SERVER_DEFAULTS.port },
    qlogDir: options.qlogDir,
    server: {
      alpn: H3_ALPN,
      enableEarlyData: early.enabled,
      earlyDataContext: encodeSettingsPayload(settings),
      acceptEarlyDataContext: (remembered) => compatibleSettings(remembered, current),
      // With 0-RTT, sessions start when the connection is created, so 0-RTT requests are answered in 0.5-RTT
      // (RFC 9001 §4.1.1) rather than after the client's Finished arrived.
      handover: early.enabled ? 'early' : 'handshake',
      retry: options.retry ?? false,
      maxConnections: limits.maxConnections ?? SERVER_DEFAULTS.maxConnections,
      maxHandshakes: limits.maxHandshakes ?? SERVER_DEFAULTS.maxHandshakes,
      transport: {
        ...options.transport,
        // RFC 9000 §4.6: concurrent requests = the client's bidirectional stream limit
        initialMaxStreamsBidi: limits.maxConcurrentRequests ?? SERVER_DEFAULTS.maxConcurrentRequests,
        // RFC 9114 §6.2: the client needs at least 3 unidirectional streams (control, QPACK encoder and decoder)
        initialMaxStreamsUni: Math.max(3, options.transport?.initialMaxStreamsUni ?? 100),
      },
    },
  });
  registerHttp3(container, h3);
  container.register(Http3ServerOptions, { useValue: options });
  container.register(ServerResources, { useValue: { keyLogFile, certificate: certificateInfo(chain, false) } });
  return container;
}

/** Whether SETTINGS remembered in a ticket (a SETTINGS payload) still hold under `current` (RFC 9114 §7.2.4.2). */
function compatibleSettings(remembered: Uint8Array, current: H3Settings): boolean {
  try {
    checkResumedSettings(settingsFromEntries(parseSettingsPayload(remembered)), current);
    return true;
  } catch {
    return false;
  }
}

/** Reads the certificate's PEM files (or takes the in-memory material). */
function loadCertificate(c: ServerCertificate): { chain: string | Uint8Array; key: string | Uint8Array } {
  if ('cert' in c) return { chain: c.cert, key: c.key };
  try {
    return { chain: readFileSync(c.certFile, 'utf8'), key: readFileSync(c.keyFile, 'utf8') };
  } catch (e) {
    throw new ServerError(ServerErrorCode.CERTIFICATE, `cannot read the certificate or key: ${(e as Error).message}`);
  }
}

/** @internal The end-entity certificate's PEM and SPKI pin, when it parses. */
export function certificateInfo(chain: string | Uint8Array, generated: boolean): ServerCertificateInfo | undefined {
  try {
    const der = toDerCertificates(chain)[0];
    if (der === undefined) return undefined;
    const b64 = Buffer.from(der)
      .toString('base64')
      .replace(/(.{64})/g, '$1\n');
    return {
      certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
      spkiSha256: spkiSha256(der),
      generated,
    };
  } catch {
    throw new ServerError(ServerErrorCode.CERTIFICATE, 'the certificate does not parse');
  }
}
