// Congestion lab scenarios: one bottleneck link (rate × RTT × buffer, random loss) shared by N bulk flows.

/** Every lab datagram is at most this big: the transport's default max_datagram_size (RFC 9000 §14). */
export const LAB_DATAGRAM_BYTES = 1200;

/** One bottleneck experiment. Times in ms, rates in Mbit/s (UDP payload bits, as the MemoryNetwork counts them). */
export interface Scenario {
  /** Bottleneck rate, Mbit/s. */
  readonly rateMbps: number;
  /** Base round-trip time (propagation only, no queue), ms; each direction gets half. */
  readonly rttMs: number;
  /** Bottleneck buffer as a multiple of the bandwidth-delay product. */
  readonly bufferBdp: number;
  /** iid random loss probability on the data direction (0.001 = 0.1 %). */
  readonly lossRate: number;
  /** Competing bulk flows, all through the same bottleneck. */
  readonly flows: number;
  /** Virtual time simulated, ms. */
  readonly durationMs: number;
  /** Flow i starts at i · flowStaggerMs. */
  readonly flowStaggerMs: number;
  /** Seed of the network's random streams (loss). */
  readonly seed: number;
}

/** The dimensions of the full grid (issue 5). */
export const GRID = {
  rateMbps: [10, 50, 200],
  rttMs: [10, 50, 200],
  bufferBdp: [0.5, 1, 2],
  lossRate: [0, 0.001, 0.01],
  flows: [1, 2, 4],
} as const;

export const DEFAULT_DURATION_MS = 60_000;
export const DEFAULT_STAGGER_MS = 2_000;
export const DEFAULT_SEED = 1;

/** Bandwidth-delay product in bytes. */
export function bdpBytes(s: Pick<Scenario, 'rateMbps' | 'rttMs'>): number {
  return (s.rateMbps * 1e6 * s.rttMs) / 8000;
}

