import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { HarnessErrorCode } from './errors.js';
import { cleanupAll, exitHookInstalled, killAllSync, livePeers, makeTempDir } from './lifecycle.js';
import { spawnPeer, waitForExit } from './peer-process.js';

afterAll(() => cleanupAll());

// A killed orphan stays a zombie until pid 1 reaps it (a container's init may not): zombies count as dead.
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('spawnPeer', () => {
  it('captures stdout and stderr and reports the exit code', async () => {
    const p = spawnPeer({ name: 'sh', command: 'sh', args: ['-c', 'echo out; echo err >&2; exit 3'] });
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 3, signal: null });
    expect(p.stdout.lines()).toEqual(['out']);
    expect(p.stderr.lines()).toEqual(['err']);
    expect(p.running).toBe(false);
    expect(p.outputTail()).toContain('err');
  });

  it('passes env additions and removals', async () => {
    process.env.FOS_INTEROP_REMOVE_ME = 'x';
    try {
      const p = spawnPeer({
        name: 'sh',
        command: 'sh',
        args: ['-c', 'echo "$FOS_A|$(printenv FOS_INTEROP_REMOVE_ME || echo unset)"'],
        env: { FOS_A: 'a', FOS_INTEROP_REMOVE_ME: undefined },
      });
      await p.exited;
      expect(p.stdout.lines()).toEqual(['a|unset']);
    } finally {
      delete process.env.FOS_INTEROP_REMOVE_ME;
    }
  });

  it('stop() ends a process with SIGTERM', async () => {
    const p = spawnPeer({ name: 'sleep', command: 'sleep', args: ['30'] });
    expect(p.running).toBe(true);
    expect(livePeers()).toContain(p);
    const exit = await p.stop();
    expect(exit.signal).toBe('SIGTERM');
    expect(livePeers()).not.toContain(p);
    expect(await p.stop()).toBe(exit);
  });

  it('stop() escalates to SIGKILL when SIGTERM is ignored, and reaches the whole process group', async () => {
    const p = spawnPeer({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', 'trap "" TERM; sleep 30 & echo $!; wait'],
    });
    const grandchild = Number(await p.stdout.waitFor(/^\d+$/, 5000));
    expect(alive(grandchild)).toBe(true);
    const exit = await p.stop(200);
    expect(exit.signal).toBe('SIGKILL');
    for (let i = 0; i < 100 && alive(grandchild); i++) await delay(10);
    expect(alive(grandchild)).toBe(false);
  });

  it('a command that does not exist resolves exited with the spawn error', async () => {
    const p = spawnPeer({ name: 'nope', command: '/nonexistent/fos-peer', args: [] });
    const exit = await p.exited;
    expect(exit.code).toBeNull();
    expect((exit.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
  });

  it('tees output into a log file when asked', async () => {
    const dir = makeTempDir('teelog');
    const file = `${dir}/peer.log`;
    const p = spawnPeer({ name: 'sh', command: 'sh', args: ['-c', 'echo one; echo two >&2'], logFile: file });
    await p.exited;
    expect(readFileSync(file, 'utf8').split('\n').sort()).toEqual(['', 'one', 'two']);
  });

  it('keeps memory bounded for a chatty peer', async () => {
    const p = spawnPeer({
      name: 'yes',
      command: 'sh',
      args: ['-c', 'head -c 2000000 /dev/zero | tr "\\0" "x"'],
      ringBytes: 4096,
    });
    await p.exited;
    expect(p.stdout.totalBytes).toBe(2_000_000);
    expect(p.stdout.text().length).toBe(4096);
  });
});

describe('waitForExit', () => {
  it('returns the exit, or stops the peer and throws TIMEOUT', async () => {
    const quick = spawnPeer({ name: 'true', command: 'true', args: [] });
    expect((await waitForExit(quick, 5000)).code).toBe(0);
    const slow = spawnPeer({ name: 'sleep', command: 'sleep', args: ['30'] });
    await expect(waitForExit(slow, 50)).rejects.toMatchObject({ code: HarnessErrorCode.TIMEOUT });
    expect(slow.running).toBe(false);
  });
});

describe('cleanup', () => {
  it('cleanupAll stops every live peer and deletes temp dirs', async () => {
    const a = spawnPeer({ name: 'sleep', command: 'sleep', args: ['30'] });
    const b = spawnPeer({ name: 'sleep', command: 'sleep', args: ['30'] });
    const dir = makeTempDir('cleanup');
    await cleanupAll();
    expect(a.running || b.running).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('the process exit hook is installed and SIGKILLs live peers synchronously', async () => {
    const p = spawnPeer({ name: 'sleep', command: 'sleep', args: ['30'] });
    expect(exitHookInstalled()).toBe(true);
    killAllSync();
    expect((await p.exited).signal).toBe('SIGKILL');
  });
});
