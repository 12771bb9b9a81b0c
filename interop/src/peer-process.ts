import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { HarnessError, HarnessErrorCode } from './errors.js';
import { track, untrack } from './lifecycle.js';
import { RingLog } from './ring-log.js';

/** How a peer process ended. `error` is set when it could not be spawned at all. */
export interface PeerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/** Options of {@link spawnPeer}. */
export interface SpawnPeerOptions {
  /** A label for messages (`gtlsserver`, `caddy`, ...). */
  name: string;
  command: string;
  args: readonly string[];
  /** Added to (or, with `undefined` values, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Also append stdout and stderr, unbounded, to this file (debug logs). */
  logFile?: string;
  /** Bytes of stdout and of stderr kept in memory (default 256 KiB each). */
  ringBytes?: number;
  /** Default grace period of `stop()` between SIGTERM and SIGKILL (default 2000 ms). */
  stopGraceMs?: number;
}

/** A running (or finished) peer program. */
export interface PeerProcess {
  readonly name: string;
  readonly pid: number;
  readonly command: string;
  readonly args: readonly string[];
  readonly stdout: RingLog;
  readonly stderr: RingLog;
  /** Resolves when the process has exited and its output is flushed; never rejects. */
  readonly exited: Promise<PeerExit>;
  /** Set once exited. */
  readonly exit: PeerExit | undefined;
  readonly running: boolean;
  /** SIGTERM to the peer's process group, SIGKILL after `graceMs`; resolves with the exit. Idempotent. */
  stop(graceMs?: number): Promise<PeerExit>;
  /** The tails of stderr and stdout, for error messages. */
  outputTail(maxChars?: number): string;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Starts a peer in its own process group (so `stop()` also reaches anything it forked, e.g. under
 * `/usr/bin/time`), captures its output into bounded {@link RingLog}s, and tracks it for cleanup at the end
 * of the test file (see `lifecycle.ts`). stdin is /dev/null.
 */
export function spawnPeer(options: SpawnPeerOptions): PeerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = new RingLog(options.ringBytes);
  const stderr = new RingLog(options.ringBytes);
  let file: WriteStream | undefined;
  if (options.logFile) file = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    stdout.write(s);
    file?.write(s);
  });
  child.stderr.on('data', (s: string) => {
    stderr.write(s);
    file?.write(s);
  });

  let exit: PeerExit | undefined;
  let spawnError: Error | undefined;
  const graceDefault = options.stopGraceMs ?? 2000;
  const exited = new Promise<PeerExit>((resolve) => {
    let status: PeerExit | undefined;
    let flushTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (exit) return;
      if (flushTimer) clearTimeout(flushTimer);
      exit = status ?? { code: null, signal: null, error: spawnError };
      stdout.end();
      stderr.end();
      untrack(handle);
      if (file) file.end(() => resolve(exit as PeerExit));
      else resolve(exit);
    };
    child.once('error', (err) => {
      spawnError = err;
      // A spawn failure emits no 'exit'; 'close' follows.
      if (child.pid === undefined) {
        status = { code: null, signal: null, error: err };
        finish();
      }
    });
    child.once('exit', (code, signal) => {
      status = { code, signal, ...(spawnError ? { error: spawnError } : {}) };
      // 'close' (all output read) normally follows at once; a grandchild holding the pipes must not stall us.
      flushTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, 1000);
    });
    child.once('close', (code, signal) => {
      status ??= { code, signal };
      finish();
    });
  });

  let stopping: Promise<PeerExit> | undefined;
  const handle: PeerProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    command: options.command,
    args: options.args,
    stdout,
    stderr,
    exited,
    get exit() {
      return exit;
    },
    get running() {
      return exit === undefined && child.pid !== undefined;
    },
    stop(graceMs = graceDefault) {
      if (stopping) return stopping;
      if (exit || child.pid === undefined) return exited;
      const pid = child.pid;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      stopping = exited.then((e) => {
        clearTimeout(timer);
        // Reap anything left in the group (e.g. the peer under `time` when only the wrapper died).
        killGroup(pid, 'SIGKILL');
        return e;
      });
      return stopping;
    },
    outputTail(maxChars = 4000) {
      const err = stderr.tail(maxChars);
      const out = stdout.tail(maxChars);
      return [err && `[stderr]\n${err}`, out && `[stdout]\n${out}`].filter(Boolean).join('\n');
    },
  };
  if (child.pid !== undefined) track(handle);
  return handle;
}

/** Waits for `p` to exit within `timeoutMs`; on timeout stops it and throws {@link HarnessError} `TIMEOUT`. */
export async function waitForExit(p: PeerProcess, timeoutMs: number): Promise<PeerExit> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), timeoutMs);
  });
  const r = await Promise.race([p.exited, timedOut]);
  clearTimeout(timer);
  if (r !== 'timeout') return r;
  await p.stop();
  throw new HarnessError(HarnessErrorCode.TIMEOUT, `${p.name} did not exit within ${timeoutMs} ms`, {
    detail: p.outputTail(),
  });
}
