import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocroot, sha256File, verifyDownload, writeRandomFile } from './content.js';
import { HarnessErrorCode } from './errors.js';
import { cleanupAll, makeTempDir } from './lifecycle.js';

afterAll(() => cleanupAll());

describe('content helpers', () => {
  it('createDocroot writes random files of the given sizes with their SHA-256', async () => {
    const root = await createDocroot({ 'empty.bin': 0, 'one.bin': 1, 'sub/big.bin': (1 << 20) + 3 });
    for (const f of Object.values(root.files)) {
      const bytes = readFileSync(f.path);
      expect(bytes.length).toBe(f.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      expect(await sha256File(f.path)).toBe(f.sha256);
      expect(f.urlPath).toBe(`/${f.name}`);
    }
    expect(root.file('sub/big.bin').path).toBe(join(root.dir, 'sub/big.bin'));
    expect(() => root.file('missing')).toThrow(RangeError);
  });

  it('two random files differ (content is random, not a pattern)', async () => {
    const dir = makeTempDir('rand');
    const a = await writeRandomFile(join(dir, 'a'), 4096);
    const b = await writeRandomFile(join(dir, 'b'), 4096);
    expect(a).not.toBe(b);
  });

  it('rejects names that leave the docroot', async () => {
    await expect(createDocroot({ '../x': 1 })).rejects.toThrow(RangeError);
    await expect(createDocroot({ '/etc/x': 1 })).rejects.toThrow(RangeError);
  });

  it('verifyDownload accepts an exact copy and refuses a missing, short or altered file', async () => {
    const root = await createDocroot({ 'f.bin': 10_000 });
    const f = root.file('f.bin');
    const dir = makeTempDir('dl');
    const copy = join(dir, 'copy.bin');
    copyFileSync(f.path, copy);
    await expect(verifyDownload(copy, f)).resolves.toBeUndefined();

    await expect(verifyDownload(join(dir, 'absent.bin'), f)).rejects.toMatchObject({
      code: HarnessErrorCode.CONTENT_MISMATCH,
    });
    const bytes = readFileSync(f.path);
    writeFileSync(copy, bytes.subarray(0, bytes.length - 1));
    await expect(verifyDownload(copy, f)).rejects.toMatchObject({ code: HarnessErrorCode.CONTENT_MISMATCH });
    const flipped = Buffer.from(bytes);
    flipped[5000] ^= 1;
    writeFileSync(copy, flipped);
    await expect(verifyDownload(copy, f)).rejects.toMatchObject({ code: HarnessErrorCode.CONTENT_MISMATCH });
  });
});
