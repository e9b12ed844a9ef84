// What a PNG shows, for tests that must tell a chart with data from a blank or empty one.
import { PNG } from 'pngjs';

export interface PngStats {
  width: number;
  height: number;
  /** Distinct colours (quantised to 4 bits a channel). */
  colours: number;
  /** Share of pixels that are not near white. */
  inkShare: number;
  /** Pixels near a given colour. */
  near(hex: string, tolerance?: number): number;
}

export function pngStats(buffer: Buffer): PngStats {
  const png = PNG.sync.read(buffer);
  const colours = new Set<number>();
  let ink = 0;
  const { data, width, height } = png;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
    colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
    if (r < 235 || g < 235 || b < 235) ink++;
  }
  return {
    width,
    height,
    colours: colours.size,
    inkShare: ink / (width * height),
    near(hex, tolerance = 40) {
      const want = [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16));
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - want[0]!) <= tolerance && Math.abs(data[i + 1]! - want[1]!) <= tolerance && Math.abs(data[i + 2]! - want[2]!) <= tolerance) count++;
      }
      return count;
    },
  };
}
