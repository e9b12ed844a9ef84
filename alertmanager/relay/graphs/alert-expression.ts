// What to graph for an alert: the PromQL expression from its generatorURL (`g0.expr`, as Prometheus writes it),
// split at a top-level comparison with a number (`... > 0.9`) into the value to plot and the threshold line.
// The comparison is dropped from the query because it filters: `x > 0.9` returns only the points above 0.9, and
// the graph must show the climb up to the line too.

export interface GraphExpression {
  /** The whole expression as the rule has it. */
  expr: string;
  /** What is queried and plotted: the side of the comparison that is not the number, or the whole expression. */
  query: string;
  threshold: { op: '>' | '>=' | '<' | '<=' | '==' | '!='; value: number } | undefined;
}

/** The `g0.expr` of a Prometheus generatorURL, or undefined when there is none. */
export function exprFromGeneratorUrl(generatorUrl: string | undefined): string | undefined {
  if (!generatorUrl) return undefined;
  try {
    const expr = new URL(generatorUrl).searchParams.get('g0.expr');
    return expr && expr.trim() !== '' ? expr.trim() : undefined;
  } catch {
    return undefined;
  }
}

const number = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const comparisons = ['>=', '<=', '==', '!=', '>', '<'] as const;
type Op = (typeof comparisons)[number];
const flipped: Record<Op, Op> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=', '==': '==', '!=': '!=' };

/**
 * Finds the comparisons at nesting depth 0 (outside (), [], {} and strings), so `rate(x[5m]) > 0.9` splits and
 * `max by (a) (x > 1)` or `{le="0.5"}` does not. Only a single top-level comparison is taken apart.
 */
function topLevelComparisons(expr: string): Array<{ at: number; op: Op }> {
  const found: Array<{ at: number; op: Op }> = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0) {
      const two = expr.slice(i, i + 2);
      const op = comparisons.find((o) => (o.length === 2 ? two === o : c === o && expr[i + 1] !== '='));
      if (op) {
        found.push({ at: i, op });
        i += op.length - 1;
      }
    }
  }
  return found;
}

export function graphExpression(expr: string): GraphExpression {
  const found = topLevelComparisons(expr);
  if (found.length !== 1) return { expr, query: expr, threshold: undefined };
  const { at, op } = found[0]!;
  // `> bool 0.9` keeps the comparison's 0/1 result: plot as is.
  const left = expr.slice(0, at).trim();
  const right = expr.slice(at + op.length).trim();
  if (number.test(right) && left !== '') return { expr, query: left, threshold: { op, value: Number(right) } };
  if (number.test(left) && right !== '') return { expr, query: right, threshold: { op: flipped[op], value: Number(left) } };
  return { expr, query: expr, threshold: undefined };
}
