import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCI } from './env.js';
import { HarnessError, HarnessErrorCode } from './errors.js';
import { cleanupAll, makeTempDir } from './lifecycle.js';
import { findPeer, overrideVar, requirePeers } from './peers.js';

afterAll(() => cleanupAll());

function fakeBin(dir: string, name: string, executable = true): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

describe('findPeer', () => {
  it('finds a program on PATH, ignores non-executable files, and returns undefined when absent', () => {
    const a = makeTempDir('path-a');
    const b = makeTempDir('path-b');
    fakeBin(a, 'fos-fake-peer', false);
    const good = fakeBin(b, 'fos-fake-peer');
    const env = { PATH: `${a}:${b}` };
    expect(findPeer('fos-fake-peer', { env, noCache: true })).toBe(good);
    expect(findPeer('fos-no-such-peer-xyz', { env, noCache: true })).toBeUndefined();
  });

  it('prefers INTEROP_PEER_<NAME>, and reports a bad override as missing', () => {
    const dir = makeTempDir('override');
    const custom = fakeBin(dir, 'my-gtlsserver');
    expect(overrideVar('gtlsserver')).toBe('INTEROP_PEER_GTLSSERVER');
    expect(findPeer('gtlsserver', { env: { PATH: '', INTEROP_PEER_GTLSSERVER: custom }, noCache: true })).toBe(custom);
    expect(
      findPeer('gtlsserver', { env: { PATH: '', INTEROP_PEER_GTLSSERVER: join(dir, 'nope') }, noCache: true }),
    ).toBeUndefined();
  });
});

describe('requirePeers', () => {
  const dir = makeTempDir('require');
  const present = fakeBin(dir, 'fos-present-peer');
  const env = { PATH: dir, INTEROP_PEER_GTLSSERVER: join(dir, 'missing-gtlsserver') };

  it('is available, never skipped, and gives paths when everything is there', () => {
    const req = requirePeers(['fos-present-peer'], { env, ci: false, noCache: true });
    expect(req.available).toBe(true);
    expect(req.skip).toBe(false);
    expect(req.reason).toBe('');
    expect(req.title('suite')).toBe('suite');
    expect(() => req.check()).not.toThrow();
    expect(req.path('fos-present-peer')).toBe(present);
  });

  it('outside CI: a missing peer skips the suite, with the Debian package in the reason', () => {
    const req = requirePeers(['fos-present-peer', 'gtlsserver'], { env, ci: false, noCache: true });
    expect(req.available).toBe(false);
    expect(req.skip).toBe(true);
    expect(req.missing).toEqual(['gtlsserver']);
    expect(req.missingPackages).toEqual(['ngtcp2-server']);
    expect(req.title('suite')).toContain(req.reason);
  });

  it('under CI: a missing peer is not skipped, and check() fails with PEER_MISSING', () => {
    const req = requirePeers(['gtlsserver'], { env, ci: true, noCache: true });
    expect(req.skip).toBe(false);
    let err: unknown;
    try {
      req.check();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe(HarnessErrorCode.PEER_MISSING);
    expect(() => req.path('gtlsserver')).toThrow(HarnessError);
  });

  it('root requirement: NOT_PERMITTED when not root (CI), skipped outside CI', () => {
    const ci = requirePeers(['fos-present-peer'], { env, ci: true, root: true, isRoot: false, noCache: true });
    expect(ci.skip).toBe(false);
    expect(() => ci.check()).toThrow(expect.objectContaining({ code: HarnessErrorCode.NOT_PERMITTED }));
    const local = requirePeers(['fos-present-peer'], { env, ci: false, root: true, isRoot: false, noCache: true });
    expect(local.skip).toBe(true);
    expect(requirePeers(['fos-present-peer'], { env, root: true, isRoot: true, noCache: true }).available).toBe(true);
  });
});

describe('isCI', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['0', false],
    ['false', false],
    ['FALSE', false],
    ['1', true],
    ['true', true],
  ])('CI=%s → %s', (value, expected) => {
    expect(isCI(value === undefined ? {} : { CI: value })).toBe(expected);
  });
});
