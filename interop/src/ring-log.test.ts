import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HarnessErrorCode } from './errors.js';
import { RingLog } from './ring-log.js';

describe('RingLog', () => {
  it('keeps only the last capacityBytes characters and counts what it dropped', () => {
    const log = new RingLog(100);
    for (let i = 0; i < 50; i++) log.write(`line ${i.toString().padStart(3, '0')}\n`);
    expect(log.text().length).toBe(100);
    expect(log.totalBytes).toBe(50 * 9);
    expect(log.droppedBytes).toBe(50 * 9 - 100);
    expect(log.text().endsWith('line 049\n')).toBe(true);
    expect(log.lines().at(-1)).toBe('line 049');
  });

  it('retains exactly the suffix of everything written (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 40 }),
        (cap, chunks) => {
          const log = new RingLog(cap);
          for (const c of chunks) log.write(c);
          const all = chunks.join('');
          expect(log.text()).toBe(all.slice(Math.max(0, all.length - cap)));
          expect(log.totalBytes).toBe(all.length);
        },
      ),
    );
  });

  it('emits complete lines to listeners, joining lines split across chunks', () => {
    const log = new RingLog();
    const seen: string[] = [];
    const off = log.onLine((l) => seen.push(l));
    log.write('alp');
    log.write('ha\r\nbeta\ngam');
    log.write('ma\n');
    off();
    log.write('delta\n');
    expect(seen).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('waitFor resolves with a line already written, or with a later one', async () => {
    const log = new RingLog();
    log.write('Using document root /x\n');
    await expect(log.waitFor(/document root/, 1000)).resolves.toBe('Using document root /x');
    const later = log.waitFor((l) => l.startsWith('Capture started'), 1000);
    log.write('noise\nCapture ');
    log.write('started.\n');
    await expect(later).resolves.toBe('Capture started.');
  });

  it('waitFor fails with TIMEOUT when nothing matches in time, and BAD_OUTPUT when the stream ends', async () => {
    const log = new RingLog();
    await expect(log.waitFor(/never/, 20)).rejects.toMatchObject({ code: HarnessErrorCode.TIMEOUT });
    const pending = log.waitFor(/never/, 5000);
    log.write('last line without newline');
    log.end();
    await expect(pending).rejects.toMatchObject({ code: HarnessErrorCode.BAD_OUTPUT });
    await expect(log.waitFor(/never/, 5000)).rejects.toMatchObject({ code: HarnessErrorCode.BAD_OUTPUT });
    await expect(log.waitFor(/without newline/, 5000)).resolves.toBe('last line without newline');
  });

  it('rejects a capacity that is not positive', () => {
    expect(() => new RingLog(0)).toThrow(RangeError);
  });
});
