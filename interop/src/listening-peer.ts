import { setTimeout as delay } from 'node:timers/promises';
import { HarnessError, HarnessErrorCode } from './errors.js';
import { type PeerProcess, type SpawnPeerOptions, spawnPeer } from './peer-process.js';
import { type BoundSpec, findBound, portSharers } from './proc-net.js';

/** What a server peer prints when its port is taken (gtlsserver: "Could not bind"; Go: "address already in use"). */
const PORT_IN_USE_OUTPUT = /address already in use|could not bind|EADDRINUSE/i;

/** Options of {@link startListeningPeer}. */
export interface ListeningPeerOptions extends SpawnPeerOptions {
  /** The sockets the server holds once it is ready (UDP, or listening TCP, on its port). */
  sockets: readonly BoundSpec[];
  /** How long to wait for the sockets (default 10 s). */
  readyTimeoutMs?: number;
  /** Poll interval of the `/proc` check (default 10 ms). */
  pollMs?: number;
}

/**
 * Spawns a server peer and resolves once the *process itself* holds every socket in `sockets` — read from
 * `/proc/<pid>/fd` and `/proc/net/{udp,tcp}[6]`, so it works for UDP servers that print nothing when ready
 * (gtlsserver with `-q`). A UDP port that another process also holds (SO_REUSEADDR lets two gtlsserver share
 * one silently) counts as a conflict. Throws {@link HarnessError}: `PORT_IN_USE` (retry on another port),
 * `START_FAILED` (exited; the message carries its output) or `TIMEOUT`; the peer is stopped in each case.
 */
export async function startListeningPeer(options: ListeningPeerOptions): Promise<PeerProcess> {
  const p = spawnPeer(options);
  const timeoutMs = options.readyTimeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const describe = options.sockets.map((s) => `${s.protocol}/${s.address ?? '*'}:${s.port}`).join(', ');
  for (;;) {
    if (p.exit) {
      const tail = p.outputTail();
      if (PORT_IN_USE_OUTPUT.test(tail)) {
        throw new HarnessError(HarnessErrorCode.PORT_IN_USE, `${options.name} could not bind ${describe}`, {
          detail: tail,
        });
      }
      const how = p.exit.error ? p.exit.error.message : `code ${p.exit.code}, signal ${p.exit.signal}`;
      throw new HarnessError(HarnessErrorCode.START_FAILED, `${options.name} exited before it was ready (${how})`, {
        detail: tail,
      });
    }
    if (findBound(p.pid, options.sockets).every((s) => s !== undefined)) break;
    if (Date.now() > deadline) {
      await p.stop();
      throw new HarnessError(HarnessErrorCode.TIMEOUT, `${options.name} did not bind ${describe} in ${timeoutMs} ms`, {
        detail: p.outputTail(),
      });
    }
    await Promise.race([delay(options.pollMs ?? 10), p.exited]);
  }
  for (const spec of options.sockets) {
    const others = portSharers(p.pid, spec);
    if (others.length > 0) {
      await p.stop();
      throw new HarnessError(
        HarnessErrorCode.PORT_IN_USE,
        `${options.name}: ${spec.protocol} port ${spec.port} is shared with another process (inode ${others[0].inode})`,
      );
    }
  }
  return p;
}
