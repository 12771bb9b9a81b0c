/**
 * Gilbert–Elliott burst loss: a two-state Markov chain advanced once per datagram. The chain first moves
 * (good → bad with probability `p`, bad → good with probability `r`), then the datagram is lost with the loss
 * probability of the state it is in. Stationary loss rate: (r·lossGood + p·lossBad) / (p + r), which is p / (p + r)
 * with the defaults (the bad state always loses, the good state never does); mean bad-state run length 1 / r.
 */
export interface GilbertElliottLoss {
  /** Probability of moving good → bad, per datagram. */
  readonly p: number;
  /** Probability of moving bad → good, per datagram. */
  readonly r: number;
  /** Loss probability in the good state; default 0. */
  readonly lossGood?: number;
  /** Loss probability in the bad state; default 1. */
  readonly lossBad?: number;
}

/** A half-open interval [startMs, endMs) of clock time. */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Conditions of one direction of a link (from host → to host). Every field is optional; a field absent from a
 * `setLink` patch keeps its current value, a field present with the value `undefined` returns to its default.
 *
 * A datagram passes the stages in this order (netem's order): blackhole → MTU → burst loss → random loss →
 * bottleneck queue (tail drop) → serialization at `rateBps` → propagation `delayMs` + jitter (+ reordering
 * delay) → duplication → corruption. Drops are decided when the datagram is sent.
 */
export interface LinkConditions {
  /** One-way propagation delay in ms: no datagram arrives earlier than its send time + delay. Default 0. */
  readonly delayMs?: number;
  /** Extra delay, uniform in [0, jitterMs), per datagram. Default 0. */
  readonly jitterMs?: number;
  /**
   * Whether jitter may reorder the link's datagrams. Default false: a datagram is never delivered before one
   * sent earlier on the same link (its jittered time is raised to the previous one's), like a FIFO link.
   */
  readonly jitterReorders?: boolean;
  /** Independent (iid) loss probability per datagram, 0..1. Default 0. */
  readonly lossRate?: number;
  /** Gilbert–Elliott burst loss; default none. */
  readonly burstLoss?: GilbertElliottLoss;
  /** Probability that a datagram is held back by `reorderDelayMs` (so later ones overtake it). Default 0. */
  readonly reorderRate?: number;
  /** Extra delay of a reordered datagram, ms. Default 10. */
  readonly reorderDelayMs?: number;
  /** Probability that a datagram is delivered twice (the copy right after the original). Default 0. */
  readonly duplicateRate?: number;
  /** Probability that a delivered copy has one random bit flipped. Default 0. */
  readonly corruptRate?: number;
  /** Largest UDP payload the link carries; larger datagrams are dropped. Default Infinity. */
  readonly mtu?: number;
  /** Bottleneck rate in bits per second (UDP payload bits); Infinity (default) means no bottleneck. */
  readonly rateBps?: number;
  /** Bottleneck FIFO capacity in bytes, counting the datagram being serialized; tail drop. Default 65 536. */
  readonly queueBytes?: number;
  /** Time windows (clock time) during which every datagram sent on the link is dropped. Default none. */
  readonly blackholes?: readonly TimeWindow[];
}

/** Link conditions with every default filled in. */
export interface ResolvedLinkConditions {
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly jitterReorders: boolean;
  readonly lossRate: number;
  readonly burstLoss: Required<GilbertElliottLoss> | undefined;
  readonly reorderRate: number;
  readonly reorderDelayMs: number;
  readonly duplicateRate: number;
  readonly corruptRate: number;
  readonly mtu: number;
  readonly rateBps: number;
  readonly queueBytes: number;
  readonly blackholes: readonly TimeWindow[];
}

/** A clean link: no delay, no impairment, no bottleneck. */
export const CLEAN_LINK: ResolvedLinkConditions = Object.freeze({
  delayMs: 0,
  jitterMs: 0,
  jitterReorders: false,
  lossRate: 0,
  burstLoss: undefined,
  reorderRate: 0,
  reorderDelayMs: 10,
  duplicateRate: 0,
  corruptRate: 0,
  mtu: Number.POSITIVE_INFINITY,
  rateBps: Number.POSITIVE_INFINITY,
  queueBytes: 65_536,
  blackholes: Object.freeze([]) as readonly TimeWindow[],
});

function probability(name: string, v: number): number {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be a probability in [0, 1], got ${v}`);
  return v;
}

function nonNegative(name: string, v: number, allowInfinity = false): number {
  if (!(v >= 0) || (!allowInfinity && !Number.isFinite(v))) {
    throw new RangeError(`${name} must be a ${allowInfinity ? '' : 'finite '}number ≥ 0, got ${v}`);
  }
  return v;
}

function pick<K extends keyof LinkConditions>(
  patch: LinkConditions,
  base: ResolvedLinkConditions,
  key: K & keyof ResolvedLinkConditions,
): ResolvedLinkConditions[K & keyof ResolvedLinkConditions] | LinkConditions[K] {
  if (!Object.hasOwn(patch, key)) return base[key];
  const v = patch[key];
  return v === undefined ? CLEAN_LINK[key] : v;
}

/**
 * Applies `patch` on top of `base` (fields absent from the patch are kept, fields set to `undefined` return to
 * their defaults) and validates the result. Throws RangeError on an invalid value.
 */
export function resolveLinkConditions(
  patch: LinkConditions,
  base: ResolvedLinkConditions = CLEAN_LINK,
): ResolvedLinkConditions {
  const burst = pick(patch, base, 'burstLoss') as GilbertElliottLoss | undefined;
  const blackholes = (pick(patch, base, 'blackholes') as readonly TimeWindow[]).map((w) => {
    if (!(Number.isFinite(w.startMs) && w.endMs >= w.startMs)) {
      throw new RangeError(`blackhole window must have startMs ≤ endMs, got [${w.startMs}, ${w.endMs})`);
    }
    return Object.freeze({ startMs: w.startMs, endMs: w.endMs });
  });
  const rateBps = pick(patch, base, 'rateBps') as number;
  if (!(rateBps > 0)) throw new RangeError(`rateBps must be > 0 (Infinity for no limit), got ${rateBps}`);
  return Object.freeze({
    delayMs: nonNegative('delayMs', pick(patch, base, 'delayMs') as number),
    jitterMs: nonNegative('jitterMs', pick(patch, base, 'jitterMs') as number),
    jitterReorders: Boolean(pick(patch, base, 'jitterReorders')),
    lossRate: probability('lossRate', pick(patch, base, 'lossRate') as number),
    burstLoss:
      burst === undefined
        ? undefined
        : Object.freeze({
            p: probability('burstLoss.p', burst.p),
            r: probability('burstLoss.r', burst.r),
            lossGood: probability('burstLoss.lossGood', burst.lossGood ?? 0),
            lossBad: probability('burstLoss.lossBad', burst.lossBad ?? 1),
          }),
    reorderRate: probability('reorderRate', pick(patch, base, 'reorderRate') as number),
    reorderDelayMs: nonNegative('reorderDelayMs', pick(patch, base, 'reorderDelayMs') as number),
    duplicateRate: probability('duplicateRate', pick(patch, base, 'duplicateRate') as number),
    corruptRate: probability('corruptRate', pick(patch, base, 'corruptRate') as number),
    mtu: nonNegative('mtu', pick(patch, base, 'mtu') as number, true),
    rateBps,
    queueBytes: nonNegative('queueBytes', pick(patch, base, 'queueBytes') as number, true),
    blackholes: Object.freeze(blackholes),
  });
}

/** The stationary loss rate of a Gilbert–Elliott chain: (r·lossGood + p·lossBad) / (p + r). */
export function gilbertElliottLossRate(ge: GilbertElliottLoss): number {
  const lossGood = ge.lossGood ?? 0;
  const lossBad = ge.lossBad ?? 1;
  if (ge.p + ge.r === 0) return lossGood; // the chain never leaves the good state it starts in
  return (ge.r * lossGood + ge.p * lossBad) / (ge.p + ge.r);
}
