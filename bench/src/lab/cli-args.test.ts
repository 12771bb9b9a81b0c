import { describe, expect, it } from 'vitest';
import { parseLabArgs } from './cli-args.js';
import {
  bdpBytes,
  GRID,
  gridScenarios,
  makeScenario,
  parseScenario,
  queueBytes,
  quickScenarios,
  ScenarioError,
  scenarioName,
} from './scenario.js';

describe('scenarios', () => {
  it('name and parse each other', () => {
    for (const s of gridScenarios()) expect(parseScenario(scenarioName(s))).toEqual(s);
    expect(scenarioName(makeScenario({ rateMbps: 50, rttMs: 50, bufferBdp: 0.5, lossRate: 0.001, flows: 2 }))).toBe(
      '50mbps-50ms-0.5bdp-0.1pct-2flows',
    );
    expect(() => parseScenario('50mbps-50ms')).toThrow(ScenarioError);
  });

  it('size the buffer in BDPs of the bottleneck', () => {
    const s = makeScenario({ rateMbps: 50, rttMs: 50, bufferBdp: 2 });
    expect(bdpBytes(s)).toBe(312_500);
    expect(queueBytes(s)).toBe(625_000);
    // Never below two datagrams.
    expect(queueBytes(makeScenario({ rateMbps: 1, rttMs: 1, bufferBdp: 0.5 }))).toBe(2400);
  });

  it('the full grid is every combination of the issue dimensions', () => {
    const all = gridScenarios();
    expect(all.length).toBe(
      GRID.rateMbps.length * GRID.rttMs.length * GRID.bufferBdp.length * GRID.lossRate.length * GRID.flows.length,
    );
    expect(new Set(all.map(scenarioName)).size).toBe(all.length);
  });

  it('rejects impossible scenarios', () => {
    expect(() => makeScenario({ rateMbps: 0, rttMs: 50, bufferBdp: 1 })).toThrow(ScenarioError);
    expect(() => makeScenario({ rateMbps: 10, rttMs: 50, bufferBdp: 1, lossRate: 1 })).toThrow(ScenarioError);
    expect(() => makeScenario({ rateMbps: 10, rttMs: 50, bufferBdp: 1, flows: 1.5 })).toThrow(ScenarioError);
    expect(() => makeScenario({ rateMbps: 10, rttMs: 50, bufferBdp: 1, flows: 4, durationMs: 5000 })).toThrow(
      ScenarioError,
    );
  });
});

describe('lab command line', () => {
  it('runs the quick set by default', () => {
    const a = parseLabArgs([]);
    expect(a.scenarios).toEqual(quickScenarios());
    expect(a.controllers).toBeUndefined();
    expect(a.svg).toBe(true);
  });

  it('takes named scenarios, grid filters (loss in percent) and run settings', () => {
    const a = parseLabArgs(['--scenario', '50mbps-50ms-1bdp-0.1pct-2flows', '--duration=20', '--seed', '7']);
    expect(a.scenarios.map(scenarioName)).toEqual(['50mbps-50ms-1bdp-0.1pct-2flows']);
    expect(a.scenarios[0].durationMs).toBe(20_000);
    expect(a.scenarios[0].seed).toBe(7);
    const g = parseLabArgs(['--rate', '10,50', '--loss', '0.1', '--flows', '2', '--rtt', '50', '--buffer', '1']);
    expect(g.scenarios.map(scenarioName)).toEqual(['10mbps-50ms-1bdp-0.1pct-2flows', '50mbps-50ms-1bdp-0.1pct-2flows']);
    expect(g.scenarios[0].durationMs).toBe(60_000);
    expect(parseLabArgs(['--all']).scenarios.length).toBe(243);
    const o = parseLabArgs(['--controllers', 'cubic,newreno', '--no-svg', '--series', '--aead', '--out', 'x']);
    expect(o).toMatchObject({ controllers: ['cubic', 'newreno'], svg: false, series: true, aead: true, out: 'x' });
  });

  it('rejects what it does not understand', () => {
    expect(() => parseLabArgs(['--bogus'])).toThrow(ScenarioError);
    expect(() => parseLabArgs(['--rate', 'fast'])).toThrow(ScenarioError);
    expect(() => parseLabArgs(['--duration', '1,2'])).toThrow(ScenarioError);
    expect(() => parseLabArgs(['--out'])).toThrow(ScenarioError);
  });
});
