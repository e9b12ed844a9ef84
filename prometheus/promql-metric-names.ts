// The metric names a PromQL expression reads, so a test can check each against a real /metrics: a rule on a
// missing name never fires, and nothing tells you. Not a full parser: enough for the expressions of these rules
// (selectors, functions, aggregations with by/without, vector matching, offsets, subqueries).
const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values may contain anything
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\boffset\s+-?\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)) {
    const name = match[1]!;
    if (!keywords.has(name.toLowerCase())) names.add(name);
  }
  return [...names].sort();
}
