// The metric names a PromQL expression reads, so a test can check each against a real /metrics or a live
// Prometheus: a rule or panel on a missing name never fires or draws, and nothing tells you. A small tokenizer,
// not a parser: strings, label matchers, ranges, numbers and grouping lists are removed first; what is left that
// is an identifier not followed by `(` and not a keyword is a metric name. Used by the rule and dashboard tests.
const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery durations
    .replace(/(?<![\w:])\d[\w.]*/g, ' ') // numbers (0.99, 1e3) and durations (offset 5m)
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const match of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || keywords.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}
