// The unit of a graphed value, guessed from the metric names in the expression (Prometheus naming conventions:
// `_bytes`, `_seconds`, `_ratio`; a rate of a `_total` counter is per second) unless the alert says it with a
// `graph_unit` annotation. Used for the axis labels and the threshold label.

export type ChartUnit = 'bytes' | 'seconds' | 'ratio' | 'percent' | 'per_second' | 'none';
const units: ChartUnit[] = ['bytes', 'seconds', 'ratio', 'percent', 'per_second', 'none'];

export function chartUnit(query: string, annotation: string | undefined): ChartUnit {
  if (annotation && units.includes(annotation as ChartUnit)) return annotation as ChartUnit;
  // A division of two same-unit series is a ratio (heap used / heap limit), whatever the names say.
  if (/_ratio\b/.test(query) || (/\//.test(query) && /_bytes\b[^/]*\/[^/]*_bytes\b/.test(query))) return 'ratio';
  if (/_percent\b/.test(query)) return 'percent';
  if (/_bytes\b/.test(query)) return 'bytes';
  if (/_seconds(_total|_sum|_bucket|_count)?\b/.test(query) && !/_count\b/.test(query)) return 'seconds';
  if (/\b(i?rate|increase)\s*\(/.test(query)) return 'per_second';
  return 'none';
}

const trim = (n: number, digits = 3): string => String(Number(n.toPrecision(digits)));

export function formatValue(value: number, unit: ChartUnit): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  switch (unit) {
    case 'bytes': {
      const steps = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1024 && i < steps.length - 1) {
        v /= 1024;
        i++;
      }
      return `${trim(v)} ${steps[i]}`;
    }
    case 'seconds':
      if (abs === 0) return '0 s';
      if (abs < 1e-3) return `${trim(value * 1e6)} µs`;
      if (abs < 1) return `${trim(value * 1e3)} ms`;
      return `${trim(value)} s`;
    case 'ratio':
      return `${trim(value * 100)}%`;
    case 'percent':
      return `${trim(value)}%`;
    case 'per_second':
      return `${short(value)}/s`;
    default:
      return short(value);
  }
}

function short(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}
