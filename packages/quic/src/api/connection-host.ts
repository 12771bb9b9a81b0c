import type { DatagramSocket, QuicTlsSessionTicket } from '@fos/core';
import type { EndpointDriver } from '../driver/endpoint-driver.js';
import type { QuicConnection } from './quic-connection.js';

/** Endpoint-level services a {@link QuicConnection} uses (internal seam between the API classes). */
export interface ConnectionHost {
  readonly driver: EndpointDriver;
  /** Stores a session ticket for resumption (client). */
  storeSessionTicket(ticket: QuicTlsSessionTicket): void;
  /** Stores a NEW_TOKEN token for the next connection to the same server (client). */
  storeToken(connection: QuicConnection, token: Uint8Array): void;
  /** Server: the connection's handshake completed; hand it to the application. */
  accepted(connection: QuicConnection): void;
  /** The connection closed and was released. */
  removed(connection: QuicConnection): void;
  /** A new bound socket for client migration (same local address, new port). */
  newSocket(): Promise<DatagramSocket>;
}
