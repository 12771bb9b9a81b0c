import { copyFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { CertificateFiles } from './certs.js';
import { createDocroot } from './content.js';
import { HarnessErrorCode } from './errors.js';
import { cleanupAll } from './lifecycle.js';
import {
  type BenchClient,
  type BenchContext,
  type BenchServer,
  formatMarkdownTable,
  median,
  type RunningServer,
  runScenarios,
  savedPathFor,
} from './measure.js';

afterAll(() => cleanupAll());

describe('median', () => {
  it('odd, even, single and empty lists', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

// A fake server whose CPU clock advances 5 ms per fetch, and a fake client that "downloads" by copying the file.
function fakes(corrupt = false) {
  let starts = 0;
  let stops = 0;
  let cpu = 100;
  let ctxRef: BenchContext | undefined;
  const server: BenchServer = {
    name: 'fake-server',
    async start(ctx) {
      starts++;
      ctxRef = ctx;
      const s: RunningServer = {
        host: '127.0.0.1',
        port: 1,
        url: (p) => `https://127.0.0.1:1${p}`,
        cpuMs: () => cpu,
        stop: async () => {
          stops++;
        },
      };
      return s;
    },
  };
  let wall = 10;
  const client: BenchClient = {
    name: 'fake-client',
    async fetch(_server, urlPath, dir) {
      const name = urlPath.slice(1);
      const saved = savedPathFor(dir, urlPath);
      copyFileSync((ctxRef as BenchContext).docroot.file(name).path, saved);
      if (corrupt) writeFileSync(saved, 'x');
      cpu += 5;
      wall += 10;
      return { wallMs: wall, cpuMs: 2, savedPath: saved, ok: true };
    },
  };
  return { server, client, counts: () => ({ starts, stops }) };
}

describe('runScenarios', () => {
  it('starts each server once, measures runs, verifies content and computes medians', async () => {
    const docroot = await createDocroot({ 'a.bin': 2 * 1048576, 'b.bin': 1024 });
    const ctx: BenchContext = { docroot, cert: {} as CertificateFiles };
    const { server, client, counts } = fakes();
    const seen: number[] = [];
    const results = await runScenarios(
      [
        { name: 'big', client, server, file: 'a.bin' },
        { name: 'small', client, server, file: 'b.bin' },
      ],
      ctx,
      { runs: 3, warmupFile: 'b.bin', onRun: (_s, run) => seen.push(run) },
    );
    expect(counts()).toEqual({ starts: 1, stops: 1 });
    expect(seen).toEqual([1, 2, 3, 1, 2, 3]);
    // Warm-up took wall 20; the big runs 30, 40, 50; the small ones 60, 70, 80.
    expect(results[0]).toMatchObject({ scenario: 'big', bytes: 2 * 1048576, medianWallMs: 40, medianCpuMs: 7 });
    expect(results[0].goodputMiBps).toBeCloseTo(2 / 0.04, 6);
    expect(results[1].medianWallMs).toBe(70);
    const table = formatMarkdownTable(results);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('| big | 2 MiB | 40.0 | 50.0 | 7 | 30.0, 40.0, 50.0 |');
    expect(table).toContain('| small | 1 KiB | 70.0 |  | 7 |');
  });

  it('fails the measurement when a download does not match, and still stops the servers', async () => {
    const docroot = await createDocroot({ 'a.bin': 1000 });
    const { server, client, counts } = fakes(true);
    await expect(
      runScenarios([{ name: 'x', client, server, file: 'a.bin' }], { docroot, cert: {} as CertificateFiles }),
    ).rejects.toMatchObject({ code: HarnessErrorCode.CONTENT_MISMATCH });
    expect(counts().stops).toBe(1);
  });
});
