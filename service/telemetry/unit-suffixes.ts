// How a metric's OpenTelemetry name and UCUM unit become its Prometheus name: the rules of Prometheus's own
// OTLP translation (github.com/prometheus/otlptranslator, strategy UnderscoreEscapingWithSuffixes), so that a
// dashboard or rule written against a direct scrape works unchanged when the metrics travel over OTLP.

/** The kinds of metric the translation tells apart (an up-down counter is not a gauge for the `_ratio` rule). */
export type PrometheusKind = 'counter' | 'non-monotonic-counter' | 'gauge' | 'histogram';

const units: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};
const perUnits: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

const invalidChar = /[^a-zA-Z0-9:]/g;

function cleanUp(word: string): string {
  return word.replace(invalidChar, '_').replace(/_{2,}/g, '_').replace(/^_/, '');
}

/** The unit words a UCUM unit adds to a name: `s` -> seconds, `By/s` -> bytes, per_second; `{request}` -> none. */
export function unitSuffixes(unit: string): { main: string; per: string } {
  const [mainPart = '', perPart] = unit.split(/\/(.*)/s, 2);
  const mainTrimmed = mainPart.trim();
  const main = mainTrimmed !== '' && !/[{}]/.test(mainTrimmed) ? cleanUp(units[mainTrimmed] ?? mainTrimmed) : '';
  let per = '';
  const perTrimmed = perPart?.trim() ?? '';
  if (perTrimmed !== '' && !/[{}]/.test(perTrimmed)) per = cleanUp(`per_${perUnits[perTrimmed] ?? perTrimmed}`);
  return { main, per };
}

/** The Prometheus unit word for the `# UNIT` line (empty when the unit adds no suffix). */
export function prometheusUnit(unit: string): string {
  const { main, per } = unitSuffixes(unit);
  return [main, per].filter((w) => w !== '').join('_').replace(/^_+|_+$/g, '');
}

/** The metric family name Prometheus's OTLP translation gives an OpenTelemetry metric. */
export function prometheusMetricName(name: string, unit: string, kind: PrometheusKind): string {
  let tokens = name.split(invalidChar).filter((t) => t !== '');
  const { main, per } = unitSuffixes(unit);
  let mainWord = tokens.includes(main) ? '' : main;
  let perWord = per === 'per_' ? '' : per.replace(/_$/, '');
  if (perWord !== '' && tokens.includes(perWord)) perWord = '';
  if (perWord !== '') mainWord = mainWord.replace(/_$/, '');
  if (mainWord !== '') tokens.push(mainWord);
  if (perWord !== '') tokens.push(perWord);
  if (kind === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && kind === 'gauge') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  const joined = tokens.join('_');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}
