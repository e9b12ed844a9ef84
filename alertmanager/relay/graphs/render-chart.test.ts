// The PNG as drawn: a real PNG of the configured size, different when what it shows differs (the threshold and
// the firing window are in the picture, not only in the options).
import { describe, expect, it } from 'vitest';
import { chartSvg, renderChartPng, type ChartSpec } from './render-chart.ts';

const end = Date.UTC(2026, 0, 1, 12, 0);
const start = end - 30 * 60_000;
const spec = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  title: 'HeapNearLimit (critical)',
  subtitle: 'heap used / limit',
  series: [
    { name: 'instance=a', points: Array.from({ length: 120 }, (_, i) => [start + i * 15_000, 0.6 + 0.003 * i] as [number, number]) },
    { name: 'instance=b', points: Array.from({ length: 120 }, (_, i) => [start + i * 15_000, 0.5 + 0.001 * i] as [number, number]) },
  ],
  unit: 'ratio',
  threshold: 0.9,
  firing: { from: end - 5 * 60_000, to: end },
  start,
  end,
  width: 720,
  height: 300,
  ...over,
});

const pngSize = (png: Buffer): { width: number; height: number } => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe('alert graph PNG', () => {
  it('is a PNG of the configured size', () => {
    const png = renderChartPng(spec());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(pngSize(png)).toEqual({ width: 720, height: 300 });
    expect(pngSize(renderChartPng(spec({ width: 480, height: 200 })))).toEqual({ width: 480, height: 200 });
  });

  it('draws the threshold, the firing window, the title, the legend and unit labels', () => {
    const svg = chartSvg(spec());
    expect(svg).toContain('HeapNearLimit (critical)');
    expect(svg).toContain('threshold 90%');
    expect(svg).toContain('instance=a');
    expect(svg).toMatch(/>\d+%</); // y axis in percent
    expect(svg).toContain('>11:50<'); // x axis in UTC
    // The threshold line and the window are really drawn: the pixels change without them.
    expect(renderChartPng(spec({ threshold: undefined })).equals(renderChartPng(spec()))).toBe(false);
    expect(renderChartPng(spec({ firing: undefined })).equals(renderChartPng(spec()))).toBe(false);
  });

  it('marks the points of a sparse series (a line of one point would not show)', () => {
    // Same axes either way (the threshold sets the range); only the point differs.
    const one = spec({ threshold: 0.7, series: [{ name: 'instance=new', points: [[end - 10_000, 0.7]] }] });
    const withoutPoint = spec({ threshold: 0.7, series: [{ name: 'instance=new', points: [[end - 10_000, Number.NaN]] }] });
    expect(renderChartPng(one).equals(renderChartPng(withoutPoint))).toBe(false);
  });

  it('says when there is no data', () => {
    expect(chartSvg(spec({ series: [] }))).toContain('no data for this range');
  });
});
