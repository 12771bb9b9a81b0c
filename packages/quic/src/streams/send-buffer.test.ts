import { describe, expect, it } from 'vitest';
import { SendBuffer } from './send-buffer.js';

function bytes(n: number, seed = 5): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 17 + seed) & 0xff;
  return out;
}

describe('SendBuffer', () => {
  it('keeps large writes by reference and returns views of them', () => {
    const buf = new SendBuffer();
    const data = bytes(5000);
    buf.write(data);
    const v = buf.takeNew(1200);
    expect(v.buffer).toBe(data.buffer);
    expect(v).toEqual(data.subarray(0, 1200));
    expect(buf.sendOffset).toBe(1200);
  });

  it('coalesces small writes into blocks so frames can be full-sized', () => {
    const buf = new SendBuffer({ blockBytes: 4096 });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) {
      const p = bytes(10, i);
      parts.push(p);
      buf.write(p);
    }
    // Blocks start small and double: the first take spans the first block only, later ones grow.
    const views: Uint8Array[] = [];
    for (let v = buf.takeNew(1000); v.length > 0; v = buf.takeNew(1000)) views.push(v);
    expect(Buffer.concat(views).equals(Buffer.concat(parts))).toBe(true);
    expect(views.length).toBeLessThan(10);
  });

  it('does not cross chunk boundaries in one view', () => {
    const buf = new SendBuffer({ coalesceBelowBytes: 0 });
    buf.write(bytes(100));
    buf.write(bytes(100, 9));
    expect(buf.takeNew(150).length).toBe(100);
    expect(buf.takeNew(150).length).toBe(100);
    expect(buf.takeNew(150).length).toBe(0);
  });

  it('frees chunks once the acknowledged prefix passes them', () => {
    const buf = new SendBuffer({ coalesceBelowBytes: 0 });
    for (let i = 0; i < 4; i++) buf.write(bytes(1000, i));
    while (buf.takeNew(700).length > 0);
    expect(buf.heldBytes).toBe(4000);
    buf.onAcked(1000, 1000); // not a prefix yet
    expect(buf.heldBytes).toBe(4000);
    buf.onAcked(0, 1000);
    expect(buf.ackedOffset).toBe(2000);
    expect(buf.heldBytes).toBe(2000);
    buf.onAcked(2000, 2000);
    expect(buf.heldBytes).toBe(0);
  });

  it('queues only unacknowledged bytes of a lost range', () => {
    const buf = new SendBuffer();
    buf.write(bytes(3000));
    while (buf.takeNew(1000).length > 0);
    buf.onAcked(1000, 500);
    buf.onLost(500, 2000);
    expect(buf.lost.toArray()).toEqual([
      [500, 1000],
      [1500, 2500],
    ]);
    // A late ack of lost data removes it from the retransmission queue.
    buf.onAcked(1500, 200);
    expect(buf.lost.toArray()).toEqual([
      [500, 1000],
      [1700, 2500],
    ]);
  });

  it('a late acknowledgement ending inside an acknowledged range extends the prefix past it', () => {
    const buf = new SendBuffer();
    buf.write(bytes(70));
    buf.takeNew(35);
    buf.takeNew(35);
    buf.onLost(0, 35);
    buf.onLost(35, 35);
    const out = { offset: 0 };
    const r: [number, number][] = [];
    for (let v = buf.takeLost(10, out); v.length > 0; v = buf.takeLost(10, out)) r.push([out.offset, v.length]);
    buf.onAcked(10, 10);
    buf.onAcked(30, 10);
    buf.onAcked(0, 35); // the original frame, declared lost too early
    expect(buf.ackedOffset).toBe(40);
    buf.onAcked(40, 30);
    expect(buf.ackedOffset).toBe(70);
    expect(buf.acked.isEmpty).toBe(true);
  });

  it('takeLost returns lost data in order, limited by size', () => {
    const buf = new SendBuffer();
    const data = bytes(3000);
    buf.write(data);
    while (buf.takeNew(1000).length > 0);
    buf.onLost(1000, 1000);
    const out = { offset: -1 };
    const v = buf.takeLost(600, out);
    expect(out.offset).toBe(1000);
    expect(v).toEqual(data.subarray(1000, 1600));
    const w = buf.takeLost(600, out);
    expect(out.offset).toBe(1600);
    expect(w).toEqual(data.subarray(1600, 2000));
    expect(buf.hasLost).toBe(false);
  });

  it('ignores losses beyond what was sent and acks below the prefix', () => {
    const buf = new SendBuffer();
    buf.write(bytes(100));
    buf.takeNew(50);
    buf.onLost(40, 100);
    expect(buf.lost.toArray()).toEqual([[40, 50]]);
    buf.onAcked(0, 50);
    buf.onAcked(0, 10);
    expect(buf.ackedOffset).toBe(50);
    expect(buf.hasLost).toBe(false);
  });

  it('compacts its chunk list on long-lived streams', () => {
    const buf = new SendBuffer({ coalesceBelowBytes: 0 });
    for (let i = 0; i < 1000; i++) {
      buf.write(bytes(10, i));
      const v = buf.takeNew(10);
      buf.onAcked(buf.sendOffset - v.length, v.length);
    }
    expect(buf.heldBytes).toBe(0);
    expect((buf as unknown as { chunks: unknown[] }).chunks.length).toBeLessThan(200);
  });
});
