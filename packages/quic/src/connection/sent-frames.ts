// What happens to the frames of a sent packet once it is acknowledged or declared lost (RFC 9000 §13.3): data is
// freed or queued again, control frames are resent when still needed, PMTU probes report back.
import type { Connection } from './connection.js';
import type { SentFrame } from './sent-record.js';

/** A sent packet's record was acknowledged: free what it carried (RFC 9000 §13.3). */
export function onFramesAcked(c: Connection, frames: readonly SentFrame[]): void {
  for (const f of frames) {
    switch (f.kind) {
      case 'crypto': {
        const space = c.spaceOf(f.level);
        if (!space.discarded) space.crypto.send.onAcked(f.offset, f.length);
        break;
      }
      case 'stream':
        c.streams.handleStreamFrameAcked(f.streamId, f.offset, f.length, f.fin);
        break;
      case 'stream-control':
        c.streams.handleControlFrameAcked(f.frame);
        break;
      case 'mtu-probe': {
        const grown = c.pmtud.onProbeAcked(f.size);
        if (grown !== undefined) c.setDatagramSize(grown);
        break;
      }
      case 'handshake-done':
      case 'new-connection-id':
      case 'retire-connection-id':
      case 'new-token':
      case 'path-challenge':
        break;
    }
  }
}

/** A sent packet's record was declared lost: queue the information it carried again (RFC 9000 §13.3). */
export function onFramesLost(c: Connection, frames: readonly SentFrame[], exceptStreamData = false): void {
  for (const f of frames) {
    switch (f.kind) {
      case 'crypto': {
        const space = c.spaceOf(f.level);
        if (!space.discarded) space.crypto.send.onLost(f.offset, f.length);
        break;
      }
      case 'stream':
        // Rejected 0-RTT: the streams start their data over themselves (`StreamManager.onEarlyDataRejected`).
        if (!exceptStreamData) c.streams.handleStreamFrameLost(f.streamId, f.offset, f.length, f.fin);
        break;
      case 'stream-control':
        c.streams.handleControlFrameLost(f.frame);
        break;
      case 'handshake-done':
        if (c.role === 'server') c.handshakeDonePending = true;
        break;
      case 'new-connection-id':
        c.localCids.onAnnouncementLost(f.sequence);
        break;
      case 'retire-connection-id':
        c.peerCids.onRetirementLost(f.sequence);
        break;
      case 'new-token':
        c.newTokensToSend.push(f.token);
        break;
      case 'path-challenge':
        // Path validation retries on its own timer (RFC 9000 §8.2.4).
        break;
      case 'mtu-probe':
        c.pmtud.onProbeLost(f.size);
        break;
    }
  }
}
