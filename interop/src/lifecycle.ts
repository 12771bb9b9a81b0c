import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepArtifacts } from './env.js';

/** What the lifecycle tracker needs from a running peer. */
export interface Stoppable {
  readonly pid: number;
  readonly running: boolean;
  stop(graceMs?: number): Promise<unknown>;
}

const live = new Set<Stoppable>();
const tempDirs = new Set<string>();
let hooked = false;

/**
 * The process 'exit' hook: the last resort when a test file's process exits without afterAll having run
 * (crash, `process.exit`). SIGKILLs every live peer's process group and deletes temp dirs synchronously
 * ('exit' handlers cannot await). Installed on the first tracked peer or temp dir.
 */
export function killAllSync(): void {
  for (const p of live) {
    if (!p.running) continue;
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
  if (!keepArtifacts()) for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllSync);
}

/** Whether the process 'exit' hook is installed. */
export function exitHookInstalled(): boolean {
  return hooked && process.listeners('exit').includes(killAllSync);
}

/** Registers a started peer so that {@link cleanupAll} and the process 'exit' hook stop it. */
export function track(p: Stoppable): void {
  hook();
  live.add(p);
}

/** Forgets a peer that has exited. */
export function untrack(p: Stoppable): void {
  live.delete(p);
}

/** Peers started and not yet exited. */
export function livePeers(): Stoppable[] {
  return [...live];
}

/**
 * A new private temp dir (`$TMPDIR/fos-interop-<label>-XXXXXX`), deleted by {@link cleanupAll} or at process
 * exit unless `INTEROP_KEEP=1`.
 */
export function makeTempDir(label = 'tmp'): string {
  hook();
  const dir = mkdtempSync(join(tmpdir(), `fos-interop-${label.replace(/[^\w.-]/g, '_')}-`));
  tempDirs.add(dir);
  return dir;
}

/** Stops every live peer (SIGTERM, then SIGKILL after the grace period) and deletes the temp dirs. */
export async function cleanupAll(graceMs?: number): Promise<void> {
  const peers = [...live];
  await Promise.allSettled(peers.map((p) => p.stop(graceMs)));
  for (const p of peers) live.delete(p);
  if (keepArtifacts()) {
    if (tempDirs.size > 0) console.info(`interop: kept temp dirs (INTEROP_KEEP=1):\n  ${[...tempDirs].join('\n  ')}`);
  } else {
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  }
  tempDirs.clear();
}