/** Bottleneck queue capacity in bytes: bufferBdp · BDP, at least two datagrams. */
export function queueBytes(s: Pick<Scenario, 'rateMbps' | 'rttMs' | 'bufferBdp'>): number {
  return Math.max(Math.round(s.bufferBdp * bdpBytes(s)), 2 * LAB_DATAGRAM_BYTES);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** A stable, parseable name: `50mbps-50ms-1bdp-0.1pct-2flows`. */
export function scenarioName(s: Pick<Scenario, 'rateMbps' | 'rttMs' | 'bufferBdp' | 'lossRate' | 'flows'>): string {
  const loss = formatNumber(s.lossRate * 100);
  return `${formatNumber(s.rateMbps)}mbps-${formatNumber(s.rttMs)}ms-${formatNumber(s.bufferBdp)}bdp-${loss}pct-${s.flows}flow${s.flows === 1 ? '' : 's'}`;
}

const NAME = /^(\d+(?:\.\d+)?)mbps-(\d+(?:\.\d+)?)ms-(\d+(?:\.\d+)?)bdp-(\d+(?:\.\d+)?)pct-(\d+)flows?$/;

/** Thrown for a scenario name or option the lab cannot run. */
export class ScenarioError extends Error {}

/** Parses {@link scenarioName}'s format (durations, stagger and seed come from `defaults`). */
export function parseScenario(name: string, defaults: Partial<Scenario> = {}): Scenario {
  const m = NAME.exec(name.trim());
  if (m === null) throw new ScenarioError(`not a scenario name: ${name} (expected e.g. 50mbps-50ms-1bdp-0pct-1flow)`);
  return makeScenario({
    rateMbps: Number(m[1]),
    rttMs: Number(m[2]),
    bufferBdp: Number(m[3]),
    lossRate: Number(m[4]) / 100,
    flows: Number(m[5]),
    ...pickRunSettings(defaults),
  });
}

function pickRunSettings(d: Partial<Scenario>): Partial<Scenario> {
  const out: { -readonly [K in keyof Scenario]?: Scenario[K] } = {};
  if (d.durationMs !== undefined) out.durationMs = d.durationMs;
  if (d.flowStaggerMs !== undefined) out.flowStaggerMs = d.flowStaggerMs;
  if (d.seed !== undefined) out.seed = d.seed;
  return out;
}

/** Fills defaults and validates. */
export function makeScenario(s: Partial<Scenario> & Pick<Scenario, 'rateMbps' | 'rttMs' | 'bufferBdp'>): Scenario {
  const out: Scenario = {
    rateMbps: s.rateMbps,
    rttMs: s.rttMs,
    bufferBdp: s.bufferBdp,
    lossRate: s.lossRate ?? 0,
    flows: s.flows ?? 1,
    durationMs: s.durationMs ?? DEFAULT_DURATION_MS,
    flowStaggerMs: s.flowStaggerMs ?? DEFAULT_STAGGER_MS,
    seed: s.seed ?? DEFAULT_SEED,
  };
  const positive = (k: keyof Scenario) => {
    if (!(Number.isFinite(out[k]) && out[k] > 0)) throw new ScenarioError(`${k} must be a positive number`);
  };
  positive('rateMbps');
  positive('rttMs');
  positive('bufferBdp');
  positive('durationMs');
  if (!(out.lossRate >= 0 && out.lossRate < 1)) throw new ScenarioError('lossRate must be in [0, 1)');
  if (!(Number.isInteger(out.flows) && out.flows >= 1 && out.flows <= 64)) {
    throw new ScenarioError('flows must be an integer in [1, 64]');
  }
  if (!(out.flowStaggerMs >= 0)) throw new ScenarioError('flowStaggerMs must be ≥ 0');
  if (out.flowStaggerMs * (out.flows - 1) >= out.durationMs) {
    throw new ScenarioError('the last flow must start before the scenario ends');
  }
  return out;
}

/** Filters on the grid's dimensions (undefined = every value). */
export interface GridFilter {
  readonly rateMbps?: readonly number[];
  readonly rttMs?: readonly number[];
  readonly bufferBdp?: readonly number[];
  readonly lossRate?: readonly number[];
  readonly flows?: readonly number[];
}

/** The full grid (3 rates × 3 RTTs × 3 buffers × 3 loss rates × 1/2/4 flows: 243 scenarios), maybe filtered. */
export function gridScenarios(filter: GridFilter = {}, run: Partial<Scenario> = {}): Scenario[] {
  const out: Scenario[] = [];
  for (const rateMbps of filter.rateMbps ?? GRID.rateMbps)
    for (const rttMs of filter.rttMs ?? GRID.rttMs)
      for (const bufferBdp of filter.bufferBdp ?? GRID.bufferBdp)
        for (const lossRate of filter.lossRate ?? GRID.lossRate)
          for (const flows of filter.flows ?? GRID.flows)
            out.push(makeScenario({ rateMbps, rttMs, bufferBdp, lossRate, flows, ...pickRunSettings(run) }));
  return out;
}

/**
 * The quick default set: the acceptance scenarios of issue 5 plus one corner of each dimension (short and long RTT,
 * shallow and deep buffer, heavy loss, four flows). 30 s each unless `run.durationMs` says otherwise.
 */
export function quickScenarios(run: Partial<Scenario> = {}): Scenario[] {
  const r = { durationMs: 30_000, ...pickRunSettings(run) };
  return [
    makeScenario({ rateMbps: 50, rttMs: 50, bufferBdp: 1, ...r }),
    makeScenario({ rateMbps: 50, rttMs: 50, bufferBdp: 1, lossRate: 0.001, ...r }),
    makeScenario({ rateMbps: 50, rttMs: 50, bufferBdp: 1, flows: 2, ...r }),
    makeScenario({ rateMbps: 10, rttMs: 10, bufferBdp: 0.5, ...r }),
    makeScenario({ rateMbps: 10, rttMs: 200, bufferBdp: 2, ...r }),
    makeScenario({ rateMbps: 50, rttMs: 50, bufferBdp: 1, lossRate: 0.01, ...r }),
    makeScenario({ rateMbps: 50, rttMs: 50, bufferBdp: 2, flows: 4, ...r }),
  ];
}
