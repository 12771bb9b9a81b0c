// Shared composition of the raw-QUIC echo example: one DI container per endpoint, real UDP, our crypto, NewReno.
import 'reflect-metadata';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerNewReno } from '@fos/congestion-newreno';
import { createContainer, type DependencyContainer, registerCore } from '@fos/core';
import { createKeyLogFileWriter, registerCrypto, type TlsContextOptions } from '@fos/crypto';
import { registerQuic } from '@fos/quic';
import { registerUdp } from '@fos/udp';

/** The application protocol of this example (RFC 9001 §8.1: QUIC always negotiates one). */
export const ECHO_ALPN = 'fos-echo';
/** Where the server leaves its self-signed certificate for the client to trust. */
export const DEFAULT_CERT_PATH = join(tmpdir(), 'fos-echo-cert.pem');
export const DEFAULT_PORT = 4433;

/**
 * A container for one endpoint. `SSLKEYLOGFILE` (Wireshark/tshark key log) and `QLOGDIR` (one qlog file per
 * connection) are honoured from the environment.
 */
export function echoContainer(tls: Omit<TlsContextOptions, 'provider'>): DependencyContainer {
  const c = createContainer();
  registerCore(c);
  registerUdp(c);
  const keyLogPath = process.env.SSLKEYLOGFILE;
  const keyLog = keyLogPath ? createKeyLogFileWriter(keyLogPath) : undefined;
  registerCrypto(c, { tls: { ...tls, keyLog: keyLog?.write } });
  registerNewReno(c);
  registerQuic(c, { qlogDir: process.env.QLOGDIR || undefined });
  return c;
}

/** Whether this module is the program being run (`node dist/echo/server.js`). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === new URL(`file://${entry}`).href;
}
