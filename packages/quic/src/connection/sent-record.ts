import type { StreamControlFrame } from '../streams/stream-events.js';

/** Encryption levels as the connection indexes them (0-RTT shares the application packet number space). */
export const Level = { INITIAL: 0, HANDSHAKE: 1, APPLICATION: 2, ZERO_RTT: 3 } as const;
export type Level = (typeof Level)[keyof typeof Level];

/**
 * What a sent packet carried that may need sending again when it is lost (RFC 9000 §13.3) or freeing when it is
 * acknowledged. ACK, PADDING, PING, PATH_RESPONSE and CONNECTION_CLOSE are not recorded: they are never
 * retransmitted as such.
 */
export type SentFrame =
  | { readonly kind: 'crypto'; readonly level: Level; readonly offset: number; readonly length: number }
  | {
      readonly kind: 'stream';
      readonly streamId: number;
      readonly offset: number;
      readonly length: number;
      readonly fin: boolean;
    }
  | { readonly kind: 'stream-control'; readonly frame: StreamControlFrame }
  | { readonly kind: 'handshake-done' }
  | { readonly kind: 'new-connection-id'; readonly sequence: number }
  | { readonly kind: 'retire-connection-id'; readonly sequence: number }
  | { readonly kind: 'new-token'; readonly token: Uint8Array }
  | { readonly kind: 'path-challenge'; readonly data: Uint8Array }
  | { readonly kind: 'mtu-probe'; readonly size: number };

/** The per-packet record kept by loss detection. */
export interface SentPacketRecord {
  readonly level: Level;
  readonly frames: SentFrame[];
}
