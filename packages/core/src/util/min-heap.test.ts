import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HeapNode, MinHeap } from './min-heap.js';
import { RingQueue } from './ring-queue.js';

interface N extends HeapNode {
  id: number;
}

describe('MinHeap', () => {
  it('pops in (key, seq) order under random push/update/remove', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(19), fc.integer({ min: -1, max: 50 })), { maxLength: 200 }), (ops) => {
        const heap = new MinHeap<N>();
        const nodes: N[] = Array.from({ length: 20 }, (_, id) => ({ id, key: 0, seq: 0, heapIndex: -1 }));
        let seq = 0;
        for (const [i, key] of ops) {
          const node = nodes[i];
          if (key < 0) heap.remove(node);
          else {
            node.key = key;
            node.seq = seq++;
            heap.update(node);
          }
        }
        const live = nodes.filter((n) => n.heapIndex >= 0);
        expect(heap.size).toBe(live.length);
        live.sort((a, b) => a.key - b.key || a.seq - b.seq);
        const popped: N[] = [];
        for (let n = heap.pop(); n; n = heap.pop()) popped.push(n);
        expect(popped.map((n) => n.id)).toEqual(live.map((n) => n.id));
        expect(nodes.every((n) => n.heapIndex === -1)).toBe(true);
      }),
    );
  });
});

describe('RingQueue', () => {
  it('behaves like an array used as a FIFO', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer(), { nil: undefined }), { maxLength: 300 }), (ops) => {
        const q = new RingQueue<number>(2);
        const model: number[] = [];
        for (const v of ops) {
          if (v === undefined) expect(q.shift()).toBe(model.shift());
          else {
            q.push(v);
            model.push(v);
          }
          expect(q.length).toBe(model.length);
          expect(q.peek()).toBe(model[0]);
          expect(q.at(model.length - 1)).toBe(model[model.length - 1]);
          expect(q.at(model.length)).toBeUndefined();
        }
        q.clear();
        expect(q.length).toBe(0);
        expect(q.shift()).toBeUndefined();
      }),
    );
  });
});
