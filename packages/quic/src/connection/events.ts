import type { QuicTlsSessionTicket, SocketAddress } from '@fos/core';

/** RFC 9000 §10: the life of a connection as its user sees it. */
export type ConnectionState =
  /** The handshake is in progress. */
  | 'handshaking'
  /** Handshake complete (RFC 9001 §4.1.1): application data flows. */
  | 'established'
  /** We sent CONNECTION_CLOSE and wait out the closing period (RFC 9000 §10.2.1). */
  | 'closing'
  /** The peer closed (or reset) the connection; we wait out the draining period (RFC 9000 §10.2.2). */
  | 'draining'
  /** Nothing more will happen. */
  | 'closed';

/** Why a connection ended. */
export interface ConnectionCloseInfo {
  /** Who ended it: us, the peer (CONNECTION_CLOSE), an idle timeout, or a stateless reset from the peer. */
  readonly initiator: 'local' | 'remote' | 'idle-timeout' | 'stateless-reset' | 'handshake-timeout';
  /** True for an application close (CONNECTION_CLOSE 0x1d), false for a transport error code. */
  readonly isApplication: boolean;
  /** RFC 9000 §20 transport error code, or the application's code. */
  readonly errorCode: number;
  /** The frame type that caused a transport error, when known. */
  readonly frameType: number | undefined;
  readonly reason: string;
}

/** What the connection reports, polled with `pollEvent()` (RxJS streams wrap these in the driver). */
export type ConnectionEvent =
  | { readonly type: 'state'; readonly state: ConnectionState }
  /** TLS finished (RFC 9001 §4.1.1); `handshake-confirmed` follows (RFC 9001 §4.1.2). */
  | { readonly type: 'handshake-complete'; readonly alpn: string | undefined; readonly resumed: boolean }
  | { readonly type: 'handshake-confirmed' }
  /** 0-RTT accepted or rejected by the server (a rejected client's 0-RTT stream data is resent in 1-RTT). */
  | { readonly type: 'early-data'; readonly accepted: boolean }
  | { readonly type: 'stream-opened'; readonly streamId: number; readonly bidirectional: boolean }
  | { readonly type: 'stream-readable'; readonly streamId: number }
  | { readonly type: 'stream-writable'; readonly streamId: number }
  | { readonly type: 'stream-reset'; readonly streamId: number; readonly errorCode: number; readonly finalSize: number }
  | { readonly type: 'stream-stop-sending'; readonly streamId: number; readonly errorCode: number }
  | { readonly type: 'stream-closed'; readonly streamId: number }
  /** Everything written on the stream so far was acknowledged. */
  | { readonly type: 'stream-flushed'; readonly streamId: number }
  | { readonly type: 'streams-available'; readonly bidirectional: boolean }
  /** A DATAGRAM frame (RFC 9221); `data` is a copy the receiver owns. */
  | { readonly type: 'datagram'; readonly data: Uint8Array }
  /** Client: a session ticket to store for resumption (its applicationData holds the server's parameters). */
  | { readonly type: 'session-ticket'; readonly ticket: QuicTlsSessionTicket }
  /** Client: a NEW_TOKEN token for the next connection to this server (RFC 9000 §8.1.3). */
  | { readonly type: 'new-token'; readonly token: Uint8Array }
  /** A connection ID we issued: the endpoint routes it to this connection (until `cid-retired`). */
  | { readonly type: 'cid-issued'; readonly cid: Uint8Array; readonly resetToken: Uint8Array | undefined }
  | { readonly type: 'cid-retired'; readonly cid: Uint8Array }
  /** The peer's address changed (migration or NAT rebinding, RFC 9000 §9). */
  | { readonly type: 'path-migrated'; readonly remote: SocketAddress; readonly validated: boolean }
  | { readonly type: 'key-update'; readonly generation: number; readonly initiator: 'local' | 'remote' }
  /** The connection is over (after the closing/draining period, or at once for idle timeout). */
  | { readonly type: 'closed'; readonly info: ConnectionCloseInfo };
