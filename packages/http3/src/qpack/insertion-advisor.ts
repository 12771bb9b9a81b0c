// The encoder's insertion heuristic: which field lines are worth a dynamic table entry.
//
// An entry pays off only if the field line is sent again while the entry is still in the table; a line sent once
// (a request path, a date) costs an insert and, worse, evicts entries that would have been reused. The advisor
// remembers recently sent lines (a direct-mapped table of 32-bit hashes, fixed size) and, per field name, how often
// its lines were repeats. A line is inserted when it was seen recently, or when lines with its name usually repeat.

export const INSERT_NO = 0;
export const INSERT_IF_FREE = 1;
export const INSERT_YES = 2;
export type InsertAdvice = typeof INSERT_NO | typeof INSERT_IF_FREE | typeof INSERT_YES;

interface NameStats {
  /** Lines with this name that were not in the static table. */
  lines: number;
  /** Of those, lines found in the dynamic table or seen recently. */
  repeats: number;
  /** Entries with this name inserted. */
  inserts: number;
  /** Of those, entries that a later field section matched (the insert paid off). */
  paid: number;
  /** Insert candidates refused because the name's inserts do not pay off (re-probe every PROBE_EVERY). */
  refused: number;
}

/** Lines of a name after which its statistics, not optimism, decide. */
const NEW_NAME_LINES = 1;
/** Counters are halved past this many lines, so a name's recent behaviour dominates. */
const DECAY_AT = 64;
/** Per-name statistics kept at most; past it the map starts over (bounded memory for arbitrary names). */
const MAX_NAMES = 512;
/** A name whose inserts were matched less than 1 time in PAYOFF_RATIO stops being inserted … */
const PAYOFF_RATIO = 4;
/** … after this many inserts, */
const PAYOFF_MIN_INSERTS = 4;
/** … except for one probe every this many candidates. */
const PROBE_EVERY = 64;

export class InsertionAdvisor {
  private readonly history: Int32Array;
  private readonly mask: number;
  private readonly names = new Map<string, NameStats>();

  constructor(historySlots = 1024) {
    let n = 16;
    while (n < historySlots) n <<= 1;
    this.history = new Int32Array(n);
    this.mask = n - 1;
  }

  /** Notes that a line named `name` was found in the dynamic table (a repeat); `first`: the entry's first match. */
  recordHit(name: string, first: boolean): void {
    const s = this.stats(name);
    s.lines++;
    s.repeats++;
    if (first) s.paid++;
    if (s.lines > DECAY_AT) decay(s);
  }

  /** Notes that an entry named `name` was inserted. */
  recordInsert(name: string): void {
    const s = this.stats(name);
    if (++s.inserts > DECAY_AT) {
      s.inserts >>>= 1;
      s.paid >>>= 1;
    }
  }

  /**
   * Notes a line that is in neither table and rates inserting it: INSERT_NO; INSERT_IF_FREE (worth an insert that
   * evicts nothing and can be referenced at once, which costs about what the literal would); INSERT_YES (worth an
   * insert even when it evicts entries or must be sent as a literal as well, because the line is likely to repeat).
   */
  recordMiss(name: string, value: string): InsertAdvice {
    const h = hashLine(name, value);
    const slot = h & this.mask;
    const seen = this.history[slot] === h;
    this.history[slot] = h;
    const s = this.stats(name);
    s.lines++;
    if (seen) s.repeats++;
    if (s.lines > DECAY_AT) decay(s);
    // Entries with this name are rarely used before they are evicted: stop inserting them (probing now and then).
    if (s.inserts >= PAYOFF_MIN_INSERTS && s.paid * PAYOFF_RATIO < s.inserts && ++s.refused % PROBE_EVERY !== 0) {
      return INSERT_NO;
    }
    // A name seen only a few times: most header lines repeat, so be optimistic.
    if (s.lines <= NEW_NAME_LINES) return INSERT_YES;
    // Seen recently, and lines with this name usually repeat: strong evidence.
    if (seen && s.repeats * 2 >= s.lines) return INSERT_YES;
    // Seen recently, or a name not known for one-off values: weak evidence.
    const mostlyUnique = s.repeats * 4 < s.lines;
    return seen || !mostlyUnique ? INSERT_IF_FREE : INSERT_NO;
  }

  private stats(name: string): NameStats {
    let s = this.names.get(name);
    if (s === undefined) {
      if (this.names.size >= MAX_NAMES) this.names.clear();
      s = { lines: 0, repeats: 0, inserts: 0, paid: 0, refused: 0 };
      this.names.set(name, s);
    }
    return s;
  }
}

function decay(s: NameStats): void {
  s.lines >>>= 1;
  s.repeats >>>= 1;
}

/** FNV-1a over the name, a separator and the value (never 0, which marks an empty history slot). */
function hashLine(name: string, value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x100, 0x01000193);
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return h | 1;
}
