import type { Connection } from '../connection/connection.js';
import type { ConnectionClosedError } from './errors.js';

/** What a {@link QuicStream} needs from its connection object (internal seam between the two API classes). */
export interface StreamHost {
  /** The sans-I/O connection the stream belongs to. */
  readonly conn: Connection;
  /** After a call on `conn`: collect its events and flush its output this turn. */
  wake(): void;
  /** Delivers the connection's already-queued events now (so a reset is seen before a read). */
  syncEvents(): void;
  /** The error operations fail with once the connection closed, else undefined. */
  closedError(): ConnectionClosedError | undefined;
}
