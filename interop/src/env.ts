/**
 * Environment switches of the interop harness.
 *
 * - `CI=1` (any value but `0`/`false`/empty): a missing peer fails the test file instead of skipping it.
 * - `INTEROP_KEEP=1`: temp dirs (certs, docroots, logs, captures) are kept after the tests and their paths printed.
 * - `INTEROP_PEER_<NAME>=/path` (e.g. `INTEROP_PEER_GTLSSERVER`): use this binary instead of searching `PATH`.
 */

/** Whether the process runs under CI (`CI` set to anything but `0`, `false` or the empty string). */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Whether temp dirs are kept for debugging (`INTEROP_KEEP=1`). */
export function keepArtifacts(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.INTEROP_KEEP;
  return v !== undefined && v !== '' && v !== '0';
}

/** Whether this process runs as root (packet capture on `lo` needs it). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
