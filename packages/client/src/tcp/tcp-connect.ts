import { isIP, type LookupFunction, connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Clock } from '@fos/core';
import { TimeoutError } from '../errors.js';
import type { KeylogWriter } from './keylog-writer.js';
import { mapNetworkError, PIN_MISMATCH_CODE } from './net-errors.js';
import { matchesPins } from './spki-pin.js';

/** TLS settings shared by every TCP connection of a client (and mirrored for QUIC). */
export interface TlsSettings {
  /** PEM trust anchors; undefined = Node's default roots. */
  readonly ca: readonly string[] | undefined;
  readonly rejectUnauthorized: boolean;
  /** SPKI SHA-256 pins (base64) of the leaf certificate. */
  readonly spkiPins: readonly string[];
  readonly keylog: KeylogWriter | undefined;
  readonly lookup: LookupFunction | undefined;
}

export interface ConnectOptions {
  /** Host name or IP literal (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly lookup: LookupFunction | undefined;
}

export interface TlsConnectOptions extends ConnectOptions {
  /** ALPN offer in preference order (RFC 7301). */
  readonly alpn: readonly string[];
  readonly tls: TlsSettings;
}

export interface Connected<S extends Socket> {
  readonly socket: S;
  /** TCP connect + TLS handshake, in ms of the injected clock. */
  readonly handshakeMs: number;
}

/** URL hostnames keep IPv6 literals in brackets; sockets want them bare. */
export function socketHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function settle<S extends Socket>(
  socket: S,
  readyEvent: 'connect' | 'secureConnect',
  o: ConnectOptions,
  onReady: (socket: S) => Error | undefined,
): Promise<Connected<S>> {
  const start = o.clock.now();
  return new Promise<Connected<S>>((resolve, reject) => {
    let done = false;
    const timer = o.clock.createTimer(() => finish(new TimeoutError('connect', o.timeoutMs)));
    if (o.timeoutMs > 0) timer.set(start + o.timeoutMs);
    const onAbort = (): void => finish(o.signal?.reason);
    const onError = (e: unknown): void => finish(mapNetworkError(e, o.host, o.port));
    const onConnected = (): void => {
      const failure = onReady(socket);
      if (failure !== undefined) finish(mapNetworkError(failure, o.host, o.port));
      else finish(undefined);
    };
    function finish(error: unknown): void {
      if (done) return;
      done = true;
      timer.clear();
      o.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener(readyEvent, onConnected);
      if (error !== undefined) {
        // Keep a listener: late errors from a socket being torn down must not become uncaught exceptions.
        socket.on('error', () => {});
        socket.destroy();
        reject(error);
      } else {
        resolve({ socket, handshakeMs: o.clock.now() - start });
      }
    }
    socket.once('error', onError);
    socket.once(readyEvent, onConnected);
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Opens a TLS connection with ALPN and checks the certificate: chain and host name by Node (unless
 * `rejectUnauthorized` is false), SPKI pins by us on the leaf after every handshake (so pins hold even with
 * `rejectUnauthorized: false`). Failures become typed errors (DnsError, ConnectionRefusedError,
 * TlsVerificationError, TimeoutError…).
 */
export function connectTls(o: TlsConnectOptions): Promise<Connected<TLSSocket>> {
  const host = socketHost(o.host);
  const socket = tlsConnect({
    host,
    port: o.port,
    // RFC 6066 §3: no SNI for IP literals; Node then verifies the certificate against the IP address.
    servername: isIP(host) === 0 ? host : undefined,
    ALPNProtocols: [...o.alpn],
    ca: o.tls.ca === undefined ? undefined : [...o.tls.ca],
    rejectUnauthorized: o.tls.rejectUnauthorized,
    lookup: o.lookup,
  });
  const keylog = o.tls.keylog;
  if (keylog !== undefined) socket.on('keylog', (line) => keylog.write(line));
  return settle(socket, 'secureConnect', { ...o, host }, (s) => {
    if (o.tls.spkiPins.length === 0) return undefined;
    const leaf = s.getPeerCertificate(false);
    if (matchesPins(leaf?.raw, o.tls.spkiPins)) return undefined;
    return Object.assign(new Error('the server certificate does not match any pinned public key'), {
      code: PIN_MISMATCH_CODE,
    });
  });
}

/** Opens a cleartext TCP connection (for `http:` URLs). */
export function connectTcp(o: ConnectOptions): Promise<Connected<Socket>> {
  const host = socketHost(o.host);
  const socket = netConnect({ host, port: o.port, lookup: o.lookup });
  return settle(socket, 'connect', { ...o, host }, () => undefined);
}
