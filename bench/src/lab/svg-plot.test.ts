import { describe, expect, it } from 'vitest';
import { decimate, escapeXml, niceTicks, renderSvg } from './svg-plot.js';

describe('SVG plots', () => {
  it('picks 1-2-5 ticks covering the range', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 60_000, 10)).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it("keeps each pixel column's extremes when decimating, and the gaps", () => {
    const n = 10_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => (i === 5_000 ? 1_000 : i % 7));
    ys[7_000] = Number.NaN;
    const d = decimate(xs, ys, 0, n, 100);
    expect(d.xs.length).toBeLessThanOrEqual(2 * 101 + 2);
    expect(Math.max(...d.ys.filter((y) => !Number.isNaN(y)))).toBe(1_000); // the spike survives
    expect(d.ys.some((y) => Number.isNaN(y))).toBe(true); // so does the gap
    for (let i = 1; i < d.xs.length; i++) expect(d.xs[i]).toBeGreaterThanOrEqual(d.xs[i - 1]);
    expect(decimate([1, 2], [3, 4], 0, 2, 100)).toEqual({ xs: [1, 2], ys: [3, 4] });
  });

  it('renders a well-formed document with one path per series, escaped text and gaps as pen lifts', () => {
    const svg = renderSvg({
      title: 'a < b & "c"',
      xLabel: 'time (s)',
      panels: [
        {
          title: 'cwnd',
          yLabel: 'kB',
          series: [
            { label: 'flow 0', color: '#000', xs: [0, 1, 2, 3], ys: [1, 2, Number.NaN, 4] },
            { label: 'flow 1', color: '#f00', xs: [0, 1], ys: [2, 2], dashed: true },
          ],
          references: [{ label: 'BDP', y: 3 }],
        },
        { title: 'rtt', yLabel: 'ms', series: [{ label: 'rtt', color: '#00f', xs: [0, 3], ys: [50, 60] }] },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain(escapeXml('a < b & "c"'));
    expect(svg).not.toContain('a < b');
    const paths = svg.match(/<path d="[^"]+"/g) ?? [];
    expect(paths.length).toBe(3);
    // The NaN splits flow 0 into two sub-paths: two M commands.
    expect((paths[0]?.match(/M/g) ?? []).length).toBe(2);
    expect(svg).toContain('stroke-dasharray="4 3"');
    // Every opened group is closed.
    expect((svg.match(/<g>/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
  });
});
