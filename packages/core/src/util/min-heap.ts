/** Something with a priority (`key`, then `seq` for FIFO order among equal keys) and its index in the heap. */
export interface HeapNode {
  key: number;
  seq: number;
  /** -1 when not in a heap. */
  heapIndex: number;
}

function less(a: HeapNode, b: HeapNode): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}

/** An intrusive binary min-heap: nodes know their index, so update and remove are O(log n) without a lookup. */
export class MinHeap<T extends HeapNode> {
  private readonly nodes: T[] = [];

  get size(): number {
    return this.nodes.length;
  }

  peek(): T | undefined {
    return this.nodes[0];
  }

  push(node: T): void {
    node.heapIndex = this.nodes.length;
    this.nodes.push(node);
    this.up(node.heapIndex);
  }

  pop(): T | undefined {
    const top = this.nodes[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(node: T): void {
    const i = node.heapIndex;
    if (i < 0) return;
    const last = this.nodes.pop()!;
    node.heapIndex = -1;
    if (last !== node) {
      this.nodes[i] = last;
      last.heapIndex = i;
      this.up(i);
      this.down(last.heapIndex);
    }
  }

  /** Re-positions `node` after its key changed (or inserts it). */
  update(node: T): void {
    if (node.heapIndex < 0) {
      this.push(node);
      return;
    }
    this.up(node.heapIndex);
    this.down(node.heapIndex);
  }

  private up(i: number): void {
    const nodes = this.nodes;
    const node = nodes[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(node, nodes[parent])) break;
      nodes[i] = nodes[parent];
      nodes[i].heapIndex = i;
      i = parent;
    }
    nodes[i] = node;
    node.heapIndex = i;
  }

  private down(i: number): void {
    const nodes = this.nodes;
    const n = nodes.length;
    const node = nodes[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(nodes[r], nodes[l]) ? r : l;
      if (!less(nodes[c], node)) break;
      nodes[i] = nodes[c];
      nodes[i].heapIndex = i;
      i = c;
    }
    nodes[i] = node;
    node.heapIndex = i;
  }
}
