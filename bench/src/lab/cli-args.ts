// Command-line arguments of the congestion lab (parsed by hand: bench depends on no CLI library).
import {
  DEFAULT_DURATION_MS,
  type GridFilter,
  gridScenarios,
  parseScenario,
  quickScenarios,
  type Scenario,
  ScenarioError,
} from './scenario.js';

export const LAB_USAGE = `congestion lab: bulk QUIC flows through a MemoryNetwork bottleneck, on virtual time

usage: npm run lab -w @fos/bench -- [options]

scenario selection (default: the quick set, 30 s each)
  --scenario NAME[,NAME…]   e.g. 50mbps-50ms-1bdp-0.1pct-2flows (repeatable)
  --all                     the full grid: 10/50/200 Mbit/s × 10/50/200 ms × 0.5/1/2 BDP × 0/0.1/1 % loss
                            × 1/2/4 flows (243 scenarios)
  --rate LIST --rtt LIST --buffer LIST --loss LIST --flows LIST
                            the grid restricted to these values (loss in percent), e.g. --rate 50 --loss 0,0.1
  --duration SECONDS        virtual time per scenario (default 60; 30 for the quick set)
  --stagger SECONDS         flow i starts at i × stagger (default 2)
  --seed N                  random-loss seed (default 1)
controllers
  --controllers LIST        names of registered factories (default: all: newreno, cubic, fixed-window)
output
  --out DIR                 where results.md, results.json and svg/ go (default tmp/lab under the repo root)
  --no-svg                  skip the plots
  --series                  include the sampled time series in results.json
  --aead                    real AES-GCM packet protection instead of the lab-only null protection (slower)
  --list                    print the selected scenarios and exit
  --help`;

export interface LabArgs {
  readonly scenarios: Scenario[];
  readonly controllers: string[] | undefined;
  readonly out: string | undefined;
  readonly svg: boolean;
  readonly series: boolean;
  readonly aead: boolean;
  readonly list: boolean;
  readonly help: boolean;
}

function numbers(flag: string, value: string | undefined): number[] {
  if (value === undefined || value === '') throw new ScenarioError(`${flag} needs a value`);
  return value.split(',').map((v) => {
    const x = Number(v);
    if (!Number.isFinite(x)) throw new ScenarioError(`${flag}: not a number: ${v}`);
    return x;
  });
}

function one(flag: string, value: string | undefined): number {
  const v = numbers(flag, value);
  if (v.length !== 1) throw new ScenarioError(`${flag} takes one number`);
  return v[0];
}

/** Parses the CLI arguments. Throws ScenarioError on anything it does not understand. */
export function parseLabArgs(argv: readonly string[]): LabArgs {
  const names: string[] = [];
  const filter: { -readonly [K in keyof GridFilter]: number[] } = {};
  let all = false;
  let durationMs: number | undefined;
  let staggerMs: number | undefined;
  let seed: number | undefined;
  let controllers: string[] | undefined;
  let out: string | undefined;
  let svg = true;
  let series = false;
  let aead = false;
  let list = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--scenario':
        names.push(...(value() ?? '').split(',').filter((s) => s.length > 0));
        break;
      case '--all':
        all = true;
        break;
      case '--rate':
        filter.rateMbps = numbers(flag, value());
        break;
      case '--rtt':
        filter.rttMs = numbers(flag, value());
        break;
      case '--buffer':
        filter.bufferBdp = numbers(flag, value());
        break;
      case '--loss':
        filter.lossRate = numbers(flag, value()).map((p) => p / 100);
        break;
      case '--flows':
        filter.flows = numbers(flag, value());
        break;
      case '--duration':
        durationMs = one(flag, value()) * 1000;
        break;
      case '--stagger':
        staggerMs = one(flag, value()) * 1000;
        break;
      case '--seed':
        seed = one(flag, value());
        break;
      case '--controllers':
        controllers = (value() ?? '').split(',').filter((s) => s.length > 0);
        break;
      case '--out':
        out = value();
        if (out === undefined) throw new ScenarioError('--out needs a directory');
        break;
      case '--no-svg':
        svg = false;
        break;
      case '--series':
        series = true;
        break;
      case '--aead':
        aead = true;
        break;
      case '--list':
        list = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new ScenarioError(`unknown argument: ${arg}`);
    }
  }
  const run: Partial<Scenario> = {
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(staggerMs === undefined ? {} : { flowStaggerMs: staggerMs }),
    ...(seed === undefined ? {} : { seed }),
  };
  const grid = all || Object.keys(filter).length > 0;
  const scenarios: Scenario[] = [];
  if (grid) scenarios.push(...gridScenarios(filter, { durationMs: DEFAULT_DURATION_MS, ...run }));
  for (const name of names) scenarios.push(parseScenario(name, { durationMs: DEFAULT_DURATION_MS, ...run }));
  if (!grid && names.length === 0) scenarios.push(...quickScenarios(run));
  return { scenarios, controllers, out, svg, series, aead, list, help };
}
