import { afterAll, beforeAll, describe } from 'vitest';
import { cleanupAll } from './lifecycle.js';
import { type PeerName, type PeerRequirement, type RequirePeersOptions, requirePeers } from './peers.js';

/**
 * Stops every peer this test file started and deletes its temp dirs in `afterAll` — also when a test failed.
 * (A process 'exit' hook covers a worker that dies without running afterAll.) Call it at the top of a test file
 * or inside a `describe`.
 */
export function useHarnessCleanup(): void {
  afterAll(() => cleanupAll());
}

/**
 * A `describe` for tests that need third-party programs. When one is missing the suite is reported *skipped*
 * with the reason in its title — except under `CI=1`, where it runs and its `beforeAll` throws
 * {@link HarnessError} `PEER_MISSING` naming the Debian package, failing every test of the suite. Also registers
 * {@link useHarnessCleanup}.
 *
 * ```ts
 * describeWithPeers('gtlsclient ↔ gtlsserver', ['gtlsserver', 'gtlsclient'], () => { it(...) });
 * ```
 */
export function describeWithPeers(
  title: string,
  peers: readonly (PeerName | string)[] | PeerRequirement,
  body: () => void,
  options: RequirePeersOptions = {},
): PeerRequirement {
  const req = Array.isArray(peers) ? requirePeers(peers, options) : (peers as PeerRequirement);
  describe.skipIf(req.skip)(req.title(title), () => {
    beforeAll(() => req.check());
    useHarnessCleanup();
    body();
  });
  return req;
}
